"""Order states and the one table of allowed moves (DESIGN.md §1.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crm_core import validation
from crm_core.errors import ValidationError
from crm_core.money import line_total_cents, tax_cents


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

PAYMENT_METHODS: tuple[str, ...] = ("credit_card", "paypal", "bank_transfer")
DELIVERY_METHODS: dict[str, int] = {  # method -> transit days added to the warehouse lead time
    "standard": 3,
    "express": 1,
    "pickup": 0,
    "freight": 7,
}

MAX_QUANTITY = 10**9  # more than a billion units of anything is a typo
MAX_LINES = 200


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


def order_number(order_id: int) -> str:
    return f"SO-{order_id:06d}"
