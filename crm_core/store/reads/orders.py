"""Reading one order for the order desk: its header, lines, money, findings, stock, payments, history.

Read-only use cases: no permission is needed to look (every signed-in or demo user may), and
nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from crm_core import settings as desk
from crm_core.errors import NotFound
from crm_core.invoice_document import InvoiceDocument, InvoiceLine
from crm_core.order_audit import Finding, audit
from crm_core.orders import OrderStatus, totals_cents
from crm_core.store import Store
from crm_core.store import customers as customer_rows
from crm_core.store import orders as facts
from crm_core.store.models import Allocation, Customer, Event, Invoice, Order, Payment, User, Warehouse


@dataclass(frozen=True)
class InvoiceView:
    number: str
    issued_at: datetime
    due_date: date
    subtotal_cents: int
    shipping_cents: int
    tax_cents: int
    total_cents: int


@dataclass(frozen=True)
class OrderDetail:
    id: int
    number: str
    status: OrderStatus
    version: int
    customer_id: int
    customer: str
    customer_blocked: bool
    payment_method: str
    delivery_method: str
    requested_date: date | None
    promised_date: date | None
    notes: str | None
    shipping_cents: int
    tax_rate_bp: int
    total_cents: int
    created_at: datetime
    created_by: str | None
    status_changed_at: datetime
    held_from: str | None = None
    hold_reason: str | None = None
    cancel_reason: str | None = None
    refund_due: bool = False
    prepayment: bool = False
    tracking_number: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    opportunity_id: int | None = None
    warnings_accepted_by: str | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    invoice: InvoiceView | None = None
    payments: list[dict[str, Any]] = field(default_factory=list)
    allocations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def is_paid(self) -> bool:
        return bool(self.payments)

    @property
    def amount_due_cents(self) -> int:
        """What the customer still has to pay: the invoice total until a payment is recorded."""
        if self.invoice is None or self.is_paid:
            return 0
        return self.invoice.total_cents

    @property
    def awaiting_audit(self) -> bool:
        return self.status == OrderStatus.ENTERED or (
            self.status == OrderStatus.ON_HOLD and self.held_from == OrderStatus.ENTERED
        )


def _user_names(session: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def order_detail(store: Store, order_id: int) -> OrderDetail:
    """Everything the order page shows about one order, or NotFound."""
    with store.read() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.")
        customer = session.get(Customer, order.customer_id)
        rows = facts.order_lines(session, order.id)
        drafts = facts.line_drafts(rows)
        invoice = facts.invoice_of(session, order.id)
        payments = list(
            session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))
        )
        allocations = session.execute(
            select(Allocation, Warehouse.code)
            .join(Warehouse, Warehouse.id == Allocation.warehouse_id)
            .where(Allocation.order_id == order.id)
            .order_by(Allocation.id)
        ).all()
        events = list(
            session.scalars(
                select(Event)
                .where(Event.entity_type == "order", Event.entity_id == order.id)
                .order_by(Event.id)
            )
        )
        names = _user_names(
            session,
            {order.created_by, order.warnings_accepted_by}
            | {e.actor_id for e in events}
            | {p.recorded_by for p in payments},
        )
        status = OrderStatus(order.status)
        awaiting = status == OrderStatus.ENTERED or (
            status == OrderStatus.ON_HOLD and order.held_from == OrderStatus.ENTERED
        )
        findings = audit(*facts.audit_inputs(session, order, rows)) if awaiting else []
        sku_of = {r.line_id: r.sku for r in rows}
        return OrderDetail(
            id=order.id,
            number=order.number,
            status=status,
            version=order.version,
            customer_id=order.customer_id,
            customer=customer.name if customer else f"#{order.customer_id}",
            customer_blocked=bool(customer and customer.blocked),
            payment_method=order.payment_method,
            delivery_method=order.delivery_method,
            requested_date=order.requested_date,
            promised_date=order.promised_date,
            notes=order.notes,
            shipping_cents=order.shipping_cents,
            tax_rate_bp=order.tax_rate_bp,
            total_cents=order.total_cents,
            created_at=order.created_at,
            created_by=names.get(order.created_by or 0),
            status_changed_at=order.status_changed_at,
            held_from=order.held_from,
            hold_reason=order.hold_reason,
            cancel_reason=order.cancel_reason,
            refund_due=order.refund_due,
            prepayment=order.prepayment,
            tracking_number=order.tracking_number,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            opportunity_id=order.opportunity_id,
            warnings_accepted_by=names.get(order.warnings_accepted_by or 0),
            lines=[
                {
                    "line_no": r.line_no,
                    "sku": r.sku,
                    "product": r.name,
                    "quantity": r.quantity,
                    "unit_price_cents": r.unit_price_cents,
                    "discount_bp": r.discount_bp,
                    "total_cents": draft.total_cents,
                }
                for r, draft in zip(rows, drafts, strict=True)
            ],
            totals=totals_cents(drafts, order.shipping_cents, order.tax_rate_bp),
            invoice=_invoice_view(invoice),
            payments=[
                {
                    "paid_at": p.paid_at,
                    "method": p.method,
                    "amount_cents": p.amount_cents,
                    "recorded_by": names.get(p.recorded_by or 0),
                }
                for p in payments
            ],
            allocations=[
                {
                    "warehouse": code,
                    "sku": sku_of.get(a.line_id, ""),
                    "quantity": a.quantity,
                    "released": a.released,
                }
                for a, code in allocations
            ],
            events=[
                {
                    "at": e.at,
                    "action": e.action,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "actor": names.get(e.actor_id or 0),
                    "note": e.note,
                }
                for e in events
            ],
            findings=findings,
        )


def _invoice_view(invoice: Invoice | None) -> InvoiceView | None:
    if invoice is None:
        return None
    return InvoiceView(
        invoice.number,
        invoice.issued_at,
        invoice.due_date,
        invoice.subtotal_cents,
        invoice.shipping_cents,
        invoice.tax_cents,
        invoice.total_cents,
    )


@dataclass(frozen=True)
class CustomerCredit:
    """What the order form shows about a customer: credit room and the tax rate used last time."""

    customer_id: int
    name: str
    blocked: bool
    credit_limit_cents: int
    open_unpaid_cents: int
    last_tax_rate_bp: int | None

    @property
    def available_cents(self) -> int:
        return max(self.credit_limit_cents - self.open_unpaid_cents, 0)


def customer_credit(store: Store, customer_id: int) -> CustomerCredit:
    with store.read() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.")
        last_tax = session.scalar(
            select(Order.tax_rate_bp)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(1)
        )
        return CustomerCredit(
            customer.id,
            customer.name,
            customer.blocked,
            customer.credit_limit_cents,
            facts.open_unpaid_cents(session, customer_id),
            last_tax,
        )


def order_findings(store: Store, order_id: int) -> list[Finding]:
    """What the audit would say about the order now (errors first, then warnings)."""
    with store.read() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.")
        return audit(*facts.audit_inputs(session, order))


def invoice_document(store: Store, order_id: int) -> InvoiceDocument:
    """The frozen invoice of an order with its lines and the customer, ready to print; NotFound if none."""
    detail = order_detail(store, order_id)
    if detail.invoice is None:
        raise NotFound(f"Order {detail.number} has not been invoiced yet.")
    with store.read() as session:
        customer = session.get(Customer, detail.customer_id)
        seller = desk.from_rows(customer_rows.read_settings(session))
    contact = [
        part
        for part in (
            f"Attn: {customer.contact_name}" if customer and customer.contact_name else None,
            customer.contact_email if customer else None,
            customer.contact_phone if customer else None,
        )
        if part
    ]
    billing = customer.billing_address if customer else None
    shipping = customer.shipping_address if customer else None
    invoice = detail.invoice
    return InvoiceDocument(
        seller=seller.seller_name,
        seller_address=tuple(seller.seller_address.splitlines()),
        seller_tax_id=seller.seller_tax_id,
        seller_email=seller.seller_email,
        customer_address=tuple(billing.splitlines()) if billing else (),
        customer_tax_id=customer.tax_id if customer else None,
        ship_to=tuple(shipping.splitlines()) if shipping and shipping != billing else (),
        number=invoice.number,
        order_number=detail.number,
        issued_on=invoice.issued_at.date(),
        due_on=invoice.due_date,
        customer=detail.customer,
        customer_lines=tuple(contact),
        payment_method=detail.payment_method,
        delivery_method=detail.delivery_method,
        lines=tuple(
            InvoiceLine(
                line["sku"],
                line["product"],
                line["quantity"],
                line["unit_price_cents"],
                line["discount_bp"],
                line["total_cents"],
            )
            for line in detail.lines
        ),
        subtotal_cents=invoice.subtotal_cents,
        shipping_cents=invoice.shipping_cents,
        tax_rate_bp=detail.tax_rate_bp,
        tax_cents=invoice.tax_cents,
        total_cents=invoice.total_cents,
        paid_on=detail.payments[0]["paid_at"].date() if detail.payments else None,
    )
