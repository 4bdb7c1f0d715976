"""Order money: Decimal at the edges, cents inside, half-up per line, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.errors import ValidationError
from crm_core.money import line_total_cents, tax_cents
from crm_core.orders import LineDraft, invoice_number, line_total, order_total, order_totals


def draft(quantity: int, price_cents: int, discount_bp: int = 0) -> LineDraft:
    return LineDraft(1, "SW-1", quantity, price_cents, discount_bp)


def test_a_line_is_quantity_times_price_less_discount_rounded_half_up() -> None:
    assert line_total(3, Decimal("19.99"), Decimal("10")) == Decimal("53.97")  # 53.973
    assert line_total(1, "1.05", "50") == Decimal("0.53")  # 0.525 → 0.53
    assert line_total(2, "12.34", "12.5") == Decimal("21.60")
    assert line_total(7, "19.99", 100) == Decimal("0.00")


def test_amounts_come_back_as_decimals_with_two_places() -> None:
    total = line_total(1, 5)
    assert isinstance(total, Decimal)
    assert total.as_tuple().exponent == -2


def test_the_total_is_the_sum_of_rounded_lines_plus_shipping_plus_tax_on_the_subtotal() -> None:
    lines = [(3, "0.33", 0), (1, "0.05", "50")]  # 3 × 0.33 = 0.99; 0.025 → 0.03
    totals = order_totals(lines, shipping="4.99", tax_rate="7.25")
    assert totals.subtotal == Decimal("1.02")
    assert totals.tax == Decimal("0.07")  # 0.07395 → 0.07
    assert totals.shipping == Decimal("4.99")
    assert totals.total == Decimal("6.08")
    assert order_total(lines, shipping="4.99", tax_rate="7.25") == totals.total


def test_rounding_per_line_differs_from_rounding_the_sum() -> None:
    # Two lines of 0.005 each: per line 0.01 + 0.01; rounding the sum would give 0.01.
    assert order_total([(1, "0.01", "50"), (1, "0.01", "50")]) == Decimal("0.02")


def test_the_seed_rule_is_the_one_line_no_discount_case() -> None:
    assert order_total([(4, "1850.00")]) == Decimal(4) * Decimal("1850.00")


def test_validated_drafts_and_typed_lines_give_the_same_total() -> None:
    assert order_total([draft(3, 1999, 1000)]) == order_total([(3, "19.99", "10")])


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ((0, "1.00"), "quantity"),
        ((-1, "1.00"), "quantity"),
        ((1.5, "1.00"), "quantity"),
        ((10**9 + 1, "1.00"), "quantity"),
        ((1, "-0.01"), "unit price"),
        ((1, "0.001"), "unit price"),
        ((1, "1.00", "100.01"), "discount %"),
        ((1, "1.00", "-1"), "discount %"),
        ((1, "NaN"), "unit price"),
    ],
)
def test_bad_lines_are_refused_with_the_field_named(line: tuple, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        order_total([line])
    assert refused.value.field == field


def test_a_float_price_never_sneaks_in_as_binary_noise() -> None:
    # 0.1 as a float is 0.1000000000000000055…; the validators read its shortest repr, "0.1".
    assert line_total(3, 0.1) == Decimal("0.30")


def test_invoice_numbers_carry_the_year_and_six_digits() -> None:
    assert invoice_number(2026, 1) == "INV-2026-000001"
    assert invoice_number(2027, 123456) == "INV-2027-123456"


@given(
    lines=st.lists(
        st.tuples(st.integers(1, 10_000), st.integers(0, 10**7), st.integers(0, 10_000)),
        min_size=1,
        max_size=8,
    ),
    shipping=st.integers(0, 10**6),
    tax_bp=st.integers(0, 10_000),
)
def test_decimal_totals_equal_the_integer_cent_rules(
    lines: list[tuple[int, int, int]], shipping: int, tax_bp: int
) -> None:
    typed = [(q, Decimal(p) / 100, Decimal(d) / 100) for q, p, d in lines]
    subtotal = sum(line_total_cents(q, p, d) for q, p, d in lines)
    expected = subtotal + shipping + tax_cents(subtotal, tax_bp)
    assert order_total(typed, Decimal(shipping) / 100, Decimal(tax_bp) / 100) == Decimal(expected) / 100
