"""Planning imports of opportunities, and the matching both deals and orders share (accounts,
products, new master data). The treatment of messy order exports is described in `plan_orders`."""

from __future__ import annotations

import polars as pl

from crm_core.io.plan import (
    DB_COLUMN,
    KEEP,
    WHY,
    Context,
    DType,
    TableWrites,
    as_db,
    duplicate_reason,
    keep_where_empty,
    new_customer_rows,
    provided,
    split_existing,
)
from crm_core.io.read import ROW
from crm_core.io.resolve import (
    fuzzy_product_matches,
    match_customers,
    match_owners,
    match_products,
    new_records,
)
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.validation import EMAIL_RE

NULL = pl.lit(None, dtype=pl.String)


def normalised_words(expr: pl.Expr) -> pl.Expr:
    """'Anna  Snelling-Smith' → 'anna.snelling.smith' (a placeholder email's local part)."""
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", ".").str.strip_chars(".").str.slice(0, 60)


LOST_REASON_DEFAULT = "Not recorded in the imported file"
NO_CUSTOMER = "customer is missing (the row names no account and no customer id)"


def column_or_null(frame: pl.LazyFrame | pl.DataFrame, name: str, dtype: DType = pl.String) -> pl.Expr:
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    return pl.col(name) if name in names else pl.lit(None, dtype=dtype)


def report_label(ctx: Context, *names: str) -> str:
    """The first of `names` the mapping provides (for the report's column), else the first."""
    return next((n for n in names if ctx.mapping.provides(n)), names[0])


def check_customer_refs(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    frame = match_customers(frame, ctx.refs)
    named = pl.col("_cust_key").is_not_null()
    missing = "no customer {} in Scalewise (import customers first, or create missing records)"
    label = report_label(ctx, "customer", "customer_external_id")
    return frame.with_columns(
        pl.when(~named)
        .then(pl.lit(NO_CUSTOMER))
        .when(pl.col("customer_id").is_null() & pl.lit(not ctx.options.create_missing))
        .then(
            pl.format(
                missing,
                pl.lit("'")
                + pl.coalesce(
                    column_or_null(frame, "customer"), column_or_null(frame, "customer_external_id")
                )
                + pl.lit("'"),
            )
        )
        .otherwise(NULL)
        .alias(f"{WHY}{label}__ref")
    )


def check_product_refs(
    frame: pl.DataFrame, ctx: Context, *, sku: str | None, name: str | None
) -> tuple[pl.DataFrame, list[str]]:
    if not sku and not name:
        return frame.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("product_id"),
            NULL.alias("_prod_key"),
            NULL.alias("_prod_how"),
            NULL.alias("_prod_norm"),
        ), []
    frame = match_products(frame.lazy(), ctx.refs, sku=sku, name=name).collect()
    unmatched = frame.filter(
        pl.col("product_id").is_null()
        & pl.col("_prod_norm").is_not_null()
        & (pl.col("_prod_sku").is_null() | pl.lit(sku == name))  # a given SKU is never matched loosely
    )
    shown_as = unmatched.group_by("_prod_norm").agg(pl.col(name or sku or "").first()).sort("_prod_norm")
    fuzzy, notes = fuzzy_product_matches(dict(zip(*shown_as.get_columns(), strict=True)), ctx.refs)
    frame = (
        frame.join(fuzzy, on="_prod_norm", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("product_id", "_pid_fuzzy").alias("product_id"),
            pl.when(pl.col("_pid_fuzzy").is_not_null())
            .then(pl.lit("loose"))
            .otherwise("_prod_how")
            .alias("_prod_how"),
        )
        .drop("_pid_fuzzy")
    )
    shown = column_or_null(frame, name or sku or "", pl.String) if (name or sku) else NULL
    label = report_label(ctx, *(n for n in (sku, name) if n))
    unknown = (
        pl.col("_prod_key").is_not_null()
        & pl.col("product_id").is_null()
        & pl.lit(not ctx.options.create_missing)
    )
    reason = pl.format(
        "no product {} in the product list (import products first, or create missing records)",
        pl.lit("'") + pl.coalesce(column_or_null(frame, sku or "", pl.String), shown) + pl.lit("'"),
    )
    # The report names the column the row's product came from: its SKU, else its name.
    by_name = pl.lit(bool(sku and name and sku != name)) & column_or_null(frame, sku or "").is_null()
    return frame.with_columns(
        pl.when(pl.col("_prod_key").is_null() & pl.lit(ctx.kind.value == "orders"))
        .then(pl.lit("product is missing (no SKU and no product name)"))
        .when(unknown & ~by_name)
        .then(reason)
        .otherwise(NULL)
        .alias(f"{WHY}{label}__ref"),
        pl.when(unknown & by_name).then(reason).otherwise(NULL).alias(f"{WHY}{name or label}__byname"),
    ), notes


