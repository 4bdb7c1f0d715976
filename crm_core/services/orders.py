"""Order use cases. Each checks the actor's permission, runs in one unit of work and writes an event."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from crm_core import validation
from crm_core.errors import ValidationError
from crm_core.orders import (
    DELIVERY_METHODS,
    PAYMENT_METHODS,
    LineInput,
    OrderStatus,
    ProductRef,
    order_number,
    totals_cents,
    validate_lines,
)
from crm_core.permissions import Actor, Permission, require
from crm_core.store import Store, UnitOfWork
from crm_core.store.models import Customer, Opportunity, Order, OrderLine, Product, utcnow
from crm_core.store.seed import ORDER_SEQUENCE_KEY

MAX_TAX_RATE_PCT = Decimal(100)


@dataclass(frozen=True)
class NewOrder:
    """What the order-entry form (or a converted opportunity) hands to `create_order`."""

    customer_id: Any
    lines: Sequence[LineInput]
    payment_method: Any
    delivery_method: Any
    requested_date: Any = None
    notes: Any = None
    shipping: Any = 0  # currency units
    tax_rate_pct: Any = 0
    opportunity_id: int | None = None


def product_refs(store: Store) -> dict[str, ProductRef]:
    """Every product keyed by upper-case SKU (active and inactive: inactive ones are refused by name)."""
    with store.read() as session:
        rows = session.execute(
            select(Product.id, Product.sku, Product.name, Product.list_price_cents, Product.active)
        ).all()
    return {row.sku.upper(): ProductRef(*row) for row in rows}


def create_order(
    store: Store,
    actor: Actor | None,
    new: NewOrder,
    *,
    today: date | None = None,
    uow: UnitOfWork | None = None,
) -> int:
    """Enter an order in state `entered`. Returns its id. Bad input changes nothing.

    With `uow` the order joins the caller's unit of work, which commits it (a converted opportunity)."""
    require(actor, Permission.ENTER_ORDER)
    assert actor is not None
    today = today or utcnow().date()
    customer_id = validation.integer("customer", new.customer_id, minimum=1)
    payment = validation.choice("payment method", new.payment_method, PAYMENT_METHODS)
    delivery = validation.choice("delivery method", new.delivery_method, tuple(DELIVERY_METHODS))
    requested = (
        None
        if new.requested_date in (None, "")
        else validation.a_date(
            "requested date", new.requested_date, earliest=today, latest=today + timedelta(days=3 * 365)
        )
    )
    notes = validation.text(
        "notes", new.notes, required=False, max_length=validation.MAX_LONG_TEXT, multiline=True
    )
    shipping_cents = validation.money("shipping", new.shipping)
    tax_rate_bp = validation.percent("tax rate %", new.tax_rate_pct)
    drafts = validate_lines(new.lines, product_refs(store))
    totals = totals_cents(drafts, shipping_cents, tax_rate_bp)

    joined = uow is not None
    with nullcontext(uow) if joined else UnitOfWork(store) as uow:
        customer = uow.session.get(Customer, customer_id)
        if customer is None:
            raise ValidationError("customer", f"no customer with id {customer_id}")
        if new.opportunity_id is not None:
            opportunity = uow.session.get(Opportunity, new.opportunity_id)
            if opportunity is None or opportunity.customer_id != customer_id:
                raise ValidationError("opportunity", "the opportunity belongs to another customer")
        now = utcnow()
        order = Order(
            number=order_number(uow.next_in_sequence(ORDER_SEQUENCE_KEY)),
            customer_id=customer_id,
            opportunity_id=new.opportunity_id,
            status=OrderStatus.ENTERED.value,
            payment_method=payment,
            delivery_method=delivery,
            requested_date=requested,
            notes=notes,
            shipping_cents=shipping_cents,
            tax_rate_bp=tax_rate_bp,
            total_cents=totals["total"],
            created_by=actor.id,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
        )
        uow.session.add(order)
        uow.session.flush()
        for line_no, draft in enumerate(drafts, start=1):
            uow.session.add(
                OrderLine(
                    order_id=order.id,
                    line_no=line_no,
                    product_id=draft.product_id,
                    quantity=draft.quantity,
                    unit_price_cents=draft.unit_price_cents,
                    discount_bp=draft.discount_bp,
                )
            )
        note = f"Created from opportunity #{new.opportunity_id}" if new.opportunity_id else None
        uow.record(
            "order", order.id, "create", actor.id, to_state=OrderStatus.ENTERED.value, note=note, at=now
        )
        if not joined:
            uow.commit()
        return order.id


def count_orders(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)
