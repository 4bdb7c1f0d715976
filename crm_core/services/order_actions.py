"""Moving an order along: audit, allocate, invoice, record payment, ship, deliver, hold, resume, cancel.

Each use case checks the actor's permission, validates its input, loads the order with a version
check (a stale `expected_version` is a `ConflictError`), asks `crm_core.orders.transition` whether
the move is allowed, does the work, appends one event (entity 'order', action = the `Action`
value, from/to state, actor, a note) and commits — all in one unit of work. Any refusal leaves
the database exactly as it was, data version included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crm_core import validation
from crm_core.allocation import plan_allocation, release, reserve, ship_out
from crm_core.errors import DomainError, ValidationError
from crm_core.money import format_money
from crm_core.order_audit import Finding, audit, errors, warnings
from crm_core.orders import (
    INVOICE_DUE_DAYS,
    PAYMENT_METHODS,
    Action,
    OrderStatus,
    holds_stock,
    invoice_number,
    invoice_sequence_key,
    next_actions,
    promised_date,
    totals_cents,
    transition,
)
from crm_core.permissions import Actor, Permission, require
from crm_core.store import Store, UnitOfWork
from crm_core.store import orders as facts
from crm_core.store.models import Invoice, Order, Payment, utcnow

MAX_REASON = 500
# The permission each action needs (the services check it; pages use it to hide buttons).
ACTION_PERMISSION: dict[Action, Permission] = {
    Action.AUDIT: Permission.ADVANCE_ORDER,
    Action.ALLOCATE: Permission.ADVANCE_ORDER,
    Action.INVOICE: Permission.ADVANCE_ORDER,
    Action.RECORD_PAYMENT: Permission.RECORD_PAYMENT,
    Action.SHIP: Permission.ADVANCE_ORDER,
    Action.DELIVER: Permission.ADVANCE_ORDER,
    Action.HOLD: Permission.HOLD_ORDER,
    Action.RESUME: Permission.HOLD_ORDER,
    Action.CANCEL: Permission.CANCEL_ORDER,
}


def valid_reason(field: str, value: Any) -> str:
    """A hold or cancel reason: required text, at most MAX_REASON characters. The cancel dialog asks
    this before it closes, so an empty reason keeps it open with the message under the field."""
    why = validation.text(field, value, max_length=MAX_REASON)
    assert why is not None
    return why


def allowed_actions(actor: Actor | None, status: OrderStatus | str) -> tuple[Action, ...]:
    """The next actions from `status` that this actor may take (none for nobody signed in)."""
    if actor is None:
        return ()
    return tuple(a for a in next_actions(status) if actor.can(ACTION_PERMISSION[a]))


class AuditFailed(DomainError):
    """The audit found errors: the order stays `entered` until they are fixed."""

    def __init__(self, number: str, findings: list[Finding]) -> None:
        self.findings = findings
        found = errors(findings)
        listed = " ".join(f.message for f in found[:3]) + (" …" if len(found) > 3 else "")
        plural = "s" if len(found) != 1 else ""
        super().__init__(f"Cannot audit order {number}: {len(found)} problem{plural} to fix first. {listed}")


class WarningsNeedApproval(DomainError):
    """The audit found only warnings, and nobody with the right to accept them did."""

    def __init__(self, number: str, findings: list[Finding]) -> None:
        self.findings = findings
        found = warnings(findings)
        plural = "s" if len(found) != 1 else ""
        super().__init__(
            f"Order {number} has {len(found)} warning{plural} that a manager must accept before it is "
            f"audited: {' '.join(f.message for f in found)}"
        )


@dataclass(frozen=True)
class ActionResult:
    order_id: int
    number: str
    status: OrderStatus
    version: int
    note: str | None = None


Work = Callable[[UnitOfWork, Order, datetime], str | None]


def _act(
    store: Store,
    actor: Actor,
    order_id: int,
    action: Action,
    expected_version: int | None,
    work: Work,
    now: datetime | None,
) -> ActionResult:
    """The shared frame: load with version check, transition, the action's work, event, commit."""
    now = now or utcnow()
    order_id = validation.integer("order", order_id, minimum=1)
    if expected_version is not None:
        expected_version = validation.integer("version", expected_version, minimum=1)
    with UnitOfWork(store, actor) as uow:
        order = uow.get(Order, order_id, expected_version=expected_version, what="order", now=now)
        old = OrderStatus(order.status)
        new = transition(old, action, order.held_from, number=order.number)
        note = work(uow, order, now)
        order.status = new.value
        order.status_changed_at = order.updated_at = now
        uow.record(
            "order",
            order.id,
            action.value,
            actor.id,
            from_state=old.value,
            to_state=new.value,
            note=note,
            at=now,
        )
        uow.commit()
        return ActionResult(order.id, order.number, new, order.version, note)