def new_master_data(
    accepted: pl.DataFrame, ctx: Context, *, price: pl.Expr, sku_given: bool
) -> tuple[pl.DataFrame, dict[str, TableWrites]]:
    """Customers and products the accepted rows name but the store lacks (created with create_missing)."""
    tables: dict[str, TableWrites] = {}
    customers, accepted = new_records(
        accepted,
        "_cust_key",
        "customer_id",
        [
            column_or_null(accepted, "customer_external_id").drop_nulls().first().alias("external_id"),
            pl.coalesce(
                column_or_null(accepted, "customer").drop_nulls().first(),
                pl.lit("Customer ") + column_or_null(accepted, "customer_external_id").drop_nulls().first(),
            ).alias("name"),
            column_or_null(accepted, "customer_region").drop_nulls().first().alias("region"),
        ],
    )
    if customers.height:
        tables["customers"] = TableWrites(
            new_customer_rows(customers.rename({"_first_row": ROW}).with_columns(NULL.alias("_state")), ctx),
            pl.DataFrame(),
        )
    generated = pl.lit("IMP-") + pl.col("_prod_norm").first().str.to_uppercase().str.slice(0, 56)
    sku = (
        pl.coalesce(column_or_null(accepted, "sku").drop_nulls().first(), generated)
        if sku_given
        else generated
    )
    products, accepted = new_records(
        accepted,
        "_prod_key",
        "product_id",
        [
            sku.alias("sku"),
            pl.coalesce(
                column_or_null(accepted, "product").drop_nulls().first(),
                column_or_null(accepted, "sku").drop_nulls().first(),
            ).alias("name"),
            price.median().round(0).cast(pl.Int64).fill_null(0).alias("list_price_cents"),
        ],
    )
    if products.height:
        tables["products"] = TableWrites(
            products.select(
                "_new",
                pl.col("_first_row").alias(ROW),
                NULL.alias("_state"),
                "sku",
                "name",
                "list_price_cents",
                pl.lit(True).alias("active"),
            ),
            pl.DataFrame(),
        )
    return accepted, tables


# ---------------------------------------------------------------- opportunities


