"""Planning imports of orders: one row per order line, grouped into orders by `order_key`.

How messy exports are treated (also in the README):
- accounts and products the store does not have: rejected with the reason, or created from the
  file with `create_missing` (a customer named by the file, or 'Customer <their id>'; a product
  with the file's SKU, or 'IMP-<NAME>' when only a name is given, priced at the file's median);
- product names that differ slightly from the product list: matched (see `resolve`) and reported;
- invoices numbered `C<digits>` (retail cancellations): imported as *cancelled* orders, their
  negative quantities taken as the cancelled amounts;
- any other quantity ≤ 0: the line is rejected ("a negative quantity is a return");
- a unit price of 0: rejected (free or adjustment lines are not sales); a missing price takes the
  product's list price;
- a line without a customer: rejected ("customer is missing");
- an order whose lines name different customers, or that has any rejected line: all its lines
  are rejected, so an order is never imported with lines missing.
"""

from __future__ import annotations

import polars as pl

from crm_core.io.plan import WHY, Context, TableWrites, as_db, provided, split_existing
from crm_core.io.plan_opportunities import (
    NULL,
    check_customer_refs,
    check_product_refs,
    column_or_null,
    new_master_data,
    report_label,
)
from crm_core.io.read import ROW
from crm_core.money import line_total_expr

CANCELLED_INVOICE = r"^C\d+$"


