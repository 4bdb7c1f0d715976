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
                legend=None,  # the corners name the quadrants in the same colours
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


def slope_chart(moves: pl.DataFrame, top_n: int, *, left_title: str, right_title: str) -> alt.TopLevelMixin:
    """The top N under each weight set; rows: id, title, rank_a, rank_b, status (see MOVE_COLORS).

    Opportunities outside a top N sit on a "below the top N" row; names are drawn beside their ends."""
    below = top_n + 1
    place = pl.when(pl.col("rank") <= top_n).then(pl.format("#{}", "rank")).otherwise(pl.lit(f">{top_n}"))
    ends = pl.concat(
        [
            moves.select(
                "id",
                "title",
                "status",
                "rank_a",
                "rank_b",
                pl.lit(0).alias("x"),
                pl.col("rank_a").alias("rank"),
            ),
            moves.select(
                "id",
                "title",
                "status",
                "rank_a",
                "rank_b",
                pl.lit(1).alias("x"),
                pl.col("rank_b").alias("rank"),
            ),
        ]
    ).with_columns(
        pl.min_horizontal("rank", pl.lit(below)).alias("y"),
        pl.format("{}  {}", place, truncate("title", 30)).alias("right_label"),
        pl.format("{}  {}", truncate("title", 30), place).alias("left_label"),
    )
    y = alt.Y("y:Q", scale=alt.Scale(domain=[below + 0.6, 0.4], nice=False), axis=None)
    x = alt.X("x:Q", scale=alt.Scale(domain=[-1.45, 2.45]), axis=None)
    color = alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=list(MOVE_COLORS), range=list(MOVE_COLORS.values())),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )
    tooltip = [
        alt.Tooltip("title:N", title="Opportunity"),
        alt.Tooltip("rank_a:Q", title=f"Rank — {left_title}"),
        alt.Tooltip("rank_b:Q", title=f"Rank — {right_title}"),
        alt.Tooltip("status:N", title="Change"),
    ]
    base = alt.Chart(ends).encode(x=x, y=y, color=color, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2, opacity=0.75).encode(detail="id:N")
    dots = base.mark_circle(size=50, opacity=1)
    left = (
        base.transform_filter(f"datum.x == 0 && datum.rank <= {top_n}")
        .mark_text(align="right", dx=-8, fontSize=12)
        .encode(text="left_label:N", color=alt.value("#475569"))
    )
    right = (
        base.transform_filter(f"datum.x == 1 && datum.rank <= {top_n}")
        .mark_text(align="left", dx=8, fontSize=12)
        .encode(
            text="right_label:N",
            color=alt.when("datum.status == 'Rose' || datum.status == 'Entered'")
            .then(alt.value("#1F6E43"))
            .when("datum.status == 'Fell'")
            .then(alt.value("#A93226"))
            .otherwise(alt.value("#1E293B")),
        )
    )
    headings = pl.DataFrame({"x": [0, 1], "text": [left_title, right_title]})
    head = (
        alt.Chart(headings)
        .mark_text(fontSize=13, fontWeight="bold", color="#1E293B", baseline="bottom")
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[-1.45, 2.45]), axis=None), y=alt.value(0), text="text:N"
        )
    )
    floor = pl.DataFrame({"x": [0.5], "y": [below], "text": [f"below the top {top_n}"]})
    floor_text = (
        alt.Chart(floor)
        .mark_text(fontSize=11, fontStyle="italic", color=MUTED, dy=14)
        .encode(x=alt.X("x:Q", scale=alt.Scale(domain=[-1.45, 2.45]), axis=None), y=y, text="text:N")
    )
    height = max(240, 22 * (top_n + 1) + 30)
    return _style(alt.layer(lines, dots, left, right, head, floor_text), height)


def decile_bars(deciles: pl.DataFrame) -> alt.TopLevelMixin:
    """Win rate per score decile for each weight set; rows: decile, weights (set name), win_rate."""
    data = deciles.with_columns(
        pl.when(pl.col("decile") == 1)
        .then(pl.lit("1 (best)"))
        .when(pl.col("decile") == 10)
        .then(pl.lit("10 (worst)"))
        .otherwise(pl.col("decile").cast(pl.String))
        .alias("band")
    )
    order = data.sort("decile")["band"].unique(maintain_order=True).to_list()
    names = data["weights"].unique(maintain_order=True).to_list()
    return _style(
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=alt.X(
                "band:N",
                sort=order,
                title="Tenth of closed deals by value V (1 = the best-scored 10 %)",
                axis=alt.Axis(labelAngle=0),
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
                legend=alt.Legend(orient="top"),
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
