"""Shared fixtures: real databases (SQLite files and PostgreSQL schemas), never mocks.

`store` runs a test on SQLite, and on PostgreSQL when CRM_TEST_POSTGRES_URL is set
(each test gets its own schema, dropped afterwards). CI sets it, so there the
PostgreSQL variants run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from crm_core.config import DatabaseTarget
from crm_core.store import Store, init_db, make_store

POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL", "").strip()
SAMPLE_TODAY = date(2026, 11, 21)  # the day after the sample's as_of: no time shift, stable numbers


def sqlite_store_at(path: Path) -> Store:
    return make_store(DatabaseTarget(make_url(f"sqlite:///{path}"), "test"))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = sqlite_store_at(tmp_path / "crm.sqlite")
    yield store
    store.dispose()


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    url = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    store = make_store(DatabaseTarget(url, "test"), schema=schema, pool_size=10)
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """An empty database (no schema yet) on each backend."""
    return request.getfixturevalue(f"{request.param}_store")


def _postgres_url() -> URL:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql+psycopg") if url.drivername in {"postgres", "postgresql"} else url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded once per test session; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "crm.sqlite"
    store = sqlite_store_at(path)
    init_db(store, today=SAMPLE_TODAY)
    store.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated and seeded once per session; tests get `CREATE DATABASE … TEMPLATE`."""
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    url = _postgres_url()
    name = f"crm_tpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = make_store(DatabaseTarget(url.set(database=name), "test"))
    init_db(store, today=SAMPLE_TODAY)
    store.dispose()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def seeded_sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "seeded.sqlite"
    shutil.copy(sqlite_template, path)
    store = sqlite_store_at(path)
    yield store
    store.dispose()


@pytest.fixture
def seeded_postgres_store(postgres_template: str) -> Iterator[Store]:
    url = _postgres_url()
    name = f"crm_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    store = make_store(DatabaseTarget(url.set(database=name), "test"), pool_size=10)
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded_store(request: pytest.FixtureRequest) -> Store:
    """The sample data, migrated and seeded as of the sample's own date, on each backend."""
    return request.getfixturevalue(f"seeded_{request.param}_store")


@pytest.fixture(scope="session")
def moved_in_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built once per session the way a team moving in builds it: the admin, the owners,
    then other systems' files imported (`tests/other_systems.py`); tests get copies."""
    from tests.other_systems import move_in

    path = tmp_path_factory.mktemp("moved_in") / "crm.sqlite"
    store = sqlite_store_at(path)
    move_in(store)
    store.dispose()
    return path
