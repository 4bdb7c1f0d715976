"""Scoring: tune the SCALE weights on sliders and see who rises and falls, and whether history agrees.

Moving a slider reruns only the workshop fragment. The baseline is the team's active weights
(the published preset, else the defaults); its scores and back-test are cached per data version.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.opportunities import CLOSED_STAGES, OPEN_STAGES
from crm_core.scoring import (
    TOP_N_CHOICES,
    Backtest,
    BantWeights,
    Thresholds,
    Weights,
    backtest,
    is_scored,
    score,
    scoring_coverage,
    sensitivity,
    shift_between,
    unscored_count,
)
from crm_core.services import active_weights
from ui.auth import current_actor
from ui.data import current_version, get_store, scoring_opportunities, store_key
from ui.frame import inside_frame
from ui.scoring import actions as actions
from ui.scoring import enrichment as scoring_enrichment
from ui.scoring import sections as sections
from ui.scoring.state import CLOSED_KEY, LINK_NOTICE, TOP_N_KEY, Current, init_state, read_current, sync_link
from ui.text import message, plain

inside_frame()

OPEN = [s.value for s in OPEN_STAGES]
CLOSED = [s.value for s in CLOSED_STAGES]

st.title("Scoring")
st.caption(
    "Move the four SCALE weights and watch the ranking respond. Value V is the weighted SCALE score, "
    "potential P the BANT score, both 0–10; priority V·P/10 ranks the list. The baseline is the team's "
    "active weights."
)

store = get_store()
team = active_weights(store)
version = current_version(store)
opportunities = scoring_opportunities(store)
init_state(team.weights, team.bant)
if notices := st.session_state.get(LINK_NOTICE):
    st.warning("\n\n".join(message(notice) for notice in notices), icon=":material/link_off:")


@st.cache_data(max_entries=8, show_spinner=False)
def baseline_backtest(
    _closed: pl.DataFrame, database: str, version: int, weights: tuple, bant: tuple
) -> Backtest | str:
    """The baseline's back-test, once per database, data version and baseline weights."""
    try:
        return backtest(_closed, Weights(*weights), BantWeights(*bant))
    except DomainError as exc:
        return str(exc)


@st.cache_resource(max_entries=4, show_spinner=False)
def closed_deals(_opportunities: pl.DataFrame, database: str, version: int) -> pl.DataFrame:
    """The closed, scored deals every back-test reads (shared and immutable; filtered once per version)."""
    return _opportunities.filter(pl.col("stage").is_in(CLOSED) & is_scored())


@st.cache_resource(max_entries=16, show_spinner=False)
def scored_baseline(
    _shown: pl.DataFrame,
    database: str,
    version: int,
    include_closed: bool,
    weights: Weights,
    bant: BantWeights,
    thresholds: Thresholds,
) -> pl.DataFrame:
    """The shown opportunities scored with the baseline (a shared, immutable frame; no copy per rerun)."""
    return score(_shown, weights, bant, thresholds)


def backtest_part(current: Current, closed_not_scored: int) -> None:
    """The back-test of the sliders against the team's weights, on the closed, scored deals."""
    st.subheader("Back-test: would these weights have picked the winners?")
    base = baseline_backtest(closed, store_key(store), version, team.weights.as_tuple(), team.bant.as_tuple())
    try:
        mine = backtest(closed, current.weights, current.bant)
        problem = base if isinstance(base, str) else None
    except DomainError as exc:
        mine, problem = None, str(exc)
    sections.backtest_section(
        mine, None if isinstance(base, str) else base, team.name, problem, closed_not_scored
    )


@st.fragment
def workshop() -> None:
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
            backtest_part(current, coverage["closed_not_scored"])
        return
    baseline = scored_baseline(
        shown, store_key(store), version, include_closed, team.weights, current.bant, current.thresholds
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

    backtest_part(current, coverage["closed_not_scored"])
    suggest_col, share_col = st.columns([3, 2], gap="medium")
    with suggest_col:
        actions.suggest(opportunities, current.weights, version)
    with share_col:
        actions.share(current.scenario)

    st.subheader("Sensitivity: how far can each weight move?")
    sens = sensitivity(shown, current.weights, top_n, current.bant, scored=scored)
    sections.sensitivity_section(sens, top_n)


closed = closed_deals(opportunities, store_key(store), version)
workshop()

st.subheader("Presets")
current = read_current()
published = team.preset
st.caption(
    f"The team's active weights: **{plain(team.name)}**"
    + (
        f", published by {plain(published.published_by)} on {published.published_at:%d %b %Y}."
        if published and published.published_at
        else "."
    )
)
actions.presets(store, current_actor(), current.weights, current.bant)

scoring_enrichment.section(store, current_actor())
