"""The opportunity list: search and filters, a row click opens the deal; managers tick several rows
to reassign them at once."""

from __future__ import annotations

from functools import partial
from typing import Any

import polars as pl
import streamlit as st

from crm_core.permissions import Actor
from crm_core.scoring import NOT_SCORED, QUADRANTS
from crm_core.services import list_users, may_reassign
from crm_core.store import Store
from ui.filters import date_range_filter, multiselect_filter, search_filter
from ui.opportunities.actions import select
from ui.opportunities.edit import bulk_reassign_bar
from ui.opportunities.state import (
    CREATED,
    LIST_TABLE,
    OWNER,
    PICK_TABLE,
    QUADRANT,
    SEARCH,
    SELECT_MANY,
    SELECTED,
    STAGE,
)
from ui.theme import label, label_expr


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
                key=SEARCH,
                placeholder="Company, contact, email…",
            )
        with cols[1]:
            by_owner = multiselect_filter(opportunities, "owner", "Owner", key=OWNER)
        with cols[2]:
            by_stage = multiselect_filter(opportunities, "stage", "Stage", key=STAGE, labels=True)
        with cols[3]:
            quadrants = st.multiselect(
                "Quadrant",
                [*QUADRANTS, NOT_SCORED],
                format_func=label,
                key=QUADRANT,
                placeholder="All",
            )
        with cols[4]:
            by_date = date_range_filter(opportunities, "created_at", "Created between", key=CREATED)
    by_quadrant = pl.col("quadrant").is_in(quadrants) if quadrants else pl.lit(True)
    shown = opportunities.filter(by_text & by_owner & by_stage & by_quadrant & by_date).sort(
        "created_at", descending=True
    )
    ids = tuple(shown["id"].to_list())
    selecting = may_reassign(actor) and st.toggle(
        "Select several to reassign",
        key=SELECT_MANY,
        help="Tick the rows of the deals to give to another rep or manager.",
    )
    if selecting:
        st.caption(f"{shown.height:,} of {opportunities.height:,} opportunities · tick the rows to reassign")
        # A new table when the rows or their versions change, so a finished reassignment clears it.
        table_key = f"{PICK_TABLE}_{hash((ids, tuple(shown['version']))) & 0xFFFFFFFF:x}"
        selection: dict[str, Any] = {"on_select": "rerun", "selection_mode": "multi-row"}
    else:
        st.caption(f"{shown.height:,} of {opportunities.height:,} opportunities · click a row to open it")
        selected = st.session_state.get(SELECTED)
        # A new table whenever the rows or the selection change, so the highlighted row is the open one.
        table_key = f"{LIST_TABLE}_{hash((ids, selected)) & 0xFFFFFFFF:x}"
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
