"""Queries for weight presets: bounded reads for the Scoring page, the checks a save needs, and
publishing one (the others unpublished) and deleting one.

The page never loads every preset: the published ones, the viewer's own (at most `own`) and the
newest `others` of everyone else's — with a search text, only the unpublished ones whose name
contains it (literally: `%` and `_` are not wildcards) — plus how many presets there are.
Author and publisher names are read only for the rows returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from crm_core.store.models import User, WeightPreset

_NEWEST_FIRST = (WeightPreset.created_at.desc(), WeightPreset.id.desc())


@dataclass(frozen=True)
class PresetRows:
    """The rows to offer, in order (published, own, others), the names they mention, and the total."""

    rows: list[WeightPreset]
    names: dict[int, str]
    total: int


def count_by_author(session: Session, author_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(WeightPreset).where(WeightPreset.author_id == author_id)
        )
        or 0
    )


def lock_author(session: Session, author_id: int) -> None:
    """Serialise one author's saves (PostgreSQL row lock; SQLite's write transaction already does)."""
    session.execute(select(User.id).where(User.id == author_id).with_for_update()).all()


def name_taken(session: Session, name: str) -> bool:
    """Whether a preset has this name, ignoring case."""
    query = (
        select(func.count()).select_from(WeightPreset).where(func.lower(WeightPreset.name) == name.lower())
    )
    return bool(session.scalar(query))


def _newest(session: Session, query: Select[WeightPreset], limit: int) -> list[WeightPreset]:
    """The newest `limit` rows of a query: ids sorted first (a sort of full rows is ~5× slower), then rows."""
    ids = list(
        session.scalars(query.with_only_columns(WeightPreset.id).order_by(*_NEWEST_FIRST).limit(limit))
    )
    if not ids:
        return []
    return list(
        session.scalars(select(WeightPreset).where(WeightPreset.id.in_(ids)).order_by(*_NEWEST_FIRST))
    )


def _names(session: Session, rows: Sequence[WeightPreset]) -> dict[int, str]:
    ids = {i for row in rows for i in (row.author_id, row.published_by) if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def visible_rows(
    session: Session, viewer_id: int | None, *, own: int, others: int, name_contains: str = ""
) -> PresetRows:
    """The published presets, the viewer's newest `own`, and the newest `others` of everyone else's
    (of both, only those whose name contains `name_contains`, ignoring case, when it is given)."""
    published: Select[WeightPreset] = select(WeightPreset).where(WeightPreset.published.is_(True))
    rows = list(session.scalars(published.order_by(WeightPreset.published_at.desc(), *_NEWEST_FIRST)))
    unpublished = select(WeightPreset).where(WeightPreset.published.is_(False))
    if name_contains:
        unpublished = unpublished.where(
            func.lower(WeightPreset.name).contains(name_contains.lower(), autoescape=True)
        )
    others_query = unpublished
    if viewer_id is not None:
        rows += _newest(session, unpublished.where(WeightPreset.author_id == viewer_id), own)
        others_query = unpublished.where(
            or_(WeightPreset.author_id.is_(None), WeightPreset.author_id != viewer_id)
        )
    rows += _newest(session, others_query, others)
    total = int(session.scalar(select(func.count()).select_from(WeightPreset)) or 0)
    return PresetRows(rows, _names(session, rows), total)


def find_preset(session: Session, preset_id: int, *, lock: bool = False) -> WeightPreset | None:
    """The preset, with `lock` read FOR UPDATE on PostgreSQL (SQLite's write transaction holds all)."""
    return session.get(WeightPreset, preset_id, with_for_update=lock or None)


def people_names(session: Session, *user_ids: int | None) -> dict[int, str]:
    """Names of these users (an author, a publisher), by id."""
    ids = [i for i in user_ids if i is not None]
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def lock_all(session: Session) -> None:
    """Lock every preset row, so two managers publishing at once end with one published."""
    session.execute(select(WeightPreset.id).with_for_update()).all()


def unpublish_others(session: Session, preset_id: int) -> list[str]:
    """Unpublish every published preset but this one; returns their names."""
    others = (WeightPreset.published.is_(True), WeightPreset.id != preset_id)
    previous = list(session.scalars(select(WeightPreset.name).where(*others)))
    session.execute(update(WeightPreset).where(*others).values(published=False))
    return previous


def published_newest_first(session: Session) -> list[WeightPreset]:
    return list(
        session.scalars(
            select(WeightPreset)
            .where(WeightPreset.published.is_(True))
            .order_by(WeightPreset.published_at.desc().nulls_last(), WeightPreset.id.desc())
        )
    )
