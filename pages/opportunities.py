"""Opportunities: find one in the list, capture a new one, and take the selected one through its
steps — enrich, score, schedule, win or lose — and turn a won one into an order. Deals are edited
from their details; managers reassign one there, or many selected in the list."""

from __future__ import annotations

import streamlit as st

from crm_core.scoring import score
from crm_core.services import active_weights, list_users
from ui.auth import current_actor
from ui.data import frame, get_store
from ui.frame import inside_frame
from ui.opportunities.actions import DETAILS_TAB, run_pending_capture
from ui.opportunities.capture import capture_form
from ui.opportunities.detail import detail_view
from ui.opportunities.edit import run_pending_reassign
from ui.opportunities.list import opportunity_list
from ui.opportunities.state import NEXT_VIEW, SELECTED, VIEW

inside_frame()

LIST_TAB, CAPTURE_TAB = ":material/list: All opportunities", ":material/add: Capture new"


def render() -> None:
    st.title("Opportunities")
    store = get_store()
    actor = current_actor()
    run_pending_reassign(store, actor)  # before the list is read, so it shows the new owners
    team = active_weights(store)  # the quadrant and priority follow the team's published weights
    opportunities = score(frame("opportunities"), team.weights, team.bant).drop("rank")

    if NEXT_VIEW in st.session_state:  # a step asked to show another tab (set before the tabs are drawn)
        st.session_state[VIEW] = st.session_state.pop(NEXT_VIEW)
    if run_pending_capture(store, actor) is not None:
        st.rerun()  # to the new opportunity's details, with the list including it

    selected_id = st.session_state.get(SELECTED)
    list_tab, capture_tab, details_tab = st.tabs(
        [LIST_TAB, CAPTURE_TAB, DETAILS_TAB], key=VIEW, on_change="rerun"
    )
    with list_tab:
        if list_tab.open:
            opportunity_list(opportunities, store, actor)
    with capture_tab:
        if capture_tab.open:
            capture_form(actor, list_users(store), frame("products"))
    with details_tab:
        if details_tab.open:
            industries = sorted(i for i in frame("customers")["industry"].unique().to_list() if i)
            detail_view(store, actor, selected_id, industries)


render()
