"""The one clock: what "now" and "today" are, in UTC.

Everything that decides by the calendar (which month is still running, how old an order is)
asks here. `CRM_TODAY=YYYY-MM-DD` pins the day — for tests, demos and screenshots of a given
point in the month; the time of day still runs. Unset, it is the real date in UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from crm_core.errors import ConfigError

TODAY_VAR = "CRM_TODAY"


def today() -> date:
    pinned = os.environ.get(TODAY_VAR, "").strip()
    if not pinned:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(pinned)
    except ValueError:
        raise ConfigError(f"{TODAY_VAR} is '{pinned[:40]}'; expected a date like 2026-03-02.") from None


def now() -> datetime:
    """The current moment as naive UTC (how the store keeps times), on the day `today()` says."""
    current = datetime.now(UTC).replace(tzinfo=None)
    return datetime.combine(today(), current.time())
