"""Tables as people read them: beside every id, the name it stands for (one query per table).

`crm_core.io.export` then turns cents into currency units and basis points into percent; the
raw table (`frames.read_table`) stays available for machines."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Column, Select, func, select

from crm_core.store.columnar import read_select
from crm_core.store.engine import Store
from crm_core.store.models import Base, Customer, Opportunity, Order, OrderLine, Product, data_columns

# For a foreign key into each table: the columns that name the row, and what they are called.
# A key `<thing>_id` gets `<thing>` (`customer_id` → `customer`, the importer's field name);
# a user key without `_id` (`created_by`) gets `<key>_name`.
NAMED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "users": (("name", ""),),
    "customers": (("name", ""),),
    "products": (("sku", "sku"), ("name", "")),
    "warehouses": (("code", ""),),
    "orders": (("number", ""),),
    "invoices": (("number", ""),),
    "opportunities": (("title", ""),),
    "order_lines": (("line_no", "line_no"),),
}


def _label_name(key: str, suffix: str) -> str:
    if suffix:  # a column of its own name: `sku`, `line_no`
        return suffix
    return key.removesuffix("_id") if key.endswith("_id") else f"{key}_name"


def readable_select(name: str) -> Select:
    """The table's columns with, right after each foreign key, the columns that name its target."""
    table = Base.metadata.tables[name]
    columns: list = []
    joined = table
    for column in data_columns(table):
        columns.append(column)
        key: Column = column
        for fk in key.foreign_keys:
            target = fk.column.table
            named = NAMED_BY.get(target.name)
            if not named:
                continue
            alias = target.alias(f"{column.name}_target")
            joined = joined.outerjoin(alias, column == alias.c[fk.column.name])
            columns += [alias.c[col].label(_label_name(column.name, suffix)) for col, suffix in named]
    return select(*columns).select_from(joined).order_by(*table.primary_key.columns)


def read_readable_table(store: Store, name: str, limit: int | None = None) -> pl.DataFrame:
    stmt = readable_select(name)
    return read_select(store, stmt if limit is None else stmt.limit(limit))


def order_lines_export_select() -> Select:
    """Orders as the importer reads them back: one row per order line, the order's fields beside
    it, `order_key` = the order's external id, else its number (so lines group into their order)."""
    orders, lines = Order.__table__, OrderLine.__table__
    return (
        select(
            func.coalesce(orders.c.external_id, orders.c.number).label("order_key"),
            orders.c.number,
            Customer.__table__.c.name.label("customer"),
            Customer.__table__.c.external_id.label("customer_external_id"),
            Customer.__table__.c.region.label("customer_region"),
            lines.c.line_no,
            Product.__table__.c.sku,
            Product.__table__.c.name.label("product"),
            lines.c.quantity,
            lines.c.unit_price_cents,
            lines.c.discount_bp,
            orders.c.status,
            orders.c.created_at,
            orders.c.delivered_at,
            orders.c.payment_method,
            orders.c.delivery_method,
            orders.c.shipping_cents,
            orders.c.tax_rate_bp,
            orders.c.requested_date,
            orders.c.notes,
            Opportunity.__table__.c.external_id.label("opportunity_external_id"),
        )
        .select_from(lines)
        .join(orders, orders.c.id == lines.c.order_id)
        .join(Customer.__table__, Customer.__table__.c.id == orders.c.customer_id)
        .join(Product.__table__, Product.__table__.c.id == lines.c.product_id)
        .outerjoin(Opportunity.__table__, Opportunity.__table__.c.id == orders.c.opportunity_id)
        .order_by(orders.c.id, lines.c.line_no)
    )


def read_order_lines_export(store: Store) -> pl.DataFrame:
    return read_select(store, order_lines_export_select())
