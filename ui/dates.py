"""Today in UTC, the one clock pages use (the store keeps UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    return datetime.now(UTC).date()
