"""The audit trail on SQLite and PostgreSQL: events cannot be changed or deleted (database
triggers, migration 0002), reset still works, and replaying every event of the sample data
reproduces every order's status and every opportunity's stage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from crm_core.config import PROJECT_ROOT
from crm_core.event_replay import replay_all
from crm_core.orders import LineInput, OrderStatus
from crm_core.services import order_detail, reset_sample_data, update_order_lines
from crm_core.store import Store, UnitOfWork, data_version
from crm_core.store.frames import read_events
from crm_core.store.models import Event, Opportunity, Order
from crm_core.store.seed import EVENTS_PURGE_KEY
from tests.integration.order_builders import ADMIN, LABELS, REP, ROUTER, advance, make_order


def event_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def first_event_note(store: Store) -> str | None:
    with store.read() as session:
        return session.scalar(select(Event.note).order_by(Event.id).limit(1))


@pytest.mark.parametrize(
    "statement",
    [update(Event).values(note="rewritten"), delete(Event).where(Event.id == 1), delete(Event)],
    ids=["update", "delete one", "delete all"],
)
def test_the_database_refuses_to_change_or_delete_an_event(seeded_store: Store, statement: object) -> None:
    before, note, version = (
        event_count(seeded_store),
        first_event_note(seeded_store),
        data_version(seeded_store),
    )

    with pytest.raises(DBAPIError, match="events are append-only"), UnitOfWork(seeded_store) as uow:
        uow.session.execute(statement)  # type: ignore[call-overload]
        uow.commit()

    assert (event_count(seeded_store), first_event_note(seeded_store)) == (before, note)
    assert data_version(seeded_store) == version


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_events(seeded_postgres_store: Store) -> None:
    seeded_store = seeded_postgres_store  # SQLite has no TRUNCATE
    before = event_count(seeded_store)
    with pytest.raises(DBAPIError, match="events are append-only"), UnitOfWork(seeded_store) as uow:
        uow.session.execute(text("TRUNCATE events CASCADE"))
        uow.commit()
    assert event_count(seeded_store) == before


def test_reset_to_sample_still_replaces_the_events_and_leaves_the_guard_closed(seeded_store: Store) -> None:
    sample_events = event_count(seeded_store)
    advance(seeded_store, make_order(seeded_store), OrderStatus.PAID)
    assert event_count(seeded_store) > sample_events

    reset_sample_data(seeded_store, ADMIN)

    assert event_count(seeded_store) == sample_events + 1  # the sample's history and the reset itself
    with seeded_store.read() as session:
        assert session.scalar(text(f"SELECT count(*) FROM meta WHERE key = '{EVENTS_PURGE_KEY}'")) == 0
    with pytest.raises(DBAPIError, match="events are append-only"), UnitOfWork(seeded_store) as uow:
        uow.session.execute(delete(Event))
        uow.commit()


def test_replaying_every_event_of_the_sample_reproduces_every_status_and_stage(seeded_store: Store) -> None:
    # A few fresh moves through the services on top of the sample, so both sources are covered.
    order_id = make_order(seeded_store)
    advance(seeded_store, order_id, OrderStatus.SHIPPED)
    events = read_events(seeded_store).to_dicts()

    replayed_orders = replay_all(events, "order")
    replayed_deals = replay_all(events, "opportunity")

    with seeded_store.read() as session:
        orders = dict(session.execute(select(Order.id, Order.status)).all())
        deals = dict(session.execute(select(Opportunity.id, Opportunity.stage)).all())
    assert replayed_orders == orders
    assert replayed_deals == deals
    assert replayed_orders[order_id] == "shipped"
    print(f"\nreplayed {len(events):,} events: {len(orders):,} orders and {len(deals):,} opportunities match")


def test_no_code_in_crm_core_updates_or_deletes_an_event() -> None:
    source = "\n".join(p.read_text() for p in Path(PROJECT_ROOT, "crm_core").rglob("*.py"))
    writes = re.findall(r"(?:update|delete)\(\s*Event\b|(?:UPDATE|DELETE FROM)\s+events\b", source)
    assert writes == []


def test_replacing_an_orders_lines_keeps_the_old_and_the_new_lines_in_the_event(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)  # SW-1001 × 2 at list price; SW-1003 × 5 at list price, 10 % off
    update_order_lines(
        seeded_store,
        REP,
        order_id,
        [LineInput(ROUTER, 4, "100.00"), LineInput(LABELS, 1, "12.50", "2.5")],
        expected_version=1,
    )
    event = order_detail(seeded_store, order_id).events[-1]
    assert event["action"] == "update_lines"
    assert event["note"] == (
        "Lines [SW-1001 × 2 at $1,850.00; SW-1003 × 5 at $390.00 less 10 %], total $5,875.49 → "
        "[SW-1001 × 4 at $100.00; SW-1009 × 1 at $12.50 less 2.5 %], total $467.07"
    )
