"""The Scoring page's workshop: the sliders, the ranking they give, the rank shift against the team's
weights, the back-test, suggest and share, and the sensitivity — one fragment, so moving a slider
reruns only this part.

The baseline (the team's active weights) is computed once per data version and weights, through
`ui.data`: its scores and the closed deals are shared frames (`shared`: a slider move cannot afford
to copy 100,000 rows), its back-test a small cached value (`derived`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.opportunities import CLOSED_STAGES, OPEN_STAGES
from crm_core.scoring import (
    TOP_N_CHOICES,
    Backtest,
    backtest,
    is_scored,
    score,
    scoring_coverage,
    sensitivity,
    shift_between,
    unscored_count,
)
from crm_core.services.scoring import ActiveWeights
from ui.data import derived, shared
from ui.scoring import actions, sections
from ui.scoring.state import CLOSED_KEY, TOP_N_KEY, Current, read_current, sync_link
from ui.text import plain

OPEN = [s.value for s in OPEN_STAGES]
CLOSED = [s.value for s in CLOSED_STAGES]


def closed_deals(opportunities: pl.DataFrame) -> pl.DataFrame:
    """The closed, scored deals every back-test reads (shared and immutable; filtered once per version)."""
    return shared(
        "scoring_closed", (), lambda: opportunities.filter(pl.col("stage").is_in(CLOSED) & is_scored())
    )


def baseline_backtest(closed: pl.DataFrame, team: ActiveWeights) -> Backtest | str:
    """The baseline's back-test, once per database, data version and baseline weights."""

    def compute() -> Backtest | str:
        try:
            return backtest(closed, team.weights, team.bant)
        except DomainError as exc:
            return str(exc)

    return derived("scoring_baseline_backtest", (team.weights, team.bant), compute)


def backtest_part(
    closed: pl.DataFrame, team: ActiveWeights, current: Current, closed_not_scored: int
) -> None:
    """The back-test of the sliders against the team's weights, on the closed, scored deals."""
    st.subheader("Back-test: would these weights have picked the winners?")
    base = baseline_backtest(closed, team)
    try:
        mine = backtest(closed, current.weights, current.bant)
        problem = base if isinstance(base, str) else None
    except DomainError as exc:
        mine, problem = None, str(exc)
    sections.backtest_section(
        mine, None if isinstance(base, str) else base, team.name, problem, closed_not_scored
    )


@st.fragment
def workshop(opportunities: pl.DataFrame, team: ActiveWeights, version: int) -> None:
    closed = closed_deals(opportunities)
    current = read_current()
    sync_link(current.scenario)
    sections.sliders(current.weights, current.scale_all_zero)
    if current.scale_all_zero:
        st.warning(
            "All four weights are zero, so nothing can be ranked. Showing the ranking for the last weights "
            "that had one above zero — move any slider up to continue.",
            icon=":material/warning:",
        )
    sections.bant_and_thresholds()
    if current.bant_all_zero:
        st.warning(
            "All four BANT weights are zero; potential uses the last valid BANT weights.",
            icon=":material/warning:",
        )

    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.segmented_control(
            "Top N",
            TOP_N_CHOICES,
            key=TOP_N_KEY,
            required=True,
            persist_state="session",
            help="How many opportunities the list, the rank shift and the sensitivity look at.",
        )
        st.toggle("Include closed (won and lost) opportunities", key=CLOSED_KEY, persist_state="session")
    top_n, include_closed = current.top_n, current.include_closed
    shown = opportunities if include_closed else opportunities.filter(pl.col("stage").is_in(OPEN))
    scored = score(shown, current.weights, current.bant, current.thresholds)
    waiting = unscored_count(shown)
    coverage = scoring_coverage(opportunities.lazy()).collect().row(0, named=True)
    if scored.filter(pl.col("rank").is_not_null()).is_empty():
        st.info(
            f"No scored opportunities to rank yet: none of the {shown.height:,} shown has all eight "
            "factor scores (SCALE and BANT). Score them when you qualify a deal on the Opportunities page."
            + (
                f" The {coverage['closed_not_scored']:,} closed deals have no scores either, so there is "
                "no back-test yet."
                if coverage["closed_scored"] == 0 and coverage["closed_not_scored"]
                else ""
            )
            + (
                f" {coverage['closed_scored']:,} closed deals are scored: turn on “Include closed” to rank "
                "them; the back-test below uses them."
                if coverage["closed_scored"] and not include_closed
                else ""
            ),
            icon=":material/info:",
        )
        if coverage["closed_scored"]:
            backtest_part(closed, team, current, coverage["closed_not_scored"])
        return
    # The shown opportunities scored with the baseline (a shared, immutable frame; no copy per rerun).
    baseline = shared(
        "scoring_baseline",
        (include_closed, team.weights, current.bant, current.thresholds),
        lambda: score(shown, team.weights, current.bant, current.thresholds),
    )
    shift = shift_between(baseline, scored, top_n)

    st.subheader("Ranking")
    if waiting:
        st.caption(
            f"{waiting:,} of the {shown.height:,} opportunities shown are not yet scored (a factor score is "
            "missing) and are not ranked."
        )
    sections.ranked_list(scored, shift, top_n, team.name)
    st.subheader("Value × potential")
    sections.scatter_and_breakdown(scored, current.weights, current.thresholds)

    st.subheader(f"Rank shift against {plain(team.name)}")
    sections.rank_shift_section(shift, scored, top_n, team.name)

    backtest_part(closed, team, current, coverage["closed_not_scored"])
    suggest_col, share_col = st.columns([3, 2], gap="medium")
    with suggest_col:
        actions.suggest(opportunities, current.weights, version)
    with share_col:
        actions.share(current.scenario)

    st.subheader("Sensitivity: how far can each weight move?")
    sens = sensitivity(shown, current.weights, top_n, current.bant, scored=scored)
    sections.sensitivity_section(sens, top_n)
