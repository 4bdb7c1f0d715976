"""Large SQLite reads in reader processes (crm_core/store/reader_process.py): the same frames as the
app's own cursor, on the sample and on other systems' data, while the app writes; and whatever goes
wrong with a reader, the app reads the rows itself and nothing is lost."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select, text

from crm_core.orders import Action, OrderStatus
from crm_core.permissions import Actor, Role
from crm_core.services import perform
from crm_core.store import Store, columnar, reader_process
from crm_core.store import frames as store_frames
from crm_core.store.delta import full_read
from crm_core.store.models import Order, OrderLine, User
from crm_core.store.reader_process import ReaderPool
from tests.conftest import sqlite_store_at

FRAMES: dict[str, Callable[[Store], pl.DataFrame]] = {
    "opportunities": store_frames.read_opportunities,
    "orders": store_frames.read_orders,
    "order lines": store_frames.read_order_lines,
    "invoices": store_frames.read_invoices,
    "payments": store_frames.read_payments,
    "events": store_frames.read_events,
    "stage changes": lambda store: full_read(store, "opportunity_events"),
    "customers table": lambda store: store_frames.read_table(store, "customers"),
}


@pytest.fixture
def readers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reader_process.SETTING, "on")  # any size: the test databases are small


@pytest.fixture
def moved_in_store(moved_in_template: Path, tmp_path: Path, readers_on: None) -> Iterator[Store]:
    path = tmp_path / "moved_in.sqlite"
    shutil.copy(moved_in_template, path)
    store = sqlite_store_at(path)
    yield store
    store.dispose()


@pytest.fixture
def sample_store(seeded_sqlite_store: Store, readers_on: None) -> Store:
    return seeded_sqlite_store


def _read_both_ways(store: Store, read: Callable[[Store], pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frame read through the readers, and read by the app's own cursor (no pool)."""
    pool = store.readers
    assert pool is not None
    through_readers = read(store)
    store.readers = None
    try:
        by_cursor = read(store)
    finally:
        store.readers = pool
    return through_readers, by_cursor


