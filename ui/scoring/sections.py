"""The Scoring page's sections: each takes computed results and draws them (widgets in, charts out)."""

from __future__ import annotations

from typing import cast

import polars as pl
import streamlit as st

from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.scoring import FACTOR_LABELS, QUADRANT_HELP, Backtest, RankShift, Thresholds, Weights
from crm_core.scoring.scenario import SEARCH_MAX
from ui.charts.scoring import (
    PICK,
    decile_bars,
    quadrant_scatter,
    sensitivity_ranges,
    slope_chart,
)
from ui.scoring.state import (
    BANT_KEYS,
    SCALE_KEYS,
    SCATTER,
    SEARCH_KEY,
    STEP,
    THRESHOLD_KEYS,
    normalised_shares,
)
from ui.text import message, plain
from ui.theme import label_expr

SCATTER_MAX = 2_000
AUC_HELP = (
    "AUC: the chance that a deal you won scores higher than a deal you lost. "
    "0.5 is a coin toss, 1.0 would be perfect; above 0.7 is useful."
)


def sliders(weights_in_use: Weights, all_zero: bool) -> None:
    """The four SCALE weight sliders in a row, each with its share of V beneath."""
    shares = ["—"] * 4 if all_zero else normalised_shares(weights_in_use)
    for column, factor, share in zip(st.columns(4), SCALE_FACTORS, shares, strict=True):
        with column:
            st.slider(
                FACTOR_LABELS[factor],
                min_value=0.0,
                max_value=1.0,
                step=STEP,
                format="%.2f",
                key=SCALE_KEYS[factor],
                persist_state="session",
            )
            st.caption(f"**{share}** of value V")


def bant_and_thresholds() -> None:
    with st.expander("BANT weights and quadrant thresholds", icon=":material/tune:"):
        st.caption(
            "Potential P is the weighted mean of the four BANT scores (weights normalised like SCALE's)."
        )
        for column, factor in zip(st.columns(4), BANT_FACTORS, strict=True):
            column.slider(
                FACTOR_LABELS[factor],
                0.0,
                1.0,
                step=STEP,
                format="%.2f",
                key=BANT_KEYS[factor],
                persist_state="session",
            )
        left, right = st.columns(2)
        left.slider(
            "Value threshold (V at or above is high)",
            0.0,
            10.0,
            step=0.5,
            key=THRESHOLD_KEYS["value"],
            persist_state="session",
        )
        right.slider(
            "Potential threshold (P at or above is high)",
            0.0,
            10.0,
            step=0.5,
            key=THRESHOLD_KEYS["potential"],
            persist_state="session",
        )


def _move_text() -> pl.Expr:
    delta = pl.col("delta")
    return (
        pl.when(delta > 0)
        .then(pl.format("▲ {}", delta))
        .when(delta < 0)
        .then(pl.format("▼ {}", -delta))
        .otherwise(pl.lit("–"))
        .alias("move")
    )


def ranked_list(scored: pl.DataFrame, shift: RankShift, top_n: int, baseline_name: str) -> None:
    """The top N by priority (or the top N matches of a search), with their move against the baseline."""
    search = st.text_input(
        "Search",
        key=SEARCH_KEY,
        max_chars=SEARCH_MAX,
        placeholder="Opportunity, customer or owner",
        icon=":material/search:",
        persist_state="session",
    ).strip()
    ranked = scored.filter(pl.col("rank").is_not_null())
    total = ranked.height
    if not search:
        ranked = ranked.filter(pl.col("rank") <= top_n)  # only what is shown goes through the sort
    if search:
        needle = search.lower()
        ranked = ranked.filter(
            pl.any_horizontal(
                pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
                for c in ("title", "customer", "owner")
            )
        )
    shown = (
        ranked.sort("rank")
        .head(top_n)
        .join(shift.moves.select("id", "delta"), on="id", how="left", maintain_order="left")
    )
    st.caption(
        f"Top {shown.height} of {ranked.height if search else total:,} {'matching ' if search else ''}"
        "opportunities by priority "
        f"(V·P/10). “Move” is against {plain(baseline_name)}."
    )
    st.dataframe(
        shown.select(
            "rank",
            _move_text(),
            "title",
            label_expr("quadrant"),
            "value",
            "potential",
            "priority",
            "owner",
            label_expr("stage"),
        ),
        hide_index=True,
        width="stretch",
        height=min(36 * (shown.height + 1) + 3, 560),
        column_config={
            "rank": st.column_config.NumberColumn("Rank", format="%d", width=60),
            "move": st.column_config.TextColumn("Move", width=60),
            "title": st.column_config.TextColumn("Opportunity", width=300),
            "quadrant": "Quadrant",
            "value": st.column_config.NumberColumn("Value", format="%.1f", width=60),
            "potential": st.column_config.NumberColumn("Potential", format="%.1f", width=70),
            "priority": st.column_config.NumberColumn("Priority", format="%.2f", width=70),
            "owner": "Owner",
            "stage": "Stage",
        },
    )


