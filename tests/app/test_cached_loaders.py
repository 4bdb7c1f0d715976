"""The cached loaders: checked against the data version, so a write by anyone shows on the next
rerun; a rerun with nothing written reads nothing again, and one after a write reads only the rows
written since."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

import ui.data
from crm_core import analytics
from crm_core.config import DatabaseTarget
from crm_core.orders import Action, LineInput, OrderStatus
from crm_core.services import create_order, perform
from crm_core.services.orders import NewOrder
from crm_core.store import UnitOfWork, make_store
from crm_core.store.models import Opportunity, Order
from tests.app.conftest import APP
from tests.integration.order_builders import MANAGER, REP, ROUTER, roomy_customer


def in_flight(at: AppTest) -> int:
    [value] = [m.value for m in at.metric if m.label == "Orders in flight"]
    return int(value.replace(",", ""))


@pytest.fixture
def orders_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times the orders frame is read from the database."""
    reads: list[int] = []
    read: Callable[..., pl.DataFrame] = ui.data._LOADERS["orders"]

    def counting(store: object) -> pl.DataFrame:
        reads.append(1)
        return read(store)

    monkeypatch.setitem(ui.data._LOADERS, "orders", counting)
    return reads


def _wait_for_snapshot(folder: Path, name: str) -> None:
    for _ in range(600):  # the snapshot is written in the background
        if list(folder.glob(f"*/{name}.e*.v*.arrow")):
            return
        time.sleep(0.05)
    raise AssertionError(f"no snapshot of {name} in {folder}")


def calls_of(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Counts the calls of `crm_core.analytics.<name>` (one entry per call)."""
    calls: list[int] = []
    original = getattr(analytics, name)

    def counting(*args: object, **kwargs: object) -> pl.LazyFrame:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(analytics, name, counting)
    return calls


def test_an_order_entered_by_someone_else_shows_on_the_next_rerun_without_reading_every_order_again(
    app_db: Path, orders_reads: list[int]
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/order_status.py").run()
    assert not at.exception, at.exception
    before, reads = in_flight(at), len(orders_reads)
    assert reads == 1

    at.run()  # nothing written: everything from the caches
    assert in_flight(at) == before
    assert len(orders_reads) == reads

    other_user = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    try:
        customer = roomy_customer(other_user)
        create_order(other_user, REP, NewOrder(customer, [LineInput(ROUTER, 1)], "credit_card", "standard"))
    finally:
        other_user.dispose()

    at.run()
    assert not at.exception, at.exception
    assert in_flight(at) == before + 1
    assert len(orders_reads) == reads  # caught up with the new order's rows, not read again in full


def test_a_restarted_app_starts_from_the_frames_saved_on_disk(app_db: Path, orders_reads: list[int]) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/order_status.py").run()
    assert not at.exception, at.exception
    before = in_flight(at)
    assert len(orders_reads) == 1
    saved = app_db.parent / "frames"
    _wait_for_snapshot(saved, "orders")
    assert len(list(saved.glob("*/orders.e*.v*.arrow"))) == 1

    ui.data._slot.clear()  # what a new process has: no frame in memory
    restarted = AppTest.from_file(APP, default_timeout=60)
    restarted.switch_page("pages/order_status.py").run()
    assert not restarted.exception, restarted.exception
    assert in_flight(restarted) == before
    assert len(orders_reads) == 1  # from the snapshot, not the database


def test_the_pipeline_figures_are_not_computed_again_after_a_write_to_orders_only(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = calls_of(monkeypatch, "funnel")
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/pipeline.py").run()
    assert not at.exception, at.exception
    assert len(computed) == 1

    other_user = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    try:
        customer = roomy_customer(other_user)
        create_order(other_user, REP, NewOrder(customer, [LineInput(ROUTER, 1)], "credit_card", "standard"))
        at.run()
        assert not at.exception, at.exception
        assert len(computed) == 1  # an order changes nothing the Pipeline shows

        with UnitOfWork(other_user) as uow:
            deal = uow.get(Opportunity, 1)
            deal.title = "Renamed deal"
            uow.record("opportunity", 1, "edit", None, note="title")
            uow.commit()
        at.run()
        assert not at.exception, at.exception
        assert len(computed) == 2  # an opportunity does
    finally:
        other_user.dispose()


def _act_on_first(store: object, status: OrderStatus, action: Action, **details: object) -> None:
    with store.read() as s:  # type: ignore[attr-defined]
        order, version = s.execute(
            select(Order.id, Order.version).where(Order.status == status).order_by(Order.id)
        ).first()
    perform(store, MANAGER, order, action, expected_version=version, **details)  # type: ignore[arg-type]


def test_after_a_restart_from_a_snapshot_a_hold_computes_no_cycle_time_again_and_a_shipment_does(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Order status keeps what reads only dates (cycle time, throughput) and the filter choices while
    the columns they read are unchanged — also when its frames came from a snapshot (every column of
    a frame new to the process counts as changed once, then only what each write changes)."""
    computed = calls_of(monkeypatch, "order_cycle_time_by_month")
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/order_status.py").run()
    assert not at.exception, at.exception
    assert len(computed) == 1
    _wait_for_snapshot(app_db.parent / "frames", "orders")

    for cache in (ui.data._slot, ui.data._derived, ui.data._by_content):
        cache.clear()  # what a new process has: nothing in memory, the snapshot on disk
    restarted = AppTest.from_file(APP, default_timeout=60)
    restarted.switch_page("pages/order_status.py").run()
    assert not restarted.exception, restarted.exception
    assert len(computed) == 2
    on_hold = [m.value for m in restarted.metric if m.label == "On hold"]

    other_user = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    try:
        _act_on_first(other_user, OrderStatus.ENTERED, Action.HOLD, reason="Customer asked")
        restarted.run()
        assert not restarted.exception, restarted.exception
        assert [m.value for m in restarted.metric if m.label == "On hold"] != on_hold  # the hold shows
        assert len(computed) == 2  # and it changed no date

        _act_on_first(other_user, OrderStatus.PAID, Action.SHIP, tracking_number="TRK-1")
        restarted.run()
        assert not restarted.exception, restarted.exception
        assert len(computed) == 3  # a shipment changes a date the throughput reads
    finally:
        other_user.dispose()
