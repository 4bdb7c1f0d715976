from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.money import from_cents, line_total_cents, line_total_expr, tax_cents, to_cents


@pytest.mark.parametrize(
    ("quantity", "price_cents", "discount_bp", "expected"),
    [
        (1, 1000, 0, 1000),
        (3, 333, 1000, 899),  # 899.1 → 899
        (1, 105, 5000, 53),  # 52.5 → 53: half rounds up
        (1, 1, 5000, 1),  # 0.5 → 1
        (7, 1999, 10000, 0),  # 100 % discount
        (2, 1234, 1250, 2160),  # 2159.75 → 2160
    ],
)
def test_line_totals_round_half_up_to_the_cent(
    quantity: int, price_cents: int, discount_bp: int, expected: int
) -> None:
    assert line_total_cents(quantity, price_cents, discount_bp) == expected


def test_tax_is_rounded_once_half_up() -> None:
    assert tax_cents(1050, 1000) == 105
    assert tax_cents(5, 1000) == 1  # 0.5 → 1


def test_amounts_parse_from_text_and_never_from_floats() -> None:
    assert to_cents("12.345") == 1235
    assert to_cents(Decimal("0.005")) == 1
    assert from_cents(1235) == Decimal("12.35")
    with pytest.raises(TypeError):
        to_cents(12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an amount"):
        to_cents("twelve")
    with pytest.raises(ValueError, match="finite"):
        to_cents("NaN")


@given(
    quantity=st.integers(1, 10**6),
    price=st.integers(0, 10**8),
    discount=st.integers(0, 10_000),
)
def test_the_polars_expression_matches_the_python_rule(quantity: int, price: int, discount: int) -> None:
    frame = pl.DataFrame({"quantity": [quantity], "unit_price_cents": [price], "discount_bp": [discount]})
    assert frame.select(line_total_expr()).item() == line_total_cents(quantity, price, discount)
    exact = Decimal(quantity * price) * (Decimal(10_000 - discount) / 10_000)
    assert abs(Decimal(line_total_cents(quantity, price, discount)) - exact) <= Decimal("0.5")
