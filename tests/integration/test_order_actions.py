"""Order actions through the services, on SQLite and PostgreSQL: the path, stock, invoices, payment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm_core.orders import LineInput, OrderStatus, promised_date
from crm_core.services import (
    allocate_order,
    audit_order,
    cancel_order,
    hold_order,
    invoice_document,
    invoice_order,
    order_detail,
    order_id_for_number,
    record_payment,
    resume_order,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Allocation, Event, Invoice, Meta, Order, Warehouse
from tests.integration.order_builders import (
    MANAGER,
    NOW,
    REP,
    ROUTER,
    ROUTER_ID,
    advance,
    make_order,
    set_stock,
    stock_of,
)


def test_an_order_goes_from_entered_to_delivered_with_one_event_per_step(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = data_version(seeded_store)

    advance(seeded_store, order_id, OrderStatus.DELIVERED)

    detail = order_detail(seeded_store, order_id)
    assert detail.status == OrderStatus.DELIVERED
    assert detail.delivered_at is not None and detail.tracking_number == "1ZTEST0001"
    moves = [(e["action"], e["from_state"], e["to_state"], e["actor"]) for e in detail.events]
    assert moves == [
        ("create", None, "entered", REP.name),
        ("audit", "entered", "audited", MANAGER.name),
        ("allocate", "audited", "allocated", MANAGER.name),
        ("invoice", "allocated", "invoiced", MANAGER.name),
        ("record_payment", "invoiced", "paid", MANAGER.name),
        ("ship", "paid", "shipped", MANAGER.name),
        ("deliver", "shipped", "delivered", MANAGER.name),
    ]
    assert data_version(seeded_store) == version + 6
    assert detail.version == 7


def test_allocation_reserves_stock_in_one_warehouse_and_promises_a_date(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 3)], delivery_method="express")
    before = stock_of(seeded_store, ROUTER_ID)
    version = advance(seeded_store, order_id, OrderStatus.AUDITED)

    allocate_order(seeded_store, REP, order_id, expected_version=version, now=NOW)

    with seeded_store.read() as session:
        allocations = session.scalars(select(Allocation).where(Allocation.order_id == order_id)).all()
        assert len(allocations) == 1 and allocations[0].quantity == 3 and not allocations[0].released
        warehouse = session.get(Warehouse, allocations[0].warehouse_id)
        order = session.get(Order, order_id)
        assert warehouse is not None and order is not None
        expected = promised_date(NOW.date(), warehouse.lead_time_days, "express", order.payment_method)
        assert order.promised_date == expected
    after = stock_of(seeded_store, ROUTER_ID)
    assert after[warehouse.id] == (before[warehouse.id][0], before[warehouse.id][1] + 3)
    assert {w: s for w, s in after.items() if w != warehouse.id} == {
        w: s for w, s in before.items() if w != warehouse.id
    }


def test_an_order_no_warehouse_can_fill_alone_is_split(seeded_store: Store) -> None:
    set_stock(seeded_store, ROUTER_ID, {1: 4, 2: 3, 3: 0, 4: 0})
    order_id = make_order(seeded_store, [LineInput(ROUTER, 6)])
    version = advance(seeded_store, order_id, OrderStatus.AUDITED)

    result = allocate_order(seeded_store, REP, order_id, expected_version=version, now=NOW)

    assert result.note is not None and result.note.startswith("Split across")
    assert {w: r for w, (_, r) in stock_of(seeded_store, ROUTER_ID).items()} == {1: 3, 2: 3, 3: 0, 4: 0}


def test_shipping_takes_the_goods_out_of_the_warehouse(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 2)])
    before = stock_of(seeded_store, ROUTER_ID)
    advance(seeded_store, order_id, OrderStatus.PAID)
    reserved = stock_of(seeded_store, ROUTER_ID)

    advance(seeded_store, order_id, OrderStatus.SHIPPED)

    after = stock_of(seeded_store, ROUTER_ID)
    moved = {w: (before[w][0] - after[w][0], reserved[w][1] - after[w][1]) for w in before}
    assert sorted(moved.values()) == [(0, 0), (0, 0), (0, 0), (2, 2)]


def test_cancelling_an_allocated_order_releases_its_reserved_stock(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 2)])
    before = stock_of(seeded_store, ROUTER_ID)
    version = advance(seeded_store, order_id, OrderStatus.ALLOCATED)

    cancel_order(seeded_store, MANAGER, order_id, "Customer changed their mind", expected_version=version)

    assert stock_of(seeded_store, ROUTER_ID) == before
    detail = order_detail(seeded_store, order_id)
    assert detail.status == OrderStatus.CANCELLED and not detail.refund_due
    assert all(a["released"] for a in detail.allocations)
    assert detail.events[-1]["note"] == "Customer changed their mind"


def test_cancelling_an_order_on_hold_after_payment_releases_stock_and_flags_a_refund(
    seeded_store: Store,
) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 2)])
    before = stock_of(seeded_store, ROUTER_ID)
    version = advance(seeded_store, order_id, OrderStatus.PAID)
    version = hold_order(
        seeded_store, REP, order_id, "Customer disputes the delivery address", expected_version=version
    ).version

    cancel_order(seeded_store, MANAGER, order_id, "Customer cancelled", expected_version=version)

    detail = order_detail(seeded_store, order_id)
    assert detail.status == OrderStatus.CANCELLED
    assert detail.refund_due
    assert detail.held_from is None and detail.hold_reason is None
    assert stock_of(seeded_store, ROUTER_ID) == before


def test_hold_remembers_where_the_order_was_and_resume_goes_back_there(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.INVOICED)

    held = hold_order(seeded_store, REP, order_id, "Awaiting PO number", expected_version=version)
    detail = order_detail(seeded_store, order_id)
    assert (detail.status, detail.held_from, detail.hold_reason) == (
        OrderStatus.ON_HOLD,
        "invoiced",
        "Awaiting PO number",
    )

    resumed = resume_order(seeded_store, REP, order_id, expected_version=held.version)
    assert resumed.status == OrderStatus.INVOICED
    detail = order_detail(seeded_store, order_id)
    assert detail.held_from is None and detail.hold_reason is None


def test_invoice_numbers_are_consecutive_and_the_amounts_are_frozen(seeded_store: Store) -> None:
    first, second = make_order(seeded_store), make_order(seeded_store, [LineInput(ROUTER, 1)])
    v1, v2 = (
        advance(seeded_store, first, OrderStatus.ALLOCATED),
        advance(seeded_store, second, OrderStatus.ALLOCATED),
    )
    with seeded_store.read() as session:
        counter = session.get(Meta, f"invoice_seq:{NOW.year}")
        issued = counter.value if counter else 0

    invoice_order(seeded_store, REP, first, expected_version=v1, now=NOW)
    invoice_order(seeded_store, REP, second, expected_version=v2, now=NOW)

    with seeded_store.read() as session:
        invoices = session.scalars(
            select(Invoice).where(Invoice.order_id.in_([first, second])).order_by(Invoice.id)
        ).all()
        numbers = [i.number for i in invoices]
        assert numbers == [f"INV-{NOW.year}-{issued + 1:06d}", f"INV-{NOW.year}-{issued + 2:06d}"]
        order = session.get(Order, first)
        assert order is not None
        frozen = invoices[0]
        assert frozen.subtotal_cents + frozen.shipping_cents + frozen.tax_cents == frozen.total_cents
        assert frozen.total_cents == order.total_cents
        assert frozen.due_date == NOW.date() + timedelta(days=30)


def test_a_payment_of_exactly_the_invoice_total_is_recorded(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.INVOICED)
    total = order_detail(seeded_store, order_id).amount_due_cents

    result = record_payment(
        seeded_store,
        MANAGER,
        order_id,
        f"{total // 100}.{total % 100:02d}",
        method="paypal",
        expected_version=version,
    )

    detail = order_detail(seeded_store, order_id)
    assert result.status == OrderStatus.PAID
    assert [(p["amount_cents"], p["method"], p["recorded_by"]) for p in detail.payments] == [
        (total, "paypal", MANAGER.name)
    ]
    assert detail.amount_due_cents == 0


def test_audit_accepts_warnings_only_from_a_manager_and_records_who(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 1, None, "20")])
    detail = order_detail(seeded_store, order_id)
    assert [f.code for f in detail.findings] == ["discount_needs_approval"]

    audit_order(seeded_store, MANAGER, order_id, expected_version=detail.version, accept_warnings=True)

    detail = order_detail(seeded_store, order_id)
    assert detail.status == OrderStatus.AUDITED
    assert detail.warnings_accepted_by == MANAGER.name
    assert detail.events[-1]["note"].startswith("Warnings accepted by Maria Lindqvist")


def test_a_second_identical_order_the_same_day_is_flagged_as_a_likely_duplicate(seeded_store: Store) -> None:
    first = make_order(seeded_store, [LineInput(ROUTER, 1)])
    second = make_order(seeded_store, [LineInput(ROUTER, 1)])
    number = order_detail(seeded_store, first).number

    findings = order_detail(seeded_store, second).findings

    assert [f.code for f in findings] == ["likely_duplicate"]
    assert number in findings[0].message


def test_an_order_is_found_by_its_number_and_its_invoice_prints(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    advance(seeded_store, order_id, OrderStatus.PAID)
    number = order_detail(seeded_store, order_id).number

    assert order_id_for_number(seeded_store, f" {number.lower()} ") == order_id
    document = invoice_document(seeded_store, order_id)
    assert document.order_number == number and document.paid_on == NOW.date()
    assert [line.sku for line in document.lines] == ["SW-1001", "SW-1003"]

    from crm_core.invoice_pdf import render_invoice_pdf

    assert render_invoice_pdf(document).startswith(b"%PDF")


def test_events_are_written_for_the_order_entity(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    advance(seeded_store, order_id, OrderStatus.AUDITED)
    with seeded_store.read() as session:
        actions = session.scalars(
            select(Event.action)
            .where(Event.entity_type == "order", Event.entity_id == order_id)
            .order_by(Event.id)
        ).all()
    assert actions == ["create", "audit"]


def test_the_order_form_sees_the_customers_credit_room_and_last_tax_rate(seeded_store: Store) -> None:
    from crm_core.services import customer_credit, order_findings
    from tests.integration.order_builders import roomy_customer

    customer_id = roomy_customer(seeded_store)
    before = customer_credit(seeded_store, customer_id)
    order_id = make_order(seeded_store, [LineInput(ROUTER, 1)], customer_id=customer_id, tax_rate_pct="8.25")
    advance(seeded_store, order_id, OrderStatus.INVOICED)

    after = customer_credit(seeded_store, customer_id)
    total = order_detail(seeded_store, order_id).total_cents
    assert after.open_unpaid_cents == before.open_unpaid_cents + total
    assert after.available_cents == after.credit_limit_cents - after.open_unpaid_cents
    assert after.last_tax_rate_bp == 825
    assert order_findings(seeded_store, order_id) == []