def order_checks(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    frame = check_customer_refs(frame, ctx)
    sku = "sku" if ctx.mapping.provides("sku") else None
    name = "product" if ctx.mapping.provides("product") else None
    collected, notes = check_product_refs(frame.collect(), ctx, sku=sku, name=name)
    ctx.notes.extend(notes)
    frame = collected.lazy()
    key = pl.col("order_key")
    cancelled = key.str.contains(CANCELLED_INVOICE).fill_null(False)
    quantity = column_or_null(frame, "quantity", pl.Int64)
    price = column_or_null(frame, "unit_price", pl.Int64)
    list_price = ctx.refs.products.lazy().select(
        pl.col("id").alias("product_id"), pl.col("list_price_cents").alias("_list_price")
    )
    opportunities = ctx.refs.opportunities.lazy().select(
        pl.col("external_id").alias("_opp_ext"),
        pl.col("id").alias("opportunity_id"),
        pl.col("customer_id").alias("_opp_customer"),
    )
    orders = ctx.refs.orders.lazy().select(pl.col("external_id").alias("order_key"), "id", "locked")
    frame = (
        frame.with_columns(
            cancelled.alias("_cancelled"), column_or_null(frame, "opportunity_external_id").alias("_opp_ext")
        )
        .join(list_price, on="product_id", how="left", maintain_order="left")
        .join(opportunities, on="_opp_ext", how="left", maintain_order="left")
        .join(orders, on="order_key", how="left", maintain_order="left")
    )
    qty_reason = (
        pl.when(quantity.is_null())
        .then(pl.lit("is required"))
        .when(pl.col("_cancelled") & (quantity == 0))
        .then(pl.lit("must not be zero"))
        .when(~pl.col("_cancelled") & (quantity <= 0))
        .then(
            pl.lit(
                "must be more than zero (a negative quantity is a return; "
                "returns are imported only as cancelled C-invoices)"
            )
        )
        .otherwise(NULL)
    )
    price_reason = (
        pl.when(price == 0)
        .then(pl.lit("is zero: free or adjustment lines are not imported as sales"))
        .when(
            price.is_null()
            & column_or_null(frame, f"{WHY}unit_price").is_null()  # not a bad price, but none given
            & pl.col("_list_price").is_null()
            & pl.col("_prod_key").is_not_null()
        )
        .then(pl.lit("is missing and the product is new, so it has no list price"))
        .otherwise(NULL)
    )
    frame = frame.with_columns(
        qty_reason.alias(f"{WHY}quantity__rule"),
        price_reason.alias(f"{WHY}unit_price__rule"),
        pl.when(pl.col("_cust_key").n_unique().over(key) > 1)
        .then(pl.format("the lines of order {} name different customers", key))
        .otherwise(NULL)
        .alias(f"{WHY}{report_label(ctx, 'customer', 'customer_external_id')}__mixed"),
        pl.when(pl.col("_opp_ext").is_not_null() & pl.col("opportunity_id").is_null())
        .then(pl.format("no opportunity with external id '{}'", pl.col("_opp_ext")))
        .when(
            pl.col("opportunity_id").is_not_null()
            & (pl.col("_opp_customer") != pl.col("customer_id")).fill_null(True)
        )
        .then(pl.lit("the opportunity belongs to another customer"))
        .otherwise(NULL)
        .alias(f"{WHY}opportunity_external_id__ref"),
        pl.when(pl.col("locked").fill_null(False))
        .then(
            pl.format(
                "order {} already has stock allocated or an invoice in Scalewise; an import cannot change it",
                key,
            )
        )
        .otherwise(NULL)
        .alias(f"{WHY}order_key__locked"),
    )
    whys = [c for c in frame.collect_schema().names() if c.startswith(WHY)]
    bad = pl.any_horizontal(pl.col(c).is_not_null() for c in whys)
    first_bad = pl.when(bad).then(pl.col(ROW)).min().over(key)
    return frame.with_columns(
        pl.when(~bad & first_bad.is_not_null())
        .then(pl.format("not imported: another line of order {} was rejected (row {})", key, first_bad))
        .otherwise(NULL)
        .alias(f"{WHY}order_key__group")
    )


ORDER_HEADER = ["payment_method", "delivery_method", "shipping", "tax_rate", "requested_date", "notes"]


def order_writes(accepted: pl.DataFrame, ctx: Context) -> tuple[dict[str, TableWrites], list[str], list[int]]:
    price = pl.coalesce(column_or_null(accepted, "unit_price", pl.Int64), pl.col("_list_price"))
    accepted = accepted.with_columns(
        price.alias("unit_price_cents"),
        column_or_null(accepted, "quantity", pl.Int64).abs().alias("quantity"),
        column_or_null(accepted, "discount", pl.Int64).fill_null(0).alias("discount_bp"),
    )
    accepted, tables = new_master_data(accepted, ctx, price=pl.col("unit_price_cents"), sku_given=True)
    lines = accepted.sort(ROW).with_columns(
        (pl.int_range(pl.len()).over("order_key") + 1).alias("line_no"),
        line_total_expr().alias("_line_total"),
    )
    first = [
        pl.col(c).first()
        for c in ("id", "customer_id", "_new_customer_id", "opportunity_id", "_cancelled", ROW)
        if c in lines.columns
    ]
    header_fields = [c for c in ("status", "created_at", "delivered_at", *ORDER_HEADER) if c in lines.columns]
    orders = (
        lines.group_by("order_key", maintain_order=True)
        .agg(
            *first,
            *[pl.col(c).first() for c in header_fields],
            pl.col("_line_total").sum().alias("_subtotal"),
        )
        .with_columns(
            column_or_null(lines, "shipping", pl.Int64).fill_null(0).alias("shipping_cents"),
            column_or_null(lines, "tax_rate", pl.Int64).fill_null(0).alias("tax_rate_bp"),
            pl.when(pl.col("_cancelled"))
            .then(pl.lit("cancelled"))
            .otherwise(column_or_null(lines, "status").fill_null("entered"))
            .alias("status"),
            column_or_null(lines, "created_at", pl.Datetime("us"))
            .fill_null(pl.lit(ctx.now))
            .alias("created_at"),
        )
        .with_columns(
            ((2 * pl.col("_subtotal") * pl.col("tax_rate_bp") + 10_000) // 20_000).alias("_tax"),
            pl.when(pl.col("status") == "delivered")
            .then(pl.coalesce(column_or_null(lines, "delivered_at", pl.Datetime("us")), "created_at"))
            .alias("delivered_at"),
        )
        .with_columns(
            (pl.col("_subtotal") + pl.col("shipping_cents") + pl.col("_tax")).alias("total_cents"),
            pl.when(pl.col("status").is_in(["shipped", "delivered"]))
            .then(pl.coalesce("delivered_at", "created_at"))
            .alias("shipped_at"),
            pl.coalesce("delivered_at", "created_at").alias("status_changed_at"),
            pl.when(pl.col("status") == "on_hold").then(pl.lit("entered")).alias("held_from"),
            pl.when(pl.col("status") == "on_hold").then(pl.lit("Imported on hold")).alias("hold_reason"),
            pl.when(pl.col("_cancelled"))
            .then(pl.format("Cancelled in the source system (invoice {})", "order_key"))
            .alias("cancel_reason"),
            pl.col("order_key").alias("external_id"),
        )
    )
    base = [
        "external_id", "customer_id", "status", "held_from", "hold_reason", "cancel_reason", "total_cents",
        "shipping_cents", "tax_rate_bp", "created_at", "status_changed_at", "shipped_at", "delivered_at",
    ]  # fmt: skip
    optional = [c for c in ("_new_customer_id", "opportunity_id") if c in orders.columns]
    inserts, updates = split_existing(orders, ctx, orders.columns, state=pl.col("status"))
    inserts = inserts.select(
        "_new",
        ROW,
        "_state",
        *base,
        *optional,
        column_or_null(inserts, "payment_method").fill_null("bank_transfer").alias("payment_method"),
        column_or_null(inserts, "delivery_method").fill_null("standard").alias("delivery_method"),
        *as_db(inserts, [c for c in ("requested_date", "notes") if c in inserts.columns]),
        pl.lit(False).alias("refund_due"),
        pl.lit(ctx.actor_id).alias("created_by"),
        pl.lit(ctx.now).alias("updated_at"),
        pl.lit(1).alias("version"),
    )
    updates = updates.select(
        "id",
        ROW,
        "_state",
        *[c for c in base if c != "external_id"],
        *optional,
        # shipping and tax rate are in `base` already (filled with their defaults)
        *as_db(updates, [c for c in provided(ctx, *ORDER_HEADER) if c not in ("shipping", "tax_rate")]),
    )
    line_cols = ["line_no", "product_id", "quantity", "unit_price_cents", "discount_bp"]
    line_rows = lines.join(
        inserts.select("external_id", pl.col("_new").alias("_new_order_id")),
        left_on="order_key",
        right_on="external_id",
        how="left",
        maintain_order="left",
    ).select(
        ROW,
        pl.col("id").alias("order_id"),
        "_new_order_id",
        *line_cols,
        *[c for c in ("_new_product_id",) if c in lines.columns],
    )
    tables["orders"] = TableWrites(inserts, updates)
    tables["order_lines"] = TableWrites(line_rows.with_columns(NULL.alias("_state")), pl.DataFrame())
    notes = []
    n_cancelled = orders.filter(pl.col("_cancelled")).height
    if n_cancelled:
        notes.append(f"{n_cancelled:,} C-numbered invoice(s) were imported as cancelled orders")
    return tables, notes, updates["id"].to_list()
