"""The order audit (docs/architecture.md §1.4): completeness, legality and feasibility, as findings.

`audit(order, context)` is pure: the service gathers the facts (customer, products, free stock,
open unpaid invoices, the customer's recent orders) into an `AuditContext`, and the rules turn
them into findings. An **error** blocks the move to `audited`; a **warning** lets the order pass
only when a manager accepts it (permission APPROVE_WARNINGS, recorded in
`orders.warnings_accepted_by`).

Rules and the limits chosen for them (`AuditPolicy`):
- at least one line, at most `MAX_LINES`; every quantity a whole number 1 … 10^9; prices ≥ 0;
  the product must exist and still be sold (errors). A line at price 0 is a warning.
- discount: more than 10 % needs a manager's approval (warning); more than 50 % is refused
  (error). A unit price below the product's list price is a hidden discount, so it is a warning
  too. (The sample history has discounts up to 15 %, accepted by a manager from 12.5 % on.)
- the customer must exist and not be blocked (errors).
- credit: open unpaid invoices of the customer + this order's total must not exceed the
  customer's credit limit (error). A manager resolves it on the order: raise the customer's limit
  to cover it, or require prepayment. A prepayment order is not credit-checked at all: it is paid
  before it ships anyway (see `crm_core.settings` for the policy on new customers).
- stock: every product must have enough free stock (on hand − reserved) across all warehouses
  together (error; the allocation step then picks the warehouses).
- likely duplicate: another order of the same customer, not cancelled, entered within 24 hours
  of this one with the same products and quantities (warning).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from crm_core.money import format_money
from crm_core.orders import MAX_LINES, MAX_QUANTITY, ProductRef


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    line_no: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class AuditLine:
    line_no: int
    product_id: int
    quantity: int
    unit_price_cents: int
    discount_bp: int


@dataclass(frozen=True)
class AuditOrder:
    number: str
    customer_id: int
    lines: Sequence[AuditLine]
    total_cents: int
    created_at: datetime
    prepayment: bool = False  # paid before it ships: no credit is extended, so none is checked


@dataclass(frozen=True)
class CustomerRef:
    id: int
    name: str
    blocked: bool
    credit_limit_cents: int


@dataclass(frozen=True)
class RecentOrder:
    """Another order of the same customer, for the duplicate check."""

    number: str
    created_at: datetime
    lines: Sequence[tuple[int, int]]  # (product_id, quantity)


@dataclass(frozen=True)
class AuditPolicy:
    approval_discount_bp: int = 1_000  # above 10 %: a manager must accept it
    max_discount_bp: int = 5_000  # above 50 %: refused
    duplicate_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class AuditContext:
    customer: CustomerRef | None
    products: Mapping[int, ProductRef]  # by product id
    free_stock: Mapping[int, int]  # product id -> free units across all warehouses
    open_unpaid_cents: int = 0  # the customer's invoices not paid yet (cancelled orders excluded)
    recent_orders: Sequence[RecentOrder] = ()
    policy: AuditPolicy = field(default_factory=AuditPolicy)


def _pct(bp: int) -> str:
    return f"{bp / 100:g} %"


def _line_findings(line: AuditLine, context: AuditContext) -> list[Finding]:
    where = f"Line {line.line_no}"
    product = context.products.get(line.product_id)
    found: list[Finding] = []

    def add(severity: Severity, code: str, message: str) -> None:
        found.append(Finding(severity, code, f"{where}: {message}", line.line_no))

    if product is None:
        add(Severity.ERROR, "unknown_product", f"product #{line.product_id} does not exist.")
    elif not product.active:
        add(Severity.ERROR, "inactive_product", f"{product.sku} ({product.name}) is no longer sold.")
    name = product.sku if product else f"product #{line.product_id}"
    if not 1 <= line.quantity <= MAX_QUANTITY:
        add(
            Severity.ERROR,
            "bad_quantity",
            f"quantity {line.quantity:,} is not between 1 and {MAX_QUANTITY:,}.",
        )
    if line.unit_price_cents < 0:
        add(Severity.ERROR, "bad_price", f"the unit price {format_money(line.unit_price_cents)} is negative.")
    elif line.unit_price_cents == 0:
        add(Severity.WARNING, "zero_price", f"{name} is given away (unit price $0.00).")
    elif product is not None and line.unit_price_cents < product.list_price_cents:
        add(
            Severity.WARNING,
            "price_below_list",
            f"the unit price {format_money(line.unit_price_cents)} is below the list price "
            f"{format_money(product.list_price_cents)} of {name}; a manager must approve it.",
        )
    policy = context.policy
    if not 0 <= line.discount_bp <= 10_000:
        add(
            Severity.ERROR,
            "bad_discount",
            f"the discount {_pct(line.discount_bp)} is not between 0 and 100 %.",
        )
    elif line.discount_bp > policy.max_discount_bp:
        add(
            Severity.ERROR,
            "discount_too_high",
            f"the discount {_pct(line.discount_bp)} is over the maximum of {_pct(policy.max_discount_bp)}.",
        )
    elif line.discount_bp > policy.approval_discount_bp:
        add(
            Severity.WARNING,
            "discount_needs_approval",
            f"the discount {_pct(line.discount_bp)} is over {_pct(policy.approval_discount_bp)}; "
            "a manager must approve it.",
        )
    return found


def _customer_findings(order: AuditOrder, context: AuditContext) -> list[Finding]:
    customer = context.customer
    if customer is None or customer.id != order.customer_id:
        return [Finding(Severity.ERROR, "unknown_customer", f"Customer #{order.customer_id} does not exist.")]
    found = []
    if customer.blocked:
        found.append(
            Finding(
                Severity.ERROR,
                "customer_blocked",
                f"{customer.name} is blocked: no new orders until the account is unblocked.",
            )
        )
    exposure = context.open_unpaid_cents + order.total_cents
    if not order.prepayment and exposure > customer.credit_limit_cents:
        found.append(
            Finding(
                Severity.ERROR,
                "over_credit_limit",
                f"Credit limit exceeded: open unpaid invoices {format_money(context.open_unpaid_cents)} + "
                f"this order {format_money(order.total_cents)} = {format_money(exposure)}, "
                f"{format_money(exposure - customer.credit_limit_cents)} over the credit limit of "
                f"{format_money(customer.credit_limit_cents)}. A manager can raise the credit limit "
                "or require prepayment for this order.",
            )
        )
    return found


def _stock_findings(order: AuditOrder, context: AuditContext) -> list[Finding]:
    needed: dict[int, int] = defaultdict(int)
    first_line: dict[int, int] = {}
    for line in order.lines:
        if line.quantity > 0:
            needed[line.product_id] += line.quantity
            first_line.setdefault(line.product_id, line.line_no)
    found = []
    for product_id, quantity in needed.items():
        free = context.free_stock.get(product_id, 0)
        if quantity > free:
            product = context.products.get(product_id)
            name = f"{product.sku} ({product.name})" if product else f"product #{product_id}"
            found.append(
                Finding(
                    Severity.ERROR,
                    "not_enough_stock",
                    f"Not enough stock of {name}: {quantity:,} ordered, {free:,} free across all warehouses.",
                    first_line[product_id],
                )
            )
    return found


def _duplicate_findings(order: AuditOrder, context: AuditContext) -> list[Finding]:
    mine = Counter((line.product_id, line.quantity) for line in order.lines)
    window = context.policy.duplicate_window
    for other in sorted(context.recent_orders, key=lambda o: o.created_at):
        gap = abs(order.created_at - other.created_at)
        if other.number != order.number and gap <= window and Counter(other.lines) == mine:
            hours = gap.total_seconds() / 3600
            when = f"{hours:.0f} hours" if hours >= 1 else f"{gap.total_seconds() / 60:.0f} minutes"
            return [
                Finding(
                    Severity.WARNING,
                    "likely_duplicate",
                    f"Looks like a duplicate of {other.number}: same customer and the same lines, "
                    f"entered {when} apart.",
                )
            ]
    return []


def audit(order: AuditOrder, context: AuditContext) -> list[Finding]:
    """Every finding for the order: errors first, then warnings, each group in line order."""
    found: list[Finding] = []
    if not order.lines:
        found.append(Finding(Severity.ERROR, "no_lines", "The order has no lines."))
    elif len(order.lines) > MAX_LINES:
        found.append(Finding(Severity.ERROR, "too_many_lines", f"The order has more than {MAX_LINES} lines."))
    for line in order.lines:
        found += _line_findings(line, context)
    found += _customer_findings(order, context)
    found += _stock_findings(order, context)
    found += _duplicate_findings(order, context)
    return sorted(found, key=lambda f: (not f.is_error, f.line_no or 0))


def errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


def warnings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if not f.is_error]
