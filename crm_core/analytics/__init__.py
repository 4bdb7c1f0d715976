"""Metrics as Polars expressions: LazyFrame in, LazyFrame out; the caller collects.

Split by area: `overview` (headline KPIs and the shared definitions), and one module per
dashboard. Everything public is re-exported here, so `from crm_core import analytics`
and `analytics.period_kpis(...)` work.
"""

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

__all__ = [
    "FINAL_STATUS_VALUES",
    "OPEN_STAGE_VALUES",
    "aging",
    "count_by",
    "effectiveness",
    "funnel",
    "month_start",
    "monthly_integration",
    "monthly_revenue",
    "period_kpis",
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
