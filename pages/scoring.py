"""Scoring: the SCALE and BANT factor scores of every qualified opportunity."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from ui.data import frame
from ui.filters import multiselect_filter
from ui.theme import label_expr

st.title("Scoring")
st.caption(
    "SCALE factors (Segmentation, Customer operating characteristics, Level of relationship, "
    "Account management resource) and BANT factors (Budget, Authority, Need, Timing), each 0–10."
)
opportunities = frame("opportunities")
scored = opportunities.filter(
    pl.all_horizontal(pl.col(f).is_not_null() for f in SCALE_FACTORS + BANT_FACTORS)
)
unscored = opportunities.height - scored.height

by_stage = multiselect_filter(scored, "stage", "Stage", key="scoring_stage", labels=True)
shown = scored.filter(by_stage)
st.caption(
    f"{shown.height:,} scored opportunities shown; {unscored:,} are not yet scored "
    "(captured or enriched, or lost before qualification)."
)
st.dataframe(
    shown.select("id", "title", "owner", label_expr("stage"), *SCALE_FACTORS, *BANT_FACTORS),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("ID", format="%d"),
        "title": "Opportunity",
        "owner": "Owner",
        "stage": "Stage",
        "segmentation": st.column_config.NumberColumn("Segmentation", format="%.1f"),
        "customer_characteristics": st.column_config.NumberColumn(
            "Customer operating characteristics", format="%.1f"
        ),
        "relationship_level": st.column_config.NumberColumn("Level of relationship", format="%.1f"),
        "account_resource": st.column_config.NumberColumn("Account management resource", format="%.1f"),
        "budget": st.column_config.NumberColumn("Budget", format="%.1f"),
        "authority": st.column_config.NumberColumn("Authority", format="%.1f"),
        "need": st.column_config.NumberColumn("Need", format="%.1f"),
        "timing": st.column_config.NumberColumn("Timing", format="%.1f"),
    },
)
