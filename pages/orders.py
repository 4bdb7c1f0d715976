"""Orders: the order list with filters and search by order number."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.orders import OrderStatus
from ui.data import frame
from ui.filters import date_range_filter, multiselect_filter, search_filter
from ui.frame import inside_frame
from ui.theme import label

inside_frame()

st.title("Orders")
orders = frame("orders")

with st.container(border=True):
    cols = st.columns([1.4, 1.4, 1.4, 1.4])
    with cols[0]:
        by_number = search_filter(["number"], key="orders_search", placeholder="Order number, e.g. SO-000123")
    with cols[1]:
        statuses = st.multiselect(
            "Status",
            [s.value for s in OrderStatus],
            format_func=label,
            key="orders_status",
            placeholder="All",
        )
    with cols[2]:
        by_customer = multiselect_filter(orders, "customer", "Customer", key="orders_customer")
    with cols[3]:
        by_date = date_range_filter(orders, "created_at", "Entered between", key="orders_created")

by_status = pl.col("status").is_in(statuses) if statuses else pl.lit(True)
shown = orders.filter(by_number & by_status & by_customer & by_date).sort("created_at", descending=True)
st.caption(f"{shown.height:,} of {orders.height:,} orders")
st.dataframe(
    shown.select(
        "number",
        "customer",
        "status",
        (pl.col("total_cents") / 100).alias("total"),
        "payment_method",
        "delivery_method",
        "created_at",
        "promised_date",
        "opportunity_id",
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "number": "Order",
        "customer": "Customer",
        "status": "Status",
        "total": st.column_config.NumberColumn("Total", format="dollar"),
        "payment_method": "Payment",
        "delivery_method": "Delivery",
        "created_at": st.column_config.DatetimeColumn("Entered", format="YYYY-MM-DD"),
        "promised_date": st.column_config.DateColumn("Promised"),
        "opportunity_id": st.column_config.NumberColumn("From opportunity", format="%d"),
    },
)
