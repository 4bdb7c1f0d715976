"""Order charts: frames in, Plotly figures out (no Streamlit calls)."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

from crm_core.analytics.orders import AGING_BUCKETS, EXCEPTION_KINDS
from ui.charts import (
    PARTIAL_OPACITY,
    SO_FAR,
    add_partial_line,
    apply_layout,
    chart_texts,
    human_duration,
    label_so_far,
    month_axis,
    partial_flags,
)
from ui.theme import ACCENT, BAD, GOOD, MUTED, PRIMARY, STATUS_COLORS, label, money

AGING_COLORS = ["#D6E4F5", "#A7C4E8", "#7AA5DB", "#F2B880", ACCENT, BAD]  # older = warmer
EXCEPTION_COLORS = [ACCENT, BAD, "#8E44AD", PRIMARY]


def order_timeline(segments: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """A Gantt-like strip: one bar per stay in a state (start → end), labelled with the time spent
    ("12 s", "3 h", "4 d", "2 mo"). A stay of seconds beside stays of months is drawn at least 1 %
    of the time shown wide, so it never vanishes; its label still says how long it was.

    `segments` has state, start, end (null for a final state) and hours, in time order. The last
    stay, if it has an end, is the state the order is in now: lighter, its time "so far"."""
    states = list(dict.fromkeys(segments["state"].to_list()))
    fig = go.Figure()
    ongoing = segments.select(pl.col("end").is_not_null() & (pl.int_range(pl.len()) == pl.len() - 1))
    timed = segments.with_columns(ongoing.to_series().alias("ongoing")).filter(pl.col("end").is_not_null())
    if timed.height:
        now = timed["ongoing"].to_list()
        whole = (timed["end"].max() - segments["start"].min()).total_seconds() * 1000  # type: ignore[operator]
        shortest_ms = max(whole / 100, 1000)
        fig.add_bar(
            y=[label(s) for s in timed["state"].to_list()],
            base=timed["start"].to_list(),
            x=[
                max((e - s).total_seconds() * 1000, shortest_ms)
                for s, e in zip(timed["start"], timed["end"], strict=True)
            ],
            orientation="h",
            marker={
                "color": [STATUS_COLORS.get(s, PRIMARY) for s in timed["state"].to_list()],
                "opacity": [PARTIAL_OPACITY if o else 1.0 for o in now],
            },
            text=[
                human_duration(None if h is None else h * 3600) + (f" {SO_FAR}" if o else "")
                for h, o in zip(timed["hours"].to_list(), now, strict=True)
            ],
            textposition="auto",
            textangle=0,
            insidetextanchor="middle",
            hovertemplate="%{y}: %{text}<extra></extra>",
            showlegend=False,
        )
    final = segments.filter(pl.col("end").is_null())
    if final.height:
        fig.add_scatter(
            y=[label(s) for s in final["state"].to_list()],
            x=final["start"].to_list(),
            mode="markers+text",
            marker={
                "symbol": "diamond",
                "size": 14,
                "color": [STATUS_COLORS.get(s, GOOD) for s in final["state"]],
            },
            text=[
                f"{label(s)} {t:%Y-%m-%d %H:%M}" for s, t in zip(final["state"], final["start"], strict=True)
            ],
            textposition="middle left",
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[label(s) for s in states], autorange="reversed")
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#EEF1F5")
    return apply_layout(fig, title=title, height=max(200, 44 * len(states) + 90))


def aging_bars(aging: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Open orders per status, stacked by how long they have been in it."""
    statuses = list(dict.fromkeys(aging["status"].to_list()))
    fig = go.Figure()
    for bucket, color in zip(AGING_BUCKETS, AGING_COLORS, strict=True):
        part = aging.filter(pl.col("bucket") == bucket)
        counts = dict(zip(part["status"].to_list(), part["count"].to_list(), strict=True))
        fig.add_bar(
            y=[label(s) for s in statuses],
            x=[counts.get(s, 0) for s in statuses],
            name=bucket,
            orientation="h",
            marker_color=color,
            hovertemplate=f"%{{y}}, {bucket}: %{{x:,}} orders<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="orders")
    return apply_layout(fig, title=title, height=max(260, 40 * len(statuses) + 110))


def cycle_time_lines(monthly: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Median and 90th-percentile days from entered to delivered, by month of delivery; the
    running month (`partial`) dotted and labelled "so far" (only its quick orders have arrived)."""
    months = monthly["month"].to_list()
    partial = partial_flags(monthly)
    p90 = monthly["p90_days"].round(1).to_list()
    fig = go.Figure()
    add_partial_line(
        fig,
        months,
        p90,
        partial,
        name="90th percentile",
        color=ACCENT,
        width=2,
        dash="dash",
        hovertemplate="%{x|%b %Y}%{customdata}: 90 % delivered within %{y} days<extra></extra>",
    )
    add_partial_line(
        fig,
        months,
        monthly["median_days"].round(1).to_list(),
        partial,
        name="median",
        color=PRIMARY,
        hovertemplate="%{x|%b %Y}%{customdata}: median %{y} days<extra></extra>",
    )
    for month, p, top in zip(months, partial, p90, strict=True):
        if p:
            label_so_far(fig, month + timedelta(days=14), top or 0, yshift=16)
    fig.update_traces(xperiod="M1", xperiodalignment="middle")
    month_axis(fig, months)
    fig.update_yaxes(title_text="days, entered → delivered", rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return apply_layout(fig, title=title)


def throughput_lines(weekly: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Orders entered, shipped and delivered per week; the running week (`partial`) dotted and
    labelled "so far"."""
    fig = go.Figure()
    weeks, partial = weekly["week"].to_list(), partial_flags(weekly)
    for column, color, dash in (
        ("entered", MUTED, "dash"),
        ("shipped", PRIMARY, "solid"),
        ("delivered", GOOD, "solid"),
    ):
        add_partial_line(
            fig,
            weeks,
            weekly[column].to_list(),
            partial,
            name=column,
            color=color,
            width=2,
            dash=dash,
            show_marker=False,
            hovertemplate=f"week of %{{x|%Y-%m-%d}}%{{customdata}}: %{{y}} {column}<extra></extra>",
        )
    for week, p in zip(weeks, partial, strict=True):
        if p:  # above the plot: a busy weekly chart has no free room beside its last point
            label_so_far(fig, week, 1, text="this week so far", yref="paper", yshift=0, xanchor="right")
    fig.update_yaxes(title_text="orders per week", rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return apply_layout(fig, title=title)


def exception_bars(counts: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """How many orders need attention, per kind of exception."""
    kinds = counts["kind"].to_list()
    colors = dict(zip(EXCEPTION_KINDS, EXCEPTION_COLORS, strict=True))
    fig = go.Figure(
        go.Bar(
            y=chart_texts(kinds),
            x=counts["count"].to_list(),
            orientation="h",
            marker={"color": [colors.get(k, PRIMARY) for k in kinds]},
            text=[
                f"{n:,} · {money(v, compact=True)}"
                for n, v in zip(counts["count"], counts["total_cents"], strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} orders<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, max(counts["count"].to_list(), default=0) * 1.5 or 1])
    return apply_layout(fig, title=title, height=max(220, 40 * len(kinds) + 90))