def _answered(pool: ReaderPool, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record whether each of the pool's reads was answered by a reader (True) or left to the app."""
    answers: list[bool] = []
    read = pool.read

    def recording(sql: str, partition_on: str | None = None) -> object:
        table = read(sql, partition_on)
        answers.append(table is not None)
        return table

    monkeypatch.setattr(pool, "read", recording)
    return answers


@pytest.mark.parametrize("name", list(FRAMES))
def test_every_frame_read_by_a_reader_equals_the_one_read_by_the_apps_cursor(
    sample_store: Store, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sample_store.readers is not None
    answers = _answered(sample_store.readers, monkeypatch)
    through_readers, by_cursor = _read_both_ways(sample_store, FRAMES[name])
    assert through_readers.height > 0
    assert_frame_equal(through_readers, by_cursor, check_exact=True)
    assert answers and all(answers)  # the readers answered: the test compared the two ways


def test_other_systems_data_reads_the_same_through_a_reader(
    moved_in_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Salesforce, HubSpot, Pipedrive and ERP files imported: old dates, gaps, missing values.
    assert moved_in_store.readers is not None
    answers = _answered(moved_in_store.readers, monkeypatch)
    for read in FRAMES.values():
        through_readers, by_cursor = _read_both_ways(moved_in_store, read)
        assert_frame_equal(through_readers, by_cursor, check_exact=True)
    assert answers and all(answers)


def test_a_read_after_each_write_of_the_app_sees_that_write(sample_store: Store) -> None:
    # Two SQLite libraries in one process release each other's locks; in two processes they must
    # not: the app writes, a reader reads, twenty times, and each read sees the write before it.
    with sample_store.read() as s:
        uid, name, email = s.execute(
            select(User.id, User.name, User.email).where(User.role == "manager")
        ).first()
        order = s.scalar(select(Order.id).where(Order.status == OrderStatus.ENTERED).limit(1))
    manager = Actor(uid, name, email, Role.MANAGER)
    for _ in range(20):
        before = store_frames.read_orders(sample_store).filter(pl.col("id") == order)
        action = Action.RESUME if before["status"].item() == OrderStatus.ON_HOLD else Action.HOLD
        perform(
            sample_store,
            manager,
            order,
            action,
            expected_version=before["version"].item(),
            reason="Customer asked",
        )
        after = store_frames.read_orders(sample_store).filter(pl.col("id") == order)
        assert after["version"].item() == before["version"].item() + 1
        assert (after["status"].item() == OrderStatus.ON_HOLD) == (action == Action.HOLD)


def test_a_value_that_does_not_fit_its_column_is_read_by_the_app_as_before(
    sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite stores what it is given: a quantity written as text by another tool. The reader refuses
    # it (typed by the declared INTEGER); the app's cursor reads the file as it always did.
    with sample_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE order_lines SET quantity = 'twelve' WHERE id = (SELECT min(id) FROM order_lines)")
        )
    assert sample_store.readers is not None
    answers = _answered(sample_store.readers, monkeypatch)
    with pytest.raises(Exception) as by_cursor:
        columnar.read_select(sample_store, store_frames.order_lines_select().order_by(OrderLine.id))
    with pytest.raises(type(by_cursor.value)):
        store_frames.read_order_lines(sample_store)
    assert answers == [False]  # the reader declined; the same error came from the app's own read


def test_a_reader_that_died_is_replaced_and_the_read_still_answers(sample_store: Store) -> None:
    pool = sample_store.readers
    assert pool is not None
    expected = store_frames.read_orders(sample_store)
    for reader in pool._idle[False]:
        reader.process.kill()
        reader.process.wait()
    assert_frame_equal(store_frames.read_orders(sample_store), expected)
    assert pool.enabled
    assert any(reader.alive for reader in pool._idle[False])


def test_an_idle_reader_ends_itself_and_the_next_read_starts_another(
    seeded_sqlite_store: Store, readers_on: None
) -> None:
    pool = ReaderPool(Path(seeded_sqlite_store.engine.url.database or ""), idle_seconds=0.2)
    try:
        assert pool.read("SELECT count(*) AS n FROM orders") is not None
        (reader,) = pool._idle[False]
        deadline = time.monotonic() + 30
        while reader.alive and time.monotonic() < deadline:
            time.sleep(0.05)  # waits for the process to end; nothing is timed
        assert not reader.alive
        assert reader.process.returncode == 0
        table = pool.read("SELECT count(*) AS n FROM orders")
        assert table is not None and table["n"].item() > 0
        assert pool.enabled
    finally:
        pool.close()


def test_a_reader_that_cannot_start_turns_the_pool_off_and_the_app_reads_itself(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "reader_worker.py"
    broken.write_text("raise SystemExit('connectorx is not installed')\n")  # what a missing driver does
    monkeypatch.setattr(reader_process, "WORKER", broken)
    pool = sample_store.readers
    assert pool is not None
    pool.close()
    sample_store.readers = fresh = ReaderPool(pool.database)
    expected = columnar.read_select(sample_store, store_frames.orders_select())
    assert_frame_equal(store_frames.read_orders(sample_store), expected)
    assert not fresh.enabled
    assert not fresh.worth_it()


def test_warm_up_reads_run_at_the_lowest_priority_and_page_reads_at_the_apps(sample_store: Store) -> None:
    pool = sample_store.readers
    assert pool is not None
    assert pool.read("SELECT 1 AS one") is not None
    with reader_process.in_background():
        assert pool.read("SELECT 1 AS one") is not None
    (page_reader,), (warm_reader,) = pool._idle[False], pool._idle[True]
    assert os.getpriority(os.PRIO_PROCESS, page_reader.process.pid) == os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, warm_reader.process.pid) == 19


def test_the_pool_is_for_large_sqlite_files_only(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(reader_process.SETTING, raising=False)
    small = ReaderPool.for_database(str(tmp_path / "small.sqlite"))
    assert small is not None and not small.worth_it()  # no file yet
    (tmp_path / "small.sqlite").write_bytes(b"\0" * 1024)
    assert not small.worth_it()  # below LARGE_FILE_BYTES: the app's cursor is quicker than a start
    monkeypatch.setattr(reader_process, "LARGE_FILE_BYTES", 1024)
    assert small.worth_it()
    for database in (None, ":memory:", "file:crm?mode=memory"):
        assert ReaderPool.for_database(database) is None
    monkeypatch.setenv(reader_process.SETTING, "off")
    assert ReaderPool.for_database(str(tmp_path / "small.sqlite")) is None


def test_postgresql_reads_with_connectorx_in_the_apps_own_process(postgres_store: Store) -> None:
    assert postgres_store.readers is None  # no SQLite library to keep apart: no reader processes


UNORDERED = {"invoices", "payments"}  # no ORDER BY: COPY gives the table's order, connectorx the id's


def test_every_frame_read_by_connectorx_on_postgresql_equals_the_one_read_by_copy(
    seeded_postgres_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[bool] = []
    arrow = columnar._postgres_arrow

    def recording(*args: object) -> object:
        table = arrow(*args)  # type: ignore[arg-type]
        if reader_process.setting() == "on":
            answered.append(table is not None)
        return table

    monkeypatch.setattr(columnar, "_postgres_arrow", recording)
    for name, read in FRAMES.items():
        monkeypatch.setenv(reader_process.SETTING, "on")  # any size: the sample is small
        with_connectorx = read(seeded_postgres_store)
        monkeypatch.setenv(reader_process.SETTING, "off")
        with_copy = read(seeded_postgres_store)
        if name in UNORDERED:
            with_connectorx, with_copy = with_connectorx.sort("id"), with_copy.sort("id")
        assert with_connectorx.height > 0
        assert_frame_equal(with_connectorx, with_copy, check_exact=True)
    assert answered and all(answered)  # connectorx answered every read: the two ways were compared


def test_on_postgresql_a_small_table_is_read_by_copy_on_a_pooled_connection(
    seeded_postgres_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(reader_process.SETTING, raising=False)
    with seeded_postgres_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE orders")
    stmt = store_frames.orders_select()
    assert 0 < columnar._estimated_rows(seeded_postgres_store, stmt) < columnar.LARGE_TABLE_ROWS
    assert columnar._postgres_arrow(seeded_postgres_store, stmt, "SELECT 1", None) is None
    monkeypatch.setattr(columnar, "LARGE_TABLE_ROWS", 1)
    assert columnar._postgres_arrow(seeded_postgres_store, stmt, "SELECT 1 AS one", None) is not None


@pytest.mark.parametrize(
    ("select_of", "column"),
    [
        (lambda: columnar_own(store_frames.orders_select(), Order), "id"),
        (
            lambda: store_frames.order_lines_select().order_by(OrderLine.order_id, OrderLine.line_no),
            "order_id",
        ),
        (store_frames.opportunity_stage_events_select, "id"),  # no order: split by id
        (lambda: store_frames.order_lines_select().order_by(OrderLine.unit_price_cents.desc()), None),
        (lambda: select(User.name, User.email), None),  # no integer id to split by
    ],
)
def test_a_read_is_split_by_its_first_sort_key_or_its_id(
    select_of: Callable[[], object], column: str | None
) -> None:
    stmt = select_of()
    assert columnar._partition_column(stmt, columnar._schema_for(stmt)) == column  # type: ignore[arg-type]


def columnar_own(stmt: object, model: type) -> object:
    return store_frames._own_columns(stmt, model.__table__)  # type: ignore[arg-type, attr-defined]
