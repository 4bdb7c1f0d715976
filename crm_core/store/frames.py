"""Read the store into Polars frames for analytics (the read side of the store).

Timestamps come back as naive UTC `Datetime("us")`, money as integer cents. Queries
are SQLAlchemy selects so they run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Select, select

from crm_core.store.engine import Store, guard_unavailable
from crm_core.store.models import (
    Base,
    Customer,
    Event,
    Invoice,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    Product,
    User,
    UTCDateTime,
)


def _schema_for(stmt: Select) -> dict[str, pl.DataType]:
    """Polars dtypes for a select's columns, so empty results and all-null columns keep their types."""
    mapping: dict[str, pl.DataType] = {}
    for col in stmt.selected_columns:
        kind = type(col.type).__name__
        if isinstance(col.type, UTCDateTime) or kind == "DateTime":
            mapping[col.key] = pl.Datetime("us")
        elif kind == "Date":
            mapping[col.key] = pl.Date
        elif kind in {"Integer", "BigInteger"}:
            mapping[col.key] = pl.Int64
        elif kind == "Float":
            mapping[col.key] = pl.Float64
        elif kind == "Boolean":
            mapping[col.key] = pl.Boolean
        else:
            mapping[col.key] = pl.String
    return mapping


def read_select(store: Store, stmt: Select) -> pl.DataFrame:
    """Run a select and return its rows as a typed frame."""
    schema = _schema_for(stmt)
    with guard_unavailable(store), store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    columns = list(schema)
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    frame = pl.DataFrame(
        data,
        schema={k: (pl.Datetime("us", "UTC") if v == pl.Datetime("us") else v) for k, v in schema.items()},
        strict=False,
    )
    return frame.with_columns(pl.col(pl.Datetime("us", "UTC")).dt.replace_time_zone(None))


def read_table(store: Store, name: str) -> pl.DataFrame:
    table = Base.metadata.tables[name]
    return read_select(store, select(*table.columns))


def opportunities_select() -> Select:
    owner = User.__table__.alias("owner")
    return (
        select(
            Opportunity.id,
            Opportunity.title,
            Opportunity.customer_id,
            Customer.name.label("customer"),
            Customer.industry,
            Customer.employees,
            Customer.region,
            Opportunity.owner_id,
            owner.c.name.label("owner"),
            Opportunity.product_id,
            Product.name.label("product"),
            Opportunity.quantity,
            Opportunity.expected_amount_cents,
            Opportunity.expected_close_date,
            Opportunity.stage,
            Opportunity.segmentation,
            Opportunity.customer_characteristics,
            Opportunity.relationship_level,
            Opportunity.account_resource,
            Opportunity.budget,
            Opportunity.authority,
            Opportunity.need,
            Opportunity.timing,
            Opportunity.lost_reason,
            Opportunity.contact_name,
            Opportunity.contact_email,
            Opportunity.created_at,
            Opportunity.updated_at,
            Opportunity.closed_at,
            Opportunity.version,
        )
        .join(Customer, Customer.id == Opportunity.customer_id)
        .join(owner, owner.c.id == Opportunity.owner_id)
        .outerjoin(Product, Product.id == Opportunity.product_id)
        .order_by(Opportunity.id)
    )


def orders_select() -> Select:
    return (
        select(
            Order.id,
            Order.number,
            Order.customer_id,
            Customer.name.label("customer"),
            Customer.industry,
            Customer.region,
            Order.opportunity_id,
            Order.status,
            Order.held_from,
            Order.hold_reason,
            Order.refund_due,
            Order.payment_method,
            Order.delivery_method,
            Order.requested_date,
            Order.promised_date,
            Order.total_cents,
            Order.created_at,
            Order.status_changed_at,
            Order.shipped_at,
            Order.delivered_at,
            Order.version,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .order_by(Order.id)
    )


def read_opportunities(store: Store) -> pl.DataFrame:
    return read_select(store, opportunities_select())


def read_orders(store: Store) -> pl.DataFrame:
    return read_select(store, orders_select())


def read_events(store: Store, entity_type: str | None = None) -> pl.DataFrame:
    stmt = select(
        Event.id,
        Event.entity_type,
        Event.entity_id,
        Event.action,
        Event.from_state,
        Event.to_state,
        Event.actor_id,
        Event.at,
        Event.note,
    ).order_by(Event.id)
    if entity_type:
        stmt = stmt.where(Event.entity_type == entity_type)
    return read_select(store, stmt)


def read_payments(store: Store) -> pl.DataFrame:
    return read_select(
        store, select(Payment.id, Payment.order_id, Payment.amount_cents, Payment.paid_at, Payment.method)
    )


def read_invoices(store: Store) -> pl.DataFrame:
    return read_select(
        store,
        select(
            Invoice.id,
            Invoice.number,
            Invoice.order_id,
            Invoice.issued_at,
            Invoice.due_date,
            Invoice.total_cents,
        ),
    )


def read_order_lines(store: Store) -> pl.DataFrame:
    return read_select(
        store,
        select(
            OrderLine.id,
            OrderLine.order_id,
            OrderLine.line_no,
            OrderLine.product_id,
            Product.sku,
            Product.name.label("product"),
            OrderLine.quantity,
            OrderLine.unit_price_cents,
            OrderLine.discount_bp,
        )
        .join(Product, Product.id == OrderLine.product_id)
        .order_by(OrderLine.order_id, OrderLine.line_no),
    )


def read_entity_events(store: Store, entity_type: str, entity_id: int) -> pl.DataFrame:
    """One record's events, oldest first, with the acting user's name (for its timeline)."""
    return read_select(
        store,
        select(
            Event.id,
            Event.action,
            Event.from_state,
            Event.to_state,
            Event.actor_id,
            User.name.label("actor"),
            Event.at,
            Event.note,
        )
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
        .order_by(Event.at, Event.id),
    )
