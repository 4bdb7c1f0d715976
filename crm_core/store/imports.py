"""The store side of imports: read what matching needs, and carry out a plan in one transaction.

New ids come from the table's own sequence on PostgreSQL (`nextval`, so concurrent writers never
collide) and after the current maximum on SQLite (the write transaction holds the database lock).
Order numbers come from the same gap-free counter as order entry. Every created or updated
customer, product, opportunity and order gets one `import` event naming the file and row; the
data version is bumped once, at the end.

Why one transaction, although on SQLite it holds the only write lock while it writes (about
2 s per 100,000 order lines here): a strict import is all or nothing, and an import killed
halfway must leave the database as it was (tests/integration/test_crash_safety.py). Chunked
commits would break both, and staging the rows in a temporary table does not shorten the lock:
the time goes into SQLite inserting the rows and their indexes, which the copy repeats. What is
kept short instead is everything else: reading, validating and matching run before the lock is
taken. A writer that waits longer than the busy timeout gets `DatabaseBusy` ("try again in a
moment"); the pages show it and keep what was typed. On PostgreSQL an import locks only the rows
it writes (and the order-number counter when it creates orders).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crm_core.io.plan import KEEP, Plan
from crm_core.io.read import ROW
from crm_core.io.resolve import References
from crm_core.permissions import Actor
from crm_core.store.bulk import bulk_insert, typed_table
from crm_core.store.changes import commit_version, record_deletions
from crm_core.store.engine import WRITE_OPTION, Store, guard_unavailable
from crm_core.store.frames import read_select
from crm_core.store.identities import confirm_acting_user
from crm_core.store.models import (
    PENDING,
    Allocation,
    Customer,
    Invoice,
    Meta,
    Opportunity,
    Order,
    OrderLine,
    Product,
    User,
)
from crm_core.store.seed import ORDER_SEQUENCE_KEY

WRITE_ORDER = ("users", "customers", "products", "opportunities", "orders", "order_lines")
FOREIGN_KEYS = {
    "customer_id": "customers",
    "product_id": "products",
    "order_id": "orders",
    "owner_id": "users",
}
ENTITY = {
    "users": "user",
    "customers": "customer",
    "products": "product",
    "opportunities": "opportunity",
    "orders": "order",
}
CHUNK = 20_000
Progress = Callable[[float, str], None]


def load_references(store: Store) -> References:
    locked = select(Allocation.order_id.label("id")).union(select(Invoice.order_id.label("id"))).subquery()
    orders = read_select(
        store,
        select(Order.id, Order.external_id, (locked.c.id.is_not(None)).label("locked"))
        .outerjoin(locked, locked.c.id == Order.id)
        .where(Order.external_id.is_not(None)),
    ).with_columns(pl.col("locked").cast(pl.Boolean))
    return References(
        customers=read_select(store, select(Customer.id, Customer.external_id, Customer.name)),
        products=read_select(store, select(Product.id, Product.sku, Product.name, Product.list_price_cents)),
        users=read_select(store, select(User.id, User.name, User.email).where(User.active.is_(True))),
        opportunities=read_select(
            store,
            select(Opportunity.id, Opportunity.external_id, Opportunity.customer_id).where(
                Opportunity.external_id.is_not(None)
            ),
        ),
        orders=orders,
    )


def _new_ids(conn: Connection, table: str, n: int) -> pl.Series:
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"),
            {"n": n},
        ).scalars()
        return pl.Series("id", list(rows), dtype=pl.Int64)
    top = conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
    return pl.Series("id", range(top + 1, top + 1 + n), dtype=pl.Int64)


def _order_numbers(conn: Connection, n: int) -> pl.Series:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        insert(Meta).values(key=ORDER_SEQUENCE_KEY, value=0).on_conflict_do_nothing(index_elements=["key"])
    )
    conn.execute(sa.update(Meta).where(Meta.key == ORDER_SEQUENCE_KEY).values(value=Meta.value + n))
    last = conn.execute(select(Meta.value).where(Meta.key == ORDER_SEQUENCE_KEY)).scalar_one()
    return pl.Series("seq", range(last - n + 1, last + 1), dtype=pl.Int64)


def _resolve_refs(frame: pl.DataFrame, ids: dict[str, pl.Series]) -> pl.DataFrame:
    """Fill foreign keys that point at records created in this import (`_new_<fk>` → their new id)."""
    for fk, table in FOREIGN_KEYS.items():
        ref = f"_new_{fk}"
        if ref in frame.columns and table in ids:
            new_id = pl.lit(ids[table]).gather(pl.col(ref))
            frame = frame.with_columns(
                pl.when(pl.col(ref).is_not_null())
                .then(new_id)
                .otherwise(pl.col(fk) if fk in frame.columns else None)
                .alias(fk)
            )
    return frame


def _insert(
    conn: Connection,
    table: str,
    frame: pl.DataFrame,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    columns = frame.select(c for c in frame.columns if not c.startswith("_"))
    bulk_insert(conn, table, columns, on_chunk, row_version=PENDING)


def _update(conn: Connection, table: str, frame: pl.DataFrame, now: datetime) -> None:
    target = typed_table(table)
    columns = [c for c in frame.columns if not c.startswith("_") and c != "id"]
    # `_keep_<c>` true: this row's file left the field empty, so the stored value stays.
    kept = [c for c in columns if f"{KEEP}{c}" in frame.columns]
    values: dict[str, object] = {c: sa.bindparam(f"v_{c}") for c in columns}
    for c in kept:
        values[c] = sa.case((sa.bindparam(f"k_{c}", type_=sa.Boolean()), target.c[c]), else_=values[c])
    if "row_version" in target.c:
        values["row_version"] = PENDING
    if "updated_at" in target.c:
        values["updated_at"] = now
    if table in ("opportunities", "orders", "customers"):
        values["version"] = target.c.version + 1
    stmt = sa.update(target).where(target.c.id == sa.bindparam("v_id")).values(values)
    rows = frame.select(
        *(pl.col(c).alias(f"v_{c}") for c in ["id", *columns]),
        *(pl.col(f"{KEEP}{c}").fill_null(False).alias(f"k_{c}") for c in kept),
    ).to_dicts()
    for start in range(0, len(rows), CHUNK):
        conn.execute(stmt, rows[start : start + CHUNK])


def apply_plan(
    store: Store,
    plan: Plan,
    *,
    actor_id: int,
    file_name: str,
    now: datetime,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> None:
    """Write the plan in one transaction (all or nothing), with events, bumping the data version once.
    With `actor`, first re-read them in that transaction (refused if deactivated or re-roled since)."""
    report = progress or (lambda _f, _m: None)
    events: list[pl.DataFrame] = []
    ids: dict[str, pl.Series] = {}
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if actor is not None:
            confirm_acting_user(conn, actor)
        for step, table in enumerate(WRITE_ORDER):
            writes = plan.tables.get(table)
            if writes is None:
                continue
            start = 0.1 + 0.8 * step / len(WRITE_ORDER)
            report(start, f"Writing {table}…")

            def chunk_done(done: int, total: int, start: float = start, table: str = table) -> None:
                report(
                    start + 0.8 / len(WRITE_ORDER) * done / total,
                    f"Writing {table}… {done:,} of {total:,} rows",
                )

            inserts = _resolve_refs(writes.inserts, ids)
            updates = _resolve_refs(writes.updates, ids)
            if table == "order_lines" and plan.replace_lines_of:
                lines = typed_table("order_lines")
                for start in range(0, len(plan.replace_lines_of), CHUNK):
                    chunk = plan.replace_lines_of[start : start + CHUNK]
                    record_deletions(conn, "order_lines", OrderLine.order_id.in_(chunk))
                    conn.execute(sa.delete(lines).where(lines.c.order_id.in_(chunk)))
            if inserts.height and table != "order_lines":
                ids[table] = _new_ids(conn, table, inserts.height)
                inserts = inserts.with_columns(pl.lit(ids[table]).gather(pl.col("_new")).alias("id"))
                if table == "orders":
                    seq = _order_numbers(conn, inserts.height)
                    inserts = inserts.with_columns(
                        (
                            pl.lit("SO-") + pl.lit(seq).gather(pl.col("_new")).cast(pl.String).str.zfill(6)
                        ).alias("number")
                    )
            if inserts.height:
                _insert(conn, table, inserts, chunk_done)
            if updates.height:
                _update(conn, table, updates, now)
            if table in ENTITY:
                for frame, verb in ((inserts, "created"), (updates, "updated")):
                    if frame.height:
                        events.append(
                            frame.select(
                                pl.lit(ENTITY[table]).alias("entity_type"),
                                pl.col("id").alias("entity_id"),
                                pl.lit("import").alias("action"),
                                pl.lit(None, dtype=pl.String).alias("from_state"),
                                pl.col("_state").alias("to_state"),
                                pl.lit(actor_id).alias("actor_id"),
                                pl.lit(now).alias("at"),
                                pl.format(f"{verb} from {file_name[:150]} row {{}}", pl.col(ROW)).alias(
                                    "note"
                                ),
                            )
                        )
        if events:
            report(0.92, "Writing events…")
            _insert(conn, "events", pl.concat(events))
        commit_version(conn)  # last: stamps every row written above (see crm_core.store.changes)
    report(1.0, "Done")
