"""Tiny builders for order tests against a seeded store: people, an order, an order taken to a status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update

from crm_core.orders import FLOW, LineInput, OrderStatus
from crm_core.permissions import Actor, Role
from crm_core.services import create_order, order_detail, perform
from crm_core.services.orders import NewOrder
from crm_core.store import Store, UnitOfWork
from crm_core.store.models import Customer, Stock
from tests.conftest import SAMPLE_TODAY

REP = Actor(2, "Daniel Okafor", "daniel.okafor@scalewise.example", Role.REP)
MANAGER = Actor(1, "Maria Lindqvist", "maria.lindqvist@scalewise.example", Role.MANAGER)
OTHER_REP = Actor(3, "Priya Raman", "priya.raman@scalewise.example", Role.REP)
ADMIN = Actor(11, "Elena Petrova", "elena.petrova@scalewise.example", Role.ADMIN)
NOW = datetime(SAMPLE_TODAY.year, SAMPLE_TODAY.month, SAMPLE_TODAY.day, 10, 0, tzinfo=UTC)
ROUTER, ACCESS_POINT, LABELS = "SW-1001", "SW-1003", "SW-1009"  # active, well stocked in the sample
INACTIVE = "SW-1023"
ROUTER_ID, ACCESS_POINT_ID = 1, 3


def roomy_customer(store: Store) -> int:
    """An unblocked customer with the largest credit limit."""
    with store.read() as session:
        return session.scalars(
            select(Customer.id)
            .where(Customer.blocked.is_(False))
            .order_by(Customer.credit_limit_cents.desc())
        ).first()


def another_roomy_customer(store: Store) -> int:
    """The unblocked customer with the second-largest credit limit."""
    with store.read() as session:
        return session.scalars(
            select(Customer.id)
            .where(Customer.blocked.is_(False))
            .order_by(Customer.credit_limit_cents.desc(), Customer.id)
            .offset(1)
        ).first()


def blocked_customer(store: Store) -> int:
    with store.read() as session:
        return session.scalars(select(Customer.id).where(Customer.blocked.is_(True))).first()


def make_order(
    store: Store,
    lines: Sequence[LineInput] | None = None,
    *,
    customer_id: int | None = None,
    actor: Actor = REP,
    **fields: object,
) -> int:
    new = NewOrder(
        customer_id=customer_id or roomy_customer(store),
        lines=lines or [LineInput(ROUTER, 2), LineInput(ACCESS_POINT, 5, None, "10")],
        payment_method=fields.pop("payment_method", "bank_transfer"),
        delivery_method=fields.pop("delivery_method", "standard"),
        shipping=fields.pop("shipping", "25.00"),
        tax_rate_pct=fields.pop("tax_rate_pct", "7.25"),
        **fields,  # type: ignore[arg-type]
    )
    return create_order(store, actor, new, today=SAMPLE_TODAY)


def advance(store: Store, order_id: int, to: OrderStatus, *, actor: Actor = MANAGER) -> int:
    """Take an order along the happy path up to `to`; returns its version."""
    detail = order_detail(store, order_id)
    version = detail.version
    for step in FLOW[FLOW.index(detail.status) + 1 : FLOW.index(to) + 1]:
        detail = order_detail(store, order_id)
        inputs: dict[str, object] = {}
        if step == OrderStatus.AUDITED:
            inputs["accept_warnings"] = True
        if step == OrderStatus.PAID:
            assert detail.invoice is not None
            inputs["amount"] = _amount(detail.invoice.total_cents)
        if step == OrderStatus.SHIPPED:
            inputs["tracking_number"] = "1ZTEST0001"
        action = _STEP_ACTIONS[step]
        version = perform(store, actor, order_id, action, expected_version=version, now=NOW, **inputs).version
    return version


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


_STEP_ACTIONS = {
    OrderStatus.AUDITED: "audit",
    OrderStatus.ALLOCATED: "allocate",
    OrderStatus.INVOICED: "invoice",
    OrderStatus.PAID: "record_payment",
    OrderStatus.SHIPPED: "ship",
    OrderStatus.DELIVERED: "deliver",
}


def stock_of(store: Store, product_id: int) -> dict[int, tuple[int, int]]:
    """warehouse id -> (on hand, reserved) of one product."""
    with store.read() as session:
        rows = session.scalars(select(Stock).where(Stock.product_id == product_id))
        return {r.warehouse_id: (r.on_hand, r.reserved) for r in rows}


def set_stock(store: Store, product_id: int, on_hand: dict[int, int]) -> None:
    """Arrange: give a product exactly these quantities on hand (nothing reserved) per warehouse."""
    with UnitOfWork(store) as uow:
        for warehouse_id, quantity in on_hand.items():
            uow.session.execute(
                update(Stock)
                .where(Stock.product_id == product_id, Stock.warehouse_id == warehouse_id)
                .values(on_hand=quantity, reserved=0)
            )
        uow.commit()
