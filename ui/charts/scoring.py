"""Altair charts for the Scoring page: frames in, Vega-Lite specs out, no Streamlit calls.

A slider move redraws every chart, and building and validating an Altair chart costs tens of
milliseconds. So each chart's *shape* is built with Altair once per set of parameters (cached as
JSON, data-free, reading the named dataset "main"), and each rerun only attaches its frame:
`st.vega_lite_chart(spec=...)` sends that frame as Arrow. Names reach the charts as data and are
drawn as text marks and tooltips (never as HTML)."""

from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import polars as pl

from crm_core.scoring import FACTOR_LABELS, QUADRANTS, Thresholds
from ui.theme import ACCENT, BAD, FONT, GOOD, GRID, MUTED, PRIMARY, QUADRANT_COLORS

PICK = "pick"  # the scatter's point selection (Streamlit returns it under this name)
QUADRANT_TITLES = {q: q.capitalize() for q in QUADRANTS}
TEXT_COLORS = {"Rose": "#1F6E43", "Entered": "#1F6E43", "Fell": "#A93226", "Left": "#A93226"}
MOVE_COLORS = {"Rose": GOOD, "Fell": BAD, "Same place": MUTED, "Entered": GOOD, "Left": BAD}


CONFIG = alt.Config(
    font=FONT,
    axis=alt.AxisConfig(labelFontSize=12, titleFontSize=13, gridColor=GRID, domainColor=GRID, tickColor=GRID),
    legend=alt.LegendConfig(labelFontSize=12, titleFontSize=12, orient="bottom", symbolSize=120),
    view=alt.ViewConfig(stroke=None),
)


def _style(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    # One `properties` call: each `configure_*` would copy the whole chart, data included.
    return chart.properties(height=height, config=CONFIG)


MAIN = alt.NamedData(name="main")


def _inline(frame: pl.DataFrame) -> alt.InlineData:
    """Small fixed data (threshold lines, labels) kept inside the cached spec."""
    return alt.InlineData(values=frame.to_dicts())


def _with_data(spec_json: str, main: pl.DataFrame) -> dict:
    spec = json.loads(spec_json)
    spec.setdefault("datasets", {})["main"] = main  # beside the small inline datasets Altair named
    return spec


def truncate(column: str, width: int) -> pl.Expr:
    """Shorten long names for labels (the tooltip keeps the whole name)."""
    text = pl.col(column).cast(pl.String).fill_null("")
    return pl.when(text.str.len_chars() > width).then(text.str.slice(0, width - 1) + "…").otherwise(text)


def quadrant_scatter(scored: pl.DataFrame, thresholds: Thresholds) -> dict:
    """Value × potential, one dot per opportunity, coloured by quadrant; click a dot to select it."""
    data = scored.select(
        "id", "title", "customer", "owner", "value", "potential", "priority", "rank", "quadrant"
    ).with_columns(pl.col("quadrant").replace_strict(QUADRANT_TITLES, default="Not yet scored"))
    return _with_data(_quadrant_spec(thresholds.value, thresholds.potential), data)


@lru_cache(maxsize=64)
def _quadrant_spec(v: float, p: float) -> str:
    pick = alt.selection_point(name=PICK, fields=["id"], on="click", clear="dblclick")
    dots = (
        alt.Chart(MAIN)
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
            opacity=alt.OpacityValue(0.25, condition={"param": PICK, "value": 0.85}),  # cheaper than alt.when
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
    lines = _inline(pl.DataFrame({"v": [v], "p": [p]}))
    rule_style = {"color": MUTED, "strokeDash": [5, 4], "strokeWidth": 1.2}
    v_rule = alt.Chart(lines).mark_rule(**rule_style).encode(x=alt.X("v:Q"))
    p_rule = alt.Chart(lines).mark_rule(**rule_style).encode(y=alt.Y("p:Q"))
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
        alt.Chart(_inline(corners.filter(pl.col("align") == side)))
        .mark_text(fontSize=13, fontWeight="bold", align=side, opacity=0.7)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            text=alt.Text("label:N"),
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
    chart = _style(alt.layer(v_rule, p_rule, *labels, dots).resolve_scale(color="independent"), 420)
    return json.dumps(chart.to_dict())


def slope_chart(moves: pl.DataFrame, top_n: int, *, left_title: str, right_title: str) -> dict:
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
        pl.col("status").replace_strict(TEXT_COLORS, default="#1E293B").alias("text_color"),
    )
    return _with_data(_slope_spec(top_n, left_title, right_title), ends)


@lru_cache(maxsize=64)
def _slope_spec(top_n: int, left_title: str, right_title: str) -> str:
    below = top_n + 1
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
    base = alt.Chart(MAIN).encode(x=x, y=y, color=color, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2, opacity=0.75).encode(detail=alt.Detail("id:N"))
    dots = base.mark_circle(size=50, opacity=1)
    left = (
        base.transform_filter(f"datum.x == 0 && datum.rank <= {top_n}")
        .mark_text(align="right", dx=-8, fontSize=12)
        .encode(text=alt.Text("left_label:N"), color=alt.ColorValue("#475569"))
    )
    right = (
        base.transform_filter(f"datum.x == 1 && datum.rank <= {top_n}")
        .mark_text(align="left", dx=8, fontSize=12)
        .encode(text=alt.Text("right_label:N"), color=alt.Color("text_color:N", scale=None))
    )
    headings = pl.DataFrame({"x": [0, 1], "text": [left_title, right_title]})
    head = (
        alt.Chart(_inline(headings))
        .mark_text(fontSize=13, fontWeight="bold", color="#1E293B", baseline="bottom")
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[-1.45, 2.45]), axis=None),
            y=alt.YValue(0),
            text=alt.Text("text:N"),
        )
    )
    floor = pl.DataFrame({"x": [0.5], "y": [below], "text": [f"below the top {top_n}"]})
    floor_text = (
        alt.Chart(_inline(floor))
        .mark_text(fontSize=11, fontStyle="italic", color=MUTED, dy=14)
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[-1.45, 2.45]), axis=None), y=y, text=alt.Text("text:N")
        )
    )
    height = max(240, 22 * (top_n + 1) + 30)
    return json.dumps(_style(alt.layer(lines, dots, left, right, head, floor_text), height).to_dict())