def opportunity_checks(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    frame = check_customer_refs(frame, ctx)
    frame = match_owners(frame, ctx.refs, ctx.default_owner or ctx.actor_id)
    collected, notes = check_product_refs(
        frame.collect(),
        ctx,
        sku="product" if ctx.mapping.provides("product") else None,
        name="product" if ctx.mapping.provides("product") else None,
    )
    ctx.notes.extend(notes)
    frame = collected.lazy()
    stage = column_or_null(frame, "stage").fill_null("captured")
    closed_stage = stage.is_in(["won", "lost"])
    close_date = column_or_null(frame, "expected_close_date", pl.Date).cast(pl.Datetime("us"))
    created_in = column_or_null(frame, "created_at", pl.Datetime("us"))
    closed = pl.when(closed_stage).then(
        pl.coalesce(
            column_or_null(frame, "closed_at", pl.Datetime("us")), close_date, created_in, pl.lit(ctx.now)
        )
    )
    names = frame.collect_schema().names()
    ext = column_or_null(frame, "external_id")
    existing = ctx.refs.opportunities.lazy().select(pl.col("external_id").alias("_ext"), "id")
    return (
        frame.with_columns(
            stage.alias("stage"),
            closed.alias("closed_at"),
            ext.alias("_ext"),
            column_or_null(frame, "stage").alias("_stage_in"),  # as the file gives them, for updates
            created_in.alias("_created_in"),
        )
        .with_columns(
            pl.coalesce(created_in, pl.min_horizontal(pl.col("closed_at"), pl.lit(ctx.now))).alias(
                "created_at"
            )
        )
        .with_columns(
            pl.when(pl.col("closed_at") < pl.col("created_at"))
            .then(pl.lit("the deal closes before it was created (created_at)"))
            .otherwise(NULL)
            .alias(f"{WHY}{report_label(ctx, 'closed_at', 'expected_close_date')}__order"),
            pl.when(pl.col("owner_id").is_null() & pl.lit(not ctx.options.create_missing))
            .then(
                pl.format(
                    "no user {} in Scalewise (owners are matched by email or name; add them with "
                    "`users add` first, or create missing records to add them as reps)",
                    pl.lit("'") + column_or_null(frame, "owner") + pl.lit("'"),
                )
            )
            .otherwise(NULL)
            .alias(f"{WHY}owner__ref"),
            duplicate_reason(ext, "external id").alias(f"{WHY}external_id__dup")
            if "external_id" in names
            else NULL.alias("_nodup"),
        )
        .join(existing, on="_ext", how="left", maintain_order="left")
    )


OPPORTUNITY_SIMPLE = [
    "external_id", "contact_email", "contact_phone", "quantity", "expected_amount", "expected_close_date",
    "need_summary", "budget", "decision_maker", "purchase_timeframe", *SCALE_FACTORS,
    *(f"{f}_score" for f in BANT_FACTORS),
]  # fmt: skip


def opportunity_writes(
    accepted: pl.DataFrame, ctx: Context
) -> tuple[dict[str, TableWrites], list[str], list[int]]:
    amount = column_or_null(accepted, "expected_amount", pl.Int64) // column_or_null(
        accepted, "quantity", pl.Int64
    ).fill_null(1)
    accepted, tables = new_master_data(accepted, ctx, price=amount, sku_given=False)
    accepted, users, notes = new_owners(accepted, ctx)
    if users.height:
        tables["users"] = TableWrites(users, pl.DataFrame())
    names = ctx.refs.customers.select(pl.col("id").alias("customer_id"), pl.col("name").alias("_cust_name"))
    accepted = accepted.join(names, on="customer_id", how="left", maintain_order="left").with_columns(
        pl.coalesce(
            "_cust_name",
            column_or_null(accepted, "customer"),
            pl.lit("Customer ") + column_or_null(accepted, "customer_external_id"),
        ).alias("_cust_name")
    )
    product_name = ctx.refs.products.select(
        pl.col("id").alias("product_id"), pl.col("name").alias("_prod_name")
    )
    accepted = accepted.join(product_name, on="product_id", how="left", maintain_order="left").with_columns(
        pl.coalesce("_prod_name", column_or_null(accepted, "product")).alias("_prod_name")
    )
    derived = [
        pl.coalesce(
            column_or_null(accepted, "title"),
            pl.concat_str("_cust_name", pl.lit(" — ") + pl.col("_prod_name"), ignore_nulls=True),
        )
        .str.slice(0, 200)
        .alias("title"),
        pl.coalesce(column_or_null(accepted, "contact_name"), pl.col("_cust_name"))
        .str.slice(0, 200)
        .alias("contact_name"),
        pl.when(pl.col("stage") == "lost")
        .then(pl.coalesce(column_or_null(accepted, "lost_reason"), pl.lit(LOST_REASON_DEFAULT)))
        .alias("lost_reason"),
        pl.coalesce("closed_at", "created_at").alias("updated_at"),
    ]
    accepted = accepted.with_columns(derived)
    inserts, updates = split_existing(accepted, ctx, [], state=pl.col("stage"))
    fks = ["customer_id", "_new_customer_id", "owner_id", "_new_owner_id", "product_id", "_new_product_id"]
    inserts = inserts.select(
        "_new",
        ROW,
        "_state",
        *[c for c in fks if c in inserts.columns],
        "title",
        "contact_name",
        "stage",
        "lost_reason",
        "created_at",
        "updated_at",
        "closed_at",
        *as_db(inserts, [c for c in OPPORTUNITY_SIMPLE if c != "quantity" and c != "expected_amount"]),
        column_or_null(inserts, "quantity", pl.Int64).fill_null(1).alias("quantity"),
        column_or_null(inserts, "expected_amount", pl.Int64).fill_null(0).alias("expected_amount_cents"),
        pl.lit(1).alias("version"),
    )
    touched = provided(ctx, *OPPORTUNITY_SIMPLE)
    extra: list[str] = []
    if ctx.mapping.provides("customer") or ctx.mapping.provides("customer_external_id"):
        extra += ["customer_id", "_new_customer_id"]
    if ctx.mapping.provides("owner"):
        extra += ["owner_id", "_new_owner_id"]
    if ctx.mapping.provides("product"):
        extra += ["product_id", "_new_product_id"]
    if ctx.mapping.provides("stage"):
        extra += ["stage", "closed_at", "lost_reason"]
    extra += [c for c in ("title", "contact_name") if ctx.mapping.provides(c)]
    existing = accepted.filter(pl.col("id").is_not_null())
    # An update changes only the fields this row of the file gives values for (`_keep_<column>`).
    given = {
        "customer_id": pl.lit(True),
        "_new_customer_id": pl.lit(True),
        "owner_id": column_or_null(existing, "owner").is_not_null(),
        "_new_owner_id": column_or_null(existing, "owner").is_not_null(),
        "product_id": column_or_null(existing, "product").is_not_null(),
        "_new_product_id": column_or_null(existing, "product").is_not_null(),
        "stage": pl.col("_stage_in").is_not_null(),
        "closed_at": pl.col("_stage_in").is_not_null(),
        "lost_reason": pl.col("_stage_in").is_not_null(),
        "title": column_or_null(existing, "title").is_not_null(),
        "contact_name": column_or_null(existing, "contact_name").is_not_null(),
    }
    updates = existing.select(
        "id",
        ROW,
        pl.col("_stage_in").alias("_state"),
        *[c for c in extra if c in existing.columns],
        *([pl.col("_created_in").alias("created_at")] if ctx.mapping.provides("created_at") else []),
        *as_db(existing, touched),
        *[(~given[c]).alias(f"{KEEP}{c}") for c in extra if c in existing.columns and not c.startswith("_")],
    )
    updates = keep_where_empty(updates, ["created_at", *(DB_COLUMN.get(c, c) for c in touched)])
    tables["opportunities"] = TableWrites(inserts, updates)
    return tables, notes, []


