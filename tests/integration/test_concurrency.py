"""Many users at once, on SQLite (WAL, busy timeout, BEGIN IMMEDIATE) and PostgreSQL (row locks and
the version check): no lost update, no lost event, no gap in the invoice numbers.

Each test prints its figures (threads, transitions tried, conflicts seen, events counted); run
with `-s` to see them."""

from __future__ import annotations

import random
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_core.errors import ConflictError, DatabaseBusy
from crm_core.orders import OrderStatus
from crm_core.scoring import DEFAULT_WEIGHTS
from crm_core.services import (
    convert_to_order,
    import_file,
    opportunity_detail,
    order_detail,
    perform,
    save_preset,
)
from crm_core.store import Store, data_version, engine
from crm_core.store.models import Customer, Event, Invoice, Meta, Order
from tests.conftest import sqlite_store_at
from tests.integration.order_builders import ADMIN, MANAGER, NOW, advance, make_order
from tests.integration.test_opportunity_services import capture, walk

THREADS = 8


def run_together(work: list[Callable[[], Any]]) -> list[Any]:
    """Start every callable at the same moment (a barrier), each on its own thread; results or errors."""
    barrier = threading.Barrier(len(work))

    def go(fn: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return fn()
        except Exception as exc:  # collected and asserted on by the test
            return exc

    with ThreadPoolExecutor(len(work)) as pool:
        return list(pool.map(go, work))


def events_of(store: Store, order_id: int, action: str | None = None) -> int:
    stmt = (
        select(func.count())
        .select_from(Event)
        .where(Event.entity_type == "order", Event.entity_id == order_id)
    )
    if action:
        stmt = stmt.where(Event.action == action)
    with store.read() as session:
        return int(session.scalar(stmt) or 0)


def customers_with_room(store: Store, n: int) -> list[int]:
    with store.read() as session:
        return list(
            session.scalars(
                select(Customer.id)
                .where(Customer.blocked.is_(False))
                .order_by(Customer.credit_limit_cents.desc(), Customer.id)
                .limit(n)
            )
        )


def test_eight_users_auditing_one_order_at_once_one_wins_the_rest_are_told_it_changed(
    seeded_store: Store,
) -> None:
    order_id = make_order(seeded_store)
    version = order_detail(seeded_store, order_id).version
    before = data_version(seeded_store)

    results = run_together(
        [
            lambda: perform(
                seeded_store,
                MANAGER,
                order_id,
                "audit",
                expected_version=version,
                now=NOW,
                accept_warnings=True,
            )
        ]
        * THREADS
    )

    won = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(conflicts) == THREADS - 1, results
    assert all("changed by someone else — reloaded" in str(c) for c in conflicts)
    assert events_of(seeded_store, order_id, "audit") == 1
    assert order_detail(seeded_store, order_id).status == OrderStatus.AUDITED
    assert data_version(seeded_store) == before + 1
    print(
        f"\n[{seeded_store.target.url.get_backend_name()}] same transition: {THREADS} threads, 1 succeeded, "
        f"{len(conflicts)} conflicts, 1 event"
    )


def test_eight_users_invoicing_one_order_at_once_use_up_one_invoice_number(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    version = advance(seeded_store, order_id, OrderStatus.ALLOCATED)
    with seeded_store.read() as session:
        counter_before = session.scalar(select(Meta.value).where(Meta.key == f"invoice_seq:{NOW.year}"))

    results = run_together(
        [lambda: perform(seeded_store, MANAGER, order_id, "invoice", expected_version=version, now=NOW)]
        * THREADS
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ConflictError) for r in results) == THREADS - 1
    with seeded_store.read() as session:
        counter_after = session.scalar(select(Meta.value).where(Meta.key == f"invoice_seq:{NOW.year}"))
    assert counter_after == (counter_before or 0) + 1
    assert events_of(seeded_store, order_id, "invoice") == 1


HOLD_ROUNDS = 22  # audit, allocate, invoice, pay, 22 × (hold, resume), ship, deliver = 50 transitions


def walk_fifty_transitions(store: Store, order_id: int) -> int:
    """Take one order through 50 transitions (each with the version it just got); returns commits."""
    version = order_detail(store, order_id).version
    steps: list[tuple[str, dict[str, Any]]] = [
        ("audit", {"accept_warnings": True}),
        ("allocate", {}),
        ("invoice", {}),
    ]
    done = 0
    for action, inputs in steps:
        version = perform(
            store, MANAGER, order_id, action, expected_version=version, now=NOW, **inputs
        ).version
        done += 1
    detail = order_detail(store, order_id)
    assert detail.invoice is not None
    total = detail.invoice.total_cents
    later: list[tuple[str, dict[str, Any]]] = [
        ("record_payment", {"amount": f"{total // 100}.{total % 100:02d}"})
    ]
    later += [
        ("hold", {"reason": f"call back {i}"}) if j == 0 else ("resume", {})
        for i in range(HOLD_ROUNDS)
        for j in (0, 1)
    ]
    later += [("ship", {"tracking_number": f"1ZCONC{order_id}"}), ("deliver", {})]
    for action, inputs in later:
        version = perform(
            store, MANAGER, order_id, action, expected_version=version, now=NOW, **inputs
        ).version
        done += 1
    return done


def test_eight_users_each_moving_their_own_order_fifty_times_lose_nothing(seeded_store: Store) -> None:
    orders = [make_order(seeded_store, customer_id=c) for c in customers_with_room(seeded_store, THREADS)]
    before_version = data_version(seeded_store)
    before_events = {o: events_of(seeded_store, o) for o in orders}

    results = run_together([lambda o=o: walk_fifty_transitions(seeded_store, o) for o in orders])

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    commits = sum(results)
    assert commits == THREADS * 50
    for o in orders:
        assert events_of(seeded_store, o) - before_events[o] == 50
        assert order_detail(seeded_store, o).status == OrderStatus.DELIVERED
    assert data_version(seeded_store) == before_version + commits
    print(
        f"\n[{seeded_store.target.url.get_backend_name()}] different orders: {THREADS} threads × 50 "
        f"transitions = {commits} tried, {commits} committed, 0 errors, {commits} events, "
        f"data version +{data_version(seeded_store) - before_version}"
    )


def test_invoice_numbers_stay_gap_free_and_unique_when_eight_users_invoice_twenty_orders(
    seeded_store: Store,
) -> None:
    customers = customers_with_room(seeded_store, 20)
    orders = {}
    for c in customers:
        o = make_order(seeded_store, customer_id=c)
        orders[o] = advance(seeded_store, o, OrderStatus.ALLOCATED)

    def invoice_all(seed: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        targets = list(orders.items())
        random.Random(seed).shuffle(targets)
        for o, version in targets:
            try:
                perform(seeded_store, MANAGER, o, "invoice", expected_version=version, now=NOW)
                seen["invoiced"] += 1
            except ConflictError:
                seen["conflict"] += 1
        return seen

    results = run_together([lambda s=s: invoice_all(s) for s in range(THREADS)])

    assert not [r for r in results if isinstance(r, Exception)], results
    tally = sum(results, Counter())
    assert tally["invoiced"] == len(orders)
    assert tally["conflict"] == len(orders) * (THREADS - 1)
    with seeded_store.read() as session:
        numbers = list(
            session.scalars(select(Invoice.number).where(Invoice.number.like(f"INV-{NOW.year}-%")))
        )
        counter = session.scalar(select(Meta.value).where(Meta.key == f"invoice_seq:{NOW.year}"))
    sequence = sorted(int(re.sub(r"^INV-\d{4}-", "", n)) for n in numbers)
    assert sequence == list(range(1, len(sequence) + 1)), "a gap or a duplicate in the invoice numbers"
    assert counter == len(sequence)
    for o in orders:
        assert events_of(seeded_store, o, "invoice") == 1
    print(
        f"\n[{seeded_store.target.url.get_backend_name()}] concurrent invoicing: {THREADS} threads × "
        f"{len(orders)} orders = {THREADS * len(orders)} tried, {tally['invoiced']} invoiced, "
        f"{tally['conflict']} conflicts, invoice numbers 1…{len(sequence)} without a gap"
    )


def test_eight_users_converting_one_won_opportunity_at_once_create_one_order(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "won")
    with seeded_store.read() as session:
        orders_before = session.scalar(select(func.count()).select_from(Order))

    results = run_together(
        [
            lambda: convert_to_order(
                seeded_store, MANAGER, opportunity_id, version, another_order=True, today=NOW.date()
            )
        ]
        * THREADS
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ConflictError) for r in results) == THREADS - 1, results
    with seeded_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == (orders_before or 0) + 1
    assert len(opportunity_detail(seeded_store, opportunity_id).orders) == 1
    print(
        f"\n[{seeded_store.target.url.get_backend_name()}] same conversion: {THREADS} threads, "
        f"1 order, {THREADS - 1} conflicts"
    )


def test_a_write_while_another_connection_holds_the_sqlite_write_lock_is_told_the_database_is_busy(
    seeded_sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)  # wait 0.2 s for the lock, not 15 s
    path = Path(str(seeded_sqlite_store.target.url.database))
    store = sqlite_store_at(path)
    before = data_version(store)
    importer = sqlite3.connect(path, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # what a long import's transaction holds
    try:
        with pytest.raises(DatabaseBusy) as busy:
            save_preset(store, MANAGER, "Q3 focus", DEFAULT_WEIGHTS)
        assert str(busy.value) == "The database is busy (an import is running) — try again in a moment."
        with pytest.raises(DatabaseBusy):
            import_file(store, ADMIN, "customers", b"name\nWaiting Ltd\n", "waiting.csv")
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert data_version(store) == before
    assert save_preset(store, MANAGER, "Q3 focus", DEFAULT_WEIGHTS).name == "Q3 focus"  # a moment later
    store.dispose()
