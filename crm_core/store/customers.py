"""The store side of customers and the desk's settings: the list with balances, one customer's
deals, orders and open invoices, moving records when duplicates are merged, reading and writing
settings. Runs inside the caller's session (the services own the unit of work)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Row, exists, func, select, update
from sqlalchemy.orm import Session

from crm_core.orders import OrderStatus
from crm_core.store.columnar import read_select
from crm_core.store.engine import Store
from crm_core.store.models import Customer, Invoice, Opportunity, Order, Payment, Setting, User

CANCELLED = OrderStatus.CANCELLED.value


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


def _unpaid_invoices() -> Any:
    """Invoices without a payment, of orders that are not cancelled: what a customer owes."""
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.order_id,
            Invoice.issued_at,
            Invoice.due_date,
            Invoice.total_cents,
            Order.customer_id,
            Order.number.label("order_number"),
        )
        .join(Order, Order.id == Invoice.order_id)
        .where(Order.status != CANCELLED, ~exists().where(Payment.order_id == Invoice.order_id))
    )


def read_customer_list(store: Store) -> pl.DataFrame:
    """Every customer with what the list shows: contact, region, credit, blocked, counts and balance."""
    unpaid = _unpaid_invoices().subquery()
    balance = (
        select(unpaid.c.customer_id, func.sum(unpaid.c.total_cents).label("balance_cents"))
        .group_by(unpaid.c.customer_id)
        .subquery()
    )
    orders = select(Order.customer_id, func.count().label("orders")).group_by(Order.customer_id).subquery()
    deals = (
        select(Opportunity.customer_id, func.count().label("opportunities"))
        .group_by(Opportunity.customer_id)
        .subquery()
    )
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.industry,
            Customer.region,
            Customer.employees,
            Customer.contact_name,
            Customer.contact_email,
            Customer.tax_id,
            Customer.credit_limit_cents,
            Customer.blocked,
            Customer.version,
            func.coalesce(deals.c.opportunities, 0).label("opportunities"),
            func.coalesce(orders.c.orders, 0).label("orders"),
            func.coalesce(balance.c.balance_cents, 0).label("balance_cents"),
        )
        .outerjoin(deals, deals.c.customer_id == Customer.id)
        .outerjoin(orders, orders.c.customer_id == Customer.id)
        .outerjoin(balance, balance.c.customer_id == Customer.id)
        .order_by(Customer.name, Customer.id)
    )
    return read_select(store, stmt).with_columns(pl.col("blocked").cast(pl.Boolean))


def customer_opportunities(session: Session, customer_id: int) -> Sequence[Row[Any]]:
    return session.execute(
        select(
            Opportunity.id,
            Opportunity.title,
            Opportunity.stage,
            Opportunity.expected_amount_cents,
            Opportunity.expected_close_date,
            Opportunity.created_at,
            Opportunity.closed_at,
            User.name.label("owner"),
        )
        .join(User, User.id == Opportunity.owner_id)
        .where(Opportunity.customer_id == customer_id)
        .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
    ).all()


def customer_orders(session: Session, customer_id: int) -> Sequence[Row[Any]]:
    return session.execute(
        select(
            Order.id,
            Order.number,
            Order.status,
            Order.total_cents,
            Order.created_at,
            Order.delivered_at,
            Order.opportunity_id,
        )
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    ).all()


def customer_open_invoices(session: Session, customer_id: int) -> Sequence[Row[Any]]:
    unpaid = _unpaid_invoices().where(Order.customer_id == customer_id).order_by(Invoice.due_date, Invoice.id)
    return session.execute(unpaid).all()


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
