"""The store side of cold-start scoring: read what the rules need, write the derived factors.

The writes are one transaction: one UPDATE … FROM a temporary table that fills each factor only
while it is still empty (`COALESCE(factor, derived)`, so a score a person saved a moment ago is
kept even then), one `derive_scores` event per opportunity naming the factors and values filled,
and the data version bumped once.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import select

from crm_core.opportunities import FACTORS
from crm_core.store.bulk import bulk_insert
from crm_core.store.changes import commit_version
from crm_core.store.columnar import read_select
from crm_core.store.engine import WRITE_OPTION, Store, guard_unavailable
from crm_core.store.models import PENDING, Customer, Opportunity, Order

CHUNK = 50_000
SCRATCH = "derived_scores"  # a temporary table, this transaction only
ACTION = "derive_scores"


def read_enrichment_inputs(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Opportunities (with what the rules read), customers and orders, as frames."""
    opportunities = read_select(
        store,
        select(
            Opportunity.id,
            Opportunity.customer_id,
            Opportunity.owner_id,
            Opportunity.stage,
            Opportunity.created_at,
            Opportunity.closed_at,
            Opportunity.expected_amount_cents,
            Opportunity.budget_cents,
            Opportunity.decision_maker,
            Opportunity.need_summary,
            Opportunity.purchase_timeframe,
            Opportunity.version,
            *(getattr(Opportunity, f) for f in FACTORS),
        ).order_by(Opportunity.id),
    )
    customers = read_select(
        store, select(Customer.id, Customer.industry, Customer.employees, Customer.annual_revenue_cents)
    )
    # In time order (the index on created_at): the as-of joins then sort data already sorted.
    orders = read_select(store, select(Order.customer_id, Order.created_at).order_by(Order.created_at))
    return opportunities, customers, orders


def _note(source: str) -> pl.Expr:
    """ "derived segmentation 8, relationship_level 1 (rules: enrichment_rules.toml)" per row."""
    parts = [
        pl.when(pl.col(f"filled_{f}")).then(
            pl.format(f"{f} {{}}", pl.col(f).round(2).cast(pl.String).str.strip_suffix(".0"))
        )
        for f in FACTORS
    ]
    return pl.format(
        "derived {} (rules: {})",
        pl.concat_str(parts, separator=", ", ignore_nulls=True),
        pl.lit(source[:150]),
    )


def _load_scratch(conn: sa.Connection, fills: pl.DataFrame) -> None:
    """The derived factors into a temporary table `derived_scores` (id, version read, the eight factors)."""
    columns = "version BIGINT, " + ", ".join(f"{f} DOUBLE PRECISION" for f in FACTORS)
    frame = fills.select("id", "version", *FACTORS)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE {SCRATCH} (id BIGINT PRIMARY KEY, {columns}) ON COMMIT DROP")
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        with dbapi.cursor() as cursor:  # type: ignore[attr-defined]
            for start in range(0, frame.height, CHUNK):
                buffer = io.BytesIO()
                frame.slice(start, CHUNK).write_csv(buffer, include_header=False, null_value="")
                with cursor.copy(f"COPY {SCRATCH} FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
        return
    conn.exec_driver_sql(f"CREATE TEMP TABLE {SCRATCH} (id INTEGER PRIMARY KEY, {columns})")
    placeholders = ", ".join("?" for _ in frame.columns)
    for start in range(0, frame.height, CHUNK):
        conn.exec_driver_sql(
            f"INSERT INTO {SCRATCH} VALUES ({placeholders})", frame.slice(start, CHUNK).rows()
        )


def write_derived(store: Store, fills: pl.DataFrame, *, actor_id: int, now: datetime, source: str) -> int:
    """Fill the still-empty factors of `fills`' opportunities and record an event for each; returns
    how many were written.

    The values go into a temporary table first (COPY on PostgreSQL, one prepared INSERT on
    SQLite), then one `UPDATE … FROM` joins it: far cheaper than an UPDATE statement per deal.
    A deal whose version moved on since `fills` was read (someone changed it meanwhile) is left
    as it is, and gets no event: applying again fills it."""
    assignments = ", ".join(f"{f} = COALESCE(opportunities.{f}, d.{f})" for f in FACTORS)
    now_param = sa.bindparam("now", type_=sa.DateTime())
    update = sa.text(
        f"UPDATE opportunities SET {assignments}, updated_at = :now, version = opportunities.version + 1, "
        f"row_version = {PENDING} "
        f"FROM {SCRATCH} AS d WHERE opportunities.id = d.id AND opportunities.version = d.version"
    ).bindparams(now_param)
    written_ids = sa.text(
        f"SELECT d.id FROM {SCRATCH} AS d JOIN opportunities AS o ON o.id = d.id "
        "WHERE o.version = d.version + 1 AND o.updated_at = :now"
    ).bindparams(now_param)
    naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        _load_scratch(conn, fills)
        conn.execute(update, {"now": naive_now})
        written = pl.Series(
            "id", conn.execute(written_ids, {"now": naive_now}).scalars().all(), dtype=pl.Int64
        )
        if conn.dialect.name != "postgresql":
            conn.exec_driver_sql(f"DROP TABLE temp.{SCRATCH}")
        events = fills.filter(pl.col("id").is_in(written.implode())).select(
            pl.lit("opportunity").alias("entity_type"),
            pl.col("id").alias("entity_id"),
            pl.lit(ACTION).alias("action"),
            pl.lit(None, dtype=pl.String).alias("from_state"),
            pl.lit(None, dtype=pl.String).alias("to_state"),
            pl.lit(actor_id).alias("actor_id"),
            pl.lit(now).alias("at"),
            _note(source).alias("note"),
        )
        bulk_insert(conn, "events", events, row_version=PENDING)
        commit_version(conn)  # last: stamps the opportunities and events written above
    return events.height