def scatter_and_breakdown(scored: pl.DataFrame, weights: Weights, thresholds: Thresholds) -> None:
    """Value × potential; beside it, the selected dot's (else the top-ranked) value split by factor.

    At most the SCATTER_MAX highest-ranked opportunities are drawn: past that the dots are a blob and
    the browser slows down; the caption says so."""
    ranked = scored.filter(pl.col("rank").is_not_null() & (pl.col("rank") <= SCATTER_MAX))
    total = scored.select(pl.col("rank").is_not_null().sum()).item()
    chart_col, detail_col = st.columns([1, 1], gap="medium")
    with chart_col:
        event = st.vega_lite_chart(
            spec=quadrant_scatter(ranked, thresholds),
            key=SCATTER,
            on_select="rerun",
            selection_mode=PICK,
        )
        if total > SCATTER_MAX:
            st.caption(f"The {SCATTER_MAX:,} highest-priority of {total:,} opportunities.")
    picked = (event.selection.get(PICK) or []) if event else []
    chosen_id = picked[0].get("id") if picked else None
    row = (
        ranked.filter(pl.col("id") == chosen_id)
        if chosen_id is not None
        else ranked.filter(pl.col("rank") == 1)
    )
    with detail_col:
        st.markdown(
            "\n".join(f"- **{q.capitalize()}** — {text}" for q, text in QUADRANT_HELP.items())
            + "\n\nHigh means at or above the dashed lines: "
            + f"V ≥ {thresholds.value:g}, P ≥ {thresholds.potential:g}."
        )
        if row.is_empty():
            return
        deal = row.row(0, named=True)
        normal = weights.normalized().as_dict()
        parts = pl.DataFrame(
            {
                "label": [FACTOR_LABELS[f] for f in SCALE_FACTORS],
                "weight": [normal[f] for f in SCALE_FACTORS],
                "score": [float(deal[f]) for f in SCALE_FACTORS],
            }
        ).with_columns((pl.col("weight") * pl.col("score")).alias("points"))
        how = (
            "the dot you selected"
            if chosen_id is not None
            else "the top-ranked one (click a dot for another)"
        )
        st.markdown(f"**Why this value?** For {how}:")
        st.text(
            f"#{deal['rank']} {deal['title']}\nValue {deal['value']:.2f} · Potential {deal['potential']:.2f}"
        )
        st.dataframe(
            parts.select("label", "weight", "score", "points"),
            hide_index=True,
            key="scoring_breakdown",
            column_config={
                "label": st.column_config.TextColumn("Factor", width=230),
                "weight": st.column_config.NumberColumn("Weight", format="%.2f", width=60),
                "score": st.column_config.NumberColumn("Score", format="%.1f", width=55),
                "points": st.column_config.ProgressColumn(
                    "Points of V",
                    format="%.2f",
                    min_value=0.0,
                    max_value=max(1.0, float(cast(float, parts["points"].max()))),
                ),
            },
        )


