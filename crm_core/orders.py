"""Orders, the pure domain (docs/architecture.md §1.4): states, the one table of allowed moves, lines
and money.

No database here: services load rows, ask these functions what is allowed and what follows,
and write the result. Audit rules live in `crm_core.order_audit`, warehouse choice and stock
movements in `crm_core.allocation`.

Money: integer cents inside, `Decimal` at the edges (`line_total`, `order_total`), never float.
A line is `round_half_up(quantity × unit_price × (1 − discount/100))` to the cent; tax is charged
on the sum of the rounded lines and rounded half-up once; shipping is added untaxed
(`crm_core.money` has the integer rules this builds on).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from crm_core import validation
from crm_core.errors import InvalidTransition, ValidationError
from crm_core.money import from_cents, line_total_cents, tax_cents


class OrderStatus(StrEnum):
    ENTERED = "entered"
    AUDITED = "audited"
    ALLOCATED = "allocated"
    INVOICED = "invoiced"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


class Action(StrEnum):
    AUDIT = "audit"
    ALLOCATE = "allocate"
    INVOICE = "invoice"
    RECORD_PAYMENT = "record_payment"
    SHIP = "ship"
    DELIVER = "deliver"
    HOLD = "hold"
    RESUME = "resume"
    CANCEL = "cancel"


# The happy path, in order.
FLOW: tuple[OrderStatus, ...] = (
    OrderStatus.ENTERED,
    OrderStatus.AUDITED,
    OrderStatus.ALLOCATED,
    OrderStatus.INVOICED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)
FINAL_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
# States from which an order may be put on hold or cancelled: everything before shipping.
PRE_SHIPMENT = frozenset(FLOW[: FLOW.index(OrderStatus.SHIPPED)])
# States that hold reserved stock in a warehouse.
RESERVING_STATUSES = frozenset({OrderStatus.ALLOCATED, OrderStatus.INVOICED, OrderStatus.PAID})

# The one table of allowed moves. `resume` is resolved from the state the hold came from.
TRANSITIONS: dict[tuple[OrderStatus, Action], OrderStatus] = {
    (OrderStatus.ENTERED, Action.AUDIT): OrderStatus.AUDITED,
    (OrderStatus.AUDITED, Action.ALLOCATE): OrderStatus.ALLOCATED,
    (OrderStatus.ALLOCATED, Action.INVOICE): OrderStatus.INVOICED,
    (OrderStatus.INVOICED, Action.RECORD_PAYMENT): OrderStatus.PAID,
    (OrderStatus.PAID, Action.SHIP): OrderStatus.SHIPPED,
    (OrderStatus.SHIPPED, Action.DELIVER): OrderStatus.DELIVERED,
    **{(s, Action.HOLD): OrderStatus.ON_HOLD for s in PRE_SHIPMENT},
    **{(s, Action.CANCEL): OrderStatus.CANCELLED for s in PRE_SHIPMENT},
    (OrderStatus.ON_HOLD, Action.CANCEL): OrderStatus.CANCELLED,
}

# What a person sees on the button, and how a refusal names the action ("Cannot ship order …").
ACTION_LABELS: dict[Action, str] = {
    Action.AUDIT: "Audit",
    Action.ALLOCATE: "Allocate",
    Action.INVOICE: "Invoice",
    Action.RECORD_PAYMENT: "Record payment",
    Action.SHIP: "Ship",
    Action.DELIVER: "Mark delivered",
    Action.HOLD: "Put on hold",
    Action.RESUME: "Resume",
    Action.CANCEL: "Cancel order",
}
_REFUSAL: dict[Action, str] = {
    Action.AUDIT: "audit {who}",
    Action.ALLOCATE: "allocate {who}",
    Action.INVOICE: "invoice {who}",
    Action.RECORD_PAYMENT: "record a payment for {who}",
    Action.SHIP: "ship {who}",
    Action.DELIVER: "mark {who} as delivered",
    Action.HOLD: "put {who} on hold",
    Action.RESUME: "resume {who}",
    Action.CANCEL: "cancel {who}",
}


def status_label(status: str) -> str:
    return str(status).replace("_", " ")


def next_actions(status: OrderStatus | str) -> tuple[Action, ...]:
    """The actions allowed from `status`, in the order the page shows them (the step forward first)."""
    status = OrderStatus(status)
    allowed = [action for (state, action) in TRANSITIONS if state == status]
    if status == OrderStatus.ON_HOLD:
        allowed.append(Action.RESUME)
    return tuple(sorted(allowed, key=list(Action).index))


def transition(
    status: OrderStatus | str,
    action: Action | str,
    held_from: OrderStatus | str | None = None,
    *,
    number: str | None = None,
) -> OrderStatus:
    """The state `action` leads to from `status`, or `InvalidTransition` saying why not.

    `held_from` is the state an on-hold order came from; `resume` returns there."""
    status, action = OrderStatus(status), Action(action)
    who = f"order {number}" if number else "this order"
    if status == OrderStatus.ON_HOLD and action == Action.RESUME:
        if held_from is None or held_from not in PRE_SHIPMENT:
            raise InvalidTransition(
                f"Cannot resume {who}: it does not say which state it was put on hold from."
            )
        return OrderStatus(held_from)
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(_refusal(status, action, who))
    return target


def _refusal(status: OrderStatus, action: Action, who: str) -> str:
    doing = "Cannot " + _REFUSAL[action].format(who=who)
    flow_index = FLOW.index(status) if status in FLOW else -1
    if status in FINAL_STATUSES:
        return f"{doing}: it is {status_label(status)}, and a {status_label(status)} order is final."
    if status == OrderStatus.ON_HOLD and action != Action.HOLD:
        return f"{doing}: it is on hold. Resume it first."
    if action == Action.RESUME:
        return f"{doing}: it is not on hold."
    if action == Action.HOLD and status == OrderStatus.ON_HOLD:
        return f"{doing}: it is already on hold."
    if action in (Action.HOLD, Action.CANCEL) and status == OrderStatus.SHIPPED:
        return f"{doing}: it has already shipped."
    if action == Action.SHIP and flow_index < FLOW.index(OrderStatus.PAID):
        return f"{doing}: it is not paid yet."
    if action == Action.RECORD_PAYMENT and flow_index < FLOW.index(OrderStatus.INVOICED):
        return f"{doing}: it has not been invoiced yet."
    if action == Action.RECORD_PAYMENT:
        return f"{doing}: it is already paid."
    possible = ", ".join(ACTION_LABELS[a] for a in next_actions(status)) or "nothing"
    return f"{doing}: it is {status_label(status)}. What can happen next: {possible}."


def holds_stock(status: OrderStatus | str, held_from: OrderStatus | str | None = None) -> bool:
    """Whether an order in this state has stock reserved in a warehouse."""
    if status == OrderStatus.ON_HOLD:
        return held_from in RESERVING_STATUSES
    return status in RESERVING_STATUSES


def replay(actions: Iterable[Action | str]) -> OrderStatus:
    """The status an order reaches from `entered` by these actions (events that are not moves, such
    as `create` or `update_lines`, are skipped). Raises `InvalidTransition` on an impossible history."""
    status, held_from = OrderStatus.ENTERED, None
    moves = set(Action)
    for action in actions:
        if action not in moves:
            continue
        new = transition(status, action, held_from)
        held_from = status if new == OrderStatus.ON_HOLD else None
        status = new
    return status


PAYMENT_METHODS: tuple[str, ...] = ("credit_card", "paypal", "bank_transfer")
DELIVERY_METHODS: dict[str, int] = {  # method -> transit days added to the warehouse lead time
    "standard": 3,
    "express": 1,
    "pickup": 0,
    "freight": 7,
}

MAX_QUANTITY = 10**9  # more than a billion units of anything is a typo
MAX_LINES = 200
MAX_REQUEST_AHEAD = timedelta(days=3 * 365)  # a requested delivery date further out is a typo
INVOICE_DUE_DAYS = 30  # payment terms: an invoice is due 30 days after it is issued


# Business days to invoice and collect the money before an order may ship (it never ships unpaid):
# cards and PayPal clear at once; a bank transfer takes up to two working weeks.
PAYMENT_CLEARING_DAYS: dict[str, int] = {"credit_card": 1, "paypal": 1, "bank_transfer": 10}


def promised_date(today: date, lead_time_days: int, delivery_method: str, payment_method: str) -> date:
    """The delivery date promised at allocation, in business days (Monday–Friday) from `today`:
    invoicing and payment (by method) + the slowest used warehouse's lead time + transit days."""
    days = PAYMENT_CLEARING_DAYS[payment_method] + lead_time_days + DELIVERY_METHODS[delivery_method]
    return add_business_days(today, days)


