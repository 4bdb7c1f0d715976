"""A Hypothesis state machine over the pure order domain: random desks of orders, random actions.

The "store" is a small in-memory model (`Desk`) that does what the services do, with the same
domain functions (`transition`, `audit`, `plan_allocation`, `reserve`/`release`/`ship_out`,
`totals_cents`, `invoice_number`). After every step the invariants must hold: nothing ships
unpaid, stock never goes negative, reserved stock is exactly what open allocated orders hold,
totals are exact, invoice numbers are consecutive, and replaying an order's events gives its status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from crm_core.allocation import (
    LineNeed,
    OutOfStock,
    Pick,
    StockKey,
    StockLevel,
    WarehouseRef,
    plan_allocation,
    release,
    reserve,
    ship_out,
)
from crm_core.errors import InvalidTransition
from crm_core.money import line_total_cents, tax_cents
from crm_core.order_audit import AuditContext, AuditLine, AuditOrder, CustomerRef, audit, errors
from crm_core.orders import (
    Action,
    LineDraft,
    OrderStatus,
    ProductRef,
    holds_stock,
    invoice_number,
    next_actions,
    order_number,
    order_total,
    replay,
    totals_cents,
    transition,
)

YEAR = 2026
NOW = datetime(YEAR, 6, 1, tzinfo=UTC)
WAREHOUSES = [
    WarehouseRef(1, "CHI", "Chicago", 1),
    WarehouseRef(2, "DFW", "Dallas", 1),
    WarehouseRef(3, "RNO", "Reno", 4),
]
PRODUCTS = {i: ProductRef(i, f"SW-{1000 + i}", f"Product {i}", 1_000 * i + 99, True) for i in (1, 2, 3)}
CUSTOMER = CustomerRef(1, "Test customer", False, 10**15)
MAX_ORDERS = 8  # few orders, so that 50 steps take some of them all the way to delivered
SHIPPED_OR_LATER = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}


@dataclass
class OrderModel:
    id: int
    lines: list[LineDraft]
    shipping_cents: int
    tax_rate_bp: int
    total_cents: int
    status: OrderStatus = OrderStatus.ENTERED
    held_from: OrderStatus | None = None
    invoice: tuple[str, int] | None = None  # (number, total)
    paid: bool = False
    refund_due: bool = False
    picks: list[Pick] = field(default_factory=list)
    released: bool = False
    actions: list[str] = field(default_factory=lambda: ["create"])

    @property
    def number(self) -> str:
        return order_number(self.id)


lines_strategy = st.lists(
    st.tuples(st.sampled_from(sorted(PRODUCTS)), st.integers(1, 12), st.sampled_from([0, 500, 1000, 1250])),
    min_size=1,
    max_size=3,
)


class OrderDesk(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[int, OrderModel] = {}
        self.levels: dict[StockKey, StockLevel] = {}
        self.initial_on_hand: dict[StockKey, int] = {}
        self.invoices: list[str] = []

    @initialize(on_hand=st.lists(st.integers(0, 40), min_size=9, max_size=9))
    def stock_the_warehouses(self, on_hand: list[int]) -> None:
        keys = [(w.id, p) for w in WAREHOUSES for p in sorted(PRODUCTS)]
        self.levels = {key: StockLevel(n, 0) for key, n in zip(keys, on_hand, strict=True)}
        self.initial_on_hand = dict(zip(keys, on_hand, strict=True))

    @precondition(lambda self: len(self.orders) < MAX_ORDERS)
    @rule(lines=lines_strategy, shipping=st.integers(0, 5_000), tax_bp=st.sampled_from([0, 625, 725, 825]))
    def enter_an_order(self, lines: list[tuple[int, int, int]], shipping: int, tax_bp: int) -> None:
        drafts = [LineDraft(p, PRODUCTS[p].sku, q, PRODUCTS[p].list_price_cents, d) for p, q, d in lines]
        order_id = len(self.orders) + 1
        total = totals_cents(drafts, shipping, tax_bp)["total"]
        self.orders[order_id] = OrderModel(order_id, drafts, shipping, tax_bp, total)

    @precondition(lambda self: self.orders)
    @rule(
        pick=st.integers(0, 10**6),
        action=st.sampled_from(list(Action)),
        cent_off=st.sampled_from([0, 0, 0, -1, 1]),
        tracking=st.sampled_from(["1Z999", "", "  "]),
    )
    def act_on_an_order(self, pick: int, action: Action, cent_off: int, tracking: str) -> None:
        order = self.orders[sorted(self.orders)[pick % len(self.orders)]]
        before = (repr(order), dict(self.levels), list(self.invoices))
        try:
            self.apply(order, action, cent_off=cent_off, tracking=tracking)
        except (InvalidTransition, OutOfStock, Refused):
            assert (repr(order), self.levels, self.invoices) == before, "a refused action changed something"

    @precondition(lambda self: self.orders)
    @rule(
        pick=st.integers(0, 10**6),
        choice=st.integers(0, 9),
        cent_off=st.sampled_from([0, 0, 0, 0, -1, 1]),
        tracking=st.sampled_from(["1Z999", "1Z999", ""]),
    )
    def take_an_allowed_step(self, pick: int, choice: int, cent_off: int, tracking: str) -> None:
        """Mostly the step forward (so orders get far along), sometimes a hold or a cancellation."""
        order = self.orders[sorted(self.orders)[pick % len(self.orders)]]
        allowed = next_actions(order.status)
        if allowed:
            action = allowed[0] if choice < 8 else allowed[min(choice - 7, len(allowed) - 1)]
            self.act_on_an_order(pick, action, cent_off, tracking)

    def apply(self, order: OrderModel, action: Action, *, cent_off: int, tracking: str) -> None:
        """What the service layer does for `action`, on the in-memory desk."""
        new = transition(order.status, action, order.held_from, number=order.number)
        levels = self.levels
        if action == Action.AUDIT:
            found = audit(self.audit_order(order), self.audit_context())
            if errors(found):
                raise Refused("audit errors")
        elif action == Action.ALLOCATE:
            needs = [LineNeed(i, i, d.product_id, d.sku, d.quantity) for i, d in enumerate(order.lines, 1)]
            plan = plan_allocation(needs, WAREHOUSES, levels, number=order.number)
            levels = reserve(levels, plan.picks)
            order.picks = list(plan.picks)
        elif action == Action.INVOICE:
            number = invoice_number(YEAR, len(self.invoices) + 1)
            self.invoices.append(number)
            order.invoice = (
                number,
                totals_cents(order.lines, order.shipping_cents, order.tax_rate_bp)["total"],
            )
        elif action == Action.RECORD_PAYMENT:
            assert order.invoice is not None
            if order.invoice[1] + cent_off != order.invoice[1]:
                raise Refused("a payment must equal the invoice total")
            order.paid = True
        elif action == Action.SHIP:
            if not tracking.strip():
                raise Refused("tracking number required")
            levels = ship_out(levels, order.picks)
        elif action == Action.CANCEL:
            if holds_stock(order.status, order.held_from):
                levels = release(levels, order.picks)
                order.released = True
            order.refund_due = order.paid
        order.held_from = order.status if new == OrderStatus.ON_HOLD else None
        order.status = new
        order.actions.append(action.value)
        self.levels = levels

    def audit_order(self, order: OrderModel) -> AuditOrder:
        lines = [
            AuditLine(i, d.product_id, d.quantity, d.unit_price_cents, d.discount_bp)
            for i, d in enumerate(order.lines, 1)
        ]
        return AuditOrder(order.number, CUSTOMER.id, lines, order.total_cents, NOW)

    def audit_context(self) -> AuditContext:
        free: dict[int, int] = {}
        for (_, product), level in self.levels.items():
            free[product] = free.get(product, 0) + level.free
        return AuditContext(CUSTOMER, PRODUCTS, free)

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def nothing_ships_before_it_is_paid(self) -> None:
        for order in self.orders.values():
            if order.status in SHIPPED_OR_LATER or (
                order.status == OrderStatus.CANCELLED and order.refund_due
            ):
                assert order.paid, order

    @invariant()
    def stock_is_never_negative(self) -> None:
        for level in self.levels.values():
            assert 0 <= level.reserved <= level.on_hand

    @invariant()
    def reserved_stock_is_what_open_allocated_orders_hold(self) -> None:
        held: dict[StockKey, int] = {}
        shipped: dict[StockKey, int] = {}
        for order in self.orders.values():
            target = (
                held
                if holds_stock(order.status, order.held_from)
                else shipped
                if order.status in SHIPPED_OR_LATER
                else None
            )
            for pick in order.picks if target is not None else ():
                key = (pick.warehouse_id, pick.product_id)
                target[key] = target.get(key, 0) + pick.quantity
        for key, level in self.levels.items():
            assert level.reserved == held.get(key, 0)
            assert level.on_hand == self.initial_on_hand[key] - shipped.get(key, 0)

    @invariant()
    def totals_are_exact(self) -> None:
        for order in self.orders.values():
            subtotal = sum(
                line_total_cents(d.quantity, d.unit_price_cents, d.discount_bp) for d in order.lines
            )
            assert order.total_cents == subtotal + order.shipping_cents + tax_cents(
                subtotal, order.tax_rate_bp
            )
            typed = [(d.quantity, d.unit_price_cents / 100, d.discount_bp / 100) for d in order.lines]
            assert (
                order_total(typed, order.shipping_cents / 100, order.tax_rate_bp / 100) * 100
                == order.total_cents
            )
            if order.invoice is not None:
                assert order.invoice[1] == order.total_cents

    @invariant()
    def invoice_numbers_are_consecutive(self) -> None:
        assert self.invoices == [invoice_number(YEAR, n) for n in range(1, len(self.invoices) + 1)]

    @invariant()
    def replaying_the_events_gives_the_current_status(self) -> None:
        for order in self.orders.values():
            assert replay(order.actions) == order.status


class Refused(Exception):
    """The model's stand-in for a service's validation or audit refusal."""


OrderDesk.TestCase.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
TestOrderDesk = OrderDesk.TestCase
