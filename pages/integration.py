"""Integration: how well won opportunities turn into delivered orders, month by month."""

from __future__ import annotations

import streamlit as st

from crm_core import analytics
from ui.charts import integration_chart
from ui.data import frame
from ui.widgets import show_data

st.title("Integration")
opportunities, orders = frame("opportunities"), frame("orders")
monthly = analytics.monthly_integration(opportunities.lazy(), orders.lazy()).collect()

with st.expander("What E means"):
    st.markdown(
        "**E = S·O / (S + O)** per month, where **S** is the number of opportunities won in the month "
        "and **O** the number of orders delivered in the month. E is 0 when both are 0. It is half the "
        "harmonic mean of S and O: it only rises when sales *and* fulfilment both deliver."
    )
st.plotly_chart(integration_chart(monthly, title="Won, delivered and E per month"), key="integration_monthly")
show_data(monthly, key="integration_monthly", file_name="integration_by_month.csv")
