"""Order transitions per second through the service layer on SQLite (docs/architecture.md §8: ≥ 300/s).

A fresh SQLite file is seeded with the sample data; stock is topped up and credit limits raised
so that nothing but the work itself is measured. Each timed run takes N freshly entered orders
(every one a different customer × product × quantity, so the duplicate check finds nothing)
along entered → audited → allocated → invoiced → paid → shipped → delivered: 6 transitions per
order, each one service call with its permission check, version check, one transaction, stock
moves, invoice numbering and an event. Entering the orders is not timed.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from itertools import count
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from bench.core import Options, Result, measurement, peak_rss_mb
from crm_core.config import DatabaseTarget
from crm_core.orders import LineInput
from crm_core.permissions import Actor, Role
from crm_core.services import (
    allocate_order,
    audit_order,
    create_order,
    deliver_order,
    invoice_order,
    record_payment,
    ship_order,
)
from crm_core.services.orders import NewOrder
from crm_core.store import Store, UnitOfWork, init_db, make_store
from crm_core.store.models import Customer, Invoice, Product, Stock

MANAGER = Actor(1, "Bench manager", "bench@scalewise.example", Role.MANAGER)
STEPS_PER_ORDER = 6
NAME = "order transitions per second"


def _prepare(path: Path) -> tuple[Store, list[int], list[str]]:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{path}"), "bench"))
    init_db(store, today=date(2026, 11, 21))
    with UnitOfWork(store) as uow:
        uow.session.execute(update(Customer).values(credit_limit_cents=10**13))
        uow.session.execute(update(Stock).values(on_hand=Stock.on_hand + 1_000_000))
        uow.commit()
    with store.read() as session:
        customers = list(session.scalars(select(Customer.id).where(Customer.blocked.is_(False))))
        skus = list(session.scalars(select(Product.sku).where(Product.active.is_(True))))
    return store, customers, skus


def _enter(store: Store, customers: list[int], skus: list[str], serial: count, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        i = next(serial)
        customer = customers[i % len(customers)]
        sku = skus[(i // len(customers)) % len(skus)]
        quantity = 1 + i // (len(customers) * len(skus))
        new = NewOrder(customer, [LineInput(sku, quantity)], "bank_transfer", "standard", shipping="20")
        ids.append(create_order(store, MANAGER, new))
    return ids


def _take_to_delivered(store: Store, order_ids: list[int]) -> None:
    for order_id in order_ids:
        version = audit_order(store, MANAGER, order_id, expected_version=1).version
        version = allocate_order(store, MANAGER, order_id, expected_version=version).version
        version = invoice_order(store, MANAGER, order_id, expected_version=version).version
        amount = _amount_due(store, order_id)  # the clerk reads the invoice total off the invoice
        version = record_payment(
            store, MANAGER, order_id, f"{amount // 100}.{amount % 100:02d}", expected_version=version
        ).version
        tracking = f"1ZBENCH{order_id:08d}"
        version = ship_order(store, MANAGER, order_id, tracking, expected_version=version).version
        deliver_order(store, MANAGER, order_id, expected_version=version)


def _amount_due(store: Store, order_id: int) -> int:
    with store.read() as session:
        return int(session.scalar(select(Invoice.total_cents).where(Invoice.order_id == order_id)) or 0)


@measurement(NAME)
def order_transitions(options: Options) -> Result:
    n, repeat = (20, 1) if options.size == "tiny" else (300, max(1, options.repeat))
    rates: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store, customers, skus = _prepare(Path(tmp) / "bench.sqlite")
        serial = count()
        try:
            for _ in range(repeat):
                order_ids = _enter(store, customers, skus, serial, n)
                start = time.perf_counter()
                _take_to_delivered(store, order_ids)
                rates.append(n * STEPS_PER_ORDER / (time.perf_counter() - start))
        finally:
            store.dispose()
    median = sorted(rates)[len(rates) // 2]
    return Result(
        name=f"{NAME}: services on SQLite, events included",
        seconds=rates,
        target="≥ 300 transitions/s",
        met=median >= 300,
        peak_rss_mb=peak_rss_mb(),
        unit="transitions/s",
        note=f"{n} orders × {STEPS_PER_ORDER} steps per run, entered → delivered; payment amount read back",
    )