def decile_bars(deciles: pl.DataFrame) -> dict:
    """Win rate per score decile for each weight set; rows: decile, weights (set name), win_rate."""
    data = deciles.with_columns(
        pl.when(pl.col("decile") == 1)
        .then(pl.lit("1 (best)"))
        .when(pl.col("decile") == 10)
        .then(pl.lit("10 (worst)"))
        .otherwise(pl.col("decile").cast(pl.String))
        .alias("band")
    )
    order = tuple(data.sort("decile")["band"].unique(maintain_order=True).to_list())
    names = tuple(data["weights"].unique(maintain_order=True).to_list())
    return _with_data(_decile_spec(order, names), data)


@lru_cache(maxsize=64)
def _decile_spec(order: tuple[str, ...], names: tuple[str, ...]) -> str:
    chart = _style(
        alt.Chart(MAIN)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=alt.X(
                "band:N",
                sort=list(order),
                title="Tenth of closed deals by value V (1 = the best-scored 10 %)",
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset=alt.XOffset("weights:N", sort=list(names)),
            y=alt.Y(
                "win_rate:Q", title="Win rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "weights:N",
                title=None,
                sort=list(names),
                scale=alt.Scale(domain=list(names), range=[PRIMARY, MUTED][: len(names)]),
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
    return json.dumps(chart.to_dict())


def sensitivity_ranges(sens: pl.DataFrame, top_n: int) -> dict:
    """Per weight, the slider range over which the top N stays the same, and where the slider is."""
    data = sens.with_columns(
        pl.col("low").fill_null(0.0).clip(0, 1).alias("from"),
        pl.col("high").fill_null(1.0).clip(0, 1).alias("to"),
    ).with_columns(
        pl.format("stays between {} and {}", pl.col("from").round(2), pl.col("to").round(2)).alias("text")
    )
    return _with_data(_sensitivity_spec(top_n), data)


@lru_cache(maxsize=16)
def _sensitivity_spec(top_n: int) -> str:
    y = alt.Y("label:N", title=None, sort=list(FACTOR_LABELS.values())[:4], axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(domain=[0, 1])
    band = (
        alt.Chart(MAIN)
        .mark_bar(color="#C7D7EE", height=18, cornerRadius=3)
        .encode(
            y=y,
            x=alt.X(
                "from:Q",
                title=f"Slider value (the top {top_n} is unchanged inside the shaded range)",
                scale=x_scale,
            ),
            x2=alt.X2("to:Q"),
            tooltip=[
                alt.Tooltip("label:N", title="Weight"),
                alt.Tooltip("text:N", title=f"Top {top_n} unchanged"),
            ],
        )
    )
    now = (
        alt.Chart(MAIN)
        .mark_tick(color=ACCENT, thickness=3, size=26)
        .encode(
            y=y,
            x=alt.X("weight:Q", scale=x_scale),
            tooltip=[alt.Tooltip("weight:Q", title="Now", format=".2f")],
        )
    )
    return json.dumps(_style(band + now, 190).to_dict())
