"""Deals after capture through the services, on SQLite and PostgreSQL: editing a deal's figures,
product and contact, correcting a closed one, reassigning one or many — who may, what is refused,
and the events that record each change before → after."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm_core.errors import ConflictError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from crm_core.event_replay import EventRow, replay_opportunity
from crm_core.opportunity_fields import KEEP, DealEdit, InvalidFields
from crm_core.permissions import Actor
from crm_core.services import (
    deactivate_user,
    edit_opportunity,
    editable_by,
    opportunity_detail,
    opportunity_history,
    reassign_opportunities,
    table_counts,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Opportunity, Order
from tests.conftest import SAMPLE_TODAY
from tests.integration.test_opportunity_services import ADMIN, MANAGER, OTHER_REP, REP, capture, walk

TODAY = SAMPLE_TODAY
CLOSE = TODAY + timedelta(days=45)  # the close date `capture` gives
ROUTER, SWITCH = "Edge Router ER-400 (SW-1001)", "Core Switch CS-48 (SW-1002)"


def edits_of(store: Store, opportunity_id: int) -> list[tuple]:
    history = opportunity_history(store, opportunity_id)
    return [
        row
        for row in history.select("action", "from_state", "to_state", "actor_id", "note").rows()
        if row[0] in ("edit", "reassign")
    ]


def snapshot(store: Store, opportunity_id: int) -> tuple:
    """Everything an edit could change, plus the events and the data version."""
    detail = opportunity_detail(store, opportunity_id)
    return (detail, opportunity_history(store, opportunity_id).height, data_version(store))


def edit(store: Store, actor: Actor | None, opportunity_id: int, **fields: object) -> int:
    version = opportunity_detail(store, opportunity_id).version
    return edit_opportunity(store, actor, opportunity_id, version, DealEdit(**fields), today=TODAY)


def test_the_owner_edits_an_open_deal_and_one_event_names_each_change_before_and_after(
    seeded_store: Store,
) -> None:
    opportunity_id = capture(seeded_store, product_id=1, quantity=2)  # 2 × $1,850.00
    before = opportunity_detail(seeded_store, opportunity_id)
    data_before = data_version(seeded_store)

    version = edit(
        seeded_store,
        REP,
        opportunity_id,
        expected_amount="9250.5",
        close_date=TODAY + timedelta(days=10),
        product_id=2,
        quantity=3,
        contact_name="Grace Hopper",
        email="Grace@Brand-New.example",
        phone="",
    )

    after = opportunity_detail(seeded_store, opportunity_id)
    assert version == after.version == 2
    assert (after.expected_amount_cents, after.expected_close_date, after.sku, after.quantity) == (
        925_050,
        TODAY + timedelta(days=10),
        "SW-1002",
        3,
    )
    assert (after.contact_name, after.contact_email, after.contact_phone) == (
        "Grace Hopper",
        "grace@brand-new.example",
        None,
    )
    assert after.title == f"{before.customer} — Core Switch CS-48"  # the generated title follows the product
    assert after.stage == "captured"
    assert data_version(seeded_store) == data_before + 1
    assert edits_of(seeded_store, opportunity_id) == [
        (
            "edit",
            "captured",
            "captured",
            REP.id,
            f"expected amount $3,700.00 → $9,250.50; expected close date {CLOSE} → "
            f"{TODAY + timedelta(days=10)}; product {ROUTER} → {SWITCH}; quantity 2 → 3; "
            f"contact name 'Ada Lovelace' → 'Grace Hopper'; email '{before.contact_email}' → "
            f"'grace@brand-new.example'; phone '+1 212 555 0100' → —; "
            f"title '{before.title}' → '{after.title}'",
        )
    ]


def test_an_empty_amount_is_priced_from_the_product_and_quantity_as_at_capture(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store, product_id=1, quantity=2, expected_amount="1000")

    edit(seeded_store, REP, opportunity_id, expected_amount="", quantity=4)

    assert opportunity_detail(seeded_store, opportunity_id).expected_amount_cents == 4 * 185_000
    assert (
        edits_of(seeded_store, opportunity_id)[0][4]
        == "expected amount $1,000.00 → $7,400.00; quantity 2 → 4"
    )


def test_an_edit_that_changes_nothing_writes_nothing(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store, product_id=1, quantity=2)
    detail = opportunity_detail(seeded_store, opportunity_id)
    before = snapshot(seeded_store, opportunity_id)

    version = edit(
        seeded_store,
        REP,
        opportunity_id,
        expected_amount="3700.00",
        close_date=detail.expected_close_date,
        product_id=1,
        quantity=2,
        contact_name=" Ada Lovelace ",
        email=detail.contact_email.upper(),
        phone="+1 212 555 0100",
    )

    assert version == detail.version
    assert snapshot(seeded_store, opportunity_id) == before


def test_every_bad_field_is_named_and_nothing_changes(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    before = snapshot(seeded_store, opportunity_id)

    with pytest.raises(InvalidFields) as caught:
        edit(
            seeded_store,
            REP,
            opportunity_id,
            expected_amount="12abc",
            close_date=TODAY - timedelta(days=1),
            quantity=0,
            contact_name="  ",
            email="not-an-email",
            phone="call me",
        )

    assert [str(e) for e in caught.value.errors] == [
        "Expected amount: '12abc' is not an amount: use digits, like 3000 or $3,000.00",
        f"Expected close date cannot be in the past (today is {TODAY})",
        "Quantity must be at least 1",
        "Contact name is required",
        "Email: 'not-an-email' is not a valid email address",
        "Phone: 'call me' is not a phone number (digits, spaces, + - ( ) only)",
    ]
    assert snapshot(seeded_store, opportunity_id) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"expected_amount": "-1"}, "expected amount", "must be at least 0"),
        ({"quantity": -1}, "quantity", "must be at least 1"),
        ({"quantity": 2.5}, "quantity", "must be a whole number, not 2.5"),
        ({"close_date": TODAY + timedelta(days=3 * 365 + 1)}, "expected close date", "within three years"),
        ({"product_id": 23}, "product", "SW-1023 (Edge Router ER-200) is no longer sold"),
        ({"product_id": 999}, "product", "no product with id 999"),
        ({"product_id": None}, "product", "is required"),
        (
            {"quantity": 10**9, "product_id": 5, "expected_amount": ""},
            "quantity",
            "is too large: quantity × list",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(
    seeded_store: Store, fields: dict, field: str, message: str
) -> None:
    opportunity_id = capture(seeded_store)
    before = snapshot(seeded_store, opportunity_id)

    with pytest.raises(ValidationError, match=re.escape(message)) as caught:
        edit(seeded_store, REP, opportunity_id, **fields)

    assert caught.value.field == field
    assert snapshot(seeded_store, opportunity_id) == before


def test_an_overdue_deal_keeps_its_close_date_when_something_else_is_edited(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    later = TODAY + timedelta(days=60)  # by then the expected close date has passed

    version = edit_opportunity(
        seeded_store, REP, opportunity_id, 1, DealEdit(close_date=CLOSE, quantity=9), today=later
    )

    assert version == 2
    assert opportunity_detail(seeded_store, opportunity_id).expected_close_date == CLOSE
    with pytest.raises(ValidationError, match="cannot be in the past"):
        edit_opportunity(
            seeded_store, REP, opportunity_id, 2, DealEdit(close_date=CLOSE + timedelta(days=1)), today=later
        )


def test_a_stale_edit_is_refused_with_the_conflict_error_and_changes_nothing(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    edit(seeded_store, MANAGER, opportunity_id, quantity=7)  # someone else saves first: version 2
    before = snapshot(seeded_store, opportunity_id)

    with pytest.raises(ConflictError, match="changed by someone else — reloaded"):
        edit_opportunity(seeded_store, REP, opportunity_id, 1, DealEdit(quantity=8), today=TODAY)

    assert snapshot(seeded_store, opportunity_id) == before


# Who may: the rep who owns the deal, another rep, a manager, an admin, nobody signed in.
ACTORS = {"owner": REP, "other rep": OTHER_REP, "manager": MANAGER, "admin": ADMIN, "nobody": None}
MAY_EDIT_OPEN = {"owner", "manager", "admin"}
MAY_CORRECT_CLOSED = {"manager", "admin"}
MAY_REASSIGN = {"manager", "admin"}


@pytest.mark.parametrize("who", list(ACTORS))
def test_who_may_edit_an_open_deal(seeded_store: Store, who: str) -> None:
    opportunity_id = capture(seeded_store)
    actor = ACTORS[who]
    before = snapshot(seeded_store, opportunity_id)

    if who in MAY_EDIT_OPEN:
        edit(seeded_store, actor, opportunity_id, quantity=6)
        assert edits_of(seeded_store, opportunity_id) == [
            ("edit", "captured", "captured", actor.id, "quantity 5 → 6")
        ]
        assert len(editable_by(actor, REP.id, "captured")) == 7
    else:
        with pytest.raises(PermissionDenied, match="Sign in" if actor is None else "may not work on other"):
            edit(seeded_store, actor, opportunity_id, quantity=6)
        assert snapshot(seeded_store, opportunity_id) == before
        assert editable_by(actor, REP.id, "captured") == ()


@pytest.mark.parametrize("who", list(ACTORS))
def test_who_may_correct_a_won_deal(seeded_store: Store, who: str) -> None:
    opportunity_id = capture(seeded_store)
    walk(seeded_store, opportunity_id, "won")
    actor = ACTORS[who]
    before = snapshot(seeded_store, opportunity_id)

    if who in MAY_CORRECT_CLOSED:
        edit(seeded_store, actor, opportunity_id, expected_amount="123.45")
        assert opportunity_detail(seeded_store, opportunity_id).expected_amount_cents == 12_345
        assert editable_by(actor, REP.id, "won") == ("expected amount", "close date")
    else:
        message = {"owner": "may not correct a won or lost", "other rep": "may not work on other"}
        with pytest.raises(PermissionDenied, match=message.get(who, "Sign in")):
            edit(seeded_store, actor, opportunity_id, expected_amount="123.45")
        assert snapshot(seeded_store, opportunity_id) == before
        assert editable_by(actor, REP.id, "won") == ()


@pytest.mark.parametrize("who", list(ACTORS))
def test_who_may_reassign(seeded_store: Store, who: str) -> None:
    opportunity_id = capture(seeded_store)
    actor = ACTORS[who]
    before = snapshot(seeded_store, opportunity_id)

    if who in MAY_REASSIGN:
        assert reassign_opportunities(seeded_store, actor, {opportunity_id: 1}, OTHER_REP.id) == 1
        assert opportunity_detail(seeded_store, opportunity_id).owner_id == OTHER_REP.id
        assert edits_of(seeded_store, opportunity_id) == [
            ("reassign", "captured", "captured", actor.id, "owner Daniel Okafor → Priya Raman")
        ]
    else:
        message = "Sign in" if actor is None else "may not reassign opportunities to another owner"
        with pytest.raises(PermissionDenied, match=message):
            reassign_opportunities(seeded_store, actor, {opportunity_id: 1}, OTHER_REP.id)
        assert snapshot(seeded_store, opportunity_id) == before


def _won_sample_deal_with_an_order(store: Store) -> tuple[Opportunity, date]:
    """A won sample deal captured well before its first order (so its close date has room to move)."""
    with store.read() as session:
        rows = session.execute(
            select(Opportunity, Order.created_at)
            .join(Order, Order.opportunity_id == Opportunity.id)
            .where(Opportunity.stage == "won")
            .order_by(Opportunity.id, Order.created_at)
        ).all()
    for opportunity, first_order_at in rows:
        if (first_order_at.date() - opportunity.created_at.date()).days >= 10:
            return opportunity, first_order_at.date()
    raise AssertionError("the sample has no won deal captured ten days before its order")


def test_a_manager_corrects_a_won_deals_close_date_within_capture_and_its_first_order(
    seeded_store: Store,
) -> None:
    deal, first_order = _won_sample_deal_with_an_order(seeded_store)
    captured = deal.created_at.date()
    corrected = captured + timedelta(days=1)

    with pytest.raises(
        ValidationError, match=f"cannot be after its first order was entered \\({first_order}"
    ):
        edit(seeded_store, MANAGER, deal.id, close_date=first_order + timedelta(days=1))
    with pytest.raises(ValidationError, match=f"cannot be before the deal was captured \\({captured}"):
        edit(seeded_store, MANAGER, deal.id, close_date=captured - timedelta(days=1))
    edit(seeded_store, MANAGER, deal.id, close_date=corrected)

    after = opportunity_detail(seeded_store, deal.id)
    assert after.closed_at is not None and deal.closed_at is not None
    assert (after.stage, after.closed_at.date(), after.closed_at.time()) == (
        "won",
        corrected,
        deal.closed_at.time(),
    )
    assert edits_of(seeded_store, deal.id) == [
        ("edit", "won", "won", MANAGER.id, f"close date {deal.closed_at.date()} → {corrected}")
    ]


def test_a_closed_deal_keeps_its_product_quantity_contact_and_owner(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    walk(seeded_store, opportunity_id, "won")
    before = snapshot(seeded_store, opportunity_id)

    with pytest.raises(
        InvalidTransition, match="only its amount and close date can be corrected, not its quantity"
    ):
        edit(seeded_store, MANAGER, opportunity_id, quantity=9)
    with pytest.raises(InvalidTransition, match="keeps the owner who closed it"):
        reassign_opportunities(seeded_store, MANAGER, {opportunity_id: before[0].version}, OTHER_REP.id)
    assert snapshot(seeded_store, opportunity_id) == before
    assert edit(seeded_store, MANAGER, opportunity_id, quantity=5) == before[0].version  # unchanged: fine


def test_a_manager_reassigns_many_deals_at_once_with_one_event_per_deal_that_changed_hands(
    seeded_store: Store,
) -> None:
    mine = [capture(seeded_store, REP) for _ in range(3)]
    already_hers = capture(seeded_store, OTHER_REP)
    data_before = data_version(seeded_store)
    versions = {i: opportunity_detail(seeded_store, i).version for i in [*mine, already_hers]}

    assert reassign_opportunities(seeded_store, MANAGER, versions, OTHER_REP.id) == 3

    assert [opportunity_detail(seeded_store, i).owner_id for i in [*mine, already_hers]] == [OTHER_REP.id] * 4
    assert [opportunity_detail(seeded_store, i).version for i in mine] == [2, 2, 2]
    assert opportunity_detail(seeded_store, already_hers).version == 1
    for i in mine:
        assert edits_of(seeded_store, i) == [
            ("reassign", "captured", "captured", MANAGER.id, "owner Daniel Okafor → Priya Raman")
        ]
    assert edits_of(seeded_store, already_hers) == []
    assert data_version(seeded_store) == data_before + 1  # one transaction


def test_reassigning_to_someone_who_cannot_own_deals_is_refused(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    deactivate_user(seeded_store, ADMIN, 4)  # Lucas Moreau leaves
    before = snapshot(seeded_store, opportunity_id)

    for new_owner in (ADMIN.id, 4, 999):
        with pytest.raises(ValidationError) as caught:
            reassign_opportunities(seeded_store, MANAGER, {opportunity_id: 1}, new_owner)
        assert str(caught.value) == f"New owner is not an active sales rep or manager (user #{new_owner})"
    with pytest.raises(ValidationError, match=r"^New owner is required: choose a rep or manager$"):
        reassign_opportunities(seeded_store, MANAGER, {opportunity_id: 1}, None)
    with pytest.raises(ValidationError, match=r"^Selection is empty: tick the opportunities to reassign$"):
        reassign_opportunities(seeded_store, MANAGER, {}, OTHER_REP.id)
    assert snapshot(seeded_store, opportunity_id) == before


def test_a_bulk_reassign_with_a_stale_closed_or_missing_deal_changes_none_of_them(
    seeded_store: Store,
) -> None:
    fresh, stale, won = (capture(seeded_store) for _ in range(3))
    edit(seeded_store, REP, stale, quantity=2)  # now version 2; the manager's list showed 1
    won_version = walk(seeded_store, won, "won")
    counts = table_counts(seeded_store)
    before = [snapshot(seeded_store, i) for i in (fresh, stale, won)]

    with pytest.raises(ConflictError, match=f"Opportunity #{stale} was changed by someone else"):
        reassign_opportunities(seeded_store, MANAGER, {fresh: 1, stale: 1}, OTHER_REP.id)
    with pytest.raises(InvalidTransition, match=f"Opportunity #{won} is won or lost"):
        reassign_opportunities(seeded_store, MANAGER, {fresh: 1, won: won_version}, OTHER_REP.id)
    with pytest.raises(NotFound, match="No opportunity with id 99999"):
        reassign_opportunities(seeded_store, MANAGER, {fresh: 1, 99_999: 1}, OTHER_REP.id)

    assert [snapshot(seeded_store, i) for i in (fresh, stale, won)] == before
    assert table_counts(seeded_store) == counts


def test_edits_and_reassignments_keep_the_stage_when_the_events_are_replayed(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    version = walk(seeded_store, opportunity_id, "qualified")
    version = edit_opportunity(seeded_store, REP, opportunity_id, version, DealEdit(quantity=2), today=TODAY)
    reassign_opportunities(seeded_store, MANAGER, {opportunity_id: version}, OTHER_REP.id)

    history = opportunity_history(seeded_store, opportunity_id)
    events = [EventRow.of(row) for row in history.to_dicts()]
    assert replay_opportunity(events) == "qualified"
    assert history["action"].to_list() == ["capture", "enrich", "qualify", "edit", "reassign"]


def test_fields_left_alone_are_not_checked(seeded_store: Store) -> None:
    """A form for a closed deal sends only what it may change; KEEP is not 'empty'."""
    opportunity_id = capture(seeded_store)
    assert edit(seeded_store, REP, opportunity_id, contact_name=KEEP, phone="+44 20 7946 0000") == 2
    assert opportunity_detail(seeded_store, opportunity_id).contact_phone == "+44 20 7946 0000"
