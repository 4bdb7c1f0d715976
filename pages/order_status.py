"""Order status: how many orders, and how much money, sit in each status."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.orders import OrderStatus
from ui.charts import status_bars
from ui.data import frame
from ui.filters import date_range_filter
from ui.frame import inside_frame
from ui.theme import money
from ui.widgets import show_data

inside_frame()

st.title("Order status")
orders = frame("orders")
by_date = date_range_filter(orders, "created_at", "Orders entered between", key="order_status_created")
selected = orders.filter(by_date)

order = [s.value for s in OrderStatus]
by_status = (
    analytics.count_by(selected.lazy(), "status", order, value="total_cents")
    .collect()
    .join(pl.DataFrame({"status": order}), on="status", how="right")
    .with_columns(pl.col("count", "total_cents").fill_null(0))
)
in_flight = by_status.filter(~pl.col("status").is_in(analytics.FINAL_STATUS_VALUES))
st.caption(
    f"{selected.height:,} orders · in flight: {in_flight['count'].sum():,} "
    f"worth {money(in_flight['total_cents'].sum(), compact=True)}"
)
left, right = st.columns(2)
left.plotly_chart(status_bars(by_status, value_col="count", title="Orders by status"), key="order_status_n")
right.plotly_chart(
    status_bars(by_status, value_col="total_cents", title="Value by status"), key="order_status_v"
)
show_data(
    by_status.with_columns((pl.col("total_cents") / 100).alias("total")).drop("total_cents"),
    key="order_status_by_status",
    file_name="orders_by_status.csv",
)
