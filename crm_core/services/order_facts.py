"""Reading what the order rules need from the store, inside a session (shared by reads and actions).

Nothing here writes. The functions take an open session so an action can read the facts and act
on them in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from crm_core.allocation import LineNeed, Pick, StockLevel, WarehouseRef
from crm_core.order_audit import AuditContext, AuditLine, AuditOrder, CustomerRef, RecentOrder
from crm_core.orders import LineDraft, OrderStatus, ProductRef
from crm_core.store.models import (
    Allocation,
    Customer,
    Invoice,
    Order,
    OrderLine,
    Payment,
    Product,
    Stock,
    Warehouse,
)

DUPLICATE_WINDOW = timedelta(hours=24)


def order_lines(session: Session, order_id: int) -> list[tuple[OrderLine, Product]]:
    stmt = (
        select(OrderLine, Product)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    )
    return [(line, product) for line, product in session.execute(stmt)]


def line_drafts(rows: list[tuple[OrderLine, Product]]) -> list[LineDraft]:
    return [
        LineDraft(p.id, p.sku, line.quantity, line.unit_price_cents, line.discount_bp) for line, p in rows
    ]


def line_needs(rows: list[tuple[OrderLine, Product]]) -> list[LineNeed]:
    return [LineNeed(line.id, line.line_no, p.id, p.sku, line.quantity) for line, p in rows]


def open_unpaid_cents(session: Session, customer_id: int, *, except_order: int | None = None) -> int:
    """The customer's invoices without a payment, of orders that are not cancelled."""
    paid = exists().where(Payment.order_id == Invoice.order_id)
    stmt = (
        select(func.coalesce(func.sum(Invoice.total_cents), 0))
        .join(Order, Order.id == Invoice.order_id)
        .where(Order.customer_id == customer_id, Order.status != OrderStatus.CANCELLED.value, ~paid)
    )
    if except_order is not None:
        stmt = stmt.where(Order.id != except_order)
    return int(session.scalar(stmt) or 0)


def free_stock(session: Session, product_ids: list[int]) -> dict[int, int]:
    """Free units (on hand − reserved) per product, summed over all warehouses."""
    if not product_ids:
        return {}
    stmt = (
        select(Stock.product_id, func.sum(Stock.on_hand - Stock.reserved))
        .where(Stock.product_id.in_(product_ids))
        .group_by(Stock.product_id)
    )
    return {int(pid): int(free or 0) for pid, free in session.execute(stmt)}


def recent_orders(session: Session, order: Order, window: timedelta = DUPLICATE_WINDOW) -> list[RecentOrder]:
    """The customer's other orders entered within `window` of this one, not cancelled, with their lines."""
    created: datetime = order.created_at
    stmt = (
        select(Order.id, Order.number, Order.created_at)
        .where(
            Order.customer_id == order.customer_id,
            Order.id != order.id,
            Order.status != OrderStatus.CANCELLED.value,
            Order.created_at >= created - window,
            Order.created_at <= created + window,
        )
        .order_by(Order.created_at)
    )
    others = session.execute(stmt).all()
    if not others:
        return []
    lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
    line_rows = session.execute(
        select(OrderLine.order_id, OrderLine.product_id, OrderLine.quantity).where(
            OrderLine.order_id.in_([o.id for o in others])
        )
    )
    for order_id, product_id, quantity in line_rows:
        lines[order_id].append((product_id, quantity))
    return [RecentOrder(o.number, o.created_at, tuple(lines[o.id])) for o in others]


def audit_inputs(
    session: Session, order: Order, rows: list[tuple[OrderLine, Product]] | None = None
) -> tuple[AuditOrder, AuditContext]:
    """The order and every fact its audit rules look at, read in this session."""
    rows = order_lines(session, order.id) if rows is None else rows
    customer = session.get(Customer, order.customer_id)
    product_ids = sorted({p.id for _, p in rows})
    audit_order = AuditOrder(
        number=order.number,
        customer_id=order.customer_id,
        lines=[
            AuditLine(line.line_no, line.product_id, line.quantity, line.unit_price_cents, line.discount_bp)
            for line, _ in rows
        ],
        total_cents=order.total_cents,
        created_at=order.created_at,
    )
    context = AuditContext(
        customer=CustomerRef(customer.id, customer.name, customer.blocked, customer.credit_limit_cents)
        if customer
        else None,
        products={p.id: ProductRef(p.id, p.sku, p.name, p.list_price_cents, p.active) for _, p in rows},
        free_stock=free_stock(session, product_ids),
        open_unpaid_cents=open_unpaid_cents(session, order.customer_id, except_order=order.id),
        recent_orders=recent_orders(session, order),
    )
    return audit_order, context


def warehouses(session: Session) -> list[WarehouseRef]:
    rows = session.scalars(select(Warehouse).order_by(Warehouse.code))
    return [WarehouseRef(w.id, w.code, w.name, w.lead_time_days) for w in rows]


def locked_stock(session: Session, product_ids: list[int]) -> dict[tuple[int, int], Stock]:
    """Stock rows of these products in every warehouse, locked for this transaction (PostgreSQL)."""
    if not product_ids:
        return {}
    stmt = (
        select(Stock)
        .where(Stock.product_id.in_(sorted(set(product_ids))))
        .order_by(Stock.warehouse_id, Stock.product_id)
        .with_for_update()
    )
    return {(row.warehouse_id, row.product_id): row for row in session.scalars(stmt)}


def levels_of(rows: dict[tuple[int, int], Stock]) -> dict[tuple[int, int], StockLevel]:
    return {key: StockLevel(row.on_hand, row.reserved) for key, row in rows.items()}


def write_levels(rows: dict[tuple[int, int], Stock], levels: dict[tuple[int, int], StockLevel]) -> None:
    for key, level in levels.items():
        row = rows[key]
        if (row.on_hand, row.reserved) != (level.on_hand, level.reserved):
            row.on_hand, row.reserved = level.on_hand, level.reserved


def open_allocations(session: Session, order_id: int) -> list[Allocation]:
    stmt = (
        select(Allocation)
        .where(Allocation.order_id == order_id, Allocation.released.is_(False))
        .order_by(Allocation.id)
    )
    return list(session.scalars(stmt))


def picks_of(allocations: list[Allocation]) -> list[Pick]:
    return [Pick(a.line_id, a.warehouse_id, a.product_id, a.quantity) for a in allocations]


def invoice_of(session: Session, order_id: int) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.order_id == order_id)).first()


def has_payment(session: Session, order_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Payment.order_id == order_id))))
