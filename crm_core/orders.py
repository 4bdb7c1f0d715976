"""Order states and the one table of allowed moves (DESIGN.md §1.4)."""

from __future__ import annotations

from enum import StrEnum


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
