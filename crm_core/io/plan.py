"""From a parsed file to a plan of writes: rows checked and matched, problems listed, records to
create and to update — all as Polars frames, nothing written. `crm_core.store.imports` carries
a plan out in one transaction; a dry run stops here.

Each kind (customers, products here; opportunities in `plan_opportunities`, orders in
`plan_orders`) adds its own reason columns (`_why_<field>` or `_why_<field>__<what>`); every
non-null reason becomes one line of the report, naming the file's row and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from crm_core.io.fields import Kind
from crm_core.io.mapping import ColumnMapping, check_mapping
from crm_core.io.parse import normalised, parse_fields, raw, select_fields
from crm_core.io.read import ROW
from crm_core.io.report import PROBLEM_SCHEMA, empty_problems
from crm_core.io.resolve import References
from crm_core.opportunities import BANT_FACTORS

# A Polars dtype as code names it: an instance (`pl.Datetime("us")`) or the class (`pl.Int64`).
DType = pl.DataType | type[pl.DataType]
WHY = "_why_"
KEEP = "_keep_"  # `_keep_<column>` on an update row: the file left it empty, the stored value stays
MAX_QUOTED_VALUE = 200
# Field names that carry money, percentages or ids in the file → the store's column.
DB_COLUMN = {
    "annual_revenue": "annual_revenue_cents",
    "credit_limit": "credit_limit_cents",
    "list_price": "list_price_cents",
    "expected_amount": "expected_amount_cents",
    "budget": "budget_cents",
    **{f"{f}_score": f for f in BANT_FACTORS},  # BANT scores: `budget_score` → the `budget` column
    "unit_price": "unit_price_cents",
    "discount": "discount_bp",
    "shipping": "shipping_cents",
    "tax_rate": "tax_rate_bp",
}


@dataclass(frozen=True)
class ImportOptions:
    lenient: bool = False
    create_missing: bool = False  # customers and products the file names; owners as new reps
    dry_run: bool = False
    owner_email: str | None = None  # owns the deals of a file without an owner column


@dataclass(frozen=True)
class Context:
    kind: Kind
    mapping: ColumnMapping
    refs: References
    options: ImportOptions
    now: datetime  # naive UTC
    actor_id: int
    file_name: str
    notes: list[str] = field(default_factory=list)  # what the checks want the report to say
    default_owner: int | None = None  # the owner of deals whose row names none (default: actor_id)


@dataclass
class TableWrites:
    """New rows (numbered `_new`, with `_new_<fk>` pointing at new parents) and updates by `id`.

    Both carry `_row` (the file row, for the event note) and `_state` (for the event)."""

    inserts: pl.DataFrame = field(default_factory=pl.DataFrame)
    updates: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass
class Plan:
    kind: Kind
    rows_read: int
    problems: pl.DataFrame
    notes: list[str]
    tables: dict[str, TableWrites] = field(default_factory=dict)
    replace_lines_of: list[int] = field(default_factory=list)  # existing orders whose lines are replaced

    @property
    def rows_rejected(self) -> int:
        return self.problems["row"].n_unique() if self.problems.height else 0

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        created = {t: w.inserts.height for t, w in self.tables.items() if t != "order_lines"}
        updated = {t: w.updates.height for t, w in self.tables.items() if t != "order_lines"}
        return created, updated


Builder = Callable[[pl.DataFrame, Context], tuple[dict[str, TableWrites], list[str], list[int]]]


def problems_of(frame: pl.DataFrame, mapping: ColumnMapping) -> pl.DataFrame:
    """One row per non-null reason column value: row, column (as the file names it), value, reason."""
    parts = []
    for col in frame.columns:
        if not col.startswith(WHY):
            continue
        name = col[len(WHY) :].split("__", 1)[0]
        value = pl.col(raw(name)) if raw(name) in frame.columns else pl.lit(None, dtype=pl.String)
        value = value.cast(pl.String)
        # A report quotes the value, not a megabyte of it (the page, the CLI and the CSV show it).
        value = (
            pl.when(value.str.len_chars() > MAX_QUOTED_VALUE)
            .then(value.str.slice(0, MAX_QUOTED_VALUE) + pl.lit("…"))
            .otherwise(value)
        )
        parts.append(
            frame.filter(pl.col(col).is_not_null()).select(
                pl.col(ROW).alias("row"),
                pl.lit(mapping.source_of(name)).alias("column"),
                value.alias("value"),
                pl.col(col).alias("reason"),
            )
        )
    if not parts:
        return empty_problems()
    return pl.concat(parts).cast(PROBLEM_SCHEMA).sort("row", maintain_order=True)


def build_plan(
    raw_frame: pl.DataFrame,
    ctx: Context,
    checks: Callable[[pl.LazyFrame, Context], pl.LazyFrame],
    builder: Builder,
) -> Plan:
    """Parse, run the kind's checks, list the problems, and build the writes for the accepted rows."""
    check_mapping(ctx.mapping, ctx.kind, [c for c in raw_frame.columns if c != ROW])
    parsed = parse_fields(select_fields(raw_frame, ctx.kind, ctx.mapping), ctx.kind, ctx.mapping)
    checked = checks(parsed, ctx).collect()
    problems = problems_of(checked, ctx.mapping)
    plan = Plan(ctx.kind, raw_frame.height, problems, [])
    if problems.height and not ctx.options.lenient:
        return plan
    keep = [c for c in checked.columns if not c.startswith((WHY, "_raw_"))]  # reasons and raw text are done
    accepted = checked.filter(~pl.col(ROW).is_in(problems["row"].implode())).select(keep)
    del checked
    if accepted.is_empty():
        return plan
    plan.tables, notes, plan.replace_lines_of = builder(accepted, ctx)
    plan.notes = ctx.notes + notes
    return plan


