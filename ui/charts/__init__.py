"""Chart builders: frames in, Plotly/Altair figures out. No Streamlit calls here.

`apply_layout` gives every Plotly figure the house look; area-specific builders live in
modules beside this one (ui/charts/<area>.py).

- Text people typed (names, industries) goes through `chart_text` before it reaches a Plotly
  figure: Plotly reads a subset of HTML (`<a href>`, `<span style>`, `<br>`) in every tick,
  hover, legend, annotation and Sankey label. Altair charts need nothing: Vega draws text
  marks as SVG text and its tooltips escape HTML.
- A period still running (this month, this week) is drawn as partial: lighter, hatched or
  dashed, and labelled "so far" (frames carry a boolean `partial`, see
  `crm_core.analytics.running_period`), so a month just begun does not look like a collapse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

from crm_core.orders import FINAL_STATUSES
from ui.theme import ACCENT, FONT, GRID, PRIMARY, STAGE_COLORS, STATUS_COLORS, label

SO_FAR = "so far"
PARTIAL_OPACITY = 0.45
PARTIAL_PATTERN = "/"
SO_FAR_COLOR = "#475569"  # dark enough to read beside the light partial marks
E_MEANING = "E = S·O/(S+O)"  # S won deals, O delivered orders (DESIGN §1.5)
FINAL_STATUS_VALUES = {s.value for s in FINAL_STATUSES}


def chart_text(text: object) -> str:
    """Text for a Plotly label, shown exactly as typed: & < > become entities Plotly decodes."""
    if text is None:
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart_texts(values: Iterable[object]) -> list[str]:
    return [chart_text(v) for v in values]


def _number(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0") if x < 10 else f"{x:,.0f}"


def human_duration(seconds: float | None) -> str:
    """12 → '12 s', 300 → '5 min', 10_800 → '3 h', 4 days → '4 d', 61 days → '2 mo', 400 days → '1.1 y'."""
    if seconds is None:
        return ""
    s = max(float(seconds), 0.0)
    minutes, hours, days = s / 60, s / 3600, s / 86_400
    if s < 60:
        return f"{s:.0f} s"
    if minutes < 60:
        return f"{_number(minutes)} min"
    if hours < 24:
        return f"{_number(hours)} h"
    if days < 45:
        return f"{_number(days)} d"
    if days < 365:
        return f"{_number(days / 30.44)} mo"
    return f"{_number(days / 365.25)} y"


def partial_flags(frame: pl.DataFrame) -> list[bool]:
    """The frame's `partial` column (the period still running), all false when it has none."""
    if "partial" not in frame.columns:
        return [False] * frame.height
    return [bool(p) for p in frame["partial"].to_list()]


def partial_bar_marker(color: str | Sequence[str], partial: Sequence[bool]) -> dict[str, Any]:
    """A bar marker where the running period is lighter and hatched."""
    return {
        "color": color,
        "opacity": [PARTIAL_OPACITY if p else 1.0 for p in partial],
        "pattern": {
            "shape": [PARTIAL_PATTERN if p else "" for p in partial],
            "fillmode": "overlay",
            "fgcolor": "white",
            "solidity": 0.35,
        },
    }


def so_far_suffix(partial: Sequence[bool]) -> list[str]:
    """Per point, ' (so far)' for the running period: for hover templates as %{customdata}."""
    return [f" ({SO_FAR})" if p else "" for p in partial]


def add_partial_line(
    fig: go.Figure,
    x: Sequence[Any],
    y: Sequence[float | None],
    partial: Sequence[bool],
    *,
    name: str,
    color: str,
    width: int = 3,
    dash: str = "solid",
    hovertemplate: str,
    show_marker: bool = True,
) -> None:
    """A line whose complete periods are drawn as usual and whose running period is a dotted,
    lighter continuation with a hollow marker (hover says "so far")."""
    done = [i for i, p in enumerate(partial) if not p]
    running = [i for i, p in enumerate(partial) if p]
    mode = "lines+markers" if show_marker else "lines"
    fig.add_scatter(
        x=[x[i] for i in done],
        y=[y[i] for i in done],
        name=name,
        mode=mode,
        line={"color": color, "width": width, "dash": dash},
        customdata=["" for _ in done],
        hovertemplate=hovertemplate,
        legendgroup=name,
    )
    if running:
        joined = ([done[-1]] if done else []) + running
        fig.add_scatter(
            x=[x[i] for i in joined],
            y=[y[i] for i in joined],
            name=f"{name} ({SO_FAR})",
            mode="lines+markers",
            line={"color": color, "width": max(width - 1, 1), "dash": "dot"},
            marker={"symbol": "circle-open", "size": 9, "color": color},
            opacity=0.7,
            customdata=so_far_suffix([i in running for i in joined]),
            hovertemplate=hovertemplate,
            legendgroup=name,
            showlegend=False,
        )


