"""Opportunities: the list, searchable and filtered."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.data import frame
from ui.filters import date_range_filter, multiselect_filter, search_filter
from ui.theme import label_expr

st.title("Opportunities")
opportunities = frame("opportunities")

with st.container(border=True):
    cols = st.columns([2, 1, 1, 1.4])
    with cols[0]:
        by_text = search_filter(
            ["title", "customer", "contact_name", "contact_email"],
            key="opportunities_search",
            placeholder="Company, contact, email…",
        )
    with cols[1]:
        by_owner = multiselect_filter(opportunities, "owner", "Owner", key="opportunities_owner")
    with cols[2]:
        by_stage = multiselect_filter(opportunities, "stage", "Stage", key="opportunities_stage", labels=True)
    with cols[3]:
        by_date = date_range_filter(
            opportunities, "created_at", "Created between", key="opportunities_created"
        )

shown = opportunities.filter(by_text & by_owner & by_stage & by_date).sort("created_at", descending=True)
st.caption(f"{shown.height:,} of {opportunities.height:,} opportunities")
st.dataframe(
    shown.select(
        "id",
        "title",
        "customer",
        "owner",
        label_expr("stage"),
        (pl.col("expected_amount_cents") / 100).alias("expected_amount"),
        "expected_close_date",
        "created_at",
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("ID", format="%d"),
        "title": "Opportunity",
        "customer": "Customer",
        "owner": "Owner",
        "stage": "Stage",
        "expected_amount": st.column_config.NumberColumn("Expected amount", format="dollar"),
        "expected_close_date": st.column_config.DateColumn("Expected close"),
        "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD"),
    },
)
