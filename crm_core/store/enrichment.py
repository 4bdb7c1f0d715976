"""The store side of cold-start scoring: read what the rules need, write the derived factors.

The writes are one transaction: a bulk UPDATE that fills each factor only while it is still
empty (`COALESCE(factor, derived)`, so a score a person saved a moment ago is kept even then),
one `derive_scores` event per opportunity naming the factors and values filled, and the data
version bumped once.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import select

from crm_core.opportunities import FACTORS
from crm_core.store.bulk import bulk_insert, typed_table
from crm_core.store.columnar import read_select
from crm_core.store.engine import WRITE_OPTION, Store, guard_unavailable
from crm_core.store.models import Customer, Meta, Opportunity, Order
from crm_core.store.uow import DATA_VERSION_KEY

CHUNK = 20_000
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
            *(getattr(Opportunity, f) for f in FACTORS),
        ).order_by(Opportunity.id),
    )
    customers = read_select(
        store, select(Customer.id, Customer.industry, Customer.employees, Customer.annual_revenue_cents)
    )
    orders = read_select(store, select(Order.customer_id, Order.created_at))
    return opportunities, customers, orders


def _note(fills: pl.DataFrame, source: str) -> pl.Expr:
    """ "segmentation 8, relationship_level 1 (rules: enrichment_rules.toml)" per row."""
    parts = [
        pl.when(pl.col("derived").list.contains(f)).then(
            pl.format(f"{f} {{}}", pl.col(f).round(2).cast(pl.String).str.strip_suffix(".0"))
        )
        for f in FACTORS
    ]
    return pl.format(
        "derived {} (rules: {})",
        pl.concat_list(parts).list.drop_nulls().list.join(", "),
        pl.lit(source[:150]),
    )


def write_derived(store: Store, fills: pl.DataFrame, *, actor_id: int, now: datetime, source: str) -> None:
    """Fill the still-empty factors of `fills`' opportunities and record an event for each."""
    target = typed_table("opportunities")
    values: dict[str, object] = {
        f: sa.func.coalesce(target.c[f], sa.bindparam(f"v_{f}", type_=sa.Float())) for f in FACTORS
    }
    values["updated_at"] = now
    values["version"] = target.c.version + 1
    stmt = sa.update(target).where(target.c.id == sa.bindparam("v_id")).values(values)
    rows = fills.select(pl.col(c).alias(f"v_{c}") for c in ("id", *FACTORS)).to_dicts()
    events = fills.select(
        pl.lit("opportunity").alias("entity_type"),
        pl.col("id").alias("entity_id"),
        pl.lit(ACTION).alias("action"),
        pl.lit(None, dtype=pl.String).alias("from_state"),
        pl.lit(None, dtype=pl.String).alias("to_state"),
        pl.lit(actor_id).alias("actor_id"),
        pl.lit(now).alias("at"),
        _note(fills, source).alias("note"),
    )
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(stmt, rows[start : start + CHUNK])
        bulk_insert(conn, "events", events)
        conn.execute(sa.update(Meta).where(Meta.key == DATA_VERSION_KEY).values(value=Meta.value + 1))
