"""Editing a deal after capture, without a database: each field's check names the field, the close
date's range depends on the stage, and a closed deal only has its amount and close date corrected."""

from __future__ import annotations

import copy
import pickle
from datetime import date, timedelta

import pytest

from crm_core.errors import InvalidTransition, PermissionDenied, ValidationError
from crm_core.opportunities import DealField, check_edit, check_reassign, describe_change, editable_fields
from crm_core.opportunity_fields import KEEP, DealEdit, InvalidFields, close_date_rule, validate_deal_edit
from crm_core.permissions import Actor, Permission, Role, require

TODAY = date(2026, 11, 21)
CAPTURED = date(2026, 3, 2)
OPEN = close_date_rule("qualified", today=TODAY, captured=CAPTURED, current=date(2026, 12, 15))
OVERDUE = close_date_rule("scheduled", today=TODAY, captured=CAPTURED, current=date(2026, 10, 31))
WON = close_date_rule(
    "won", today=TODAY, captured=CAPTURED, current=date(2026, 6, 9), first_order=date(2026, 6, 12)
)


def clean(rule=OPEN, **fields: object):
    return validate_deal_edit(DealEdit(**fields), close_dates=rule)


def refusal(rule=OPEN, **fields: object) -> str:
    with pytest.raises(ValidationError) as caught:
        clean(rule, **fields)
    return str(caught.value)


def test_a_full_edit_comes_back_clean() -> None:
    fields = clean(
        expected_amount="1234.5",
        close_date="2027-01-31",
        product_id="4",
        quantity="12",
        contact_name="  Grace Hopper ",
        email="Grace@Example.COM",
        phone="",
    )
    assert (fields.expected_amount_cents, fields.close_date, fields.product_id, fields.quantity) == (
        123_450,
        date(2027, 1, 31),
        4,
        12,
    )
    assert (fields.contact_name, fields.email, fields.phone) == ("Grace Hopper", "grace@example.com", None)


def test_fields_left_at_keep_are_not_checked_and_stay_keep() -> None:
    fields = clean(quantity=3)
    assert fields.quantity == 3
    assert fields.expected_amount_cents is KEEP and fields.email is KEEP and fields.close_date is KEEP


def test_keep_stays_the_one_keep_through_a_copy_or_pickle() -> None:
    edit = DealEdit(quantity=3)
    assert copy.deepcopy(edit).email is KEEP
    assert pickle.loads(pickle.dumps(edit)).phone is KEEP


def test_an_empty_amount_means_priced_from_the_product() -> None:
    assert clean(expected_amount="  ").expected_amount_cents is None
    assert clean(expected_amount="0").expected_amount_cents == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"expected_amount": "12abc"},
            "Expected amount: '12abc' is not an amount: use digits, like 3000 or $3,000.00",
        ),
        ({"expected_amount": "-0.01"}, "Expected amount must be at least 0"),
        ({"expected_amount": "10.001"}, "Expected amount has more than two decimals"),
        ({"quantity": 0}, "Quantity must be at least 1"),
        ({"quantity": -1}, "Quantity must be at least 1"),
        ({"quantity": "2.5"}, "Quantity: '2.5' is not a whole number"),
        ({"quantity": True}, "Quantity must be a whole number"),
        ({"product_id": ""}, "Product is required"),
        ({"contact_name": ""}, "Contact name is required"),
        ({"email": "ada@"}, "Email: 'ada@' is not a valid email address"),
        ({"email": ""}, "Email is required"),
        ({"phone": "12"}, "Phone: '12' is not a phone number (digits, spaces, + - ( ) only)"),
        ({"close_date": "31/01/2027"}, "Expected close date: '31/01/2027' is not a date (YYYY-MM-DD)"),
    ],
)
def test_each_bad_value_is_refused_naming_its_field(fields: dict, message: str) -> None:
    assert refusal(**fields) == message


def test_every_bad_field_is_reported_at_once_in_form_order() -> None:
    with pytest.raises(InvalidFields) as caught:
        clean(email="x", quantity=0, expected_amount="abc")
    assert [e.field for e in caught.value.errors] == ["expected amount", "quantity", "email"]


