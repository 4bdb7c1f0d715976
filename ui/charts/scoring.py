"""Altair charts for the Scoring page: frames in, charts out, no Streamlit calls.

Names reach the charts as data and are drawn as text marks and tooltips (never as HTML)."""

from __future__ import annotations

import altair as alt
import polars as pl

from crm_core.scoring import FACTOR_LABELS, QUADRANTS, Thresholds
from ui.theme import ACCENT, BAD, FONT, GOOD, GRID, MUTED, PRIMARY, QUADRANT_COLORS

PICK = "pick"  # the scatter's point selection (Streamlit returns it under this name)
QUADRANT_TITLES = {q: q.capitalize() for q in QUADRANTS}
MOVE_COLORS = {"Rose": GOOD, "Fell": BAD, "Same place": MUTED, "Entered": GOOD, "Left": BAD}


def _style(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    return (
        chart.properties(height=height)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=13, gridColor=GRID, domainColor=GRID, tickColor=GRID)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom", symbolSize=120)
        .configure_view(stroke=None)
    )


def truncate(column: str, width: int) -> pl.Expr:
    """Shorten long names for labels (the tooltip keeps the whole name)."""
    text = pl.col(column).cast(pl.String).fill_null("")
    return pl.when(text.str.len_chars() > width).then(text.str.slice(0, width - 1) + "…").otherwise(text)


def quadrant_scatter(scored: pl.DataFrame, thresholds: Thresholds) -> alt.TopLevelMixin:
    """Value × potential, one dot per opportunity, coloured by quadrant; click a dot to select it."""
    data = scored.select(
        "id", "title", "customer", "owner", "value", "potential", "priority", "rank", "quadrant"
    ).with_columns(pl.col("quadrant").replace_strict(QUADRANT_TITLES, default="Not yet scored"))
    pick = alt.selection_point(name=PICK, fields=["id"], on="click", clear="dblclick")
    dots = (
        alt.Chart(data)
        .mark_circle(size=75, stroke="white", strokeWidth=0.6)
        .encode(
            x=alt.X("value:Q", title="Value V (SCALE, 0–10)", scale=alt.Scale(domain=[0, 10])),
            y=alt.Y("potential:Q", title="Potential P (BANT, 0–10)", scale=alt.Scale(domain=[0, 10])),
            color=alt.Color(
                "quadrant:N",
                title=None,
                scale=alt.Scale(
                    domain=list(QUADRANT_TITLES.values()),
                    range=[QUADRANT_COLORS[q] for q in QUADRANTS],
                ),
            ),
            opacity=alt.when(pick).then(alt.value(0.85)).otherwise(alt.value(0.25)),
            tooltip=[
                alt.Tooltip("title:N", title="Opportunity"),
                alt.Tooltip("customer:N", title="Customer"),
                alt.Tooltip("owner:N", title="Owner"),
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("value:Q", title="Value", format=".1f"),
                alt.Tooltip("potential:Q", title="Potential", format=".1f"),
                alt.Tooltip("quadrant:N", title="Quadrant"),
            ],
        )
        .add_params(pick)
    )
    v, p = thresholds.value, thresholds.potential
    lines = pl.DataFrame({"v": [v], "p": [p]})
    rule_style = {"color": MUTED, "strokeDash": [5, 4], "strokeWidth": 1.2}
    v_rule = alt.Chart(lines).mark_rule(**rule_style).encode(x="v:Q")
    p_rule = alt.Chart(lines).mark_rule(**rule_style).encode(y="p:Q")
    corners = pl.DataFrame(
        {
            "x": [9.9, 9.9, 0.1, 0.1],
            "y": [9.8, 0.2, 9.8, 0.2],
            "label": ["Pursue", "Nurture", "Quick win", "Disqualify"],
            "align": ["right", "right", "left", "left"],
            "baseline": ["top", "bottom", "top", "bottom"],
        }
    )
    labels = [
        alt.Chart(corners.filter(pl.col("align") == side))
        .mark_text(fontSize=13, fontWeight="bold", align=side, opacity=0.7)
        .encode(
            x="x:Q",
            y="y:Q",
            text="label:N",
            color=alt.Color(
                "label:N",
                scale=alt.Scale(
                    domain=list(QUADRANT_TITLES.values()), range=[QUADRANT_COLORS[q] for q in QUADRANTS]
                ),
                legend=None,
            ),
        )
        for side in ("left", "right")
    ]
    return _style(alt.layer(v_rule, p_rule, *labels, dots).resolve_scale(color="independent"), 420)


def contribution_bars(parts: pl.DataFrame) -> alt.TopLevelMixin:
    """One opportunity's value split by factor: rows factor, label, weight, score, points."""
    data = parts.with_columns(
        pl.format(
            "{} × {} = {}", pl.col("weight").round(2), pl.col("score").round(1), pl.col("points").round(2)
        ).alias("text")
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color=PRIMARY, cornerRadiusEnd=3, height=22)
        .encode(
            y=alt.Y("label:N", title=None, sort=list(FACTOR_LABELS.values()), axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "points:Q", title="Points of value V (weight × factor score)", scale=alt.Scale(domain=[0, 10])
            ),
            tooltip=[alt.Tooltip("label:N", title="Factor"), alt.Tooltip("text:N", title="Weight × score")],
        )
    )
    text = bars.mark_text(align="left", dx=6, fontSize=12, color="#334155").encode(text="text:N")
    return _style(bars + text, 170)