def add_business_days(start: date, days: int) -> date:
    """`start` moved forward by `days` working days (a weekend start counts from Monday)."""
    moved: date = np.busday_offset(np.datetime64(start, "D"), days, roll="forward").astype(date)
    return moved


@dataclass(frozen=True)
class LineInput:
    """An order line as a person types it: SKU, quantity, price (None = list price), discount %."""

    sku: Any
    quantity: Any
    unit_price: Any = None
    discount_pct: Any = 0


@dataclass(frozen=True)
class LineDraft:
    """A validated order line, in integer cents and basis points."""

    product_id: int
    sku: str
    quantity: int
    unit_price_cents: int
    discount_bp: int

    @property
    def total_cents(self) -> int:
        return line_total_cents(self.quantity, self.unit_price_cents, self.discount_bp)


@dataclass(frozen=True)
class ProductRef:
    id: int
    sku: str
    name: str
    list_price_cents: int
    active: bool


def requested_date_bounds(today: date) -> tuple[date, date]:
    """The first and last requested delivery date an order accepts (the form's picker offers these)."""
    return today, today + MAX_REQUEST_AHEAD


def validate_lines(lines: Sequence[LineInput], products: Mapping[str, ProductRef]) -> list[LineDraft]:
    """Check every line against the product list; the first problem raises, naming line and field.

    `products` is keyed by upper-case SKU."""
    if not lines:
        raise ValidationError("lines", "an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise ValidationError("lines", f"an order can have at most {MAX_LINES} lines")
    drafts = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        sku = validation.text(f"{where}: SKU", line.sku, max_length=64)
        assert sku is not None
        product = products.get(sku.upper())
        if product is None:
            raise ValidationError(f"{where}: SKU", f"no product with SKU '{sku[:64]}'")
        if not product.active:
            raise ValidationError(f"{where}: SKU", f"{product.sku} ({product.name}) is no longer sold")
        quantity = validation.integer(f"{where}: quantity", line.quantity, minimum=1, maximum=MAX_QUANTITY)
        if line.unit_price is None or (isinstance(line.unit_price, str) and not line.unit_price.strip()):
            price_cents = product.list_price_cents
        else:
            price_cents = validation.money(f"{where}: unit price", line.unit_price)
        discount_bp = validation.percent(
            f"{where}: discount %", 0 if line.discount_pct is None else line.discount_pct
        )
        drafts.append(LineDraft(product.id, product.sku, quantity, price_cents, discount_bp))
    return drafts


def totals_cents(lines: Sequence[LineDraft], shipping_cents: int = 0, tax_rate_bp: int = 0) -> dict[str, int]:
    """Subtotal (Σ rounded lines), tax on the subtotal, shipping and the total, in cents."""
    subtotal = sum(line.total_cents for line in lines)
    tax = tax_cents(subtotal, tax_rate_bp)
    return {
        "subtotal": subtotal,
        "shipping": shipping_cents,
        "tax": tax,
        "total": subtotal + shipping_cents + tax,
    }


@dataclass(frozen=True)
class OrderTotals:
    """An order's money in currency units, each a `Decimal` with exactly two decimals."""

    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal


def _line_cents(line: Any) -> int:
    if hasattr(line, "total_cents"):
        return int(line.total_cents)
    if isinstance(line, tuple):
        quantity, unit_price, discount_pct = (*line, 0)[:3]
    else:
        quantity, unit_price, discount_pct = line.quantity, line.unit_price, line.discount_pct
    return _line_total_cents(quantity, unit_price, discount_pct)


def _line_total_cents(quantity: Any, unit_price: Any, discount_pct: Any) -> int:
    return line_total_cents(
        validation.integer("quantity", quantity, minimum=1, maximum=MAX_QUANTITY),
        validation.money("unit price", unit_price),
        validation.percent("discount %", discount_pct),
    )


def line_total(quantity: Any, unit_price: Any, discount_pct: Any = 0) -> Decimal:
    """`round_half_up(quantity × unit_price × (1 − discount_pct/100))` to the cent.

    The price is in currency units (a `Decimal`, `str` or `int`; two decimals at most) and the
    discount a percentage 0–100; anything else is a `ValidationError`."""
    return from_cents(_line_total_cents(quantity, unit_price, discount_pct))


def order_totals(lines: Iterable[Any], shipping: Any = 0, tax_rate: Any = 0) -> OrderTotals:
    """Subtotal (Σ lines, each rounded), tax on the subtotal (rounded once), shipping, total.

    `lines` are `LineDraft`s (anything with `total_cents`), objects with `quantity`, `unit_price`,
    `discount_pct`, or `(quantity, unit_price[, discount_pct])` tuples. `tax_rate` is a percentage."""
    subtotal = sum(_line_cents(line) for line in lines)
    shipping_cents = validation.money("shipping", shipping)
    tax = tax_cents(subtotal, validation.percent("tax rate %", tax_rate))
    return OrderTotals(
        from_cents(subtotal),
        from_cents(shipping_cents),
        from_cents(tax),
        from_cents(subtotal + shipping_cents + tax),
    )


def order_total(lines: Iterable[Any], shipping: Any = 0, tax_rate: Any = 0) -> Decimal:
    """T = Σ round(qty × unit_price × (1 − discount/100)) + shipping + tax (see `order_totals`)."""
    return order_totals(lines, shipping, tax_rate).total


def order_number(order_id: int) -> str:
    return f"SO-{order_id:06d}"


def invoice_sequence_key(year: int) -> str:
    """The `meta` counter behind a year's gap-free invoice numbers."""
    return f"invoice_seq:{year}"


def invoice_number(year: int, sequence: int) -> str:
    return f"INV-{year}-{sequence:06d}"
