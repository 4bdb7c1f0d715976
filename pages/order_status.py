"""Order status: where the orders are, how long they sit there, how fast they flow, and what is stuck."""

from __future__ import annotations

import streamlit as st

from ui.data import frame
from ui.dates import now as clock_now
from ui.frame import inside_frame
from ui.live import live_toggle, show
from ui.orders import status

inside_frame()


def render() -> None:
    st.title("Order status")
    show(figures, live=live_toggle("order_status_live"))


def figures() -> None:
    """Filters, figures and lists at the current data version (a fragment refreshing itself when live)."""
    orders = frame("orders")
    now = clock_now()
    filters = status.filter_bar(orders)
    metrics = status.order_status_metrics(orders, filters, now)
    status.tiles(metrics)
    status.where_section(metrics)
    status.attention_section(metrics)
    status.waiting_section(metrics)
    status.flow_section(metrics, now)


render()
