"""Pipeline: funnel, weighted forecast, stage conversion, velocity and aging, for the chosen owners,
segment and creation dates. The stage probabilities of the forecast can be changed here."""

from __future__ import annotations

import streamlit as st

from crm_core import analytics
from ui.data import derived, frame
from ui.dates import today
from ui.filters import selected_rows
from ui.frame import inside_frame
from ui.opportunities import pipeline

inside_frame()


def render() -> None:
    st.title("Pipeline")
    st.caption(
        "Where the opportunities are, how they move from stage to stage, and what is likely to close. "
        "The filters apply to every chart."
    )
    opportunities = derived(  # the size bands, once per version of the deals (shared by sessions)
        "pipeline_opportunities",
        (),
        lambda: frame("opportunities").with_columns(analytics.size_band_expr()),
        frames=("opportunities",),
    )
    events = frame("opportunity_events")
    filters = pipeline.filter_bar(opportunities)
    pipeline.init_probabilities()
    selected = selected_rows(opportunities, filters)
    st.caption(f"{selected.height:,} of {opportunities.height:,} opportunities match the filters.")

    pipeline.probabilities_and_forecast(selected, filters)
    shown = derived(
        "pipeline",
        (filters, today()),
        lambda: pipeline.reach_and_flow(selected, events),
        frames=pipeline.PIPELINE_FRAMES,
    )
    pipeline.funnel_section(selected, shown)
    pipeline.conversion_and_velocity(shown)
    pipeline.aging_section(shown)


render()