def test_an_open_deals_close_date_lies_between_today_and_three_years_ahead() -> None:
    assert clean(close_date=TODAY).close_date == TODAY
    assert clean(close_date=TODAY + timedelta(days=3 * 365)).close_date == TODAY + timedelta(days=3 * 365)
    assert refusal(close_date=TODAY - timedelta(days=1)) == (
        "Expected close date cannot be in the past (today is 2026-11-21)"
    )
    assert refusal(close_date=TODAY + timedelta(days=3 * 365 + 1)) == (
        "Expected close date must be within three years (on or before 2029-11-20)"
    )
    assert clean(close_date=None).close_date is None  # as at capture, it may be left open


def test_an_overdue_deal_may_keep_its_past_close_date_but_not_move_to_another() -> None:
    assert clean(OVERDUE, close_date=date(2026, 10, 31)).close_date == date(2026, 10, 31)
    assert "cannot be in the past" in refusal(OVERDUE, close_date=date(2026, 11, 1))
    assert OVERDUE.picker_range == (date(2026, 10, 31), TODAY + timedelta(days=3 * 365))


def test_a_won_deals_close_date_lies_between_its_capture_and_its_first_order() -> None:
    assert WON.field == DealField.CLOSED_ON
    assert clean(WON, close_date=CAPTURED).close_date == CAPTURED
    assert clean(WON, close_date=date(2026, 6, 12)).close_date == date(2026, 6, 12)
    assert refusal(WON, close_date=date(2026, 3, 1)) == (
        "Close date cannot be before the deal was captured (2026-03-02)"
    )
    assert refusal(WON, close_date=date(2026, 6, 13)) == (
        "Close date cannot be after its first order was entered (2026-06-12)"
    )
    assert refusal(WON, close_date="") == "Close date is required"
    assert WON.picker_range == (CAPTURED, date(2026, 6, 12))


def test_a_lost_deals_close_date_cannot_be_in_the_future() -> None:
    lost = close_date_rule("lost", today=TODAY, captured=CAPTURED, current=date(2026, 5, 1))
    assert refusal(lost, close_date=TODAY + timedelta(days=1)) == "Close date cannot be in the future"
    assert clean(lost, close_date=TODAY).close_date == TODAY


def test_an_open_deal_changes_every_field_and_a_closed_one_only_its_amount_and_close_date() -> None:
    assert editable_fields("captured") == (
        "expected amount",
        "expected close date",
        "product",
        "quantity",
        "contact name",
        "email",
        "phone",
    )
    assert editable_fields("won") == editable_fields("lost") == ("expected amount", "close date")
    check_edit("scheduled", [DealField.PRODUCT, DealField.TITLE, DealField.EMAIL])
    check_edit("won", [DealField.AMOUNT, DealField.CLOSED_ON])
    with pytest.raises(InvalidTransition) as caught:
        check_edit("lost", [DealField.AMOUNT, DealField.PRODUCT, DealField.QUANTITY])
    assert str(caught.value) == (
        "This opportunity is lost: only its amount and close date can be corrected, "
        "not its product or quantity. Won and lost are final."
    )


def test_only_open_deals_are_reassigned_and_the_closed_ones_are_named() -> None:
    check_reassign({1: "captured", 2: "scheduled"})
    with pytest.raises(InvalidTransition, match=r"^Opportunity #7 is won or lost: a closed deal keeps"):
        check_reassign({1: "captured", 7: "won"})
    with pytest.raises(InvalidTransition, match=r"^Opportunities #7, #9 are won or lost"):
        check_reassign({7: "won", 8: "enriched", 9: "lost"})


def test_a_change_reads_as_field_before_and_after() -> None:
    assert describe_change(DealField.QUANTITY, "5", "6") == "quantity 5 → 6"
    assert (
        describe_change(DealField.OWNER, "Daniel Okafor", "Priya Raman")
        == "owner Daniel Okafor → Priya Raman"
    )


@pytest.mark.parametrize(
    ("role", "reassign", "correct_closed"),
    [(Role.REP, False, False), (Role.MANAGER, True, True), (Role.ADMIN, True, True)],
)
def test_managers_reassign_and_correct_closed_deals_and_reps_do_not(
    role: Role, reassign: bool, correct_closed: bool
) -> None:
    actor = Actor(5, "Hannah Weber", "hannah@example.com", role)
    assert actor.can(Permission.REASSIGN_OPPORTUNITY) is reassign
    assert actor.can(Permission.CORRECT_CLOSED_OPPORTUNITY) is correct_closed
    if not reassign:
        with pytest.raises(PermissionDenied, match=r"Hannah Weber \(rep\) may not reassign opportunities"):
            require(actor, Permission.REASSIGN_OPPORTUNITY)
