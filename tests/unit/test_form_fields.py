"""What a form's fields accept and how their messages read: amounts as people type them, messages
as sentences naming the field, several problems at once, and the date bounds the pickers offer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crm_core import validation
from crm_core.errors import InvalidFields, ValidationError, describe
from crm_core.opportunity_fields import (
    MeetingRequest,
    NewOpportunity,
    close_date_bounds,
    meeting_bounds,
    validate_capture,
    validate_meeting,
)
from crm_core.orders import requested_date_bounds
from crm_core.services.order_actions import valid_reason

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("3,000.00", 300_000),
        ("$3,000.00", 300_000),
        ("3000", 300_000),
        ("3,000", 300_000),
        ("$ 1,234,567.89", 123_456_789),
        (" 12.5 ", 1_250),
        ("0.05", 5),
        ("0", 0),
    ],
)
def test_an_amount_is_read_as_people_type_it(typed: str, cents: int) -> None:
    assert validation.money("amount", typed) == cents


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12abc", "Shipping: '12abc' is not an amount: use digits, like 3000 or $3,000.00"),
        ("abc", "Shipping: 'abc' is not an amount: use digits, like 3000 or $3,000.00"),
        ("1e3", "Shipping: '1e3' is not an amount: use digits, like 3000 or $3,000.00"),
        ("NaN", "Shipping: 'NaN' is not an amount: use digits, like 3000 or $3,000.00"),
        ("3,00,000", "Shipping: '3,00,000' is not an amount: use digits, like 3000 or $3,000.00"),
        ("12 000", "Shipping: '12 000' is not an amount: use digits, like 3000 or $3,000.00"),
        ("3.000,00", "Shipping: '3.000,00' has a comma before the cents: write it with a point, as 3000.00"),
        ("12,50", "Shipping: '12,50' has a comma before the cents: write it with a point, as 12.50"),
        ("10.001", "Shipping has more than two decimals"),
        ("-5", "Shipping must be at least 0"),
        ("   ", "Shipping is required"),
    ],
)
def test_an_amount_that_is_not_clearly_one_is_refused_never_cut_short(typed: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validation.money("shipping", typed)
    assert str(refused.value) == says
    assert refused.value.field == "shipping"


def test_numbers_from_a_number_widget_still_count_as_amounts() -> None:
    assert validation.money("amount", 12.5) == 1_250
    assert validation.money("amount", Decimal("3000.00")) == 300_000
    assert validation.money("amount", 7) == 700


@pytest.mark.parametrize(
    ("field", "reason", "reads"),
    [
        ("tracking number", "is required", "Tracking number is required"),
        ("line 1: quantity", "must be at least 1", "Line 1: quantity must be at least 1"),
        (
            "email",
            "'ada@@quill' is not a valid email address",
            "Email: 'ada@@quill' is not a valid email address",
        ),
        ("customer", "no customer with id 7", "Customer: no customer with id 7"),
        ("tax rate %", "must be at most 100", "Tax rate % must be at most 100"),
        (
            "top_n",
            "must be a whole number of at least 1, got 0",
            "'top_n' must be a whole number of at least 1, got 0",
        ),
        ("id", "missing column", "'id': missing column"),
        ("need.recorded", "must be a score from 0 to 10", "'need.recorded' must be a score from 0 to 10"),
        ("[segmentaton]", "is not a factor", "'[segmentaton]' is not a factor"),
    ],
)
def test_a_message_reads_as_a_sentence_that_names_the_field(field: str, reason: str, reads: str) -> None:
    assert str(ValidationError(field, reason)) == reads
    assert describe(field, reason) == reads


def test_a_file_cell_keeps_its_row_and_column_as_the_file_names_them() -> None:
    assert str(ValidationError("email", "is required", row=3)) == "row 3, column 'email': is required"


def test_each_bad_field_of_a_form_has_its_own_message_by_field() -> None:
    new = NewOpportunity(
        company=" ", contact_name="Ada", email="ada@@quill", product_id=None, expected_amount="12abc"
    )

    with pytest.raises(InvalidFields) as refused:
        validate_capture(new, today=TODAY)

    assert refused.value.by_field == {
        "company": "Company is required",
        "email": "Email: 'ada@@quill' is not a valid email address",
        "product interest": "Product interest is required",
        "expected amount": "Expected amount: '12abc' is not an amount: use digits, like 3000 or $3,000.00",
    }


def test_one_bad_field_is_keyed_by_its_field_too() -> None:
    assert ValidationError("tracking number", "is required").by_field == {
        "tracking number": "Tracking number is required"
    }


def test_a_cancel_or_hold_reason_must_be_given() -> None:
    with pytest.raises(ValidationError) as refused:
        valid_reason("cancel reason", "   ")
    assert str(refused.value) == "Cancel reason is required"
    assert valid_reason("cancel reason", " Duplicate order ") == "Duplicate order"


def test_the_date_pickers_offer_exactly_what_the_fields_accept() -> None:
    first, last = close_date_bounds(TODAY)
    assert (first, last) == (TODAY, TODAY + timedelta(days=3 * 365))
    assert validate_capture(_capture(last), today=TODAY).expected_close_date == last
    with pytest.raises(ValidationError, match="Expected close date must be on or after 2026-03-10"):
        validate_capture(_capture(first - timedelta(days=1)), today=TODAY)
    with pytest.raises(ValidationError, match="Expected close date must be on or before"):
        validate_capture(_capture(last + timedelta(days=1)), today=TODAY)

    assert requested_date_bounds(TODAY) == (TODAY, TODAY + timedelta(days=3 * 365))

    earliest, latest = meeting_bounds(NOW)
    assert (earliest, latest) == (NOW, NOW + timedelta(days=365))
    assert validate_meeting(MeetingRequest("call", latest), now=NOW).at == latest
    with pytest.raises(ValidationError, match="Meeting time must be in the future"):
        validate_meeting(MeetingRequest("call", earliest), now=NOW)
    with pytest.raises(ValidationError, match="Meeting time must be within the next year"):
        validate_meeting(MeetingRequest("call", latest + timedelta(minutes=1)), now=NOW)


def _capture(close: date) -> NewOpportunity:
    return NewOpportunity(
        company="Quill Ltd",
        contact_name="Ada",
        email="ada@quill.example",
        product_id=3,
        expected_close_date=close,
    )
