"""The store side of orders, inside the caller's session: the products an order's lines are checked
against, replacing lines, finding an order by number; what the order rules need (lines, customer,
open unpaid invoices, free stock, recent orders) and the stock moves the actions write.

Shared by the read side and the actions: an action reads the facts and acts on them in the same
transaction. The statements are built once (with bound parameters) and select plain columns
rather than whole ORM objects: these run on every order transition, and the service layer has
to sustain hundreds of transitions a second (docs/architecture.md §8).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from crm_core.allocation import LineNeed, Pick, StockKey, StockLevel, WarehouseRef
from crm_core.order_audit import AuditContext, AuditLine, AuditOrder, CustomerRef, RecentOrder
from crm_core.orders import LineDraft, OrderStatus, ProductRef
from crm_core.store.changes import record_deletions
from crm_core.store.models import (
    Allocation,
    Customer,
    Invoice,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    Product,
    Stock,
    Warehouse,
)

AnyRow = Row[*tuple[Any, ...]]  # a result row, whatever its columns

DUPLICATE_WINDOW = timedelta(hours=24)
CANCELLED = OrderStatus.CANCELLED.value

_LINES = (
    select(
        OrderLine.id.label("line_id"),
        OrderLine.line_no,
        OrderLine.quantity,
        OrderLine.unit_price_cents,
        OrderLine.discount_bp,
        Product.id.label("product_id"),
        Product.sku,
        Product.name,
        Product.list_price_cents,
        Product.active,
    )
    .join(Product, Product.id == OrderLine.product_id)
    .where(OrderLine.order_id == bindparam("order_id"))
    .order_by(OrderLine.line_no)
)
_CUSTOMER = select(Customer.id, Customer.name, Customer.blocked, Customer.credit_limit_cents).where(
    Customer.id == bindparam("customer_id")
)
_OPEN_UNPAID = (
    select(func.coalesce(func.sum(Invoice.total_cents), 0))
    .select_from(Order)
    .join(Invoice, Invoice.order_id == Order.id)
    .where(
        Order.customer_id == bindparam("customer_id"),
        Order.id != bindparam("order_id"),
        Order.status != CANCELLED,
        ~exists().where(Payment.order_id == Order.id),
    )
)
_FREE_STOCK = (
    select(Stock.product_id, func.sum(Stock.on_hand - Stock.reserved))
    .where(Stock.product_id.in_(bindparam("product_ids", expanding=True)))
    .group_by(Stock.product_id)
)
_RECENT_LINES = (
    select(Order.id, Order.number, Order.created_at, OrderLine.product_id, OrderLine.quantity)
    .join(OrderLine, OrderLine.order_id == Order.id)
    .where(
        Order.customer_id == bindparam("customer_id"),
        Order.id != bindparam("order_id"),
        Order.status != CANCELLED,
        Order.created_at >= bindparam("since"),
        Order.created_at <= bindparam("until"),
    )
    .order_by(Order.created_at, Order.id)
)
_WAREHOUSES = select(Warehouse.id, Warehouse.code, Warehouse.name, Warehouse.lead_time_days).order_by(
    Warehouse.code
)
_STOCK = (
    select(Stock.warehouse_id, Stock.product_id, Stock.on_hand, Stock.reserved)
    .where(Stock.product_id.in_(bindparam("product_ids", expanding=True)))
    .order_by(Stock.warehouse_id, Stock.product_id)
    .with_for_update()
)
_OPEN_ALLOCATIONS = (
    select(Allocation.line_id, Allocation.warehouse_id, Allocation.product_id, Allocation.quantity)
    .where(Allocation.order_id == bindparam("order_id"), Allocation.released.is_(False))
    .order_by(Allocation.id)
)
_INVOICE = select(Invoice).where(Invoice.order_id == bindparam("order_id"))
_HAS_PAYMENT = select(exists().where(Payment.order_id == bindparam("order_id")))


def order_lines(session: Session, order_id: int) -> Sequence[AnyRow]:
    """The order's lines with their products: line_id, line_no, quantity, unit_price_cents,
    discount_bp, product_id, sku, name, list_price_cents, active."""
    return session.execute(_LINES, {"order_id": order_id}).all()


def line_drafts(rows: Sequence[AnyRow]) -> list[LineDraft]:
    return [LineDraft(r.product_id, r.sku, r.quantity, r.unit_price_cents, r.discount_bp) for r in rows]


def line_needs(rows: Sequence[AnyRow]) -> list[LineNeed]:
    return [LineNeed(r.line_id, r.line_no, r.product_id, r.sku, r.quantity) for r in rows]


def open_unpaid_cents(session: Session, customer_id: int, *, except_order: int = 0) -> int:
    """The customer's invoices without a payment, of orders that are not cancelled."""
    return int(session.scalar(_OPEN_UNPAID, {"customer_id": customer_id, "order_id": except_order}) or 0)


def free_stock(session: Session, product_ids: Sequence[int]) -> dict[int, int]:
    """Free units (on hand − reserved) per product, summed over all warehouses."""
    if not product_ids:
        return {}
    rows = session.execute(_FREE_STOCK, {"product_ids": list(product_ids)})
    return {int(pid): int(free or 0) for pid, free in rows}


def recent_orders(session: Session, order: Order, window: timedelta = DUPLICATE_WINDOW) -> list[RecentOrder]:
    """The customer's other orders entered within `window` of this one, not cancelled, with their lines."""
    params = {
        "customer_id": order.customer_id,
        "order_id": order.id,
        "since": order.created_at - window,
        "until": order.created_at + window,
    }
    found: dict[int, tuple[str, Any, list[tuple[int, int]]]] = {}
    for row in session.execute(_RECENT_LINES, params):
        found.setdefault(row.id, (row.number, row.created_at, []))[2].append((row.product_id, row.quantity))
    return [RecentOrder(number, created, tuple(lines)) for number, created, lines in found.values()]


