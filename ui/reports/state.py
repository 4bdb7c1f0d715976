"""Every session-state key and widget key of the Overview and Integration pages, in one place.
Their string values are what AppTests drive the widgets by, so they do not change."""

from __future__ import annotations

INTEGRATION_PERIOD = "integration_period"
INTEGRATION_BY = "integration_by"


def overview_trend(title: str) -> str:
    """The sparkline under an Overview tile."""
    return f"overview_trend_{title}"
