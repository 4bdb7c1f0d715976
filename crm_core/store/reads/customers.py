"""What the Customers page reads: the list with counts and balances, and one customer's card
(its deals, orders, open invoices, record from won deal to delivered, and history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

import polars as pl
from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.opportunities import Stage
from crm_core.orders import OrderStatus
from crm_core.store.columnar import read_select
from crm_core.store.engine import Store
from crm_core.store.models import Customer, Event, Invoice, Opportunity, Order, Payment, User

AnyRow = Row[*tuple[Any, ...]]  # a result row, whatever its columns

CANCELLED = OrderStatus.CANCELLED.value


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


def customer_opportunities(session: Session, customer_id: int) -> Sequence[AnyRow]:
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


def customer_orders(session: Session, customer_id: int) -> Sequence[AnyRow]:
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


def customer_open_invoices(session: Session, customer_id: int) -> Sequence[AnyRow]:
    unpaid = _unpaid_invoices().where(Order.customer_id == customer_id).order_by(Invoice.due_date, Invoice.id)
    return session.execute(unpaid).all()


@dataclass(frozen=True)
class WonToDelivered:
    """A customer's record from won deal to delivered order."""

    won: int  # opportunities won
    lost: int
    orders_from_won: int  # orders created from its won opportunities
    delivered: int  # orders delivered (any origin)
    delivered_cents: int
    median_days_won_to_delivered: float | None  # over orders from won deals that were delivered


@dataclass(frozen=True)
class CustomerCard:
    id: int
    name: str
    version: int
    industry: str | None
    employees: int | None
    annual_revenue_cents: int | None
    region: str | None
    credit_limit_cents: int
    blocked: bool
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    billing_address: str | None
    shipping_address: str | None
    tax_id: str | None
    external_id: str | None
    created_at: datetime
    updated_at: datetime
    balance_cents: int
    record: WonToDelivered
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    open_invoices: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def available_credit_cents(self) -> int:
        return max(self.credit_limit_cents - self.balance_cents, 0)


def _record(opportunities: list[dict[str, Any]], orders: list[dict[str, Any]]) -> WonToDelivered:
    won_at = {o["id"]: o["closed_at"] for o in opportunities if o["stage"] == Stage.WON.value}
    from_won = [o for o in orders if o["opportunity_id"] in won_at]
    delivered = [o for o in orders if o["status"] == OrderStatus.DELIVERED.value]
    lags = [
        (o["delivered_at"] - won_at[o["opportunity_id"]]).total_seconds() / 86_400
        for o in from_won
        if o["delivered_at"] is not None and won_at[o["opportunity_id"]] is not None
    ]
    return WonToDelivered(
        won=len(won_at),
        lost=sum(o["stage"] == Stage.LOST.value for o in opportunities),
        orders_from_won=len(from_won),
        delivered=len(delivered),
        delivered_cents=sum(o["total_cents"] for o in delivered),
        median_days_won_to_delivered=round(median(lags), 1) if lags else None,
    )


def customer_card(store: Store, customer_id: int) -> CustomerCard:
    """Everything the Customers page shows about one customer, or NotFound."""
    with store.read() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"No customer with id {customer_id} (it may have been merged into another).")
        opportunities = [r._asdict() for r in customer_opportunities(session, customer_id)]
        orders = [r._asdict() for r in customer_orders(session, customer_id)]
        invoices = [r._asdict() for r in customer_open_invoices(session, customer_id)]
        events = session.execute(
            select(Event.at, Event.action, Event.note, User.name.label("actor"))
            .outerjoin(User, User.id == Event.actor_id)
            .where(Event.entity_type == "customer", Event.entity_id == customer_id)
            .order_by(Event.at.desc(), Event.id.desc())
        ).all()
        return CustomerCard(
            id=customer.id,
            name=customer.name,
            version=customer.version,
            industry=customer.industry,
            employees=customer.employees,
            annual_revenue_cents=customer.annual_revenue_cents,
            region=customer.region,
            credit_limit_cents=customer.credit_limit_cents,
            blocked=customer.blocked,
            contact_name=customer.contact_name,
            contact_email=customer.contact_email,
            contact_phone=customer.contact_phone,
            billing_address=customer.billing_address,
            shipping_address=customer.shipping_address,
            tax_id=customer.tax_id,
            external_id=customer.external_id,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            balance_cents=sum(i["total_cents"] for i in invoices),
            record=_record(opportunities, orders),
            opportunities=opportunities,
            orders=orders,
            open_invoices=invoices,
            events=[e._asdict() for e in events],
        )