def audit_inputs(
    session: Session, order: Order, rows: Sequence[AnyRow] | None = None
) -> tuple[AuditOrder, AuditContext]:
    """The order and every fact its audit rules look at, read in this session."""
    rows = order_lines(session, order.id) if rows is None else rows
    customer = session.execute(_CUSTOMER, {"customer_id": order.customer_id}).first()
    audit_order = AuditOrder(
        number=order.number,
        customer_id=order.customer_id,
        lines=[
            AuditLine(r.line_no, r.product_id, r.quantity, r.unit_price_cents, r.discount_bp) for r in rows
        ],
        total_cents=order.total_cents,
        created_at=order.created_at,
        prepayment=order.prepayment,
    )
    context = AuditContext(
        customer=CustomerRef(*customer) if customer else None,
        products={
            r.product_id: ProductRef(r.product_id, r.sku, r.name, r.list_price_cents, r.active) for r in rows
        },
        free_stock=free_stock(session, sorted({r.product_id for r in rows})),
        open_unpaid_cents=open_unpaid_cents(session, order.customer_id, except_order=order.id),
        recent_orders=recent_orders(session, order),
    )
    return audit_order, context


def warehouses(session: Session) -> list[WarehouseRef]:
    return [WarehouseRef(*row) for row in session.execute(_WAREHOUSES)]


def locked_stock(session: Session, product_ids: Sequence[int]) -> dict[StockKey, StockLevel]:
    """Stock levels of these products in every warehouse, the rows locked for this transaction
    (PostgreSQL; SQLite's write transaction already holds the database)."""
    if not product_ids:
        return {}
    rows = session.execute(_STOCK, {"product_ids": sorted(set(product_ids))})
    return {(r.warehouse_id, r.product_id): StockLevel(r.on_hand, r.reserved) for r in rows}


_STOCK_TABLE = cast(Table, Stock.__table__)
_SET_STOCK = (
    update(_STOCK_TABLE)
    .where(
        _STOCK_TABLE.c.warehouse_id == bindparam("w"),
        _STOCK_TABLE.c.product_id == bindparam("p"),
    )
    .values(on_hand=bindparam("on_hand"), reserved=bindparam("reserved"))
)
_ADD_ALLOCATION = insert(cast(Table, Allocation.__table__))


def write_levels(session: Session, old: dict[StockKey, StockLevel], new: dict[StockKey, StockLevel]) -> None:
    """Write the stock levels that changed (one executemany on the table)."""
    changed = [
        {"w": w, "p": p, "on_hand": level.on_hand, "reserved": level.reserved}
        for (w, p), level in new.items()
        if old.get((w, p)) != level
    ]
    if changed:
        session.execute(_SET_STOCK, changed)


def add_allocations(session: Session, order_id: int, picks: Sequence[Pick]) -> None:
    session.execute(
        _ADD_ALLOCATION,
        [
            {
                "order_id": order_id,
                "line_id": p.line_id,
                "warehouse_id": p.warehouse_id,
                "product_id": p.product_id,
                "quantity": p.quantity,
                "released": False,
            }
            for p in picks
        ],
    )


def open_picks(session: Session, order_id: int) -> list[Pick]:
    """What the order holds in the warehouses (allocations not released)."""
    return [Pick(*row) for row in session.execute(_OPEN_ALLOCATIONS, {"order_id": order_id})]


def release_allocations(session: Session, order_id: int) -> None:
    session.execute(
        update(Allocation)
        .where(Allocation.order_id == order_id, Allocation.released.is_(False))
        .values(released=True)
        .execution_options(synchronize_session=False)
    )


def invoice_of(session: Session, order_id: int) -> Invoice | None:
    return session.scalars(_INVOICE, {"order_id": order_id}).first()


def has_payment(session: Session, order_id: int) -> bool:
    return bool(session.scalar(_HAS_PAYMENT, {"order_id": order_id}))


def products(session: Session) -> list[ProductRef]:
    """Every product, active and inactive (inactive ones are refused by name)."""
    rows = session.execute(
        select(Product.id, Product.sku, Product.name, Product.list_price_cents, Product.active)
    ).all()
    return [ProductRef(*row) for row in rows]


def current_lines(session: Session, order_id: int) -> list[LineDraft]:
    """The order's lines as drafts, in line order."""
    rows = session.execute(
        select(
            OrderLine.product_id,
            Product.sku,
            OrderLine.quantity,
            OrderLine.unit_price_cents,
            OrderLine.discount_bp,
        )
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    ).all()
    return [LineDraft(*row) for row in rows]


def delete_lines(session: Session, order_id: int) -> None:
    gone = OrderLine.order_id == order_id
    record_deletions(session, "order_lines", gone)  # the frames' catch-up drops them (changes.py)
    session.execute(delete(OrderLine).where(gone))


def add_lines(session: Session, order_id: int, drafts: Sequence[LineDraft]) -> None:
    session.add_all(
        OrderLine(
            order_id=order_id,
            line_no=line_no,
            product_id=draft.product_id,
            quantity=draft.quantity,
            unit_price_cents=draft.unit_price_cents,
            discount_bp=draft.discount_bp,
        )
        for line_no, draft in enumerate(drafts, start=1)
    )


def order_id_by_number(session: Session, number: str) -> int | None:
    found = session.scalar(select(Order.id).where(Order.number == number))
    return None if found is None else int(found)


def count_orders(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def find_customer(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def find_opportunity(session: Session, opportunity_id: int) -> Opportunity | None:
    return session.get(Opportunity, opportunity_id)