def audit_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    *,
    expected_version: int | None = None,
    accept_warnings: bool = False,
    now: datetime | None = None,
) -> ActionResult:
    """`entered` → `audited` if the audit finds no errors; warnings need `accept_warnings` by a manager."""
    actor = require(actor, ACTION_PERMISSION[Action.AUDIT])
    if accept_warnings:
        require(actor, Permission.APPROVE_WARNINGS)

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str | None:
        findings = audit(*facts.audit_inputs(uow.session, order))
        if errors(findings):
            raise AuditFailed(order.number, findings)
        found = warnings(findings)
        if not found:
            return None
        if not accept_warnings:
            raise WarningsNeedApproval(order.number, findings)
        order.warnings_accepted_by = actor.id
        return f"Warnings accepted by {actor.name}: " + " ".join(f.message for f in found)

    return _act(store, actor, order_id, Action.AUDIT, expected_version, work, now)


def allocate_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`audited` → `allocated`: choose warehouses, reserve the stock, promise a delivery date."""
    actor = require(actor, ACTION_PERMISSION[Action.ALLOCATE])

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str:
        session = uow.session
        needs = facts.line_needs(facts.order_lines(session, order.id))
        levels = facts.locked_stock(session, [n.product_id for n in needs])
        plan = plan_allocation(needs, facts.warehouses(session), levels, number=order.number)
        facts.write_levels(session, levels, reserve(levels, plan.picks))
        facts.add_allocations(session, order.id, plan.picks)
        promised = promised_date(at.date(), plan.lead_time_days, order.delivery_method, order.payment_method)
        order.promised_date = promised
        return f"{plan.describe()}; promised for {promised.isoformat()}"

    return _act(store, actor, order_id, Action.ALLOCATE, expected_version, work, now)


def invoice_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`allocated` → `invoiced`: the next gap-free invoice number of the year, amounts frozen."""
    actor = require(actor, ACTION_PERMISSION[Action.INVOICE])

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str:
        drafts = facts.line_drafts(facts.order_lines(uow.session, order.id))
        totals = totals_cents(drafts, order.shipping_cents, order.tax_rate_bp)
        number = invoice_number(at.year, uow.next_in_sequence(invoice_sequence_key(at.year)))
        uow.add(
            Invoice(
                number=number,
                order_id=order.id,
                issued_at=at,
                due_date=at.date() + timedelta(days=INVOICE_DUE_DAYS),
                subtotal_cents=totals["subtotal"],
                shipping_cents=totals["shipping"],
                tax_cents=totals["tax"],
                total_cents=totals["total"],
            )
        )
        order.total_cents = totals["total"]
        return number

    return _act(store, actor, order_id, Action.INVOICE, expected_version, work, now)


