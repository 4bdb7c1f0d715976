"""Integration: how well won opportunities turn into delivered orders — by month, rep and segment,
the flow from opportunity to delivered order, and the conversion lag."""

from __future__ import annotations

import streamlit as st

from ui.frame import inside_frame
from ui.reports import integration

inside_frame()


def render() -> None:
    st.title("Integration")
    st.caption(
        "Does what sales wins turn into orders that reach the customer? S, O and E by month, rep and segment."
    )
    period = integration.period_picker()
    figures = integration.period_figures(period)
    integration.tiles(figures["monthly"])
    integration.monthly_section(figures["monthly"])
    integration.by_section(period)
    integration.flow_section(figures)
    integration.lag_section(figures)


render()
