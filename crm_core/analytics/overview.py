"""Metrics as Polars expressions: LazyFrame in, LazyFrame out; the caller collects.

Definitions used across pages (documented here so every page agrees):
- open pipeline: the expected amount of opportunities in an open stage;
- weighted pipeline: the same, each multiplied by its stage's probability;
- win rate: won / (won + lost) among opportunities closed in the window;
- orders in flight: orders not yet delivered and not cancelled;
- revenue: payments received (cash in), by the payment date;
- integration effectiveness per period: E = S·O/(S+O), S = opportunities won in the period,
  O = orders delivered in the period, E = 0 when S + O = 0 (docs/architecture.md §1.5).
Timestamps are naive UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import polars as pl

from crm_core.opportunities import DEFAULT_STAGE_PROBABILITY, OPEN_STAGES, Stage
from crm_core.orders import FINAL_STATUSES

OPEN_STAGE_VALUES = [s.value for s in OPEN_STAGES]
FINAL_STATUS_VALUES = [s.value for s in FINAL_STATUSES]


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def running_period(column: str, today: date, every: str = "1mo") -> pl.Expr:
    """`partial`: true for the period (month "1mo", week "1w") that contains `today`. Its figures
    are so far, not final — charts draw it as partial so a month just begun does not look like a
    collapse. `today` comes from `crm_core.clock`."""
    return (pl.col(column) == pl.lit(today).dt.truncate(every)).alias("partial")


def effectiveness(s: pl.Expr, o: pl.Expr) -> pl.Expr:
    """E = S·O/(S+O), 0 when S + O = 0."""
    total = s + o
    return pl.when(total > 0).then((s * o).cast(pl.Float64) / total).otherwise(0.0)


def stage_probability_expr(probabilities: Mapping[str, float] | None = None) -> pl.Expr:
    probs = {str(k): float(v) for k, v in (probabilities or DEFAULT_STAGE_PROBABILITY).items()}
    return pl.col("stage").replace_strict(probs, default=0.0, return_dtype=pl.Float64)


def _in_range(col: str, start: date, end: date) -> pl.Expr:
    """start <= col < end, for a Datetime column and calendar dates."""
    return (pl.col(col).dt.date() >= start) & (pl.col(col).dt.date() < end)


def period_kpis(
    opportunities: pl.LazyFrame,
    orders: pl.LazyFrame,
    payments: pl.LazyFrame,
    *,
    start: date,
    end: date,
    probabilities: Mapping[str, float] | None = None,
) -> pl.LazyFrame:
    """One row of headline figures for the period [start, end).

    Pipeline and orders in flight are snapshots "now" (they have no history in the store);
    win rate, revenue and S/O/E are measured over the period."""
    is_open = pl.col("stage").is_in(OPEN_STAGE_VALUES)
    pipeline = opportunities.select(
        pl.col("expected_amount_cents").filter(is_open).sum().alias("open_pipeline_cents"),
        (pl.col("expected_amount_cents") * stage_probability_expr(probabilities))
        .filter(is_open)
        .sum()
        .round(0)
        .cast(pl.Int64)
        .alias("weighted_pipeline_cents"),
        is_open.sum().alias("open_opportunities"),
        ((pl.col("stage") == Stage.WON) & _in_range("closed_at", start, end)).sum().alias("won"),
        ((pl.col("stage") == Stage.LOST) & _in_range("closed_at", start, end)).sum().alias("lost"),
    )
    flight = orders.select(
        (~pl.col("status").is_in(FINAL_STATUS_VALUES)).sum().alias("orders_in_flight"),
        _in_range("delivered_at", start, end).sum().alias("delivered"),
    )
    revenue = payments.select(
        pl.col("amount_cents").filter(_in_range("paid_at", start, end)).sum().alias("revenue_cents")
    )
    return (
        pl.concat([pipeline, flight, revenue], how="horizontal")
        .with_columns(
            pl.when(pl.col("won") + pl.col("lost") > 0)
            .then(pl.col("won") / (pl.col("won") + pl.col("lost")))
            .otherwise(None)
            .alias("win_rate"),
            effectiveness(pl.col("won"), pl.col("delivered")).alias("effectiveness"),
        )
        .with_columns(pl.lit(start).alias("period_start"), pl.lit(end).alias("period_end"))
    )


def monthly_integration(opportunities: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """Per calendar month: S (won), O (delivered), E, sorted by month; months with neither are absent."""
    won = (
        opportunities.filter(pl.col("stage") == Stage.WON)
        .group_by(pl.col("closed_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(pl.len().cast(pl.Int64).alias("won"))
    )
    delivered = (
        orders.filter(pl.col("delivered_at").is_not_null())
        .group_by(pl.col("delivered_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(pl.len().cast(pl.Int64).alias("delivered"))
    )
    return (
        won.join(delivered, on="month", how="full", coalesce=True)
        .with_columns(pl.col("won", "delivered").fill_null(0))
        .with_columns(effectiveness(pl.col("won"), pl.col("delivered")).alias("effectiveness"))
        .sort("month")
    )


def monthly_revenue(payments: pl.LazyFrame) -> pl.LazyFrame:
    return (
        payments.group_by(pl.col("paid_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(pl.col("amount_cents").sum().alias("revenue_cents"))
        .sort("month")
    )


def count_by(
    frame: pl.LazyFrame, column: str, order: list[str] | None = None, value: str | None = None
) -> pl.LazyFrame:
    """Count (and optionally sum `value`) per category, in the given category order."""
    aggs = [pl.len().cast(pl.Int64).alias("count")]
    if value:
        aggs.append(pl.col(value).sum().alias(value))
    out = frame.group_by(column).agg(aggs)
    if order:
        rank = {name: i for i, name in enumerate(order)}
        out = (
            out.with_columns(
                pl.col(column).replace_strict(rank, default=len(order), return_dtype=pl.Int32).alias("_order")
            )
            .sort("_order", column)
            .drop("_order")
        )
    return out


def monthly_win_rate(opportunities: pl.LazyFrame) -> pl.LazyFrame:
    """Per calendar month of closing: won, lost and won / (won + lost), sorted by month."""
    closed = opportunities.filter(
        pl.col("stage").is_in([Stage.WON, Stage.LOST]) & pl.col("closed_at").is_not_null()
    )
    return (
        closed.group_by(pl.col("closed_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(
            (pl.col("stage") == Stage.WON).sum().alias("won"),
            (pl.col("stage") == Stage.LOST).sum().alias("lost"),
        )
        .with_columns((pl.col("won") / (pl.col("won") + pl.col("lost"))).alias("win_rate"))
        .sort("month")
    )
