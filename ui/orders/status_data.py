"""The Order status page's metrics, cached per data version, filters and minute.

At a million orders the exceptions and cycle-time aggregations take a few hundred milliseconds;
a rerun that changes nothing (a click in "show data", a chart hover) should not pay that again.
The cache key is the store, the data version (every committed write changes it), the filter
values and the current minute (aging and "late" move with the clock)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.store import Store
from ui.data import current_version, frame, store_key


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _compute(
    _orders: pl.DataFrame,
    _invoices: pl.DataFrame,
    _payments: pl.DataFrame,
    key: str,
    version: int,
    filters: str,
    now: datetime,
) -> dict[str, pl.DataFrame]:
    selected = _orders.lazy()
    exceptions = analytics.order_exceptions(selected, _invoices.lazy(), _payments.lazy(), now)
    frames = pl.collect_all(
        [
            analytics.orders_by_status(selected),
            exceptions,
            analytics.order_exception_counts(exceptions),
            analytics.order_aging(selected, now),
            analytics.order_aging_summary(selected, now),
            analytics.order_cycle_time_by_month(selected),
            analytics.order_throughput_by_week(selected),
        ]
    )
    names = ["by_status", "exceptions", "exception_counts", "aging", "aging_summary", "cycle", "weekly"]
    return dict(zip(names, frames, strict=True))


def order_status_metrics(
    store: Store, selected: pl.DataFrame, filters: object, now: datetime
) -> dict[str, pl.DataFrame]:
    """Every frame the page draws, for the selected orders (`filters` describes how they were selected)."""
    minute = now.replace(second=0, microsecond=0)
    return _compute(
        selected,
        frame("open_order_invoices", store),  # the exceptions only look at orders in flight
        frame("open_order_payments", store),
        store_key(store),
        current_version(store),
        repr(filters),
        minute,
    )
