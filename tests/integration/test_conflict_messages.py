"""A stale write refused on SQLite and PostgreSQL names who changed the record, what they did and
how long before the refused attempt — read from the record's latest event — and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.errors import ConflictError
from crm_core.opportunity_fields import MeetingRequest
from crm_core.orders import OrderStatus
from crm_core.services import enrich_opportunity, hold_order, order_detail, schedule_meeting, table_counts
from crm_core.store import Store, data_version
from crm_core.store.models import Event
from tests.integration.order_builders import MANAGER, NOW, REP, advance, make_order
from tests.integration.test_opportunity_services import ENRICHMENT, capture, soon


def test_a_stale_hold_names_the_payment_recorded_twenty_seconds_before(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    seen = advance(seeded_store, order_id, OrderStatus.INVOICED)  # the rep's page shows this version
    advance(seeded_store, order_id, OrderStatus.PAID, actor=MANAGER)  # Maria records the payment at NOW
    before, version = table_counts(seeded_store), data_version(seeded_store)

    with pytest.raises(ConflictError) as refused:
        later = NOW + timedelta(seconds=20)
        hold_order(seeded_store, REP, order_id, "Check the address", expected_version=seen, now=later)

    assert str(refused.value) == (
        "This order was changed by someone else — reloaded: Maria Lindqvist recorded a payment "
        "20 seconds ago. Check it and try again."
    )
    assert order_detail(seeded_store, order_id).status == OrderStatus.PAID
    assert (table_counts(seeded_store), data_version(seeded_store)) == (before, version)


def test_a_stale_meeting_booking_names_the_enrichment_done_minutes_before(seeded_store: Store) -> None:
    opportunity_id = capture(seeded_store)
    enrich_opportunity(seeded_store, MANAGER, opportunity_id, 1, ENRICHMENT)  # someone else got there first
    with seeded_store.read() as session:
        mine = (Event.entity_type == "opportunity") & (Event.entity_id == opportunity_id)
        enriched_at = session.scalar(select(Event.at).where(mine, Event.action == "enrich"))
    later = enriched_at + timedelta(minutes=3, seconds=10)

    with pytest.raises(ConflictError) as refused:
        schedule_meeting(seeded_store, REP, opportunity_id, 1, MeetingRequest("call", soon()), now=later)

    assert str(refused.value) == (
        "This opportunity was changed by someone else — reloaded: Maria Lindqvist enriched it "
        "3 minutes ago. Check it and try again."
    )
