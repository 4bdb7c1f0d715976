"""Today in UTC for the pages: the one clock of `crm_core.clock` (CRM_TODAY pins it)."""

from __future__ import annotations

from datetime import date, datetime

from crm_core import clock


def today() -> date:
    return clock.today()


def now() -> datetime:
    """Naive UTC, as the store keeps times."""
    return clock.now()
