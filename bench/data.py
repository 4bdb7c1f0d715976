"""The large data set the page benchmarks need, built once and cached under `var/bench/`.

`crm_core.sample.generate` simulates every opportunity and order with numpy vectors (about 10 s
for 200,000 opportunities and 1,000,000 orders with ~1.8 lines each and ~7.5 M events on the
reference machine); the frames are bulk-inserted in one transaction (SQLite: one prepared
INSERT over all rows; PostgreSQL: COPY). A SQLite file is built under a temporary name and
renamed when complete; a PostgreSQL schema is marked complete by a row in its `meta` table, so
an interrupted build is rebuilt, never half used.

    python -m bench.data [--size tiny|full] [--postgres]   # build ahead of a run
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from datetime import date

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.core import BENCH_DIR
from crm_core.config import DatabaseTarget
from crm_core.store import Store, make_store
from crm_core.store.engine import WRITE_OPTION
from crm_core.store.migrate import head_revision

AS_OF = date(2026, 11, 20)
SEED = 7
BUILT_KEY = "bench_built"


@dataclass(frozen=True)
class Size:
    name: str
    opportunities: int
    orders: int


SIZES = {"tiny": Size("tiny", 2_000, 5_000), "full": Size("full", 200_000, 1_000_000)}


def frames(size: Size) -> dict[str, pl.DataFrame]:
    from crm_core.sample import generate

    return generate(size.opportunities, seed=SEED, as_of=AS_OF, n_orders=size.orders)


def _fill(store: Store, size: Size) -> None:
    from crm_core.store.changes import move_epoch
    from crm_core.store.migrate import migrate
    from crm_core.store.models import Base, Meta
    from crm_core.store.seed import insert_frames

    data = frames(size)
    with store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        migrate(conn)
        insert_frames(conn, data)
        move_epoch(conn)  # the data version and the frames' epoch
        conn.execute(sa.insert(Meta).values(key=BUILT_KEY, value=1))
    del data
    if store.target.is_sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        # VACUUM too: after a bulk load the visibility map is empty, so PostgreSQL cannot answer from
        # a covering index alone (the stage changes: a bitmap heap scan of ~0.9 s instead of an
        # index-only scan of ~0.13 s). A database that grew over months has been vacuumed by
        # autovacuum many times; the bench data should look like one.
        tables = ", ".join(Base.metadata.tables)  # this schema's (search_path), not the database's
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")


def sqlite_url(size: Size) -> str:
    """A migrated SQLite file with the data set of `size` (built on first use)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"large_{size.name}.r{head_revision()}.sqlite"  # rebuilt when the schema moves on
    if not path.exists():
        partial = path.with_suffix(".building")
        for leftover in BENCH_DIR.glob(f"{partial.name}*"):
            leftover.unlink()
        store = make_store(DatabaseTarget(make_url(f"sqlite:///{partial}"), "bench"))
        try:
            _fill(store, size)
            with store.engine.connect() as conn:  # fold the WAL into the file before renaming it
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.dispose()
        partial.rename(path)
    return f"sqlite:///{path}"


def postgres_base_url() -> str | None:
    return os.environ.get("CRM_BENCH_POSTGRES_URL") or os.environ.get("CRM_TEST_POSTGRES_URL")


def postgres_store(size: Size) -> Store | None:
    """A store on schema `bench_<size>` of the bench PostgreSQL database (built on first use), or
    None when no PostgreSQL URL is set (CRM_BENCH_POSTGRES_URL, else CRM_TEST_POSTGRES_URL)."""
    base = postgres_base_url()
    if not base:
        return None
    schema = f"bench_{size.name}_r{head_revision()}"  # one per schema revision: checkouts share the database
    target = DatabaseTarget(make_url(base), "CRM_BENCH_POSTGRES_URL")
    admin = make_store(target)
    try:
        with admin.engine.begin() as conn:
            built = bool(
                conn.execute(
                    sa.text(
                        "SELECT 1 FROM information_schema.tables "
                        "WHERE table_schema = :s AND table_name = 'meta'"
                    ),
                    {"s": schema},
                ).first()
                and conn.execute(
                    sa.text(f'SELECT 1 FROM "{schema}".meta WHERE key = :k'), {"k": BUILT_KEY}
                ).first()
                # a schema built by another revision of the code (the database outlives checkouts) is rebuilt
                and conn.execute(sa.text(f'SELECT version_num FROM "{schema}".alembic_version')).scalar()
                == head_revision()
            )
            if not built:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    store = make_store(target, schema=schema)
    if not built:
        _fill(store, size)
    return store


def postgres_url_with_schema(store: Store) -> str:
    """A URL that opens the same schema (for a child process or an AppTest)."""
    url = store.target.url.update_query_dict({"options": f"-csearch_path={store.schema}"})
    return url.render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.data", description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="full")
    parser.add_argument("--postgres", action="store_true", help="also build the PostgreSQL schema")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    start = time.perf_counter()
    print(sqlite_url(size), f"{time.perf_counter() - start:.1f} s", flush=True)
    if args.postgres:
        start = time.perf_counter()
        store = postgres_store(size)
        print(store.describe() if store else "no PostgreSQL URL set", f"{time.perf_counter() - start:.1f} s")
        if store:
            store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
