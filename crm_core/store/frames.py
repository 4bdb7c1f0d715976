"""Read the store into Polars frames for analytics (the read side of the store).

Timestamps come back as naive UTC `Datetime("us")`, money as integer cents. Queries
are SQLAlchemy selects so they run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Date, Select, func, select, type_coerce

from crm_core.orders import FINAL_STATUSES, OrderStatus
from crm_core.store.columnar import read_select
from crm_core.store.engine import Store
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
    data_columns,
)


def read_table(store: Store, name: str) -> pl.DataFrame:
    table = Base.metadata.tables[name]
    return read_select(store, select(*data_columns(table)), large=True)


def read_table_head(store: Store, name: str, rows: int) -> tuple[pl.DataFrame, int]:
    """The first `rows` rows of a table (in primary-key order) and how many it has: a preview that
    does not read 7.5 million events to show 200."""
    table = Base.metadata.tables[name]
    head = read_select(store, select(*data_columns(table)).order_by(*table.primary_key.columns).limit(rows))
    with store.read() as session:
        count = session.scalar(select(func.count()).select_from(table))
    return head, int(count or 0)


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


def _own_columns(stmt: Select, table: Any) -> Select:
    """The select's columns of `table` only, on that table alone, in the same order."""
    own = [c for c in stmt.selected_columns if c.table is table]
    return select(*own).order_by(*stmt._order_by_clauses)


def _joined(
    frame: pl.DataFrame, lookups: list[tuple[str, pl.DataFrame]], columns: list[str | None]
) -> pl.DataFrame:
    for key, lookup in lookups:
        frame = frame.join(lookup, on=key, how="left", maintain_order="left")
    return frame.select(c for c in columns if c is not None)


def read_opportunities(store: Store) -> pl.DataFrame:
    """`opportunities_select()`'s frame, with the customer, owner and product names joined in
    Polars: the database sends each name once instead of once per opportunity."""
    stmt = opportunities_select()
    own = read_select(store, _own_columns(stmt, Opportunity.__table__), large=True)
    customers = read_select(
        store,
        select(
            Customer.id.label("customer_id"),
            Customer.name.label("customer"),
            Customer.industry,
            Customer.employees,
            Customer.region,
        ),
    )
    owners = read_select(store, select(User.id.label("owner_id"), User.name.label("owner")))
    products = read_select(store, select(Product.id.label("product_id"), Product.name.label("product")))
    lookups = [("customer_id", customers), ("owner_id", owners), ("product_id", products)]
    return _joined(own, lookups, [c.key for c in stmt.selected_columns])


def read_orders(store: Store) -> pl.DataFrame:
    """`orders_select()`'s frame, with the customer's name, industry and region joined in Polars."""
    stmt = orders_select()
    own = read_select(store, _own_columns(stmt, Order.__table__), large=True)
    customers = read_select(
        store,
        select(
            Customer.id.label("customer_id"),
            Customer.name.label("customer"),
            Customer.industry,
            Customer.region,
        ),
    )
    return _joined(own, [("customer_id", customers)], [c.key for c in stmt.selected_columns])


def events_select() -> Select:
    return select(
        Event.id,
        Event.entity_type,
        Event.entity_id,
        Event.action,
        Event.from_state,
        Event.to_state,
        Event.actor_id,
        Event.at,
        Event.note,
    )


def read_events(store: Store, entity_type: str | None = None) -> pl.DataFrame:
    stmt = events_select().order_by(Event.id)
    if entity_type:
        stmt = stmt.where(Event.entity_type == entity_type)
    return read_select(store, stmt, large=True)


def read_opportunity_stage_events(store: Store) -> pl.DataFrame:
    """The opportunities' stage changes only, in the columns the pipeline and its history use
    (no notes): a fraction of the events table's rows and bytes."""
    # Sorted by Polars, not the database: the rows come off the (entity_type, entity_id) index as
    # they lie, where ORDER BY id would make SQLite sort ~800,000 rows first (~1.5 s at 1M orders).
    return read_select(store, opportunity_stage_events_select(), large=True).sort("id")