def rank_shift_section(shift: RankShift, scored: pl.DataFrame, top_n: int, baseline_name: str) -> None:
    names = scored.select("id", "title")
    top_a, top_b = pl.col("rank_a") <= top_n, pl.col("rank_b") <= top_n
    moves = (
        shift.moves.filter(top_a | top_b)
        .join(names, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.when(~top_a)
            .then(pl.lit("Entered"))
            .when(~top_b)
            .then(pl.lit("Left"))
            .when(pl.col("delta") > 0)
            .then(pl.lit("Rose"))
            .when(pl.col("delta") < 0)
            .then(pl.lit("Fell"))
            .otherwise(pl.lit("Same place"))
            .alias("status")
        )
    )
    chart_col, side = st.columns([5, 2], gap="medium")
    chart_col.vega_lite_chart(
        spec=slope_chart(moves, top_n, left_title=baseline_name, right_title="Your sliders"),
        key="scoring_slope",
    )
    with side:
        tau = shift.kendall_tau
        st.metric(
            "Kendall's tau",
            "—" if tau is None else f"{tau:.2f}",
            help="How much the whole ranking agrees with the baseline's: 1 = same order, 0 = unrelated, "
            "−1 = reversed.",
            border=True,
        )
        entered = moves.filter(pl.col("status") == "Entered").sort("rank_b")
        left = moves.filter(pl.col("status") == "Left").sort("rank_a")
        _who(f"Entered the top {top_n}", entered, "Nobody new.")
        _who(f"Left the top {top_n}", left, "Nobody dropped out.")


def _who(heading: str, rows: pl.DataFrame, empty: str) -> None:
    st.markdown(f"**{heading}** ({rows.height})")
    if rows.is_empty():
        st.caption(empty)
        return
    # Plain text (names are user text): "now #12 · Northwind Logistics — Edge Router ER-400"
    lines = rows.select(pl.format("now #{} · {}", "rank_b", pl.col("title").fill_null("")))
    st.text("\n".join(lines.to_series().to_list()))


def backtest_section(
    current: Backtest | None,
    baseline: Backtest | None,
    baseline_name: str,
    problem: str | None,
    closed_not_scored: int = 0,
) -> None:
    left_out = (
        f" {closed_not_scored:,} closed deals without all eight factor scores are left out: a deal "
        "can only be back-tested on scores it has."
        if closed_not_scored
        else ""
    )
    if problem or current is None or baseline is None:
        st.info(f"No back-test yet: {message(problem)}{left_out}", icon=":material/info:")
        return
    st.caption(
        f"On {current.n_won + current.n_lost:,} closed, scored deals ({current.n_won:,} won, "
        f"{current.n_lost:,} lost; overall win rate {current.win_rate:.0%}).{left_out} "
        "Would your weights have put the winners on top?"
    )
    mine_col, base_col = st.columns(2, gap="medium")
    for column, result, name, other in (
        (mine_col, current, "Your sliders", baseline),
        (base_col, baseline, baseline_name, None),
    ):
        with column.container(border=True):
            st.markdown(f"**{plain(name)}**")
            auc_col, lift_col = st.columns(2)
            auc_change = (
                None if other is None or abs(result.auc - other.auc) < 5e-4 else result.auc - other.auc
            )
            lift_change = (
                None
                if other is None or abs(result.top_decile_lift - other.top_decile_lift) < 5e-3
                else result.top_decile_lift - other.top_decile_lift
            )
            auc_col.metric(
                "AUC",
                f"{result.auc:.3f}",
                delta=None if auc_change is None else f"{auc_change:+.3f} vs baseline",
                help=AUC_HELP,
            )
            lift_col.metric(
                "Top-decile lift",
                f"{result.top_decile_lift:.2f}×",
                delta=None if lift_change is None else f"{lift_change:+.2f} vs baseline",
                help="Win rate of the best-scored 10 % of closed deals divided by the overall win rate.",
            )
    deciles = pl.concat(
        [
            current.win_rate_by_decile.with_columns(pl.lit("Your sliders").alias("weights")),
            baseline.win_rate_by_decile.with_columns(pl.lit(baseline_name).alias("weights")),
        ]
    )
    st.vega_lite_chart(spec=decile_bars(deciles), key="scoring_deciles")


def sensitivity_section(sens: pl.DataFrame, top_n: int) -> None:
    st.caption(
        f"Move one slider at a time, the others held: inside the shaded range the same {top_n} "
        "opportunities stay in the top (their order may change). The orange tick is where the slider is now."
    )
    st.vega_lite_chart(spec=sensitivity_ranges(sens, top_n), key="scoring_sensitivity")
