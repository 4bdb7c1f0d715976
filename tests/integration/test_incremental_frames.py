"""Incremental frames: after any sequence of writes through the services, every frame brought up
to date from its cached copy (`crm_core.store.delta.catch_up`) equals the frame read in full, row
for row, on SQLite and PostgreSQL. Writes: orders created and moved on (payments, shipping, holds
and resumes, cancels), order lines replaced or deleted, opportunities captured, edited, won, lost
and converted, deals reassigned, customers edited and merged (a deletion), customers and products
renamed (the names joined into other frames), and a reset to the sample (the epoch moves: a full
read). The frames are caught up after some of the writes too, not only at the end."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from crm_core.errors import DomainError
from crm_core.opportunity_fields import DealEdit, NewOpportunity
from crm_core.orders import FINAL_STATUSES, Action, LineInput, OrderStatus, next_actions
from crm_core.permissions import Actor, Role
from crm_core.services import (
    capture_opportunity,
    convert_to_order,
    create_order,
    edit_opportunity,
    mark_lost,
    mark_won,
    merge_customers,
    perform,
    update_customer,
)
from crm_core.services.opportunity_edits import reassign_opportunities
from crm_core.services.orders import NewOrder, update_order_lines
from crm_core.store import Store, UnitOfWork, init_db, snapshots
from crm_core.store.changes import frame_versions
from crm_core.store.delta import INCREMENTAL, catch_up, full_read
from crm_core.store.models import Customer, Event, Invoice, Opportunity, Order, OrderLine, Product
from crm_core.store.seed import reset_to_sample
from tests.conftest import SAMPLE_TODAY

MANAGER = Actor(1, "Maria Lindqvist", "maria.lindqvist@scalewise.example", Role.MANAGER)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
KINDS = (
    "advance",
    "advance",
    "hold",
    "cancel",
    "lines",
    "create",
    "capture",
    "edit",
    "win",
    "lose",
    "convert",
    "reassign",
    "customer",
    "credit",
    "merge",
    "product",
    "delete_line",
    "reset",
)


@pytest.fixture
def seeded(store: Store) -> Store:
    init_db(store, today=SAMPLE_TODAY)
    return store


def _ids(store: Store, stmt: object) -> list[int]:
    with store.read() as session:
        return list(session.scalars(stmt))  # type: ignore[call-overload]


def _pick(ids: list[int], pick: int) -> int | None:
    return ids[pick % len(ids)] if ids else None


def _attempt(call: object) -> None:
    with contextlib.suppress(DomainError):  # refused: changed nothing, which the frames must show too
        call()  # type: ignore[operator]


def _write(store: Store, kind: str, pick: int) -> None:
    if kind in ("create", "capture", "edit", "lose", "credit", "merge", "delete_line", "reset"):
        _write_more(store, kind, pick)
        return
    open_statuses = [s.value for s in OrderStatus if s not in FINAL_STATUSES]
    if kind in ("advance", "hold", "cancel"):
        in_flight = select(Order.id).where(Order.status.in_(open_statuses)).order_by(Order.id)
        order = _pick(_ids(store, in_flight), pick)
        if order is None:
            return
        with store.read() as s:
            status, version = s.execute(select(Order.status, Order.version).where(Order.id == order)).one()
            invoiced = s.scalar(select(Invoice.total_cents).where(Invoice.order_id == order)) or 100
        action = {"advance": next_actions(status)[0], "hold": Action.HOLD, "cancel": Action.CANCEL}[kind]
        inputs = {
            "accept_warnings": True,
            "amount": f"{invoiced // 100}.{invoiced % 100:02d}",
            "tracking_number": f"TRK{order}",
            "reason": "Customer asked",
        }
        _attempt(lambda: perform(store, MANAGER, order, action, expected_version=version, now=NOW, **inputs))
    elif kind == "lines":
        order = _pick(_ids(store, select(Order.id).where(Order.status == "entered").order_by(Order.id)), pick)
        skus = _ids(store, select(Product.sku).order_by(Product.id))
        if order is not None:
            lines = [LineInput(skus[(pick + i) % len(skus)], 1 + (pick + i) % 3) for i in range(1 + pick % 3)]
            _attempt(lambda: update_order_lines(store, MANAGER, order, lines, now=NOW))
    elif kind in ("win", "convert", "reassign"):
        stage = {"win": "scheduled", "convert": "won", "reassign": "qualified"}[kind]
        at_stage = select(Opportunity.id).where(Opportunity.stage == stage).order_by(Opportunity.id)
        opportunity = _pick(_ids(store, at_stage), pick)
        if opportunity is None:
            return
        version = _ids(store, select(Opportunity.version).where(Opportunity.id == opportunity))[0]
        if kind == "win":
            _attempt(lambda: mark_won(store, MANAGER, opportunity, version))
        elif kind == "convert":
            _attempt(lambda: convert_to_order(store, MANAGER, opportunity, version, another_order=True))
        else:
            _attempt(lambda: reassign_opportunities(store, MANAGER, {opportunity: version}, 2 + pick % 3))
    else:
        model = Customer if kind == "customer" else Product
        ident = _pick(_ids(store, select(model.id).order_by(model.id)), pick)
        with UnitOfWork(store, MANAGER) as uow:
            row = uow.get(model, ident)
            before, row.name = row.name, f"Renamed {pick}"
            uow.record(kind, int(ident or 0), "update", MANAGER.id, note=f"name: {before} → {row.name}")
            uow.commit()


def _write_more(store: Store, kind: str, pick: int) -> None:
    customers = _ids(store, select(Customer.id).order_by(Customer.id))
    if kind == "create":
        sku = _ids(store, select(Product.sku).where(Product.active).order_by(Product.id))
        new = NewOrder(_pick(customers, pick), [LineInput(_pick(sku, pick), 1)], "credit_card", "standard")
        _attempt(lambda: create_order(store, MANAGER, new, today=SAMPLE_TODAY))
    elif kind == "capture":
        product = _pick(_ids(store, select(Product.id).where(Product.active).order_by(Product.id)), pick)
        new_deal = NewOpportunity(
            company=None, contact_name="Ada Byte", email="ada@byte.example", product_id=product,
            customer_id=_pick(customers, pick),
        )  # fmt: skip
        _attempt(lambda: capture_opportunity(store, MANAGER, new_deal, today=SAMPLE_TODAY))
    elif kind in ("edit", "lose"):
        open_deals = select(Opportunity.id, Opportunity.version).where(
            Opportunity.stage.in_(("captured", "enriched", "qualified", "scheduled"))
        )
        with store.read() as s:
            rows = s.execute(open_deals.order_by(Opportunity.id)).all()
        if not rows:
            return
        deal, version = rows[pick % len(rows)]
        if kind == "lose":
            _attempt(lambda: mark_lost(store, MANAGER, deal, version, "Went with a competitor"))
        else:
            edit = DealEdit(contact_name=f"Contact {pick}")
            _attempt(lambda: edit_opportunity(store, MANAGER, deal, version, edit, today=SAMPLE_TODAY))
    elif kind in ("credit", "merge"):
        with store.read() as s:
            rows = s.execute(select(Customer.id, Customer.version).order_by(Customer.id)).all()
        (keep, keep_version), (drop, drop_version) = rows[pick % len(rows)], rows[(pick + 1) % len(rows)]
        if kind == "credit":
            changes = {
                "credit_limit_cents": 10_000 + pick % 1000,
                "contact_email": f"buyer{pick}@example.com",
            }
            _attempt(lambda: update_customer(store, MANAGER, keep, changes, expected_version=keep_version))
        elif keep != drop:
            _attempt(
                lambda: merge_customers(
                    store, MANAGER, keep, drop, survivor_version=keep_version, duplicate_version=drop_version
                )
            )
    elif kind == "delete_line":
        entered = select(Order.id).where(Order.status == "entered")
        lines = _ids(
            store, select(OrderLine.id).where(OrderLine.order_id.in_(entered)).order_by(OrderLine.id)
        )
        line = _pick(lines, pick)
        if line is not None:
            with UnitOfWork(store, MANAGER) as uow:
                uow.session.delete(uow.get(OrderLine, line))
                uow.record("order", 0, "delete_line", MANAGER.id, note=f"line {line}")
                uow.commit()
    elif kind == "reset":
        reset_to_sample(store, actor=MANAGER, today=SAMPLE_TODAY)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort([c for c in ("id", "order_id", "line_no") if c in frame.columns][:1])


def _caught_up(store: Store, cached: dict[str, pl.DataFrame], since: int, epoch: int) -> tuple[int, int]:
    """Bring every cached frame up to date, as `ui.data` does (a full read once the epoch moved past
    it), check each equals a full read row for row, and return the (version, epoch) reached."""
    version, now_epoch = frame_versions(store)
    for name in sorted(INCREMENTAL):
        if since < now_epoch:
            cached[name] = full_read(store, name, version)
        else:
            cached[name] = catch_up(store, name, cached[name], since, version)
        assert_frame_equal(_sorted(cached[name]), _sorted(full_read(store, name)), check_row_order=True)
    return version, now_epoch


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(0, 10**6), st.booleans()), min_size=1, max_size=8
    )
)
def test_merged_frames_equal_a_full_read_after_any_writes(
    seeded: Store, writes: list[tuple[str, int, bool]]
) -> None:
    since, epoch = frame_versions(seeded)
    cached = {name: full_read(seeded, name, since) for name in INCREMENTAL}
    for kind, pick, look in writes:
        _write(seeded, kind, pick)
        if look:  # someone reran a page here: the frames caught up to this point
            since, epoch = _caught_up(seeded, cached, since, epoch)
    _caught_up(seeded, cached, since, epoch)


@pytest.mark.postgres
def test_an_event_that_took_its_id_first_but_committed_last_is_still_caught_up(postgres_store: Store) -> None:
    """PostgreSQL hands out ids when a row is inserted, not when it commits: reading on from the
    last id read would miss the first writer's event below. (SQLite runs one write transaction at
    a time, so its ids commit in order: PostgreSQL only.)"""
    init_db(postgres_store, today=SAMPLE_TODAY)
    seeded = postgres_store
    since, _ = frame_versions(seeded)
    cached = full_read(seeded, "events", since)
    with UnitOfWork(seeded, MANAGER) as first:
        first.record("customer", 1, "note", MANAGER.id, note="taken first, committed last")
        first.session.flush()  # the event has its id now
        with UnitOfWork(seeded, MANAGER) as second:
            second.record("customer", 1, "note", MANAGER.id, note="taken second, committed first")
            second.commit()
        middle_version, _ = frame_versions(seeded)
        middle = catch_up(seeded, "events", cached, since, middle_version)
        assert middle["note"].to_list()[-1] == "taken second, committed first"
        first.commit()
    now, _ = frame_versions(seeded)
    merged = catch_up(seeded, "events", middle, middle_version, now)
    assert_frame_equal(merged, full_read(seeded, "events"))
    assert merged["note"].to_list()[-2:] == ["taken first, committed last", "taken second, committed first"]


def test_a_write_stamps_its_rows_with_the_data_version_it_commits(seeded: Store) -> None:
    order = _ids(seeded, select(Order.id).where(Order.status == "entered").order_by(Order.id))[0]
    update_order_lines(seeded, MANAGER, order, [LineInput("SW-1001", 2)], now=NOW)
    version, _epoch = frame_versions(seeded)
    with seeded.read() as s:
        assert s.scalar(select(Order.row_version).where(Order.id == order)) == version


def test_a_reset_moves_the_epoch_past_every_cached_frame(seeded: Store) -> None:
    before, _ = frame_versions(seeded)
    reset_to_sample(seeded, actor=MANAGER, today=SAMPLE_TODAY)
    version, epoch = frame_versions(seeded)
    assert (version, epoch) == (before + 1, before + 1)


def test_a_row_deleted_alone_leaves_the_caught_up_frame(seeded: Store) -> None:
    since, _ = frame_versions(seeded)
    cached = full_read(seeded, "order_lines")
    entered = _ids(seeded, select(Order.id).where(Order.status == "entered"))  # nothing allocated yet
    line = int(cached.filter((pl.col("line_no") == 2) & pl.col("order_id").is_in(entered))["id"][0])
    with UnitOfWork(seeded, MANAGER) as uow:
        uow.session.delete(uow.get(OrderLine, line))
        uow.record("order", 0, "delete_line", MANAGER.id, note=f"line {line}")
        uow.commit()
    merged = catch_up(seeded, "order_lines", cached, since, frame_versions(seeded)[0])
    assert merged.height == cached.height - 1
    assert line not in merged["id"].to_list()
    assert_frame_equal(merged, full_read(seeded, "order_lines"))


def test_a_restarted_process_starts_from_the_snapshot_and_catches_up(seeded: Store, tmp_path: Path) -> None:
    version, epoch = frame_versions(seeded)
    where = snapshots.folder("the database", tmp_path)
    snapshots.save(where, "orders", epoch, version, full_read(seeded, "orders"))
    _write(seeded, "advance", 3)
    _write(seeded, "customer", 5)
    now, _ = frame_versions(seeded)

    found = snapshots.load(where, "orders", epoch=epoch, version=now)
    assert found is not None
    at, frame = found
    assert at == version
    assert_frame_equal(catch_up(seeded, "orders", frame, at, now), full_read(seeded, "orders"))


def test_a_snapshot_from_before_a_reset_or_newer_than_asked_is_not_used(
    seeded: Store, tmp_path: Path
) -> None:
    version, epoch = frame_versions(seeded)
    where = snapshots.folder("the database", tmp_path)
    snapshots.save(where, "orders", epoch, version, full_read(seeded, "orders"))
    assert snapshots.load(where, "orders", epoch=epoch, version=version - 1) is None
    reset_to_sample(seeded, actor=MANAGER, today=SAMPLE_TODAY)
    now, new_epoch = frame_versions(seeded)
    assert snapshots.load(where, "orders", epoch=new_epoch, version=now) is None
    assert [p.name for p in where.iterdir()] == [f"orders.e{epoch}.v{version}.arrow"]  # no partial file left


def test_an_event_is_stamped_once_and_otherwise_stays_as_written(seeded: Store) -> None:
    with UnitOfWork(seeded, MANAGER) as uow:
        event = uow.record("customer", 1, "note", MANAGER.id, note="as written")
        uow.commit()
    version, _ = frame_versions(seeded)
    events = Event.__table__
    with seeded.read() as s:
        assert s.scalar(select(Event.row_version).where(Event.id == event.id)) == version
    for change in ({"row_version": version + 5}, {"note": "rewritten"}, {"row_version": -1}):
        with pytest.raises(DBAPIError, match="append-only"), seeded.engine.begin() as conn:
            conn.execute(events.update().where(events.c.id == event.id).values(**change))  # type: ignore[attr-defined]
