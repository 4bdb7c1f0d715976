"""The order list: filters (status, customer, entry date), search by order number, pick a row to open it."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.orders import OrderStatus
from ui.filters import date_range_filter, search_filter
from ui.orders.state import LIST_CREATED, LIST_CUSTOMER, LIST_SEARCH, LIST_STATUS, TABLE_NONCE, list_table
from ui.theme import label, label_expr

MAX_ROWS = 2_000  # a table longer than this helps nobody; filters and search narrow it


def _customer_filter() -> pl.Expr:
    """Part of a customer's name (a text box scales to any number of customers; a list would not)."""
    text = st.text_input("Customer", key=LIST_CUSTOMER, placeholder="Part of the name").strip().lower()
    if not text:
        return pl.lit(True)
    return pl.col("customer").str.to_lowercase().str.contains(text, literal=True)


def order_list(orders: pl.DataFrame) -> int | None:
    """Render the filters and the table; returns the id of the order picked, if any."""
    with st.container(border=True):
        cols = st.columns(4)
        with cols[0]:
            by_number = search_filter(["number"], key=LIST_SEARCH, placeholder="Order number, e.g. SO-000123")
        with cols[1]:
            statuses = st.multiselect(
                "Status",
                [s.value for s in OrderStatus],
                format_func=label,
                key=LIST_STATUS,
                placeholder="All",
            )
        with cols[2]:
            by_customer = _customer_filter()
        with cols[3]:
            by_date = date_range_filter(orders, "created_at", "Entered between", key=LIST_CREATED)
    by_status = pl.col("status").is_in(statuses) if statuses else pl.lit(True)
    matching = orders.filter(by_number & by_status & by_customer & by_date)
    shown = matching.sort("created_at", "id", descending=True).head(MAX_ROWS)
    more = f" (the {MAX_ROWS:,} most recent shown: narrow the filters)" if matching.height > MAX_ROWS else ""
    st.caption(f"{matching.height:,} of {orders.height:,} orders{more} · select a row to open the order")
    event = st.dataframe(
        shown.select(
            "number",
            "customer",
            label_expr("status"),
            (pl.col("total_cents") / 100).alias("total"),
            label_expr("payment_method").replace("Paypal", "PayPal"),
            label_expr("delivery_method"),
            "created_at",
            "promised_date",
            pl.col("hold_reason").fill_null(""),
        ),
        hide_index=True,
        width="stretch",
        height=520,
        placeholder="—",
        on_select="rerun",
        selection_mode="single-row",
        key=list_table(st.session_state.get(TABLE_NONCE, 0)),
        column_config={
            "number": "Order",
            "customer": st.column_config.TextColumn("Customer", width="medium"),
            "status": "Status",
            "total": st.column_config.NumberColumn("Total", format="dollar"),
            "payment_method": "Payment",
            "delivery_method": "Delivery",
            "created_at": st.column_config.DatetimeColumn("Entered", format="YYYY-MM-DD"),
            "promised_date": st.column_config.DateColumn("Promised"),
            "hold_reason": "Hold reason",
        },
    )
    rows = event.selection.rows if event is not None else []
    return int(shown["id"][rows[0]]) if rows else None
