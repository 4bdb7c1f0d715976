"""The Overview's small trend charts: frames in, Plotly figures out (no Streamlit calls).

One neutral colour for every trend — whether a change is good is the tile's delta, not the
line's colour — and the running month (`partial`) lighter and labelled "so far"."""

from __future__ import annotations

from typing import Literal

import plotly.graph_objects as go
import polars as pl

from ui.charts import (
    SO_FAR,
    SO_FAR_COLOR,
    add_partial_line,
    partial_bar_marker,
    partial_flags,
    so_far_suffix,
)
from ui.theme import FONT, PRIMARY

SPARK_HEIGHT = 78


def sparkline(
    points: pl.DataFrame,
    *,
    x: str,
    y: str,
    kind: Literal["line", "bar"] = "line",
    value_format: str = ",.0f",
    prefix: str = "",
    x_format: str = "%b %Y",
) -> go.Figure:
    """A trend small enough for a KPI tile: no axes, hover for the values."""
    xs, ys, partial = points[x].to_list(), points[y].to_list(), partial_flags(points)
    hover = f"%{{x|{x_format}}}%{{customdata}}: {prefix}%{{y:{value_format}}}<extra></extra>"
    fig = go.Figure()
    if kind == "bar":
        fig.add_bar(
            x=xs,
            y=ys,
            marker=partial_bar_marker(PRIMARY, partial),
            customdata=so_far_suffix(partial),
            hovertemplate=hover,
            showlegend=False,
        )
    else:
        add_partial_line(
            fig, xs, ys, partial, name=y, color=PRIMARY, width=2, hovertemplate=hover, show_marker=False
        )
        fig.update_traces(showlegend=False)
    for at, p in zip(xs, partial, strict=True):
        if p:  # in the top right corner, above the last point: a tile has no room beside it
            fig.add_annotation(
                x=1,
                y=1,
                xref="paper",
                yref="paper",
                xanchor="right",
                yanchor="bottom",
                text=f"{at:%b} {SO_FAR}",
                showarrow=False,
                font={"size": 11, "color": SO_FAR_COLOR},
            )
    fig.update_layout(
        height=SPARK_HEIGHT,
        margin={"l": 0, "r": 0, "t": 16, "b": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": FONT, "size": 11},
        hoverlabel={"font": {"family": FONT}},
        bargap=0.25,
    )
    fig.update_xaxes(visible=False, fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True, rangemode="tozero" if kind == "bar" else "normal")
    return fig
