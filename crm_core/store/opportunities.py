"""Queries behind changing deals after capture: locking a batch of opportunities, the owners they
may go to, and the first order a won one led to."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.permissions import Role
from crm_core.store.models import Opportunity, Order, User

OWNER_ROLES: frozenset[str] = frozenset({Role.REP.value, Role.MANAGER.value})  # admins own no deals


def lock_opportunities(session: Session, ids: Collection[int]) -> dict[int, Opportunity]:
    """The opportunities with these ids, by id, read `FOR UPDATE` on PostgreSQL so a concurrent
    writer waits and then sees the new versions (SQLite's write transaction holds the database)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Opportunity).where(Opportunity.id.in_(list(ids))).order_by(Opportunity.id).with_for_update()
    ).all()
    return {row.id: row for row in rows}


def active_owner(session: Session, user_id: int) -> User | None:
    """The user if they can own deals (an active rep or manager; admins own none), else None."""
    user = session.get(User, user_id)
    return user if user is not None and user.active and user.role in OWNER_ROLES else None


def user_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(list(ids))))
    return {row.id: row.name for row in rows}


def first_order_day(session: Session, opportunity_id: int) -> date | None:
    """The day the first order made from this opportunity was entered (None: no order yet)."""
    first = session.scalar(
        select(Order.created_at)
        .where(Order.opportunity_id == opportunity_id)
        .order_by(Order.created_at)
        .limit(1)
    )
    return None if first is None else first.date()
