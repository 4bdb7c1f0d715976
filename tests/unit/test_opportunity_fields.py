"""What each opportunity step needs: bad input names its field, good input comes back clean."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crm_core.errors import ValidationError
from crm_core.opportunity_fields import (
    Enrichment,
    InvalidFields,
    MeetingRequest,
    NewOpportunity,
    opportunity_title,
    validate_capture,
    validate_enrichment,
    validate_lost_reason,
    validate_meeting,
    validate_scores,
)

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
HUGE = "x" * 100_000


def make_capture(**changes: object) -> NewOpportunity:
    fields: dict[str, object] = {
        "company": "  Acme Tools Inc. ",
        "contact_name": "Ada Lovelace",
        "email": "Ada@Acme-Tools.example",
        "phone": "+1 212-555-0100",
        "product_id": 3,
        "quantity": 4,
        "expected_amount": "1200.50",
        "expected_close_date": date(2027, 1, 31),
    } | changes
    return NewOpportunity(**fields)  # type: ignore[arg-type]


def make_enrichment(**changes: object) -> Enrichment:
    fields: dict[str, object] = {
        "industry": "Retail",
        "employees": 120,
        "need": "Replace the scanners in 12 stores",
        "budget": 25_000,
        "decision_maker": "Grace Hopper (COO)",
        "timing": "Next quarter",
    } | changes
    return Enrichment(**fields)  # type: ignore[arg-type]


SCORES = {
    "segmentation": 8,
    "customer_characteristics": "6.5",
    "relationship_level": 7.0,
    "account_resource": 5,
    "budget": 6,
    "authority": 4,
    "need": 9,
    "timing": 3,
}


def test_a_valid_capture_comes_back_trimmed_with_the_amount_in_cents() -> None:
    clean = validate_capture(make_capture(), today=TODAY)
    assert clean.company == "Acme Tools Inc."
    assert clean.email == "ada@acme-tools.example"
    assert (clean.quantity, clean.expected_amount_cents, clean.customer_id) == (4, 120_050, None)


def test_an_empty_expected_amount_is_left_for_the_list_price() -> None:
    assert validate_capture(make_capture(expected_amount="  "), today=TODAY).expected_amount_cents is None


def test_an_existing_customer_needs_no_company_name() -> None:
    clean = validate_capture(make_capture(company="", customer_id="17"), today=TODAY)
    assert (clean.company, clean.customer_id) == (None, 17)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"company": "   "}, "company"),
        ({"company": HUGE}, "company"),
        ({"contact_name": ""}, "contact name"),
        ({"email": "ada@"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"email": None}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"product_id": None}, "product interest"),
        ({"product_id": "router"}, "product interest"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"expected_amount": "-1"}, "expected amount"),
        ({"expected_amount": "1000000000001"}, "expected amount"),
        ({"expected_amount": "lots"}, "expected amount"),
        ({"expected_close_date": date(2020, 1, 1)}, "expected close date"),
        ({"owner_id": "someone"}, "owner"),
    ],
)
def test_bad_capture_input_names_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_capture(make_capture(**changes), today=TODAY)
    assert caught.value.field == field
    assert str(caught.value).startswith(field[0].upper() + field[1:])  # a sentence naming the field


def test_every_bad_capture_field_is_reported_at_once_in_form_order() -> None:
    with pytest.raises(InvalidFields) as caught:
        validate_capture(make_capture(email="nope", company="", quantity=-3), today=TODAY)
    assert [e.field for e in caught.value.errors] == ["company", "email", "quantity"]
    assert caught.value.field == "company"


def test_a_valid_enrichment_is_clean() -> None:
    clean = validate_enrichment(make_enrichment(employees="120", budget="25000.00"))
    assert (clean.industry, clean.employees, clean.budget_cents, clean.timing) == (
        "Retail",
        120,
        2_500_000,
        "Next quarter",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"industry": " "}, "industry"),
        ({"employees": None}, "company size"),
        ({"employees": 0}, "company size"),
        ({"employees": "many"}, "company size"),
        ({"need": HUGE}, "need"),
        ({"budget": None}, "budget"),
        ({"budget": -5}, "budget"),
        ({"budget": 10**13}, "budget"),
        ({"decision_maker": "\t"}, "decision maker"),
        ({"timing": "soonish"}, "timing"),
        ({"timing": ""}, "timing"),
    ],
)
def test_bad_enrichment_names_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_enrichment(make_enrichment(**changes))
    assert caught.value.field == field


def test_scores_come_back_as_numbers() -> None:
    assert validate_scores(SCORES)["customer_characteristics"] == 6.5


@pytest.mark.parametrize(
    ("factor", "value", "field"),
    [
        ("segmentation", 11, "Segmentation"),
        ("budget", -0.5, "Budget"),
        ("need", "high", "Need"),
        ("timing", None, "Timing"),
        ("authority", float("nan"), "Authority"),
        ("relationship_level", True, "Level of relationship"),
    ],
)
def test_a_score_outside_0_to_10_or_not_a_number_names_the_factor(
    factor: str, value: object, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_scores(SCORES | {factor: value})
    assert caught.value.field == field


def test_an_unknown_factor_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown factor 'charisma'"):
        validate_scores(SCORES | {"charisma": 3})


def test_a_meeting_in_the_future_is_accepted_and_kept_in_utc() -> None:
    clean = validate_meeting(MeetingRequest("demo", NOW + timedelta(days=2), "  Demo for IT "), now=NOW)
    assert (clean.kind, clean.at, clean.notes) == ("demo", NOW + timedelta(days=2), "Demo for IT")


@pytest.mark.parametrize(
    ("kind", "at", "field"),
    [
        ("lunch", NOW + timedelta(days=1), "meeting kind"),
        ("call", NOW - timedelta(minutes=1), "meeting time"),
        ("call", NOW, "meeting time"),
        ("call", NOW + timedelta(days=400), "meeting time"),
        ("call", None, "meeting time"),
        ("call", "next tuesday", "meeting time"),
    ],
)
def test_a_meeting_that_is_not_in_the_future_or_of_an_unknown_kind_is_refused(
    kind: str, at: object, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_meeting(MeetingRequest(kind, at), now=NOW)
    assert caught.value.field == field


@pytest.mark.parametrize("reason", [None, "", "   ", HUGE])
def test_a_lost_opportunity_needs_a_reason_of_sensible_length(reason: object) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_lost_reason(reason)
    assert caught.value.field == "lost reason"


def test_a_title_names_company_and_product_and_fits_its_column() -> None:
    assert opportunity_title("Acme", "Router") == "Acme — Router"
    assert len(opportunity_title("A" * 300, "Router")) == 200
