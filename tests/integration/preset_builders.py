"""Tiny builders for preset tests against a seeded store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_core.scoring import DEFAULT_BANT, DEFAULT_WEIGHTS
from crm_core.store import Store
from crm_core.store.models import WeightPreset


def imported_presets(store: Store, author_id: int, count: int) -> None:
    """`count` presets written straight into the table, as an import or an older release would (past
    any cap), named "Imported 00000"… and a minute apart from 1 Nov 2026 (after the sample's own)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with store.write_session() as session, session.begin():
        session.add_all(
            WeightPreset(
                name=f"Imported {n:05d}",
                **DEFAULT_WEIGHTS.as_dict(),
                **DEFAULT_BANT.as_dict(),
                author_id=author_id,
                created_at=start + timedelta(minutes=n),
                published=False,
            )
            for n in range(count)
        )