def provided(ctx: Context, *names: str) -> list[str]:
    return [n for n in names if ctx.mapping.provides(n)]


def as_db(frame: pl.DataFrame, names: list[str]) -> list[pl.Expr]:
    return [pl.col(n).alias(DB_COLUMN.get(n, n)) for n in names if n in frame.columns]


def keep_where_empty(updates: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Mark, per update row, the given columns the file left empty: an update changes only the
    fields the file gives values for."""
    return updates.with_columns(
        pl.col(c).is_null().alias(f"{KEEP}{c}") for c in columns if c in updates.columns
    )


def duplicate_reason(key: pl.Expr, what: str) -> pl.Expr:
    """Rows after the first with the same key: 'duplicate of row N (same …)'."""
    first = pl.col(ROW).min().over(key)
    return (
        pl.when(key.is_not_null() & (pl.col(ROW) != first))
        .then(pl.format("duplicate of row {} (same {})", first, pl.lit(what)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def split_existing(
    accepted: pl.DataFrame, ctx: Context, columns: list[str], state: pl.Expr | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows without an `id`: new, numbered `_new`) and (rows with one: updates of the provided columns)."""
    state_expr = (state if state is not None else pl.lit(None, dtype=pl.String)).alias("_state")
    inserts = (
        accepted.filter(pl.col("id").is_null())
        .sort(ROW)
        .with_row_index("_new")
        .with_columns(pl.col("_new").cast(pl.Int64), state_expr)
    )
    updates = accepted.filter(pl.col("id").is_not_null()).select(
        "id",
        ROW,
        *[c for c in columns if c in accepted.columns and c not in ("id", ROW, "_state")],
        state_expr,
    )
    return inserts, updates


# ---------------------------------------------------------------- customers


CUSTOMER_COLUMNS = [
    "external_id", "name", "industry", "employees", "annual_revenue", "region", "credit_limit", "blocked",
    "contact_name", "contact_email", "contact_phone", "billing_address", "shipping_address", "tax_id",
]  # fmt: skip


def customer_checks(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    names = frame.collect_schema().names()
    ext = pl.col("external_id") if "external_id" in names else pl.lit(None, dtype=pl.String)
    key = pl.coalesce(pl.lit("x:") + ext, pl.lit("n:") + normalised(pl.col("name")))
    by_ext = (
        ctx.refs.customers.lazy()
        .filter(pl.col("external_id").is_not_null())
        .select(pl.col("external_id").alias("_ext"), pl.col("id").alias("_id_ext"))
    )
    by_name = (
        ctx.refs.customers.lazy()
        .filter(pl.col("external_id").is_null())
        .select(normalised(pl.col("name")).alias("_norm"), pl.col("id").alias("_id_name"))
        .group_by("_norm")
        .agg(pl.col("_id_name").min())
    )
    return (
        frame.with_columns(
            ext.alias("_ext"),
            normalised(pl.col("name")).alias("_norm"),
            duplicate_reason(key, "external id" if "external_id" in names else "name").alias(
                f"{WHY}{'external_id' if 'external_id' in names else 'name'}__dup"
            ),
        )
        .join(by_ext, on="_ext", how="left", maintain_order="left")
        .join(by_name, on="_norm", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_ext").is_not_null())
            .then(pl.coalesce("_id_ext", "_id_name"))
            .otherwise(pl.col("_id_name"))
            .alias("id")
        )
    )


def customer_writes(
    accepted: pl.DataFrame, ctx: Context
) -> tuple[dict[str, TableWrites], list[str], list[int]]:
    columns = provided(ctx, *CUSTOMER_COLUMNS)
    inserts, updates = split_existing(accepted, ctx, columns)
    inserts = new_customer_rows(inserts, ctx)
    updates = updates.select("id", ROW, "_state", *as_db(updates, columns))
    updates = keep_where_empty(updates, [c for c in updates.columns if not c.startswith("_") and c != "id"])
    return {"customers": TableWrites(inserts, updates)}, [], []


def new_customer_rows(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Complete rows for the customers table, defaults filled in."""

    def get(name: str, default: object = None, dtype: DType = pl.String) -> pl.Expr:
        value = pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype)
        return (value.fill_null(pl.lit(default, dtype=dtype)) if default is not None else value).alias(
            DB_COLUMN.get(name, name)
        )

    return frame.select(
        "_new",
        ROW,
        "_state",
        get("external_id"),
        get("name"),
        get("industry"),
        get("employees", dtype=pl.Int64),
        get("annual_revenue", dtype=pl.Int64),
        get("region"),
        get("credit_limit", 0, pl.Int64),
        get("blocked", False, pl.Boolean),
        get("contact_name"),
        get("contact_email"),
        get("contact_phone"),
        get("billing_address"),
        get("shipping_address"),
        get("tax_id"),
        pl.lit(ctx.now).alias("created_at"),
        pl.lit(ctx.now).alias("updated_at"),
    )


# ---------------------------------------------------------------- products


def product_checks(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    existing = ctx.refs.products.lazy().select(pl.col("sku").str.to_uppercase().alias("_sku"), pl.col("id"))
    return frame.with_columns(
        pl.col("sku").str.to_uppercase().alias("_sku"),
        duplicate_reason(pl.col("sku").str.to_uppercase(), "SKU").alias(f"{WHY}sku__dup"),
    ).join(existing, on="_sku", how="left", maintain_order="left")


def product_writes(
    accepted: pl.DataFrame, ctx: Context
) -> tuple[dict[str, TableWrites], list[str], list[int]]:
    columns = provided(ctx, "sku", "name", "list_price", "active")
    inserts, updates = split_existing(accepted, ctx, columns)
    active = pl.col("active").fill_null(True) if "active" in inserts.columns else pl.lit(True)
    inserts = inserts.select(
        "_new",
        ROW,
        "_state",
        "sku",
        "name",
        pl.col("list_price").alias("list_price_cents"),
        active.alias("active"),
    )
    updates = updates.select("id", ROW, "_state", *as_db(updates, columns))
    updates = keep_where_empty(updates, [c for c in updates.columns if not c.startswith("_") and c != "id"])
    return {"products": TableWrites(inserts, updates)}, [], []
