"""Chart builders for the Pipeline and Opportunities pages: frames in, Plotly figures out. No st calls."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

import plotly.graph_objects as go
import polars as pl

from crm_core.opportunities import Stage
from ui.charts import PARTIAL_OPACITY, apply_layout, human_duration
from ui.theme import GRID, MUTED, PRIMARY, STAGE_COLORS, label

NO_DATE = "No date"
OVERDUE = "Overdue"


def forecast_months(forecast: pl.DataFrame, *, this_month: date) -> pl.DataFrame:
    """The forecast with a readable `period`: 'Dec 2026', months already past as 'Overdue', no date last.

    The running month is 'Rest of Dec 2026': it holds only what is still open, the deals it already
    closed have left the forecast, so beside a whole month it is not a drop."""
    period = (
        pl.when(pl.col("month").is_null())
        .then(pl.lit(NO_DATE))
        .when(pl.col("month") < this_month)
        .then(pl.lit(OVERDUE))
        .when(pl.col("month") == this_month)
        .then(pl.lit("Rest of ") + pl.col("month").dt.strftime("%b %Y"))
        .otherwise(pl.col("month").dt.strftime("%b %Y"))
    )
    order = (
        pl.when(pl.col("month").is_null())
        .then(pl.lit(date.max))
        .when(pl.col("month") < this_month)
        .then(pl.lit(date.min))
        .otherwise(pl.col("month"))
    )
    return (
        forecast.with_columns(period.alias("period"), order.alias("_order"))
        .group_by("period", "stage")
        .agg(
            pl.col("_order").first(),
            pl.col("count", "expected_amount_cents", "weighted_cents").sum(),
        )
        .sort("_order")
        .drop("_order")
    )


def forecast_chart(periods: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Weighted amount per close month, stacked by stage (rows from `forecast_months`)."""
    fig = go.Figure()
    order = list(dict.fromkeys(periods["period"].to_list()))
    for stage in (s.value for s in Stage):
        part = periods.filter(pl.col("stage") == stage)
        if part.is_empty():
            continue
        fig.add_bar(
            x=part["period"].to_list(),
            y=(part["weighted_cents"] / 100).to_list(),
            name=label(stage),
            marker_color=STAGE_COLORS[stage],
            customdata=list(
                zip((part["expected_amount_cents"] / 100).to_list(), part["count"].to_list(), strict=True)
            ),
            hovertemplate="%{x} · "
            + label(stage)
            + "<br>weighted $%{y:,.0f} of $%{customdata[0]:,.0f} (%{customdata[1]} open)<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(categoryorder="array", categoryarray=order)
    fig.update_yaxes(tickprefix="$", tickformat="~s", title_text="Weighted amount")
    return apply_layout(fig, title=title)


def conversion_chart(conversion: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """One bar per stage-to-stage step: the share that moved on, of those that left the stage."""
    steps = [
        f"{label(a)} → {label(b)}"
        for a, b in zip(conversion["from_stage"], conversion["to_stage"], strict=True)
    ]
    rates = [None if r is None else r * 100 for r in conversion["conversion_rate"].to_list()]
    fig = go.Figure(
        go.Bar(
            y=steps,
            x=rates,
            orientation="h",
            marker_color=[STAGE_COLORS[s] for s in conversion["to_stage"].to_list()],
            text=["—" if r is None else f"{r:.0f} %" for r in rates],
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(
                    conversion["moved_on"].to_list(),
                    conversion["lost"].to_list(),
                    conversion["still_open"].to_list(),
                    strict=True,
                )
            ),
            hovertemplate="%{y}: %{x:.0f} %<br>%{customdata[0]} moved on, %{customdata[1]} lost, "
            "%{customdata[2]} still there<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 115], ticksuffix=" %", showgrid=True, gridcolor=GRID)
    return apply_layout(fig, title=title, height=300)


def velocity_chart(velocity: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Median days spent in each open stage."""
    stages = velocity["stage"].to_list()
    days = velocity["median_days"].to_list()
    fig = go.Figure(
        go.Bar(
            y=[label(s) for s in stages],
            x=days,
            orientation="h",
            marker_color=[STAGE_COLORS[s] for s in stages],
            text=["—" if d is None else human_duration(d * 86_400) for d in days],
            textposition="outside",
            cliponaxis=False,
            customdata=velocity["stays"].to_list(),
            hovertemplate="%{y}: median %{x:.1f} days over %{customdata} stays<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    longest = max((d for d in days if d is not None), default=0)
    fig.update_xaxes(range=[0, longest * 1.25 or 1], ticksuffix=" d", showgrid=True, gridcolor=GRID)
    return apply_layout(fig, title=title, height=300)


def aging_chart(aging: pl.DataFrame, buckets: list[str], *, title: str | None = None) -> go.Figure:
    """Open opportunities per age bucket, stacked by stage."""
    fig = go.Figure()
    for stage in (s.value for s in Stage):
        part = aging.filter(pl.col("stage") == stage)
        if part.is_empty():
            continue
        fig.add_bar(
            x=part["age_bucket"].to_list(),
            y=part["count"].to_list(),
            name=label(stage),
            marker_color=STAGE_COLORS[stage],
            customdata=(part["expected_amount_cents"] / 100).to_list(),
            hovertemplate="%{x} · " + label(stage) + ": %{y} open, $%{customdata:,.0f}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(categoryorder="array", categoryarray=buckets, title_text="Days since the last change")
    fig.update_yaxes(title_text="Open opportunities")
    return apply_layout(fig, title=title)


def stage_timeline(stays: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """One opportunity's stays in each stage as bars along time (rows from `stage_stays`)."""
    fig = go.Figure()
    spans = stays.filter(pl.col("left_at").is_not_null())
    last = cast(date, stays["left_at"].max() or stays["entered_at"].max())
    whole = cast(timedelta, last - cast(date, stays["entered_at"].min()))
    shortest_ms = max(whole.total_seconds() * 1000 / 100, 1000)  # 1 % of the time shown: never invisible
    for stage, entered, left, days, ongoing in zip(
        spans["stage"], spans["entered_at"], spans["left_at"], spans["days"], spans["ongoing"], strict=True
    ):
        length = human_duration(days * 86_400) + (" so far" if ongoing else "")
        fig.add_bar(
            y=[label(stage)],
            x=[max((left - entered).total_seconds() * 1000, shortest_ms)],
            base=[entered.isoformat()],
            orientation="h",
            marker_color=STAGE_COLORS.get(stage, PRIMARY),
            marker_opacity=PARTIAL_OPACITY if ongoing else 1.0,
            text=length,
            textposition="auto",
            textangle=0,
            insidetextanchor="middle",
            textfont_color="#1F2937",
            showlegend=False,
            hovertemplate=f"{label(stage)}: {entered:%Y-%m-%d %H:%M} → "
            + ("now" if ongoing else f"{left:%Y-%m-%d %H:%M}")
            + f" UTC ({length})<extra></extra>",
        )
    finals = stays.filter(pl.col("left_at").is_null())
    if not finals.is_empty():
        fig.add_scatter(
            y=[label(s) for s in finals["stage"].to_list()],
            x=[t.isoformat() for t in finals["entered_at"].to_list()],
            mode="markers",
            marker={
                "size": 14,
                "symbol": "diamond",
                "color": [STAGE_COLORS.get(s, MUTED) for s in finals["stage"]],
            },
            showlegend=False,
            hovertemplate="%{y} on %{x|%Y-%m-%d %H:%M}<extra></extra>",
        )
    order = [label(s.value) for s in Stage if s.value in set(stays["stage"].to_list())]
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    fig.update_xaxes(type="date", showgrid=True, gridcolor=GRID)
    return apply_layout(fig, title=title, height=max(200, 46 * len(order) + 90))