def opportunity_stage_events_select() -> Select:
    return select(
        Event.id, Event.entity_type, Event.entity_id, Event.from_state, Event.to_state, Event.at
    ).where(Event.entity_type == "opportunity", Event.to_state.is_not(None))


def payments_select() -> Select:
    return select(Payment.id, Payment.order_id, Payment.amount_cents, Payment.paid_at, Payment.method)


def read_payments(store: Store, *, open_orders_only: bool = False) -> pl.DataFrame:
    """Every payment; with `open_orders_only`, those of orders not yet delivered or cancelled."""
    stmt = _of_open_orders(payments_select(), Payment.order_id, open_orders_only)
    return read_select(store, stmt, large=not open_orders_only)


def _of_open_orders(stmt: Select, order_id: Any, open_orders_only: bool) -> Select:
    """Narrow to the rows of orders still in flight: what the Order status exceptions look at. At
    1,000,000 orders most are delivered, so the database returns a small fraction of the rows."""
    if not open_orders_only:
        return stmt
    # IN over the open statuses (not NOT IN the final ones) so the status index finds the few open
    # orders and the order_id index their rows; no scan of every invoice or payment.
    in_flight = [status.value for status in OrderStatus if status not in FINAL_STATUSES]
    return stmt.where(order_id.in_(select(Order.id).where(Order.status.in_(in_flight))))


def daily_payments_select() -> Select:
    day = type_coerce(func.date(Payment.paid_at), Date).label("day")
    return (
        select(
            day,
            type_coerce(func.sum(Payment.amount_cents), BigInteger).label("amount_cents"),
            func.count().label("payments"),
        )
        .group_by(day)
        .order_by(day)
    )


def read_daily_payments(store: Store) -> pl.DataFrame:
    """Payments summed per day in SQL, shaped like `read_payments` (paid_at at midnight) so the
    revenue figures (by month, in a date range) come out exactly as from every payment row.

    Pushed down because the Overview needs nothing finer than a day: at ~900,000 payments the
    database returns ~550 rows instead of every payment (see `python -m bench push-down`)."""
    daily = read_select(store, daily_payments_select())
    return daily.select(
        pl.col("day").cast(pl.Datetime("us")).alias("paid_at"),
        pl.col("amount_cents").cast(pl.Int64),
        pl.col("payments").cast(pl.Int64),
    )


def read_status_totals(store: Store) -> pl.DataFrame:
    """Orders counted and summed per status by the database (complete them with
    `analytics.every_status`). Measured against the Polars version in `python -m bench push-down`."""
    return read_select(
        store,
        select(
            Order.status,
            func.count().label("count"),
            type_coerce(func.sum(Order.total_cents), BigInteger).label("total_cents"),
        ).group_by(Order.status),
    )


def invoices_select() -> Select:
    return select(
        Invoice.id, Invoice.number, Invoice.order_id, Invoice.issued_at, Invoice.due_date, Invoice.total_cents
    )


def read_invoices(store: Store, *, open_orders_only: bool = False) -> pl.DataFrame:
    """Every invoice; with `open_orders_only`, those of orders not yet delivered or cancelled."""
    stmt = _of_open_orders(invoices_select(), Invoice.order_id, open_orders_only)
    return read_select(store, stmt, large=not open_orders_only)


def order_lines_select() -> Select:
    """Every order line with its product's SKU and name (the frame's columns, unordered)."""
    return select(
        OrderLine.id,
        OrderLine.order_id,
        OrderLine.line_no,
        OrderLine.product_id,
        Product.sku,
        Product.name.label("product"),
        OrderLine.quantity,
        OrderLine.unit_price_cents,
        OrderLine.discount_bp,
    ).join(Product, Product.id == OrderLine.product_id)


def read_order_lines(store: Store) -> pl.DataFrame:
    return read_select(
        store, order_lines_select().order_by(OrderLine.order_id, OrderLine.line_no), large=True
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
