"""Shared fixtures: real databases (SQLite files and PostgreSQL schemas), never mocks.

`store` runs a test on SQLite, and on PostgreSQL when CRM_TEST_POSTGRES_URL is set
(each test gets its own schema, dropped afterwards). CI sets it, so there the
PostgreSQL variants run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    url = make_url(POSTGRES_URL)
    if url.drivername in {"postgres", "postgresql"}:
        url = url.set(drivername="postgresql+psycopg")
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


@pytest.fixture
def seeded_store(store: Store) -> Store:
    """The sample data, migrated and seeded as of the sample's own date."""
    init_db(store, today=SAMPLE_TODAY)
    return store
