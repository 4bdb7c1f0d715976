"""The store side of customers and the desk's settings, inside the caller's session (the services
own the unit of work): finding a customer, moving records when duplicates are merged, reading and
writing settings. What the Customers page reads is in `crm_core.store.reads.customers`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.store.models import Customer, Opportunity, Order, Setting


def read_settings(session: Session) -> dict[str, str]:
    return {key: value for key, value in session.execute(select(Setting.key, Setting.value))}


def write_settings(session: Session, rows: Mapping[str, str], actor_id: int, now: datetime) -> None:
    """Upsert each setting (a handful of rows: read, then insert or update)."""
    current = {s.key: s for s in session.scalars(select(Setting).where(Setting.key.in_(list(rows))))}
    for key, value in rows.items():
        row = current.get(key)
        if row is None:
            session.add(Setting(key=key, value=value, updated_at=now, updated_by=actor_id))
        elif row.value != value:
            row.value, row.updated_at, row.updated_by = value, now, actor_id


def move_records(session: Session, from_id: int, to_id: int) -> tuple[list[int], list[str]]:
    """Move every opportunity and order of customer `from_id` to `to_id` (their versions move on,
    so anyone looking at them sees a conflict rather than overwriting); returns the opportunity
    ids and order numbers moved."""
    opportunity_ids = list(
        session.scalars(
            select(Opportunity.id).where(Opportunity.customer_id == from_id).order_by(Opportunity.id)
        )
    )
    order_numbers = list(
        session.scalars(select(Order.number).where(Order.customer_id == from_id).order_by(Order.id))
    )
    session.execute(
        update(Opportunity)
        .where(Opportunity.customer_id == from_id)
        .values(customer_id=to_id, version=Opportunity.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Order)
        .where(Order.customer_id == from_id)
        .values(customer_id=to_id, version=Order.version + 1)
        .execution_options(synchronize_session=False)
    )
    return opportunity_ids, order_numbers


def find_customer(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)
