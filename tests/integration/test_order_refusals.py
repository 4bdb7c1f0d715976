"""What the order services refuse, on SQLite and PostgreSQL: a clear message, and nothing changed.

"Nothing changed" is checked the hard way: the row count of every table and the data version
are the same before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from crm_core.allocation import OutOfStock
from crm_core.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from crm_core.orders import Action, LineInput, OrderStatus
from crm_core.services import (
    AuditFailed,
    WarningsNeedApproval,
    allocate_order,
    audit_order,
    cancel_order,
    create_order,
    hold_order,
    order_detail,
    perform,
    record_payment,
    ship_order,
    table_counts,
    update_order_lines,
)
from crm_core.services.orders import NewOrder
from crm_core.store import Store, UnitOfWork, data_version
from crm_core.store.models import Customer, Invoice
from tests.conftest import SAMPLE_TODAY
from tests.integration.order_builders import (
    INACTIVE,
    MANAGER,
    NOW,
    REP,
    ROUTER,
    ROUTER_ID,
    advance,
    another_roomy_customer,
    blocked_customer,
    make_order,
    roomy_customer,
    set_stock,
    stock_of,
)


@contextmanager
def nothing_changes(store: Store) -> Iterator[None]:
    before, version = table_counts(store), data_version(store)
    yield
    assert table_counts(store) == before
    assert data_version(store) == version


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@pytest.mark.parametrize("off_by", [-1, 1])
def test_a_payment_a_cent_off_the_invoice_is_refused(seeded_store: Store, off_by: int) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.INVOICED)
    total = order_detail(seeded_store, order_id).amount_due_cents

    with nothing_changes(seeded_store), pytest.raises(ValidationError, match="must be exactly") as refused:
        record_payment(seeded_store, MANAGER, order_id, cents_text(total + off_by), expected_version=version)

    assert refused.value.field == "amount"
    assert order_detail(seeded_store, order_id).status == OrderStatus.INVOICED


def test_an_unpaid_order_cannot_ship(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.INVOICED)

    with nothing_changes(seeded_store), pytest.raises(InvalidTransition, match="it is not paid yet"):
        ship_order(seeded_store, MANAGER, order_id, "1Z123", expected_version=version)


@pytest.mark.parametrize("tracking", ["", "   ", None, "1Z\x00"])
def test_a_shipment_without_a_proper_tracking_number_is_refused(
    seeded_store: Store, tracking: object
) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.PAID)
    stock = stock_of(seeded_store, ROUTER_ID)

    with nothing_changes(seeded_store), pytest.raises(ValidationError) as refused:
        ship_order(seeded_store, MANAGER, order_id, tracking, expected_version=version)

    assert refused.value.field == "tracking number"
    assert stock_of(seeded_store, ROUTER_ID) == stock


@pytest.mark.parametrize("final", [OrderStatus.DELIVERED, OrderStatus.CANCELLED])
@pytest.mark.parametrize("action", [Action.CANCEL, Action.HOLD, Action.SHIP, Action.RESUME])
def test_an_action_on_a_final_order_is_refused(
    seeded_store: Store, final: OrderStatus, action: Action
) -> None:
    order_id = make_order(seeded_store)
    if final == OrderStatus.DELIVERED:
        version = advance(seeded_store, order_id, OrderStatus.DELIVERED)
    else:
        version = cancel_order(seeded_store, MANAGER, order_id, "Duplicate order").version

    with nothing_changes(seeded_store), pytest.raises(InvalidTransition, match="is final"):
        perform(
            seeded_store,
            MANAGER,
            order_id,
            action,
            expected_version=version,
            reason="x",
            tracking_number="1Z",
        )


def test_a_stale_version_is_a_conflict_and_changes_nothing(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    stale = order_detail(seeded_store, order_id).version
    hold_order(seeded_store, REP, order_id, "Checking the address", expected_version=stale)

    with nothing_changes(seeded_store), pytest.raises(ConflictError, match="changed by someone else"):
        cancel_order(seeded_store, MANAGER, order_id, "Duplicate", expected_version=stale)


def test_a_refused_invoice_gives_its_number_back(seeded_store: Store) -> None:
    first, second = make_order(seeded_store), make_order(seeded_store, [LineInput(ROUTER, 1)])
    version = advance(seeded_store, first, OrderStatus.ALLOCATED)
    other = advance(seeded_store, second, OrderStatus.ALLOCATED)
    with pytest.raises(ConflictError):
        perform(seeded_store, REP, first, Action.INVOICE, expected_version=version - 1, now=NOW)

    perform(seeded_store, REP, second, Action.INVOICE, expected_version=other, now=NOW)
    perform(seeded_store, REP, first, Action.INVOICE, expected_version=version, now=NOW)

    with seeded_store.read() as session:
        numbers = session.scalars(
            select(Invoice.number).where(Invoice.number.like(f"INV-{NOW.year}-%"))
        ).all()
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(1, len(sequence) + 1))


def test_audit_errors_block_the_order_and_say_what_to_fix(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 1)])
    with UnitOfWork(seeded_store) as uow:  # the customer is blocked after the order was entered
        customer = uow.session.get(Customer, roomy_customer(seeded_store))
        assert customer is not None
        customer.blocked = True
        uow.commit()
    version = order_detail(seeded_store, order_id).version

    with nothing_changes(seeded_store), pytest.raises(AuditFailed, match="is blocked") as refused:
        audit_order(seeded_store, MANAGER, order_id, expected_version=version, accept_warnings=True)

    assert [f.code for f in refused.value.findings] == ["customer_blocked"]


def test_an_order_over_the_credit_limit_fails_the_audit(seeded_store: Store) -> None:
    customer_id = roomy_customer(seeded_store)
    with UnitOfWork(seeded_store) as uow:
        customer = uow.session.get(Customer, customer_id)
        assert customer is not None
        customer.credit_limit_cents = 100
        uow.commit()
    order_id = make_order(seeded_store, [LineInput(ROUTER, 1)], customer_id=customer_id)

    with nothing_changes(seeded_store), pytest.raises(AuditFailed, match="Credit limit exceeded"):
        audit_order(seeded_store, MANAGER, order_id, expected_version=1)


def test_warnings_stop_a_rep_and_only_a_manager_may_accept_them(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 1, None, "15")])

    with nothing_changes(seeded_store):
        with pytest.raises(WarningsNeedApproval, match="a manager must accept"):
            audit_order(seeded_store, REP, order_id, expected_version=1)
        with pytest.raises(PermissionDenied, match="approve audit warnings"):
            audit_order(seeded_store, REP, order_id, expected_version=1, accept_warnings=True)


def test_allocation_with_too_little_stock_says_what_is_short(seeded_store: Store) -> None:
    order_id = make_order(seeded_store, [LineInput(ROUTER, 5)])
    version = advance(seeded_store, order_id, OrderStatus.AUDITED)
    set_stock(seeded_store, ROUTER_ID, {1: 1, 2: 1, 3: 1, 4: 1})  # someone else took the stock meanwhile

    with nothing_changes(seeded_store), pytest.raises(OutOfStock, match="SW-1001: 5 ordered, 4 free"):
        allocate_order(seeded_store, REP, order_id, expected_version=version)


@pytest.mark.parametrize(
    ("actor", "action"),
    [(REP, Action.RECORD_PAYMENT), (REP, Action.CANCEL), (None, Action.AUDIT), (None, Action.HOLD)],
)
def test_roles_without_the_permission_are_refused(seeded_store: Store, actor: object, action: Action) -> None:
    order_id = make_order(seeded_store)
    advance(seeded_store, order_id, OrderStatus.INVOICED)

    with nothing_changes(seeded_store), pytest.raises(PermissionDenied):
        perform(seeded_store, actor, order_id, action, amount="1.00", reason="x")  # type: ignore[arg-type]


def test_lines_change_while_entered_and_not_after_the_audit(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = update_order_lines(
        seeded_store, REP, order_id, [LineInput(ROUTER, 4, "100.00")], expected_version=1
    )

    detail = order_detail(seeded_store, order_id)
    assert [(line["sku"], line["quantity"], line["unit_price_cents"]) for line in detail.lines] == [
        ("SW-1001", 4, 10_000)
    ]
    assert detail.total_cents == 40_000 + 2_500 + 2_900  # lines + shipping + 7.25 % tax
    assert detail.events[-1]["action"] == "update_lines"

    version = advance(seeded_store, order_id, OrderStatus.AUDITED)
    with (
        nothing_changes(seeded_store),
        pytest.raises(InvalidTransition, match="only while an order is entered"),
    ):
        update_order_lines(seeded_store, REP, order_id, [LineInput(ROUTER, 1)], expected_version=version)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (LineInput(ROUTER, 0), "line 1: quantity"),
        (LineInput(ROUTER, -3), "line 1: quantity"),
        (LineInput(ROUTER, "1.5"), "line 1: quantity"),
        (LineInput(ROUTER, 10**9 + 1), "line 1: quantity"),
        (LineInput(ROUTER, 1, "-1.00"), "line 1: unit price"),
        (LineInput(ROUTER, 1, None, "100.5"), "line 1: discount %"),
        (LineInput(ROUTER, 1, None, "-5"), "line 1: discount %"),
        (LineInput("SW-0000", 1), "line 1: SKU"),
        (LineInput(INACTIVE, 1), "line 1: SKU"),
    ],
)
def test_bad_lines_are_refused_on_entry_and_on_change(
    seeded_store: Store, line: LineInput, field: str
) -> None:
    order_id = make_order(seeded_store)

    with nothing_changes(seeded_store):
        with pytest.raises(ValidationError) as on_entry:
            make_order(seeded_store, [line])
        with pytest.raises(ValidationError) as on_change:
            update_order_lines(seeded_store, REP, order_id, [line], expected_version=1)

    assert on_entry.value.field == on_change.value.field == field


def test_an_order_for_a_blocked_customer_is_refused_on_entry(seeded_store: Store) -> None:
    new = NewOrder(blocked_customer(seeded_store), [LineInput(ROUTER, 1)], "paypal", "standard")

    with nothing_changes(seeded_store), pytest.raises(ValidationError, match="is blocked") as refused:
        create_order(seeded_store, REP, new, today=SAMPLE_TODAY)

    assert refused.value.field == "customer"


def test_a_hold_needs_a_reason(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    with nothing_changes(seeded_store), pytest.raises(ValidationError, match=r"^Hold reason is required$"):
        hold_order(seeded_store, REP, order_id, "  ", expected_version=1)


def test_actions_that_do_not_fit_the_status_say_what_can_happen_next(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    attempts: list[Callable[[], object]] = [
        lambda: allocate_order(seeded_store, REP, order_id, expected_version=1),
        lambda: record_payment(seeded_store, MANAGER, order_id, "1.00", expected_version=1),
        lambda: perform(seeded_store, REP, order_id, Action.RESUME, expected_version=1),
    ]
    with nothing_changes(seeded_store):
        for attempt in attempts:
            with pytest.raises(InvalidTransition, match=r"Cannot .* order SO-"):
                attempt()


def test_two_orders_racing_for_the_last_units_never_over_reserve(seeded_store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    first = make_order(seeded_store, [LineInput(ROUTER, 2)])
    second = make_order(
        seeded_store, [LineInput(ROUTER, 2)], customer_id=another_roomy_customer(seeded_store)
    )
    versions = {oid: advance(seeded_store, oid, OrderStatus.AUDITED) for oid in (first, second)}
    set_stock(seeded_store, ROUTER_ID, {1: 3, 2: 0, 3: 0, 4: 0})  # only one of them can have its 2
    barrier = Barrier(2)

    def allocate(order_id: int) -> str:
        barrier.wait()
        try:
            allocate_order(seeded_store, REP, order_id, expected_version=versions[order_id])
        except OutOfStock:
            return "short"
        return "allocated"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(allocate, [first, second]))

    assert outcomes == ["allocated", "short"]
    assert stock_of(seeded_store, ROUTER_ID)[1] == (3, 2)