def label_so_far(
    fig: go.Figure, x: Any, y: float, *, text: str = SO_FAR, yshift: int = 12, **place: Any
) -> None:
    """The small grey "so far" note above the running period."""
    fig.add_annotation(
        x=x,
        y=y,
        text=text,
        showarrow=False,
        yshift=yshift,
        font={"size": 12, "color": SO_FAR_COLOR},
        **place,
    )


def month_axis(fig: go.Figure, months: Sequence[date]) -> go.Figure:
    """Month ticks that stay readable over any span: every month up to 15, every quarter up to
    four years, then every year."""
    indices = [m.year * 12 + m.month for m in months]
    span = max(indices) - min(indices) + 1 if indices else 0
    if span <= 15:
        fig.update_xaxes(dtick="M1", tickformat="%b<br>%Y", ticklabelmode="period")
    elif span <= 48:
        fig.update_xaxes(dtick="M3", tickformat="%b<br>%Y", ticklabelmode="period")
    else:
        fig.update_xaxes(dtick="M12", tickformat="%Y", ticklabelmode="period")
    return fig


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` updated by `over`, nested dictionaries merged key by key (as Plotly's update does)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def apply_layout(fig: go.Figure, *, height: int = 360, title: str | None = None) -> go.Figure:
    """The house look, over what the builder set. Set as one new layout: `update_layout` and
    `update_xaxes` walk Plotly's property paths and take ~10 ms a figure, this ~1 ms."""
    house: dict[str, Any] = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 80 if title else 40, "b": 10},
        "font": {"family": FONT, "size": 13},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 12}},
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"showgrid": False, "linecolor": GRID},
        "yaxis": {"gridcolor": GRID, "zerolinecolor": GRID},
    }
    if title:
        house["title"] = {
            "text": title,
            "x": 0,
            "y": 0.98,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 16},
        }
    # Without the default template the builder's layout carries (validating it again is the slow
    # part): Plotly adds the default template again when the figure is drawn.
    own = {key: value for key, value in fig.layout.to_plotly_json().items() if key != "template"}
    fig.layout = _merged(own, house)  # type: ignore[method-assign]
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
    """Horizontal bars per order status still in flight, in flow order (rows already ordered).

    Delivered and cancelled are left out: they outnumber the rest by far and would flatten the
    statuses that need work into slivers; the page shows them apart."""
    by_status = by_status.filter(~pl.col("status").is_in(list(FINAL_STATUS_VALUES)))
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
    """S and O as bars, E as a line on the same scale (E ≤ min(S, O)); the running month (rows
    with `partial`) hatched and lighter, E dotted into it, labelled "so far"."""
    months = monthly["month"].to_list()
    partial = partial_flags(monthly)
    won, delivered = monthly["won"].to_list(), monthly["delivered"].to_list()
    so_far = so_far_suffix(partial)
    fig = go.Figure()
    for name, values, color in (
        ("S — opportunities won", won, PRIMARY),
        ("O — orders delivered", delivered, "#A7C4E8"),
    ):
        fig.add_bar(
            x=months,
            y=values,
            name=name,
            marker=partial_bar_marker(color, partial),
            customdata=so_far,
            hovertemplate="%{y:,}%{customdata}",
        )
    add_partial_line(
        fig,
        months,
        monthly["effectiveness"].round(1).to_list(),
        partial,
        name=f"{E_MEANING}",
        color=ACCENT,
        hovertemplate="%{y:.1f}%{customdata}",
    )
    for month, p, s, o in zip(months, partial, won, delivered, strict=True):
        if p:
            label_so_far(fig, month + timedelta(days=14), max(s, o), yshift=16)
    fig.update_traces(xperiod="M1", xperiodalignment="middle")  # each month's marks under its label
    fig.update_layout(barmode="group", hovermode="x unified")
    month_axis(fig, months)
    fig.update_yaxes(title_text="per month", rangemode="tozero")
    return apply_layout(fig, title=title)
