"""The opportunity lifecycle through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from crm_core.customers import PossibleDuplicateCustomer
from crm_core.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.permissions import Actor, Role
from crm_core.services import (
    capture_opportunity,
    convert_to_order,
    enrich_opportunity,
    mark_lost,
    mark_won,
    opportunity_detail,
    opportunity_history,
    qualify_opportunity,
    schedule_meeting,
    table_counts,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Customer, Event, Meeting, Opportunity, Order, OrderLine, Product
from tests.conftest import SAMPLE_TODAY

MANAGER = Actor(1, "Maria Lindqvist", "maria@example.com", Role.MANAGER)
REP = Actor(2, "Daniel Okafor", "daniel@example.com", Role.REP)
OTHER_REP = Actor(3, "Priya Raman", "priya@example.com", Role.REP)
ADMIN = Actor(11, "Elena Petrova", "elena@example.com", Role.ADMIN)
SCORES = dict.fromkeys(
    ("segmentation", "customer_characteristics", "relationship_level", "account_resource"), 7
) | dict.fromkeys(("budget", "authority", "need", "timing"), 6)
ENRICHMENT = Enrichment(
    "Retail", 240, "Scanners for 12 stores", "30000", "Grace Hopper (COO)", "Next quarter"
)


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(days=3)


SERIAL = itertools.count(1)


def new_opportunity(**changes: object) -> NewOpportunity:
    n = next(SERIAL)  # a new company (name and email domain) each time, so none matches another
    fields: dict[str, object] = {
        "company": f"Brand New Test Company {n} Ltd",
        "contact_name": "Ada Lovelace",
        "email": f"ada@brand-new-test-{n}.example",
        "phone": "+1 212 555 0100",
        "product_id": 3,
        "quantity": 5,
        "expected_close_date": SAMPLE_TODAY + timedelta(days=45),
    } | changes
    return NewOpportunity(**fields)  # type: ignore[arg-type]


def capture(store: Store, actor: Actor = REP, **changes: object) -> int:
    return capture_opportunity(store, actor, new_opportunity(**changes), today=SAMPLE_TODAY)


def version_of(store: Store, opportunity_id: int) -> int:
    return opportunity_detail(store, opportunity_id).version


def walk(store: Store, opportunity_id: int, to: str, actor: Actor = REP) -> int:
    """Take a captured opportunity through the steps up to `to`; returns the version."""
    steps = {
        "enriched": lambda v: enrich_opportunity(store, actor, opportunity_id, v, ENRICHMENT),
        "qualified": lambda v: qualify_opportunity(store, actor, opportunity_id, v, SCORES),
        "scheduled": lambda v: schedule_meeting(
            store, actor, opportunity_id, v, MeetingRequest("demo", soon(), "Demo for IT")
        ),
        "won": lambda v: mark_won(store, actor, opportunity_id, v),
    }
    version = version_of(store, opportunity_id)
    for stage, step in steps.items():
        version = step(version)
        if stage == to:
            break
    return version


def events_of(store: Store, opportunity_id: int) -> list[tuple]:
    history = opportunity_history(store, opportunity_id)
    return list(history.select("action", "from_state", "to_state", "actor_id").rows())


def test_capture_creates_the_customer_and_a_captured_opportunity_with_its_event(seeded_store: Store) -> None:
    before, version = table_counts(seeded_store), data_version(seeded_store)

    opportunity_id = capture(
        seeded_store, company="Brand New Test Company Ltd", email="ada@brand-new-test.example"
    )

    detail = opportunity_detail(seeded_store, opportunity_id)
    with seeded_store.read() as session:
        product = session.get(Product, 3)
        assert product is not None
        customer = session.get(Customer, detail.customer_id)
        assert customer is not None
        assert (customer.contact_email, customer.contact_phone) == (
            "ada@brand-new-test.example",
            "+1 212 555 0100",
        )
    assert (detail.stage, detail.version, detail.owner_id) == ("captured", 1, REP.id)
    assert detail.customer == "Brand New Test Company Ltd"
    assert detail.title == f"Brand New Test Company Ltd — {product.name}"
    assert detail.expected_amount_cents == 5 * product.list_price_cents  # left empty: quantity × list price
    assert events_of(seeded_store, opportunity_id) == [("capture", None, "captured", REP.id)]
    after = table_counts(seeded_store)
    assert (after["customers"], after["opportunities"]) == (
        before["customers"] + 1,
        before["opportunities"] + 1,
    )
    assert data_version(seeded_store) == version + 1


def test_capture_offers_the_customer_with_the_same_name_instead_of_a_duplicate(seeded_store: Store) -> None:
    with seeded_store.read() as session:
        existing = session.scalars(select(Customer).order_by(Customer.id).limit(1)).one()
    before, version = table_counts(seeded_store), data_version(seeded_store)

    with pytest.raises(PossibleDuplicateCustomer) as caught:
        capture(seeded_store, company=f"  {existing.name.upper()} ", email="someone@gmail.com")

    assert [(m.id, m.reason) for m in caught.value.matches] == [(existing.id, "same company name")]
    assert table_counts(seeded_store) == before
    assert data_version(seeded_store) == version


def test_capture_offers_the_customer_with_the_same_email_domain(seeded_store: Store) -> None:
    with seeded_store.read() as session:
        existing = session.scalars(select(Customer).order_by(Customer.id).limit(1)).one()
    domain = existing.contact_email.split("@")[1]
    with pytest.raises(PossibleDuplicateCustomer) as caught:
        capture(seeded_store, company="Another Name Entirely", email=f"new.person@{domain.upper()}")
    assert caught.value.matches[0].id == existing.id
    assert domain in caught.value.matches[0].reason


def test_capture_for_a_chosen_existing_customer_or_a_new_one_anyway(seeded_store: Store) -> None:
    with seeded_store.read() as session:
        existing = session.scalars(select(Customer).order_by(Customer.id).limit(1)).one()
    customers = table_counts(seeded_store)["customers"]

    reused = capture(seeded_store, company=existing.name, customer_id=existing.id)
    assert opportunity_detail(seeded_store, reused).customer_id == existing.id
    assert table_counts(seeded_store)["customers"] == customers

    separate = capture(seeded_store, company=existing.name, new_customer=True)
    assert opportunity_detail(seeded_store, separate).customer_id != existing.id
    assert table_counts(seeded_store)["customers"] == customers + 1


def test_a_rep_captures_only_for_themselves_and_a_manager_for_any_rep(seeded_store: Store) -> None:
    with pytest.raises(PermissionDenied, match="other people's opportunities"):
        capture(seeded_store, REP, owner_id=OTHER_REP.id)
    assigned = capture(seeded_store, MANAGER, owner_id=OTHER_REP.id)
    assert opportunity_detail(seeded_store, assigned).owner_id == OTHER_REP.id
    with pytest.raises(ValidationError, match=r"^Owner: "):
        capture(seeded_store, MANAGER, owner_id=ADMIN.id)


def test_the_whole_lifecycle_moves_stage_by_stage_with_an_event_for_each_step(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "won")

    detail = opportunity_detail(seeded_store, opportunity_id)
    assert (detail.stage, detail.version) == ("won", version)
    assert version == 5
    assert detail.closed_at is not None
    assert (detail.industry, detail.employees) == ("Retail", 240)  # onto the shared customer record
    assert (detail.budget_cents, detail.purchase_timeframe) == (3_000_000, "Next quarter")
    assert detail.scores["segmentation"] == 7 and detail.is_scored
    assert [(m.kind, m.notes) for m in detail.meetings] == [("demo", "Demo for IT")]
    assert events_of(seeded_store, opportunity_id) == [
        ("capture", None, "captured", REP.id),
        ("enrich", "captured", "enriched", REP.id),
        ("qualify", "enriched", "qualified", REP.id),
        ("schedule", "qualified", "scheduled", REP.id),
        ("win", "scheduled", "won", REP.id),
    ]
    assert (
        "Value 7.0 · potential 6.0 · pursue"
        in opportunity_history(seeded_store, opportunity_id)["note"].to_list()
    )


def test_a_won_opportunity_converts_into_an_entered_order_for_the_same_customer(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store, quantity=7)
    version = walk(seeded_store, opportunity_id, "won")

    order_id = convert_to_order(seeded_store, REP, opportunity_id, version, today=SAMPLE_TODAY)

    detail = opportunity_detail(seeded_store, opportunity_id)
    with seeded_store.read() as session:
        order = session.get(Order, order_id)
        product = session.get(Product, 3)
        assert order is not None and product is not None
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        order_events = session.scalars(
            select(Event.action).where(Event.entity_type == "order", Event.entity_id == order_id)
        ).all()
    assert (order.status, order.customer_id, order.opportunity_id) == (
        "entered",
        detail.customer_id,
        opportunity_id,
    )
    assert (line.product_id, line.quantity, line.unit_price_cents, line.discount_bp) == (
        3,
        7,
        product.list_price_cents,
        0,
    )
    assert order_events == ["create"]
    assert [o.number for o in detail.orders] == [order.number]
    assert events_of(seeded_store, opportunity_id)[-1] == ("convert", "won", "won", REP.id)
    assert detail.version == version + 1


def test_a_second_order_needs_asking_for_and_names_the_first(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "won")
    first = convert_to_order(seeded_store, REP, opportunity_id, version, today=SAMPLE_TODAY)
    version += 1
    with seeded_store.read() as session:
        number = session.scalars(select(Order.number).where(Order.id == first)).one()
    orders = table_counts(seeded_store)["orders"]

    with pytest.raises(InvalidTransition, match=f"An order already exists for this opportunity: {number}"):
        convert_to_order(seeded_store, REP, opportunity_id, version, today=SAMPLE_TODAY)
    assert table_counts(seeded_store)["orders"] == orders

    convert_to_order(seeded_store, REP, opportunity_id, version, another_order=True, today=SAMPLE_TODAY)
    assert len(opportunity_detail(seeded_store, opportunity_id).orders) == 2


def test_only_a_won_opportunity_converts(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "scheduled")
    with pytest.raises(
        InvalidTransition, match="Only a won opportunity can become an order; this one is scheduled"
    ):
        convert_to_order(seeded_store, REP, opportunity_id, version)


def test_a_stale_version_is_a_conflict_and_changes_nothing(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    enrich_opportunity(seeded_store, MANAGER, opportunity_id, 1, ENRICHMENT)  # someone else got there first
    before, version = table_counts(seeded_store), data_version(seeded_store)

    with pytest.raises(ConflictError, match="changed by someone else — reloaded"):
        mark_lost(seeded_store, REP, opportunity_id, 1, "Chose a competitor")

    assert opportunity_detail(seeded_store, opportunity_id).stage == "enriched"
    assert (table_counts(seeded_store), data_version(seeded_store)) == (before, version)


def test_two_conversions_from_the_same_version_make_one_order(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "won")
    convert_to_order(seeded_store, REP, opportunity_id, version)
    with pytest.raises(ConflictError):
        convert_to_order(seeded_store, MANAGER, opportunity_id, version, another_order=True)
    assert len(opportunity_detail(seeded_store, opportunity_id).orders) == 1


def test_a_step_out_of_order_is_refused_and_changes_nothing(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    before, version = table_counts(seeded_store), data_version(seeded_store)
    with pytest.raises(InvalidTransition, match="enrich it first"):
        qualify_opportunity(seeded_store, REP, opportunity_id, 1, SCORES)
    assert (table_counts(seeded_store), data_version(seeded_store)) == (before, version)


def test_reps_work_their_own_opportunities_and_managers_anyones(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store, REP)
    with pytest.raises(PermissionDenied, match="Priya Raman \\(rep\\) may not work on other people's"):
        enrich_opportunity(seeded_store, OTHER_REP, opportunity_id, 1, ENRICHMENT)
    with pytest.raises(PermissionDenied, match="Sign in"):
        enrich_opportunity(seeded_store, None, opportunity_id, 1, ENRICHMENT)
    enrich_opportunity(seeded_store, MANAGER, opportunity_id, 1, ENRICHMENT)
    assert events_of(seeded_store, opportunity_id)[-1][3] == MANAGER.id


def test_an_opportunity_is_lost_from_any_open_stage_with_its_reason(
    seeded_store: Store, subtests: pytest.Subtests
) -> None:
    for stage in ("captured", "enriched", "qualified", "scheduled"):
        with subtests.test(stage=stage):
            opportunity_id = capture(seeded_store)
            version = walk(seeded_store, opportunity_id, stage) if stage != "captured" else 1
            mark_lost(seeded_store, REP, opportunity_id, version, "  Price too high ")
            detail = opportunity_detail(seeded_store, opportunity_id)
            assert (detail.stage, detail.lost_reason) == ("lost", "Price too high")
            assert detail.closed_at is not None
            assert events_of(seeded_store, opportunity_id)[-1] == ("lose", stage, "lost", REP.id)


HUGE = "x" * 100_000
# (step, the field its message names); each runs on a fresh opportunity in the stage the step needs.
BAD_INPUT = [
    ("capture_blank_company", "company"),
    ("capture_bad_email", "email"),
    ("capture_negative_amount", "expected amount"),
    ("capture_absurd_amount", "expected amount"),
    ("capture_huge_contact", "contact name"),
    ("capture_past_close_date", "expected close date"),
    ("enrich_blank_need", "need"),
    ("enrich_absurd_budget", "budget"),
    ("score_eleven", "Segmentation"),
    ("score_not_a_number", "Need"),
    ("meeting_in_the_past", "meeting time"),
    ("lost_without_reason", "lost reason"),
    ("lost_whitespace_reason", "lost reason"),
    ("lost_huge_reason", "lost reason"),
]


def bad_call(store: Store, step: str, opportunity_id: int, version: int):  # type: ignore[no-untyped-def]
    past = datetime.now(UTC) - timedelta(hours=1)
    enrichment = Enrichment("Retail", 10, "Need", 1, "Bob", "This quarter")
    return {
        "capture_blank_company": lambda: capture(store, company="   "),
        "capture_bad_email": lambda: capture(store, email="ada@@example"),
        "capture_negative_amount": lambda: capture(store, expected_amount="-10"),
        "capture_absurd_amount": lambda: capture(store, expected_amount=10**12 + 1),
        "capture_huge_contact": lambda: capture(store, contact_name=HUGE),
        "capture_past_close_date": lambda: capture(store, expected_close_date=date(2020, 1, 1)),
        "enrich_blank_need": lambda: enrich_opportunity(
            store, REP, opportunity_id, version, replace(enrichment, need=" ")
        ),
        "enrich_absurd_budget": lambda: enrich_opportunity(
            store, REP, opportunity_id, version, replace(enrichment, budget=10**13)
        ),
        "score_eleven": lambda: qualify_opportunity(
            store, REP, opportunity_id, version, SCORES | {"segmentation": 11}
        ),
        "score_not_a_number": lambda: qualify_opportunity(
            store, REP, opportunity_id, version, SCORES | {"need": "very"}
        ),
        "meeting_in_the_past": lambda: schedule_meeting(
            store, REP, opportunity_id, version, MeetingRequest("call", past)
        ),
        "lost_without_reason": lambda: mark_lost(store, REP, opportunity_id, version, None),
        "lost_whitespace_reason": lambda: mark_lost(store, REP, opportunity_id, version, " \n "),
        "lost_huge_reason": lambda: mark_lost(store, REP, opportunity_id, version, HUGE),
    }[step]


def test_bad_input_names_the_field_and_saves_nothing(seeded_store: Store, subtests: pytest.Subtests) -> None:
    for step, field in BAD_INPUT:
        with subtests.test(step=step):
            opportunity_id, version = capture(seeded_store), 1
            if step.startswith(("score", "meeting")):
                to = "enriched" if step.startswith("score") else "qualified"
                version = walk(seeded_store, opportunity_id, to)
            before, data = table_counts(seeded_store), data_version(seeded_store)
            with seeded_store.read() as session:
                row_before = columns_of(session.get(Opportunity, opportunity_id))

            with pytest.raises(ValidationError) as caught:
                bad_call(seeded_store, step, opportunity_id, version)()

            assert caught.value.field == field
            assert table_counts(seeded_store) == before
            assert data_version(seeded_store) == data
            with seeded_store.read() as session:
                assert columns_of(session.get(Opportunity, opportunity_id)) == row_before
                meetings = session.scalars(
                    select(Meeting).where(Meeting.opportunity_id == opportunity_id)
                ).all()
                assert meetings == []


def columns_of(row: object) -> dict[str, object]:
    return {k: v for k, v in vars(row).items() if not k.startswith("_")}
