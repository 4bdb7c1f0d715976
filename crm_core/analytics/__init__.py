"""Metrics as Polars expressions: LazyFrame in, LazyFrame out; the caller collects.

Split by area: `overview` (headline KPIs and the shared definitions), and one module per
dashboard. Everything public is re-exported here, so `from crm_core import analytics`
and `analytics.period_kpis(...)` work.
"""

from crm_core.analytics.integration import (
    NO_OPPORTUNITY,
    blocked_by_payment,
    conversion_flow,
    conversion_lags,
    conversion_summary,
    integration_by,
    integration_by_month,
    integration_totals,
    months_back,
    order_progress,
)
from crm_core.analytics.overview import (
    FINAL_STATUS_VALUES,
    OPEN_STAGE_VALUES,
    count_by,
    effectiveness,
    month_start,
    monthly_integration,
    monthly_revenue,
    monthly_win_rate,
    period_kpis,
    previous_month_start,
    stage_probability_expr,
)
from crm_core.analytics.pipeline import (
    aging,
    funnel,
    pipeline_totals,
    probabilities_from_percent,
    size_band_expr,
    stage_conversion,
    stage_reach,
    stage_stays,
    velocity,
    weighted_forecast,
)
from crm_core.analytics.snapshots import in_flight_history, pipeline_history

__all__ = [
    "FINAL_STATUS_VALUES",
    "NO_OPPORTUNITY",
    "OPEN_STAGE_VALUES",
    "aging",
    "blocked_by_payment",
    "conversion_flow",
    "conversion_lags",
    "conversion_summary",
    "count_by",
    "effectiveness",
    "funnel",
    "in_flight_history",
    "integration_by",
    "integration_by_month",
    "integration_totals",
    "month_start",
    "monthly_integration",
    "monthly_revenue",
    "monthly_win_rate",
    "months_back",
    "order_progress",
    "period_kpis",
    "pipeline_history",
    "pipeline_totals",
    "previous_month_start",
    "probabilities_from_percent",
    "size_band_expr",
    "stage_conversion",
    "stage_probability_expr",
    "stage_reach",
    "stage_stays",
    "velocity",
    "weighted_forecast",
]
