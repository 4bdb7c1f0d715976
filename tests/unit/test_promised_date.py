"""The delivery date promised at allocation counts business days for payment, lead time and transit."""

from __future__ import annotations

from datetime import date

import pytest

from crm_core.orders import add_business_days, promised_date

WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (WEDNESDAY, 0, WEDNESDAY),
        (WEDNESDAY, 2, date(2026, 11, 27)),  # Friday
        (WEDNESDAY, 3, date(2026, 11, 30)),  # over the weekend to Monday
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # a Saturday start counts from Monday
        (date(2026, 11, 28), 1, date(2026, 12, 1)),
    ],
)
def test_business_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert add_business_days(start, days) == expected


def test_a_card_payment_is_promised_sooner_than_a_bank_transfer() -> None:
    card = promised_date(WEDNESDAY, 2, "standard", "credit_card")  # 1 + 2 + 3 = 6 business days
    bank = promised_date(WEDNESDAY, 2, "standard", "bank_transfer")  # 10 + 2 + 3 = 15 business days
    assert card == date(2026, 12, 3)
    assert bank == date(2026, 12, 16)


def test_pickup_adds_no_transit() -> None:
    assert promised_date(WEDNESDAY, 1, "pickup", "paypal") == date(2026, 11, 27)
