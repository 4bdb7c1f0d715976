"""Customers through the services, on SQLite and PostgreSQL: a new customer's first order passes the
audit (default credit limit, or a manager resolving the credit finding on the order), editing with a
version check and an event per change, merging duplicates, the desk's settings, and the invoice
naming seller and customer."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm_core.errors import (
    ConflictError,
    DomainError,
    InvalidFields,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.orders import OrderStatus
from crm_core.services import (
    AuditFailed,
    audit_order,
    capture_opportunity,
    convert_to_order,
    customer_card,
    customer_list,
    desk_settings,
    enrich_opportunity,
    invoice_document,
    mark_won,
    merge_customers,
    opportunity_detail,
    order_detail,
    qualify_opportunity,
    raise_credit_limit_for_order,
    require_prepayment,
    schedule_meeting,
    table_counts,
    update_customer,
    update_desk_settings,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Customer, Event, Opportunity, Order
from tests.conftest import SAMPLE_TODAY
from tests.integration.order_builders import ADMIN, MANAGER, NOW, REP, advance

SERIAL = itertools.count(1)
ACCESS_POINT_ID = 3  # Wi-Fi Access Point AP-6 Pro, $390.00 list, 1,525 free in the sample
SCORES = dict.fromkeys(
    ("segmentation", "customer_characteristics", "relationship_level", "account_resource"), 7
) | dict.fromkeys(("budget", "authority", "need", "timing"), 6)
SELLER = {
    "default_credit_limit": "1000",
    "seller_name": "Acme Networks GmbH",
    "seller_address": "Hauptstraße 1\n10115 Berlin\nGermany",
    "seller_tax_id": "DE123456789",
    "seller_email": "invoices@acme.example",
}


def won_order_for_new_customer(store: Store, quantity: int) -> tuple[int, int]:
    """A rep captures a deal for a brand-new company, works it to won and converts it:
    (customer id, order id). The order is `quantity` access points at $390.00."""
    n = next(SERIAL)
    new = NewOpportunity(
        company=f"First Time Buyer {n} Ltd",
        contact_name="Ada Lovelace",
        email=f"ada@first-time-buyer-{n}.example",
        phone="+1 212 555 0100",
        product_id=ACCESS_POINT_ID,
        quantity=quantity,
        expected_close_date=SAMPLE_TODAY + timedelta(days=45),
    )
    opportunity_id = capture_opportunity(store, REP, new, today=SAMPLE_TODAY)
    version = opportunity_detail(store, opportunity_id).version
    version = enrich_opportunity(
        store, REP, opportunity_id, version, Enrichment("Retail", 40, "Wi-Fi", "60000", "Ada", "This quarter")
    )
    version = qualify_opportunity(store, REP, opportunity_id, version, SCORES)
    soon = datetime.now(UTC) + timedelta(days=3)
    version = schedule_meeting(store, REP, opportunity_id, version, MeetingRequest("demo", soon, "Demo"))
    version = mark_won(store, REP, opportunity_id, version)
    order_id = convert_to_order(store, REP, opportunity_id, version)
    return opportunity_detail(store, opportunity_id).customer_id, order_id


def customer_events(store: Store, customer_id: int) -> list[tuple[str, int | None, str | None]]:
    with store.read() as session:
        rows = session.execute(
            select(Event.action, Event.actor_id, Event.note)
            .where(Event.entity_type == "customer", Event.entity_id == customer_id)
            .order_by(Event.id)
        ).all()
    return [tuple(r) for r in rows]


def credit_limit(store: Store, customer_id: int) -> int:
    with store.read() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        return customer.credit_limit_cents


# --- must-fix 2: a new customer's first order can pass the audit ----------------------------------


def test_a_new_customer_starts_with_the_default_limit_so_its_first_order_passes_the_audit(
    seeded_store: Store,
) -> None:
    customer_id, order_id = won_order_for_new_customer(seeded_store, quantity=5)  # $1,950.00

    assert credit_limit(seeded_store, customer_id) == 5_000_000  # $50,000.00
    assert customer_events(seeded_store, customer_id)[0] == (
        "create",
        REP.id,
        "Created at opportunity capture; default credit limit $50,000.00",
    )
    result = audit_order(seeded_store, REP, order_id)
    assert result.status == OrderStatus.AUDITED


def test_the_admin_sets_the_default_credit_limit_new_customers_get(seeded_store: Store) -> None:
    update_desk_settings(seeded_store, ADMIN, **SELLER)

    customer_id, order_id = won_order_for_new_customer(seeded_store, quantity=5)  # $1,950.00

    assert credit_limit(seeded_store, customer_id) == 100_000
    with pytest.raises(AuditFailed, match="A manager can raise the credit limit or require prepayment"):
        audit_order(seeded_store, REP, order_id)


def test_a_manager_raises_the_limit_to_cover_the_order_and_the_audit_then_passes(seeded_store: Store) -> None:
    customer_id, order_id = won_order_for_new_customer(seeded_store, quantity=150)  # $58,500.00
    with pytest.raises(AuditFailed, match=r"\$8,500.00 over the credit limit of \$50,000.00"):
        audit_order(seeded_store, REP, order_id)
    before = data_version(seeded_store)

    with pytest.raises(PermissionDenied, match="Daniel Okafor \\(rep\\) may not change a customer's credit"):
        raise_credit_limit_for_order(seeded_store, REP, order_id)
    assert data_version(seeded_store) == before

    raised = raise_credit_limit_for_order(seeded_store, MANAGER, order_id)

    assert (raised.before_cents, raised.after_cents) == (5_000_000, 5_900_000)  # up to the next $1,000
    assert credit_limit(seeded_store, customer_id) == 5_900_000
    assert customer_events(seeded_store, customer_id)[-1] == (
        "credit_limit",
        MANAGER.id,
        f"credit limit: $50,000.00 → $59,000.00 to cover order {order_detail(seeded_store, order_id).number} "
        "(open unpaid $0.00 + this order $58,500.00)",
    )
    with pytest.raises(DomainError, match="already covers"):
        raise_credit_limit_for_order(seeded_store, MANAGER, order_id)
    assert audit_order(seeded_store, REP, order_id).status == OrderStatus.AUDITED


def test_a_manager_requires_prepayment_and_the_credit_check_no_longer_applies(seeded_store: Store) -> None:
    _, order_id = won_order_for_new_customer(seeded_store, quantity=150)  # $58,500.00 > $50,000.00
    version = order_detail(seeded_store, order_id).version
    with pytest.raises(PermissionDenied):
        require_prepayment(seeded_store, REP, order_id, expected_version=version)

    new_version = require_prepayment(seeded_store, MANAGER, order_id, expected_version=version)

    detail = order_detail(seeded_store, order_id)
    assert (detail.prepayment, detail.version, new_version) == (True, version + 1, version + 1)
    assert detail.findings == []
    last = detail.events[-1]
    assert (last["action"], last["actor"], last["from_state"], last["to_state"]) == (
        "require_prepayment",
        "Maria Lindqvist",
        "entered",
        "entered",
    )
    assert last["note"] == "Prepayment required: paid before it ships, so no credit check"
    with pytest.raises(DomainError, match="already a prepayment order"):
        require_prepayment(seeded_store, MANAGER, order_id)
    audit_order(seeded_store, REP, order_id)
    with pytest.raises(DomainError, match="credit is checked only before the audit"):
        raise_credit_limit_for_order(seeded_store, MANAGER, order_id)


def test_resolving_credit_on_an_order_someone_changed_meanwhile_is_a_conflict(seeded_store: Store) -> None:
    _, order_id = won_order_for_new_customer(seeded_store, quantity=150)
    stale = order_detail(seeded_store, order_id).version
    require_prepayment(seeded_store, MANAGER, order_id, expected_version=stale)
    with pytest.raises(ConflictError, match="changed by someone else — reloaded"):
        raise_credit_limit_for_order(seeded_store, MANAGER, order_id, expected_version=stale)


# --- editing a customer ---------------------------------------------------------------------------


def test_a_rep_edits_addresses_and_tax_id_and_each_change_is_an_event(seeded_store: Store) -> None:
    card = customer_card(seeded_store, 1)
    assert card.tax_id is not None and card.billing_address is not None  # the sample fills them

    version = update_customer(
        seeded_store,
        REP,
        1,
        {"billing_address": "1 Infinite Loop\nCupertino, CA 95014", "tax_id": "98-7654321", "region": "West"},
        expected_version=card.version,
    )

    after = customer_card(seeded_store, 1)
    assert (after.version, version) == (card.version + 1, card.version + 1)
    assert (after.billing_address, after.tax_id, after.region) == (
        "1 Infinite Loop\nCupertino, CA 95014",
        "98-7654321",
        "West",
    )
    old_address = " / ".join(card.billing_address.splitlines())
    assert customer_events(seeded_store, 1)[-3:] == [
        ("update", REP.id, f"billing address: {old_address} → 1 Infinite Loop / Cupertino, CA 95014"),
        ("update", REP.id, f"tax id: {card.tax_id} → 98-7654321"),
        ("update", REP.id, f"region: {card.region} → West"),
    ]


def test_only_a_manager_changes_the_credit_limit_or_the_blocked_flag(seeded_store: Store) -> None:
    card = customer_card(seeded_store, 1)
    before = data_version(seeded_store)
    for change in ({"credit_limit_cents": "999999"}, {"blocked": True}):
        with pytest.raises(
            PermissionDenied, match="may not change a customer's credit limit or blocked flag"
        ):
            update_customer(seeded_store, REP, 1, change, expected_version=card.version)
    assert data_version(seeded_store) == before

    update_customer(
        seeded_store,
        MANAGER,
        1,
        {"credit_limit_cents": "80000", "blocked": True},
        expected_version=card.version,
    )

    after = customer_card(seeded_store, 1)
    assert (after.credit_limit_cents, after.blocked) == (8_000_000, True)
    assert customer_events(seeded_store, 1)[-2:] == [
        ("update", MANAGER.id, f"credit limit: ${card.credit_limit_cents / 100:,.2f} → $80,000.00"),
        ("update", MANAGER.id, "blocked: no → yes"),
    ]


def test_a_stale_edit_is_refused_and_changes_nothing(seeded_store: Store) -> None:
    card = customer_card(seeded_store, 2)
    update_customer(seeded_store, REP, 2, {"industry": "Wholesale"}, expected_version=card.version)
    before = data_version(seeded_store)

    with pytest.raises(ConflictError, match="This customer was changed by someone else — reloaded"):
        update_customer(seeded_store, REP, 2, {"industry": "Retail"}, expected_version=card.version)

    assert customer_card(seeded_store, 2).industry == "Wholesale"
    assert data_version(seeded_store) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "Name is required"),
        ({"contact_email": "not-an-email"}, "Contact email: 'not-an-email' is not a valid email address"),
        ({"credit_limit_cents": "-5"}, "Credit limit must be at least 0"),
        ({"employees": "many"}, "Company size: 'many' is not a whole number"),
        ({"owner": "me"}, "Owner is not a customer field that can be edited"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    seeded_store: Store, change: dict[str, str], message: str
) -> None:
    card = customer_card(seeded_store, 3)
    before = data_version(seeded_store)
    with pytest.raises(ValidationError) as caught:
        update_customer(seeded_store, MANAGER, 3, change, expected_version=card.version)
    assert str(caught.value) == message
    assert data_version(seeded_store) == before


def test_every_bad_field_of_one_edit_is_named_at_once_in_form_order(seeded_store: Store) -> None:
    card = customer_card(seeded_store, 3)
    before = data_version(seeded_store)
    change = {"contact_email": "not-an-email", "credit_limit_cents": "12abc", "region": "North"}
    with pytest.raises(InvalidFields) as caught:
        update_customer(seeded_store, MANAGER, 3, change, expected_version=card.version)
    assert list(caught.value.by_field) == ["contact email", "credit limit"]
    email = caught.value.by_field["contact email"]
    assert email == "Contact email: 'not-an-email' is not a valid email address"
    assert caught.value.by_field["credit limit"].startswith("Credit limit: '12abc' is not an amount")
    assert data_version(seeded_store) == before


# --- merging duplicates ---------------------------------------------------------------------------


def records_of(store: Store, customer_id: int) -> tuple[int, int]:
    with store.read() as session:
        opportunities = session.scalar(
            select(func.count()).select_from(Opportunity).where(Opportunity.customer_id == customer_id)
        )
        orders = session.scalar(
            select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
        )
    return int(opportunities or 0), int(orders or 0)


def test_a_manager_merges_a_duplicate_and_its_deals_and_orders_move_to_it(
    seeded_store: Store,
) -> None:
    survivor, duplicate = 4, 5
    kept, dropped = records_of(seeded_store, survivor), records_of(seeded_store, duplicate)
    assert dropped != (0, 0)
    names = customer_card(seeded_store, survivor).name, customer_card(seeded_store, duplicate).name
    counts = table_counts(seeded_store)

    result = merge_customers(seeded_store, MANAGER, survivor, duplicate)

    assert (result.opportunities_moved, result.orders_moved) == dropped
    assert records_of(seeded_store, survivor) == (kept[0] + dropped[0], kept[1] + dropped[1])
    assert records_of(seeded_store, duplicate) == (0, 0)
    with pytest.raises(NotFound, match="may have been merged"):
        customer_card(seeded_store, duplicate)
    assert table_counts(seeded_store)["customers"] == counts["customers"] - 1
    moved = f"{dropped[0]} opportunities and {dropped[1]} orders moved"
    merge_event = customer_events(seeded_store, survivor)[-1]
    assert merge_event[:2] == ("merge", MANAGER.id)
    assert str(merge_event[2]).startswith(f"Merged {names[1]} (#{duplicate}) into this customer: {moved}")
    assert customer_events(seeded_store, duplicate)[-1] == (
        "merged",
        MANAGER.id,
        f"Merged into {names[0]} (#{survivor}): {moved}; this record was removed",
    )


def test_merging_is_for_managers_and_never_into_itself(seeded_store: Store) -> None:
    before = data_version(seeded_store)
    with pytest.raises(PermissionDenied, match="may not merge duplicate customers"):
        merge_customers(seeded_store, REP, 4, 5)
    with pytest.raises(ValidationError, match="a customer cannot be merged into itself"):
        merge_customers(seeded_store, MANAGER, 4, 4)
    assert data_version(seeded_store) == before


# --- the list and the card --------------------------------------------------------------------------


def test_the_card_shows_open_invoices_balance_and_the_won_to_delivered_record(seeded_store: Store) -> None:
    customer_id, order_id = won_order_for_new_customer(seeded_store, quantity=5)
    advance(seeded_store, order_id, OrderStatus.INVOICED)

    card = customer_card(seeded_store, customer_id)
    total = order_detail(seeded_store, order_id).invoice.total_cents  # type: ignore[union-attr]
    assert total == 195_000  # no tax or shipping on a converted order
    assert (card.balance_cents, [i["total_cents"] for i in card.open_invoices]) == (195_000, [195_000])
    assert (card.record.won, card.record.orders_from_won, card.record.delivered) == (1, 1, 0)

    advance(seeded_store, order_id, OrderStatus.DELIVERED)

    card = customer_card(seeded_store, customer_id)
    assert (card.balance_cents, card.open_invoices) == (0, [])
    assert (card.record.delivered, card.record.delivered_cents) == (1, 195_000)
    with seeded_store.read() as session:
        won_at = session.scalar(select(Opportunity.closed_at).where(Opportunity.customer_id == customer_id))
    assert won_at is not None
    days = round((NOW - won_at).total_seconds() / 86_400, 1)  # the builders deliver at NOW
    assert card.record.median_days_won_to_delivered == days
    listed = customer_list(seeded_store).filter(id=customer_id).row(0, named=True)
    assert (listed["opportunities"], listed["orders"], listed["balance_cents"]) == (1, 1, 0)


# --- settings and the invoice ------------------------------------------------------------------------


def test_only_an_admin_changes_the_settings_and_each_change_is_an_event(seeded_store: Store) -> None:
    assert desk_settings(seeded_store).seller_name == "Scalewise Inc."
    with pytest.raises(PermissionDenied, match="may not change the desk's settings"):
        update_desk_settings(seeded_store, MANAGER, **SELLER)
    with pytest.raises(ValidationError, match=r"^Seller tax id is required$"):
        update_desk_settings(seeded_store, ADMIN, **(SELLER | {"seller_tax_id": ""}))

    update_desk_settings(seeded_store, ADMIN, **SELLER)

    assert desk_settings(seeded_store).seller_tax_id == "DE123456789"
    with seeded_store.read() as session:
        notes = session.scalars(
            select(Event.note).where(Event.entity_type == "settings", Event.actor_id == ADMIN.id)
        ).all()
    assert sorted(notes)[:2] == [
        "default credit limit: $50,000.00 → $1,000.00",
        "seller address: 100 Market Street, Suite 400 / San Francisco, CA 94105 / United States → "
        "Hauptstraße 1 / 10115 Berlin / Germany",
    ]


def test_the_invoice_names_the_seller_and_the_customer_with_address_and_tax_id(seeded_store: Store) -> None:
    customer_id, order_id = won_order_for_new_customer(seeded_store, quantity=5)
    card = customer_card(seeded_store, customer_id)
    update_customer(
        seeded_store,
        REP,
        customer_id,
        {"billing_address": "12 Harbor Road\nBoston, MA 02110", "tax_id": "04-1234567"},
        expected_version=card.version,
    )
    update_desk_settings(seeded_store, ADMIN, **(SELLER | {"default_credit_limit": "50000"}))
    advance(seeded_store, order_id, OrderStatus.INVOICED)

    document = invoice_document(seeded_store, order_id)

    assert (document.seller, document.seller_address, document.seller_tax_id) == (
        "Acme Networks GmbH",
        ("Hauptstraße 1", "10115 Berlin", "Germany"),
        "DE123456789",
    )
    assert (document.customer, document.customer_address, document.customer_tax_id) == (
        card.name,
        ("12 Harbor Road", "Boston, MA 02110"),
        "04-1234567",
    )
