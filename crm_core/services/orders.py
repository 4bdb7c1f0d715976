"""Order use cases. Each checks the actor's permission, runs in one unit of work and writes an event."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from crm_core import validation
from crm_core.errors import InvalidTransition, NotFound, ValidationError
from crm_core.money import format_money
from crm_core.orders import (
    DELIVERY_METHODS,
    PAYMENT_METHODS,
    LineDraft,
    LineInput,
    OrderStatus,
    ProductRef,
    order_number,
    requested_date_bounds,
    status_label,
    totals_cents,
    validate_lines,
)
from crm_core.permissions import Actor, Permission, require
from crm_core.store import Store, UnitOfWork
from crm_core.store.changes import record_deletions
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
    f = validation.Fields()  # every field's problem at once, each shown under its field
    customer_id = None
    if f.required("customer", new.customer_id, "is required: choose one"):
        customer_id = f.check("customer", validation.integer, new.customer_id, minimum=1)
    payment = f.check("payment method", validation.choice, new.payment_method, PAYMENT_METHODS)
    delivery = f.check("delivery method", validation.choice, new.delivery_method, tuple(DELIVERY_METHODS))
    earliest, latest = requested_date_bounds(today)
    requested = (
        None
        if new.requested_date in (None, "")
        else f.check(
            "requested date", validation.a_date, new.requested_date, earliest=earliest, latest=latest
        )
    )
    notes = f.check(
        "notes",
        validation.text,
        new.notes,
        required=False,
        max_length=validation.MAX_LONG_TEXT,
        multiline=True,
    )
    shipping_cents = f.check("shipping", validation.money, new.shipping)
    tax_rate_bp = f.check("tax rate %", validation.percent, new.tax_rate_pct)
    drafts = f.run(lambda: validate_lines(new.lines, product_refs(store)))
    f.done()
    totals = totals_cents(drafts, shipping_cents, tax_rate_bp)

    joined = uow is not None
    with nullcontext(uow) if joined else UnitOfWork(store, actor) as uow:
        customer = uow.session.get(Customer, customer_id)
        if customer is None:
            raise ValidationError("customer", f"no customer with id {customer_id}")
        if customer.blocked:
            raise ValidationError("customer", f"{customer.name} is blocked: no new orders for this account")
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
        _add_lines(uow, order.id, drafts)
        note = f"Created from opportunity #{new.opportunity_id}" if new.opportunity_id else None
        uow.record(
            "order", order.id, "create", actor.id, to_state=OrderStatus.ENTERED.value, note=note, at=now
        )
        if not joined:
            uow.commit()
        return order.id


def update_order_lines(
    store: Store,
    actor: Actor | None,
    order_id: int,
    lines: Sequence[LineInput],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> int:
    """Replace an `entered` order's lines (and so its total). Returns the new version.

    Lines change only while the order is `entered`: after the audit they are what was checked."""
    require(actor, Permission.ENTER_ORDER)
    assert actor is not None
    drafts = validate_lines(lines, product_refs(store))
    now = now or utcnow()
    with UnitOfWork(store, actor) as uow:
        order = uow.get(Order, order_id, expected_version=expected_version, what="order", now=now)
        if order.status != OrderStatus.ENTERED:
            raise InvalidTransition(
                f"Cannot change the lines of order {order.number}: it is {status_label(order.status)}; "
                "lines change only while an order is entered."
            )
        before = _current_lines(uow, order.id)
        total_before = order.total_cents
        gone = OrderLine.order_id == order.id
        record_deletions(uow.session, "order_lines", gone)
        uow.session.execute(delete(OrderLine).where(gone))
        _add_lines(uow, order.id, drafts)
        order.total_cents = totals_cents(drafts, order.shipping_cents, order.tax_rate_bp)["total"]
        order.updated_at = now
        uow.record(
            "order",
            order.id,
            "update_lines",
            actor.id,
            from_state=order.status,
            to_state=order.status,
            note=f"Lines {_lines_text(before)}, total {format_money(total_before)} → "
            f"{_lines_text(drafts)}, total {format_money(order.total_cents)}",
            at=now,
        )
        uow.commit()
        return order.version


def _current_lines(uow: UnitOfWork, order_id: int) -> list[LineDraft]:
    rows = uow.session.execute(
        select(
            OrderLine.product_id,
            Product.sku,
            OrderLine.quantity,
            OrderLine.unit_price_cents,
            OrderLine.discount_bp,
        )
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    ).all()
    return [LineDraft(*row) for row in rows]


def _lines_text(lines: Sequence[LineDraft]) -> str:
    """'[SW-1001 × 2 at $1,850.00; SW-1003 × 5 at $350.00 less 10 %]': what the event keeps of lines."""

    def one(line: LineDraft) -> str:
        text = f"{line.sku} × {line.quantity} at {format_money(line.unit_price_cents)}"
        if line.discount_bp:
            text += f" less {Decimal(line.discount_bp) / 100:f} %"
        return text

    return "[" + "; ".join(one(line) for line in lines) + "]"


def _add_lines(uow: UnitOfWork, order_id: int, drafts: Sequence[LineDraft]) -> None:
    uow.session.add_all(
        OrderLine(
            order_id=order_id,
            line_no=line_no,
            product_id=draft.product_id,
            quantity=draft.quantity,
            unit_price_cents=draft.unit_price_cents,
            discount_bp=draft.discount_bp,
        )
        for line_no, draft in enumerate(drafts, start=1)
    )


def order_id_for_number(store: Store, number: Any) -> int:
    """The id of the order with this number ('SO-000123', any case, spaces ignored), or NotFound."""
    text = validation.text("order number", number, max_length=32)
    assert text is not None
    with store.read() as session:
        found = session.scalar(select(Order.id).where(Order.number == text.upper().replace(" ", "")))
    if found is None:
        raise NotFound(f"No order with number {text[:32]}.")
    return int(found)


def count_orders(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)
