"""Scoring: tune the SCALE weights on sliders and see who rises and falls, and whether history agrees.

Moving a slider reruns only the workshop fragment. The baseline is the team's active weights
(the published preset, else the defaults); its scores and back-test are cached per data version.
"""

from __future__ import annotations

import streamlit as st

from crm_core.services import active_weights
from ui.auth import current_actor
from ui.data import current_version, get_store, scoring_opportunities
from ui.frame import inside_frame
from ui.scoring import actions, enrichment
from ui.scoring.state import LINK_NOTICE, init_state, read_current
from ui.scoring.workshop import workshop
from ui.text import message, plain

inside_frame()


def render() -> None:
    st.title("Scoring")
    st.caption(
        "Move the four SCALE weights and watch the ranking respond. Value V is the weighted SCALE score, "
        "potential P the BANT score, both 0–10; priority V·P/10 ranks the list. The baseline is the "
        "team's active weights."
    )
    store = get_store()
    team = active_weights(store)
    version = current_version(store)
    opportunities = scoring_opportunities(store)
    init_state(team.weights, team.bant)
    if notices := st.session_state.get(LINK_NOTICE):
        st.warning("\n\n".join(message(notice) for notice in notices), icon=":material/link_off:")

    workshop(opportunities, team, version)

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
    enrichment.section(store, current_actor())


render()
