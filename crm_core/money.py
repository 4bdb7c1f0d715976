"""Money: integer cents in storage, `Decimal` at the edges, never float.

Rounding is half-up to the cent, applied per order line (docs/architecture.md §1.4):
    line = round_half_up(quantity × unit_price × (1 − discount/100))
Discounts and tax rates are carried as basis points (1 % = 100 bp) so that the
arithmetic stays in integers and is exact; tax is charged on the discounted goods
subtotal, rounded half-up once per order. Shipping is not taxed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import polars as pl

CENT = Decimal("0.01")
BP_PER_UNIT = 10_000  # basis points in 100 %


def _half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up (away from zero for ties), exact for any size."""
    if numerator < 0:
        return -_half_up_div(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def line_total_cents(quantity: int, unit_price_cents: int, discount_bp: int = 0) -> int:
    return _half_up_div(quantity * unit_price_cents * (BP_PER_UNIT - discount_bp), BP_PER_UNIT)


def tax_cents(subtotal_cents: int, tax_rate_bp: int) -> int:
    return _half_up_div(subtotal_cents * tax_rate_bp, BP_PER_UNIT)


def to_cents(amount: Decimal | str | int) -> int:
    """Parse an amount in currency units ('12.345' → 1235 cents, half-up). Rejects floats and junk."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float; pass a Decimal, a string or an int")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"'{amount}' is not an amount of money") from None
    if not value.is_finite():
        raise ValueError(f"'{amount}' is not a finite amount of money")
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(cents: int, currency: str = "$") -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{currency}{from_cents(abs(cents)):,.2f}"


def line_total_expr(
    quantity: str = "quantity", price: str = "unit_price_cents", discount: str = "discount_bp"
) -> pl.Expr:
    """The same per-line rounding as `line_total_cents`, as a Polars expression (non-negative inputs)."""
    numerator = pl.col(quantity).cast(pl.Int64) * pl.col(price) * (BP_PER_UNIT - pl.col(discount))
    return (2 * numerator + BP_PER_UNIT) // (2 * BP_PER_UNIT)
