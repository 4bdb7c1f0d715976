"""The store on SQLite and PostgreSQL: migrate, seed, idempotent init, units of work."""

from __future__ import annotations

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, inspect, select, text

from crm_core.errors import ConflictError
from crm_core.services import table_counts
from crm_core.store import Store, UnitOfWork, data_version, init_db
from crm_core.store.frames import read_table
from crm_core.store.migrate import head_revision
from crm_core.store.models import TABLE_ORDER, Event, Order
from crm_core.store.seed import load_sample
from tests.conftest import SAMPLE_TODAY


def test_init_db_creates_every_table_and_seeds_the_sample(store: Store) -> None:
    report = init_db(store, today=SAMPLE_TODAY)

    assert report.migrated and report.seeded
    names = set(inspect(store.engine).get_table_names(schema=store.schema))
    assert set(TABLE_ORDER) | {"meta", "alembic_version"} <= names
    counts = table_counts(store)
    assert counts["opportunities"] >= 1_500
    assert counts["orders"] >= 1_000
    assert counts == report.counts
    assert data_version(store) == 1


def test_a_second_init_changes_nothing(seeded_store: Store) -> None:
    before, version = table_counts(seeded_store), data_version(seeded_store)

    report = init_db(seeded_store, today=SAMPLE_TODAY)

    assert not report.migrated and not report.seeded
    assert table_counts(seeded_store) == before
    assert data_version(seeded_store) == version
    with seeded_store.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_new_rows_get_ids_after_the_seeded_ones(seeded_store: Store) -> None:
    with UnitOfWork(seeded_store) as uow:
        event = uow.record("customer", 1, "note", actor_id=1, note="hello")
        uow.commit()
    with seeded_store.read() as session:
        assert event.id == session.scalar(select(func.max(Event.id)))
        assert session.scalar(select(func.count()).where(Event.id == event.id)) == 1


def test_a_committed_unit_of_work_bumps_the_data_version_once(seeded_store: Store) -> None:
    version = data_version(seeded_store)
    with UnitOfWork(seeded_store) as uow:
        uow.record("order", 1, "note", actor_id=1)
        uow.record("order", 1, "note", actor_id=1)
        uow.commit()
    assert data_version(seeded_store) == version + 1


def test_an_uncommitted_unit_of_work_changes_nothing(seeded_store: Store) -> None:
    version, counts = data_version(seeded_store), table_counts(seeded_store)
    with pytest.raises(RuntimeError), UnitOfWork(seeded_store) as uow:
        uow.record("order", 1, "note", actor_id=1)
        uow.session.flush()
        raise RuntimeError("boom")
    assert data_version(seeded_store) == version
    assert table_counts(seeded_store) == counts


def test_a_stale_version_is_a_conflict_not_an_overwrite(seeded_store: Store) -> None:
    with seeded_store.read() as session:
        order = session.scalars(select(Order).limit(1)).one()
        order_id, version, notes = order.id, order.version, order.notes

    with UnitOfWork(seeded_store) as uow:
        uow.get(Order, order_id, expected_version=version).notes = "first writer"
        uow.commit()
    with pytest.raises(ConflictError, match="changed by someone else"), UnitOfWork(seeded_store) as uow:
        uow.get(Order, order_id, expected_version=version).notes = "second writer"
        uow.commit()

    with seeded_store.read() as session:
        saved = session.get(Order, order_id)
        assert saved is not None and saved.notes == "first writer" and saved.version == version + 1
    assert notes != "first writer"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(sqlite_store: Store) -> None:
    init_db(sqlite_store, today=SAMPLE_TODAY)
    with sqlite_store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5_000


@pytest.mark.parametrize("table", ["customers", "opportunities", "orders", "invoices", "events", "stock"])
def test_the_seeded_rows_read_back_exactly_as_the_sample(seeded_store: Store, table: str) -> None:
    expected = load_sample(today=SAMPLE_TODAY)[table]
    actual = read_table(seeded_store, table).select(expected.columns)
    sort_by = [c for c in ("id", "warehouse_id", "product_id") if c in expected.columns]
    assert_frame_equal(actual.sort(sort_by), expected.sort(sort_by), check_dtypes=False)