def slope_chart(moves: pl.DataFrame, top_n: int, *, left_title: str, right_title: str) -> alt.TopLevelMixin:
    """The top N under each weight set; rows: id, title, rank_a, rank_b, status (see MOVE_COLORS)."""
    below = top_n + 1
    data = moves.with_columns(
        pl.min_horizontal("rank_a", pl.lit(below)).alias("y_a"),
        pl.min_horizontal("rank_b", pl.lit(below)).alias("y_b"),
        truncate("title", 34).alias("short"),
    )
    points = pl.concat(
        [
            data.select(
                "id",
                "title",
                "short",
                "status",
                "rank_a",
                "rank_b",
                pl.lit(left_title).alias("side"),
                pl.col("y_a").alias("y"),
            ),
            data.select(
                "id",
                "title",
                "short",
                "status",
                "rank_a",
                "rank_b",
                pl.lit(right_title).alias("side"),
                pl.col("y_b").alias("y"),
            ),
        ]
    )
    y = alt.Y(
        "y:Q",
        scale=alt.Scale(domain=[below + 0.5, 0.5], nice=False),
        axis=alt.Axis(
            values=[*range(1, top_n + 1), below],
            title=None,
            labelExpr=f"datum.value == {below} ? 'below top {top_n}' : '#' + datum.value",
            grid=False,
        ),
    )
    x = alt.X(
        "side:N",
        sort=[left_title, right_title],
        title=None,
        scale=alt.Scale(padding=1.4),  # room either side for the names
        axis=alt.Axis(
            orient="top", labelFontSize=13, labelFontWeight="bold", labelAngle=0, domain=False, ticks=False
        ),
    )
    color = alt.Color(
        "status:N", title=None, scale=alt.Scale(domain=list(MOVE_COLORS), range=list(MOVE_COLORS.values()))
    )
    tooltip = [
        alt.Tooltip("title:N", title="Opportunity"),
        alt.Tooltip("rank_a:Q", title=left_title),
        alt.Tooltip("rank_b:Q", title=right_title),
        alt.Tooltip("status:N", title="Change"),
    ]
    base = alt.Chart(points).encode(x=x, y=y, color=color, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2, opacity=0.8).encode(detail="id:N")
    dots = base.mark_circle(size=55, opacity=1)
    right = (
        alt.Chart(points.filter((pl.col("side") == right_title) & (pl.col("rank_b") <= top_n)))
        .mark_text(align="left", dx=9, fontSize=12)
        .encode(x=x, y=y, text="short:N", color=color, tooltip=tooltip)
    )
    left = (
        alt.Chart(points.filter((pl.col("side") == left_title) & (pl.col("rank_a") <= top_n)))
        .mark_text(align="right", dx=-9, fontSize=12)
        .encode(x=x, y=y, text="short:N", color=alt.value("#64748B"), tooltip=tooltip)
    )
    height = max(260, 24 * (top_n + 1) + 40)
    return _style(alt.layer(lines, dots, left, right), height)


def decile_bars(deciles: pl.DataFrame) -> alt.TopLevelMixin:
    """Win rate per score decile for each weight set; rows: decile, weights (set name), win_rate."""
    labels = {1: "Top 10 %", 10: "Bottom 10 %"}
    data = deciles.with_columns(
        pl.col("decile")
        .replace_strict(
            labels, default=pl.format("{}–{} %", (pl.col("decile") - 1) * 10, pl.col("decile") * 10)
        )
        .alias("band")
    )
    order = data.sort("decile")["band"].unique(maintain_order=True).to_list()
    names = data["weights"].unique(maintain_order=True).to_list()
    return _style(
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=alt.X(
                "band:N", sort=order, title="Closed deals by value V, best first", axis=alt.Axis(labelAngle=0)
            ),
            xOffset=alt.XOffset("weights:N", sort=names),
            y=alt.Y(
                "win_rate:Q", title="Win rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "weights:N",
                title=None,
                sort=names,
                scale=alt.Scale(domain=names, range=[PRIMARY, MUTED][: len(names)]),
            ),
            tooltip=[
                alt.Tooltip("weights:N", title="Weights"),
                alt.Tooltip("band:N", title="Deals"),
                alt.Tooltip("win_rate:Q", title="Win rate", format=".0%"),
                alt.Tooltip("deals:Q", title="Closed deals"),
            ],
        ),
        300,
    )


def sensitivity_ranges(sens: pl.DataFrame, top_n: int) -> alt.TopLevelMixin:
    """Per weight, the slider range over which the top N stays the same, and where the slider is."""
    data = sens.with_columns(
        pl.col("low").fill_null(0.0).clip(0, 1).alias("from"),
        pl.col("high").fill_null(1.0).clip(0, 1).alias("to"),
    ).with_columns(
        pl.format("stays between {} and {}", pl.col("from").round(2), pl.col("to").round(2)).alias("text")
    )
    y = alt.Y("label:N", title=None, sort=list(FACTOR_LABELS.values())[:4], axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(domain=[0, 1])
    band = (
        alt.Chart(data)
        .mark_bar(color="#C7D7EE", height=18, cornerRadius=3)
        .encode(
            y=y,
            x=alt.X(
                "from:Q",
                title=f"Slider value (the top {top_n} is unchanged inside the shaded range)",
                scale=x_scale,
            ),
            x2="to:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Weight"),
                alt.Tooltip("text:N", title=f"Top {top_n} unchanged"),
            ],
        )
    )
    now = (
        alt.Chart(data)
        .mark_tick(color=ACCENT, thickness=3, size=26)
        .encode(
            y=y,
            x=alt.X("weight:Q", scale=x_scale),
            tooltip=[alt.Tooltip("weight:Q", title="Now", format=".2f")],
        )
    )
    return _style(band + now, 190)
