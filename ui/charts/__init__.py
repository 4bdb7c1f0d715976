"""Chart builders: frames in, Plotly/Altair figures out. No Streamlit calls here.

`apply_layout` gives every Plotly figure the house look; area-specific builders live in
modules beside this one (ui/charts/<area>.py)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from ui.theme import ACCENT, FONT, GRID, PRIMARY, STAGE_COLORS, STATUS_COLORS, label


def apply_layout(fig: go.Figure, *, height: int = 360, title: str | None = None) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 80 if title else 40, "b": 10},
        title={"text": title, "x": 0, "y": 0.98, "yref": "container", "yanchor": "top", "font": {"size": 16}}
        if title
        else None,
        font={"family": FONT, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 12}},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False, linecolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID)
    return fig


def stage_funnel(by_stage: pl.DataFrame, *, value_col: str = "count", title: str | None = None) -> go.Figure:
    """Funnel over stages (rows in stage order) with `stage` and `value_col` columns."""
    stages = by_stage["stage"].to_list()
    values = by_stage[value_col].to_list()
    is_money = value_col.endswith("_cents")
    shown = [v / 100 for v in values] if is_money else values
    fig = go.Figure(
        go.Funnel(
            y=[label(s) for s in stages],
            x=shown,
            marker={"color": [STAGE_COLORS.get(s, PRIMARY) for s in stages]},
            texttemplate="$%{x:,.0f}" if is_money else "%{x:,}",
            textinfo="text",
            hovertemplate="%{y}: " + ("$%{x:,.0f}" if is_money else "%{x:,}") + "<extra></extra>",
        )
    )
    return apply_layout(fig, title=title)


def status_bars(by_status: pl.DataFrame, *, value_col: str = "count", title: str | None = None) -> go.Figure:
    """Horizontal bars per order status, in flow order (rows already ordered)."""
    statuses = by_status["status"].to_list()
    values = by_status[value_col].to_list()
    is_money = value_col.endswith("_cents")
    shown = [v / 100 for v in values] if is_money else values
    fmt = "$%{x:,.0f}" if is_money else "%{x:,}"
    fig = go.Figure(
        go.Bar(
            y=[label(s) for s in statuses],
            x=shown,
            orientation="h",
            marker={"color": [STATUS_COLORS.get(s, PRIMARY) for s in statuses]},
            texttemplate="$%{x:.3~s}" if is_money else fmt,  # $31.7M: full amounts do not fit beside the bar
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: " + fmt + "<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, max(shown, default=0) * 1.18 or 1])  # room for the outside labels
    if is_money:
        fig.update_xaxes(tickprefix="$", tickformat="~s")
    return apply_layout(fig, title=title, height=max(260, 36 * len(statuses) + 60))


def integration_chart(monthly: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """S and O as bars, E as a line on the same scale (E ≤ min(S, O))."""
    months = monthly["month"].to_list()
    fig = go.Figure()
    fig.add_bar(x=months, y=monthly["won"].to_list(), name="S — opportunities won", marker_color=PRIMARY)
    fig.add_bar(
        x=months, y=monthly["delivered"].to_list(), name="O — orders delivered", marker_color="#A7C4E8"
    )
    fig.add_scatter(
        x=months,
        y=monthly["effectiveness"].round(1).to_list(),
        name="E = S·O/(S+O)",
        mode="lines+markers",
        line={"color": ACCENT, "width": 3},
    )
    fig.update_layout(barmode="group", hovermode="x unified")
    fig.update_xaxes(dtick="M1", tickformat="%b<br>%Y", ticklabelmode="period")
    return apply_layout(fig, title=title)
