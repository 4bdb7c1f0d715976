"""Pipeline: the funnel by stage, in count and value, for the chosen owners, segments and dates."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.opportunities import Stage
from ui.charts import stage_funnel
from ui.data import frame
from ui.filters import date_range_filter, multiselect_filter
from ui.theme import money
from ui.widgets import show_data

st.title("Pipeline")
opportunities = frame("opportunities")

with st.container(border=True):
    cols = st.columns(3)
    with cols[0]:
        by_owner = multiselect_filter(opportunities, "owner", "Owner", key="pipeline_owner")
    with cols[1]:
        by_segment = multiselect_filter(
            opportunities, "industry", "Segment (industry)", key="pipeline_segment"
        )
    with cols[2]:
        by_date = date_range_filter(opportunities, "created_at", "Created between", key="pipeline_created")
selected = opportunities.filter(by_owner & by_segment & by_date)

order = [s.value for s in Stage]
by_stage = (
    analytics.count_by(selected.lazy(), "stage", order, value="expected_amount_cents")
    .collect()
    .join(pl.DataFrame({"stage": order}), on="stage", how="right")
    .with_columns(pl.col("count", "expected_amount_cents").fill_null(0))
)
open_stages = by_stage.filter(pl.col("stage").is_in(analytics.OPEN_STAGE_VALUES))

st.caption(
    f"{selected.height:,} opportunities match · open: {open_stages['count'].sum():,} "
    f"worth {money(open_stages['expected_amount_cents'].sum(), compact=True)}"
)
left, right = st.columns(2)
left.plotly_chart(
    stage_funnel(by_stage, value_col="count", title="Opportunities by stage"), key="pipeline_f1"
)
right.plotly_chart(
    stage_funnel(by_stage, value_col="expected_amount_cents", title="Expected amount by stage"),
    key="pipeline_f2",
)
show_data(
    by_stage.with_columns((pl.col("expected_amount_cents") / 100).alias("expected_amount")).drop(
        "expected_amount_cents"
    ),
    key="pipeline_by_stage",
    file_name="pipeline_by_stage.csv",
)
