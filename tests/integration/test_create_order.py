"""Entering an order through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_core.errors import PermissionDenied, ValidationError
from crm_core.orders import LineInput
from crm_core.permissions import Actor, Role
from crm_core.services import table_counts
from crm_core.services.orders import NewOrder, create_order, product_refs
from crm_core.store import Store, data_version
from crm_core.store.models import Customer, Event, Order, OrderLine
from tests.conftest import SAMPLE_TODAY

REP = Actor(2, "Rep", "rep@example.com", Role.REP)


def first_active_skus(store: Store, n: int) -> list[str]:
    return [p.sku for p in product_refs(store).values() if p.active][:n]


def an_open_customer(store: Store) -> int:
    with store.read() as session:
        return session.scalars(select(Customer.id).where(Customer.blocked.is_(False)).limit(1)).one()


def new_order(store: Store, **changes: object) -> NewOrder:
    skus = first_active_skus(store, 2)
    fields: dict[str, object] = {
        "customer_id": an_open_customer(store),
        "lines": [LineInput(skus[0], 3, "19.99", "10"), LineInput(skus[1], 1)],
        "payment_method": "bank_transfer",
        "delivery_method": "standard",
        "shipping": "15.00",
        "tax_rate_pct": "7",
    } | changes
    return NewOrder(**fields)  # type: ignore[arg-type]


def test_an_entered_order_has_its_lines_totals_number_and_an_event(seeded_store: Store) -> None:
    version = data_version(seeded_store)
    order_id = create_order(seeded_store, REP, new_order(seeded_store), today=SAMPLE_TODAY)

    with seeded_store.read() as session:
        order = session.get(Order, order_id)
        assert order is not None
        lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        second_price = lines[1].unit_price_cents
        subtotal = 5397 + second_price  # 3 × 19.99 × 0.9 = 53.973 → 53.97
        tax = (subtotal * 700 + 5000) // 10000
        assert order.status == "entered"
        assert order.version == 1
        assert order.total_cents == subtotal + 1500 + tax
        assert order.number == f"SO-{session.scalar(select(func.count()).select_from(Order)):06d}"
        event = session.scalars(
            select(Event).where(Event.entity_type == "order", Event.entity_id == order_id)
        ).one()
        assert (event.action, event.from_state, event.to_state, event.actor_id) == (
            "create",
            None,
            "entered",
            2,
        )
    assert data_version(seeded_store) == version + 1


def test_order_numbers_follow_on_without_gaps(seeded_store: Store) -> None:
    first = create_order(seeded_store, REP, new_order(seeded_store), today=SAMPLE_TODAY)
    second = create_order(seeded_store, REP, new_order(seeded_store), today=SAMPLE_TODAY)
    with seeded_store.read() as session:
        a, b = session.get(Order, first), session.get(Order, second)
        assert a is not None and b is not None
        assert int(b.number[3:]) == int(a.number[3:]) + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [LineInput("NOPE-1", 1)]}, "line 1: SKU"),
        ({"lines": [LineInput("", 1)]}, "line 1: SKU"),
        ({"lines": "sku"}, "line 1: SKU"),
        ({"payment_method": "cash"}, "payment method"),
        ({"delivery_method": "teleport"}, "delivery method"),
        ({"customer_id": 10**9}, "customer"),
        ({"shipping": "-1"}, "shipping"),
        ({"tax_rate_pct": "101"}, "tax rate %"),
        ({"requested_date": "2000-01-01"}, "requested date"),
        ({"notes": "x" * 100_000}, "notes"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    seeded_store: Store, changes: dict, field: str
) -> None:
    if changes.get("lines") == "sku":
        changes = {"lines": [LineInput(first_active_skus(seeded_store, 1)[0], 0)]}
        field = "line 1: quantity"
    before, version = table_counts(seeded_store), data_version(seeded_store)

    with pytest.raises(ValidationError) as caught:
        create_order(seeded_store, REP, new_order(seeded_store, **changes), today=SAMPLE_TODAY)

    assert caught.value.field == field
    assert table_counts(seeded_store) == before
    assert data_version(seeded_store) == version


@pytest.mark.parametrize(
    ("quantity", "price", "discount"),
    [
        (0, None, 0),
        (-1, None, 0),
        (2.5, None, 0),
        (10**9 + 1, None, 0),
        ("abc", None, 0),
        (1, "-5", 0),
        (1, "1.234", 0),
        (1, None, "-1"),
        (1, None, "100.5"),
        (1, "NaN", 0),
        (1, "1e20", 0),
    ],
)
def test_bad_lines_are_refused(
    seeded_store: Store, quantity: object, price: object, discount: object
) -> None:
    sku = first_active_skus(seeded_store, 1)[0]
    with pytest.raises(ValidationError, match=r"^Line 1: "):
        create_order(
            seeded_store,
            REP,
            new_order(seeded_store, lines=[LineInput(sku, quantity, price, discount)]),
            today=SAMPLE_TODAY,
        )


def test_nobody_signed_in_cannot_enter_an_order(seeded_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        create_order(seeded_store, None, new_order(seeded_store), today=SAMPLE_TODAY)


def test_money_never_passes_through_a_float(seeded_store: Store) -> None:
    sku = first_active_skus(seeded_store, 1)[0]
    order_id = create_order(
        seeded_store,
        REP,
        new_order(seeded_store, lines=[LineInput(sku, 3, Decimal("0.10"))], shipping=0, tax_rate_pct=0),
        today=SAMPLE_TODAY,
    )
    with seeded_store.read() as session:
        order = session.get(Order, order_id)
        assert order is not None and order.total_cents == 30
