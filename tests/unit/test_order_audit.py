"""The audit rules, one by one, on tiny hand-made orders (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from crm_core.order_audit import (
    AuditContext,
    AuditLine,
    AuditOrder,
    CustomerRef,
    RecentOrder,
    Severity,
    audit,
    errors,
    warnings,
)
from crm_core.orders import ProductRef

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ROUTER = ProductRef(1, "SW-1001", "Edge Router", 100_00, True)
CABLE = ProductRef(2, "SW-1010", "USB-C Cable", 24_00, True)
OLD_AP = ProductRef(3, "SW-1024", "Access Point AP-5", 310_00, False)
CUSTOMER = CustomerRef(7, "Northwind Logistics", blocked=False, credit_limit_cents=1_000_000_00)


def make_line(line_no: int = 1, product: ProductRef = ROUTER, quantity: int = 2, **changes: int) -> AuditLine:
    fields = {"unit_price_cents": product.list_price_cents, "discount_bp": 0} | changes
    return AuditLine(line_no, product.id, quantity, **fields)


def make_order(*lines: AuditLine, total_cents: int = 200_00, customer_id: int = CUSTOMER.id) -> AuditOrder:
    chosen = lines if lines else (make_line(),)
    return AuditOrder("SO-000100", customer_id, list(chosen), total_cents, NOW)


def make_context(**changes: object) -> AuditContext:
    fields: dict[str, object] = {
        "customer": CUSTOMER,
        "products": {p.id: p for p in (ROUTER, CABLE, OLD_AP)},
        "free_stock": {ROUTER.id: 50, CABLE.id: 1_000, OLD_AP.id: 10},
    } | changes
    return AuditContext(**fields)  # type: ignore[arg-type]


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def test_a_clean_order_has_no_findings() -> None:
    assert audit(make_order(), make_context()) == []


def test_an_order_without_lines_is_an_error() -> None:
    found = audit(AuditOrder("SO-1", CUSTOMER.id, [], 0, NOW), make_context())
    assert codes(found) == ["no_lines"]
    assert found[0].severity == Severity.ERROR


@pytest.mark.parametrize(
    ("line", "code", "severity"),
    [
        (make_line(quantity=0), "bad_quantity", Severity.ERROR),
        (make_line(quantity=10**9 + 1), "bad_quantity", Severity.ERROR),
        (make_line(unit_price_cents=-1), "bad_price", Severity.ERROR),
        (make_line(unit_price_cents=0), "zero_price", Severity.WARNING),
        (make_line(unit_price_cents=90_00), "price_below_list", Severity.WARNING),
        (make_line(discount_bp=1001), "discount_needs_approval", Severity.WARNING),
        (make_line(discount_bp=5001), "discount_too_high", Severity.ERROR),
        (make_line(discount_bp=10_001), "bad_discount", Severity.ERROR),
        (make_line(product=OLD_AP), "inactive_product", Severity.ERROR),
        (AuditLine(1, 99, 1, 100, 0), "unknown_product", Severity.ERROR),
    ],
)
def test_each_line_rule_reports_its_finding_with_the_line_number(
    line: AuditLine, code: str, severity: Severity
) -> None:
    found = [f for f in audit(make_order(line), make_context()) if f.code == code]
    assert len(found) == 1
    assert found[0].severity == severity
    assert found[0].line_no == 1
    assert found[0].message.startswith("Line 1:")


def test_a_discount_of_exactly_ten_percent_needs_no_approval() -> None:
    assert audit(make_order(make_line(discount_bp=1000)), make_context()) == []


def test_a_discount_of_exactly_fifty_percent_is_a_warning_not_an_error() -> None:
    found = audit(make_order(make_line(discount_bp=5000)), make_context())
    assert codes(found) == ["discount_needs_approval"]


def test_an_unknown_or_blocked_customer_is_an_error() -> None:
    assert codes(audit(make_order(), make_context(customer=None))) == ["unknown_customer"]
    blocked = replace(CUSTOMER, blocked=True)
    found = audit(make_order(), make_context(customer=blocked))
    assert codes(found) == ["customer_blocked"]
    assert "Northwind Logistics is blocked" in found[0].message


def test_credit_check_counts_open_unpaid_invoices_plus_this_order() -> None:
    tight = replace(CUSTOMER, credit_limit_cents=1_000_00)
    assert audit(make_order(total_cents=400_00), make_context(customer=tight, open_unpaid_cents=600_00)) == []
    found = audit(make_order(total_cents=400_01), make_context(customer=tight, open_unpaid_cents=600_00))
    assert codes(found) == ["over_credit_limit"]
    assert "$0.01 over the credit limit of $1,000.00" in found[0].message
    assert found[0].message.endswith(
        "A manager can raise the credit limit or require prepayment for this order."
    )


def test_a_prepayment_order_is_not_credit_checked_because_it_is_paid_before_it_ships() -> None:
    no_credit = replace(CUSTOMER, credit_limit_cents=0)
    order = replace(make_order(total_cents=42_350_00), prepayment=True)
    assert audit(order, make_context(customer=no_credit, open_unpaid_cents=600_00)) == []
    blocked = replace(no_credit, blocked=True)
    assert codes(audit(order, make_context(customer=blocked))) == ["customer_blocked"]


def test_stock_is_checked_across_all_warehouses_per_product() -> None:
    order = make_order(make_line(1, quantity=30), make_line(2, quantity=25))  # 55 routers, 50 free
    found = audit(order, make_context())
    assert codes(found) == ["not_enough_stock"]
    assert "55 ordered, 50 free across all warehouses" in found[0].message
    assert found[0].line_no == 1


@pytest.mark.parametrize(("ordered", "short"), [(50, False), (51, True)])
def test_exactly_the_free_stock_passes_and_one_more_is_short(ordered: int, short: bool) -> None:
    order = make_order(make_line(1, quantity=ordered))  # 50 routers free across all warehouses
    assert ("not_enough_stock" in codes(audit(order, make_context()))) is short


def test_the_same_lines_for_the_same_customer_within_a_day_look_like_a_duplicate() -> None:
    order = make_order(make_line(1, quantity=2), make_line(2, product=CABLE, quantity=10))
    twin = RecentOrder("SO-000099", NOW - timedelta(hours=3), [(CABLE.id, 10), (ROUTER.id, 2)])
    found = audit(order, make_context(recent_orders=[twin]))
    assert codes(found) == ["likely_duplicate"]
    assert found[0].severity == Severity.WARNING
    assert "SO-000099" in found[0].message and "3 hours" in found[0].message


@pytest.mark.parametrize(
    "other",
    [
        RecentOrder("SO-000099", NOW - timedelta(hours=25), [(ROUTER.id, 2)]),  # more than a day apart
        RecentOrder("SO-000099", NOW - timedelta(hours=1), [(ROUTER.id, 3)]),  # another quantity
        RecentOrder("SO-000099", NOW - timedelta(hours=1), [(ROUTER.id, 2), (CABLE.id, 1)]),  # more lines
        RecentOrder("SO-000100", NOW, [(ROUTER.id, 2)]),  # the order itself
    ],
)
def test_orders_that_differ_are_not_duplicates(other: RecentOrder) -> None:
    assert audit(make_order(), make_context(recent_orders=[other])) == []


def test_errors_come_before_warnings_and_both_can_be_picked_out() -> None:
    order = make_order(make_line(1, discount_bp=1500), make_line(2, product=OLD_AP, quantity=1))
    found = audit(order, make_context())
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING]
    assert codes(errors(found)) == ["inactive_product"]
    assert codes(warnings(found)) == ["discount_needs_approval"]
