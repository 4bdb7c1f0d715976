"""Overview: the headline figures now against the same point of last month, with trends and links.

Pipeline, weighted pipeline and orders in flight are rebuilt as they stood a month ago from the
event history; win rate, revenue and E compare this month so far with the same days of last month.
"""

from __future__ import annotations

import streamlit as st

from ui.frame import inside_frame
from ui.live import live_toggle, show
from ui.reports import overview

inside_frame()


def render() -> None:
    st.title("Overview")
    st.caption(
        "Month to date against the same days of last month. Pipeline and orders in flight: now against "
        "the same moment last month, rebuilt from the history. Small charts: the last 12 months; this "
        "month, still running, is drawn lighter and marked “so far”."
    )
    show(figures, live=live_toggle("overview_live"))


def figures() -> None:
    """The tiles at the current data version and day (a fragment refreshing itself in live mode)."""
    note = st.empty()
    period = overview.month_to_date()
    shown = overview.figures(period)
    overview.stale_note(note, period)
    overview.tiles(shown, period)
    overview.footer(shown, period)


render()
