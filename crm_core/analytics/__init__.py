"""Metrics as Polars expressions: LazyFrame in, LazyFrame out; the caller collects.

Split by area: `overview` (headline KPIs and the shared definitions), and one module per
dashboard. Everything public is re-exported here, so `from crm_core import analytics`
and `analytics.period_kpis(...)` work.
"""

from crm_core.analytics.orders import (
    EXCEPTION_KINDS,
    order_aging,
    order_aging_summary,
    order_cycle_time_by_month,
    order_exception_counts,
    order_exceptions,
    order_status_segments,
    order_throughput_by_week,
    orders_by_status,
)
from crm_core.analytics.overview import (
    FINAL_STATUS_VALUES,
    OPEN_STAGE_VALUES,
    count_by,
    effectiveness,
    month_start,
    monthly_integration,
    monthly_revenue,
    period_kpis,
    previous_month_start,
    stage_probability_expr,
)

__all__ = [
    "EXCEPTION_KINDS",
    "FINAL_STATUS_VALUES",
    "OPEN_STAGE_VALUES",
    "count_by",
    "effectiveness",
    "month_start",
    "monthly_integration",
    "monthly_revenue",
    "order_aging",
    "order_aging_summary",
    "order_cycle_time_by_month",
    "order_exception_counts",
    "order_exceptions",
    "order_status_segments",
    "order_throughput_by_week",
    "orders_by_status",
    "period_kpis",
    "previous_month_start",
    "stage_probability_expr",
]