def record_payment(
    store: Store,
    actor: Actor | None,
    order_id: int,
    amount: Any,
    *,
    method: Any = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`invoiced` → `paid`. The amount (currency units) must equal the invoice total to the cent."""
    actor = require(actor, ACTION_PERMISSION[Action.RECORD_PAYMENT])
    amount_cents = validation.money("amount", amount, allow_zero=False)
    chosen = None if method in (None, "") else validation.choice("payment method", method, PAYMENT_METHODS)

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str:
        invoice = facts.invoice_of(uow.session, order.id)
        if invoice is None:
            raise DomainError(f"Order {order.number} has no invoice to pay.")
        if amount_cents != invoice.total_cents:
            gap = amount_cents - invoice.total_cents
            how = "more" if gap > 0 else "less"
            raise ValidationError(
                "amount",
                f"{format_money(amount_cents)} is {format_money(abs(gap))} {how} than the total of "
                f"invoice {invoice.number}; a payment must be exactly {format_money(invoice.total_cents)}.",
            )
        paid_by = chosen or order.payment_method
        uow.add(
            Payment(
                order_id=order.id,
                invoice_id=invoice.id,
                method=paid_by,
                amount_cents=amount_cents,
                paid_at=at,
                recorded_by=actor.id,
            )
        )
        return f"{format_money(amount_cents)} by {paid_by.replace('_', ' ')} for {invoice.number}"

    return _act(store, actor, order_id, Action.RECORD_PAYMENT, expected_version, work, now)


def ship_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    tracking_number: Any,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`paid` → `shipped` with a tracking number; the reserved stock leaves its warehouses."""
    actor = require(actor, ACTION_PERMISSION[Action.SHIP])
    tracking = validation.text("tracking number", tracking_number, max_length=100)
    assert tracking is not None

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str:
        picks = facts.open_picks(uow.session, order.id)
        levels = facts.locked_stock(uow.session, [p.product_id for p in picks])
        facts.write_levels(uow.session, levels, ship_out(levels, picks))
        order.tracking_number = tracking
        order.shipped_at = at
        return tracking

    return _act(store, actor, order_id, Action.SHIP, expected_version, work, now)


def deliver_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`shipped` → `delivered` (final)."""
    actor = require(actor, ACTION_PERMISSION[Action.DELIVER])

    def work(uow: UnitOfWork, order: Order, at: datetime) -> None:
        order.delivered_at = at

    return _act(store, actor, order_id, Action.DELIVER, expected_version, work, now)


def hold_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    reason: Any,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Any state before `shipped` → `on_hold`, remembering where it came from and why."""
    actor = require(actor, ACTION_PERMISSION[Action.HOLD])
    why = valid_reason("hold reason", reason)

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str | None:
        order.held_from = order.status
        order.hold_reason = why
        return why

    return _act(store, actor, order_id, Action.HOLD, expected_version, work, now)


def resume_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """`on_hold` → the state the order was put on hold from."""
    actor = require(actor, ACTION_PERMISSION[Action.RESUME])

    def work(uow: UnitOfWork, order: Order, at: datetime) -> None:
        order.held_from = None
        order.hold_reason = None

    return _act(store, actor, order_id, Action.RESUME, expected_version, work, now)


def cancel_order(
    store: Store,
    actor: Actor | None,
    order_id: int,
    reason: Any,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Any state before `shipped` (or on hold) → `cancelled` (final). Reserved stock is released;
    an order that was paid is flagged for a refund."""
    actor = require(actor, ACTION_PERMISSION[Action.CANCEL])
    why = valid_reason("cancel reason", reason)

    def work(uow: UnitOfWork, order: Order, at: datetime) -> str:
        if holds_stock(order.status, order.held_from):
            picks = facts.open_picks(uow.session, order.id)
            levels = facts.locked_stock(uow.session, [p.product_id for p in picks])
            facts.write_levels(uow.session, levels, release(levels, picks))
            facts.release_allocations(uow.session, order.id)
        order.refund_due = facts.has_payment(uow.session, order.id)
        order.cancel_reason = why
        order.held_from = order.hold_reason = None
        return why + (" — paid, so a refund is due" if order.refund_due else "")

    return _act(store, actor, order_id, Action.CANCEL, expected_version, work, now)
