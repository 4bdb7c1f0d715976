"""Reading one opportunity for its detail view: its fields, customer, meetings, orders and history.

Read fresh on every call (one row and its few children), so the version a form submits is the
one the person saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from sqlalchemy import select

from crm_core.errors import NotFound
from crm_core.opportunities import FACTORS
from crm_core.store import Store
from crm_core.store.frames import read_entity_events
from crm_core.store.models import Customer, Meeting, Opportunity, Order, Product, User


@dataclass(frozen=True)
class MeetingView:
    kind: str
    at: datetime
    notes: str | None


@dataclass(frozen=True)
class OrderRef:
    id: int
    number: str
    status: str
    total_cents: int
    created_at: datetime


@dataclass(frozen=True)
class OpportunityDetail:
    id: int
    version: int
    title: str
    stage: str
    owner_id: int
    owner: str
    customer_id: int
    customer: str
    industry: str | None
    employees: int | None
    contact_name: str
    contact_email: str | None
    contact_phone: str | None
    product: str | None
    sku: str | None
    quantity: int
    expected_amount_cents: int
    expected_close_date: date | None
    need_summary: str | None
    budget_cents: int | None
    decision_maker: str | None
    purchase_timeframe: str | None
    scores: dict[str, float | None]
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    meetings: list[MeetingView] = field(default_factory=list)
    orders: list[OrderRef] = field(default_factory=list)

    @property
    def is_scored(self) -> bool:
        return all(self.scores.get(f) is not None for f in FACTORS)


def opportunity_detail(store: Store, opportunity_id: int) -> OpportunityDetail:
    with store.read() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            raise NotFound(f"No opportunity with id {opportunity_id}.")
        customer = session.get(Customer, opportunity.customer_id)
        owner = session.get(User, opportunity.owner_id)
        product = session.get(Product, opportunity.product_id) if opportunity.product_id else None
        meetings = session.scalars(
            select(Meeting).where(Meeting.opportunity_id == opportunity_id).order_by(Meeting.scheduled_at)
        ).all()
        orders = session.scalars(
            select(Order).where(Order.opportunity_id == opportunity_id).order_by(Order.id)
        ).all()
        assert customer is not None and owner is not None
        return OpportunityDetail(
            id=opportunity.id,
            version=opportunity.version,
            title=opportunity.title,
            stage=opportunity.stage,
            owner_id=owner.id,
            owner=owner.name,
            customer_id=customer.id,
            customer=customer.name,
            industry=customer.industry,
            employees=customer.employees,
            contact_name=opportunity.contact_name,
            contact_email=opportunity.contact_email,
            contact_phone=opportunity.contact_phone,
            product=product.name if product else None,
            sku=product.sku if product else None,
            quantity=opportunity.quantity,
            expected_amount_cents=opportunity.expected_amount_cents,
            expected_close_date=opportunity.expected_close_date,
            need_summary=opportunity.need_summary,
            budget_cents=opportunity.budget_cents,
            decision_maker=opportunity.decision_maker,
            purchase_timeframe=opportunity.purchase_timeframe,
            scores={f: getattr(opportunity, f) for f in FACTORS},
            lost_reason=opportunity.lost_reason,
            created_at=opportunity.created_at,
            updated_at=opportunity.updated_at,
            closed_at=opportunity.closed_at,
            meetings=[MeetingView(m.kind, m.scheduled_at, m.notes) for m in meetings],
            orders=[OrderRef(o.id, o.number, o.status, o.total_cents, o.created_at) for o in orders],
        )


def opportunity_history(store: Store, opportunity_id: int) -> pl.DataFrame:
    """Its events, oldest first: id, action, from_state, to_state, actor_id, actor, at, note."""
    return read_entity_events(store, "opportunity", opportunity_id)
