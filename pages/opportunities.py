"""Opportunities: find one in the list, capture a new one, and take the selected one through its
steps — enrich, score, schedule, win or lose — and turn a won one into an order. Deals are edited
from their details; managers reassign one there, or many selected in the list."""

from __future__ import annotations

from functools import partial
from typing import Any

import polars as pl
import streamlit as st

from crm_core.permissions import Actor
from crm_core.scoring import NOT_SCORED, QUADRANTS, score
from crm_core.services import active_weights, list_users, may_reassign
from crm_core.store import Store
from ui.auth import current_actor
from ui.data import frame, get_store
from ui.filters import date_range_filter, multiselect_filter, search_filter
from ui.frame import inside_frame
from ui.opportunities.actions import DETAILS_TAB, NEXT_VIEW, SELECTED, run_pending_capture, select
from ui.opportunities.capture import capture_form
from ui.opportunities.detail import detail_view
from ui.opportunities.edit import bulk_reassign_bar, run_pending_reassign
from ui.theme import label, label_expr

inside_frame()

LIST_TAB, CAPTURE_TAB = ":material/list: All opportunities", ":material/add: Capture new"
VIEW = "opportunities_view"


def pick_row(table_key: str, ids: tuple[int, ...]) -> None:
    rows = st.session_state[table_key]["selection"]["rows"]
    if rows:
        select(ids[rows[0]])


def opportunity_list(opportunities: pl.DataFrame, store: Store, actor: Actor | None) -> None:
    with st.container(border=True):
        cols = st.columns([1.5, 1, 1, 1, 1.45])
        with cols[0]:
            by_text = search_filter(
                ["title", "customer", "contact_name", "contact_email"],
                key="opportunities_search",
                placeholder="Company, contact, email…",
            )
        with cols[1]:
            by_owner = multiselect_filter(opportunities, "owner", "Owner", key="opportunities_owner")
        with cols[2]:
            by_stage = multiselect_filter(
                opportunities, "stage", "Stage", key="opportunities_stage", labels=True
            )
        with cols[3]:
            quadrants = st.multiselect(
                "Quadrant",
                [*QUADRANTS, NOT_SCORED],
                format_func=label,
                key="opportunities_quadrant",
                placeholder="All",
            )
        with cols[4]:
            by_date = date_range_filter(
                opportunities, "created_at", "Created between", key="opportunities_created"
            )
    by_quadrant = pl.col("quadrant").is_in(quadrants) if quadrants else pl.lit(True)
    shown = opportunities.filter(by_text & by_owner & by_stage & by_quadrant & by_date).sort(
        "created_at", descending=True
    )
    ids = tuple(shown["id"].to_list())
    selecting = may_reassign(actor) and st.toggle(
        "Select several to reassign",
        key="opportunities_select_many",
        help="Tick the rows of the deals to give to another rep or manager.",
    )
    if selecting:
        st.caption(f"{shown.height:,} of {opportunities.height:,} opportunities · tick the rows to reassign")
        # A new table when the rows or their versions change, so a finished reassignment clears it.
        table_key = f"opportunities_pick_{hash((ids, tuple(shown['version']))) & 0xFFFFFFFF:x}"
        selection: dict[str, Any] = {"on_select": "rerun", "selection_mode": "multi-row"}
    else:
        st.caption(f"{shown.height:,} of {opportunities.height:,} opportunities · click a row to open it")
        selected = st.session_state.get(SELECTED)
        # A new table whenever the rows or the selection change, so the highlighted row is the open one.
        table_key = f"opportunities_table_{hash((ids, selected)) & 0xFFFFFFFF:x}"
        selection = {
            "on_select": partial(pick_row, table_key, ids),
            "selection_mode": "single-row",
            "selection_default": {"selection": {"rows": [ids.index(selected)] if selected in ids else []}},
        }
    st.dataframe(
        shown.select(
            "id",
            "title",
            "owner",
            label_expr("stage"),
            label_expr("quadrant"),
            "priority",
            (pl.col("expected_amount_cents") / 100).alias("expected_amount"),
            "expected_close_date",
            "updated_at",
        ),
        hide_index=True,
        width="stretch",
        height=460,
        placeholder="—",
        key=table_key,
        **selection,
        column_config={
            "id": st.column_config.NumberColumn("ID", format="%d", width="small"),
            "title": st.column_config.TextColumn("Opportunity", width=270),
            "owner": "Owner",
            "stage": "Stage",
            "quadrant": "Quadrant",
            "priority": st.column_config.NumberColumn(
                "Priority",
                format="%.1f",
                help="Value × potential ÷ 10 (0–10): the higher, the sooner to work it",
            ),
            "expected_amount": st.column_config.NumberColumn("Expected amount", format="dollar"),
            "expected_close_date": st.column_config.DateColumn("Expected close"),
            "updated_at": st.column_config.DatetimeColumn("Last change", format="YYYY-MM-DD"),
        },
    )
    if selecting:
        bulk_reassign_bar(shown, table_key, list_users(store))


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
        users = list_users(store)
        capture_form(actor, users, frame("products"))
with details_tab:
    if details_tab.open:
        industries = sorted(i for i in frame("customers")["industry"].unique().to_list() if i)
        detail_view(store, actor, selected_id, industries)