PLACEHOLDER_DOMAIN = "imported.invalid"  # `.invalid` is reserved (RFC 2606): no mail can reach it


def new_owners(accepted: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Owners the file names who are not users, as new reps (with create_missing): their name from
    the file, their email from the file or a placeholder under `.invalid` that cannot get mail."""
    if "owner" not in accepted.columns or "owner_id" not in accepted.columns:
        return accepted, pl.DataFrame(), []
    owner = pl.col("owner")
    is_email = owner.str.contains(EMAIL_RE.pattern)
    accepted = accepted.with_columns(
        pl.when(pl.col("owner_id").is_null()).then(owner.str.to_lowercase()).alias("_own_key")
    )
    local = owner.first().str.split("@").list.first()
    slug = normalised_words(owner.first())
    users, accepted = new_records(
        accepted,
        "_own_key",
        "owner_id",
        [
            pl.when(is_email.first())
            .then(local.str.replace_all(r"[._-]+", " ").str.to_titlecase())
            .otherwise(owner.first())
            .str.slice(0, 200)
            .alias("name"),
            pl.when(is_email.first())
            .then(owner.first().str.to_lowercase())
            .otherwise(pl.format("{}@{}", slug, pl.lit(PLACEHOLDER_DOMAIN)))
            .alias("email"),
        ],
    )
    if users.is_empty():
        return accepted, pl.DataFrame(), []
    rows = users.select(
        "_new",
        pl.col("_first_row").alias(ROW),
        pl.lit("rep").alias("_state"),
        "name",
        "email",
        pl.lit("rep").alias("role"),
        pl.lit(True).alias("active"),
        pl.lit(ctx.now).alias("created_at"),
    )
    shown = ", ".join(rows.head(20).select(pl.format("{} <{}>", "name", "email")).to_series().to_list())
    more = f" and {rows.height - 20:,} more" if rows.height > 20 else ""
    notes = [f"{rows.height:,} owner(s) who were not users were added as reps: {shown}{more}"]
    return accepted, rows, notes
