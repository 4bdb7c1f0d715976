"""Replaying events: the fold that turns an order's or opportunity's history into its state."""

from __future__ import annotations

import pytest

from crm_core.event_replay import EventRow, ReplayError, replay_all, replay_opportunity, replay_order


def history(*moves: tuple[str, str | None, str | None]) -> list[EventRow]:
    return [EventRow(i, action, before, after) for i, (action, before, after) in enumerate(moves, 1)]


def test_an_order_replays_along_the_happy_path() -> None:
    events = history(
        ("create", None, "entered"),
        ("update_lines", "entered", "entered"),
        ("audit", "entered", "audited"),
        ("allocate", "audited", "allocated"),
        ("invoice", "allocated", "invoiced"),
        ("record_payment", "invoiced", "paid"),
        ("ship", "paid", "shipped"),
    )
    assert replay_order(events) == "shipped"


def test_resume_returns_an_order_to_where_it_was_held() -> None:
    events = history(
        ("create", None, "entered"),
        ("audit", "entered", "audited"),
        ("hold", "audited", "on_hold"),
        ("resume", "on_hold", "audited"),
        ("cancel", "audited", "cancelled"),
    )
    assert replay_order(events) == "cancelled"


def test_events_are_replayed_in_id_order_whatever_order_they_come_in() -> None:
    events = history(("create", None, "entered"), ("audit", "entered", "audited"))
    assert replay_order(reversed(events)) == "audited"


def test_a_shipment_before_payment_does_not_replay() -> None:
    events = history(
        ("create", None, "entered"), ("audit", "entered", "audited"), ("ship", "audited", "shipped")
    )
    with pytest.raises(ReplayError, match="Event 3"):
        replay_order(events)


def test_an_event_whose_recorded_state_disagrees_with_the_rules_is_reported() -> None:
    events = history(("create", None, "entered"), ("audit", "entered", "allocated"))
    with pytest.raises(ReplayError, match="led to allocated, but the rules give audited"):
        replay_order(events)


def test_an_event_that_starts_from_another_state_is_reported() -> None:
    events = history(("create", None, "entered"), ("audit", "audited", "audited"))
    with pytest.raises(ReplayError, match="started from audited"):
        replay_order(events)


def test_an_imported_order_starts_in_the_state_its_file_gave() -> None:
    events = history(
        ("import", None, "paid"), ("ship", "paid", "shipped"), ("deliver", "shipped", "delivered")
    )
    assert replay_order(events) == "delivered"


def test_no_events_replay_to_nothing() -> None:
    assert replay_order([]) is None
    assert replay_opportunity([]) is None


def test_an_opportunity_replays_from_capture_to_won_and_conversion_keeps_it_won() -> None:
    events = history(
        ("capture", None, "captured"),
        ("enrich", "captured", "enriched"),
        ("qualify", "enriched", "qualified"),
        ("schedule", "qualified", "scheduled"),
        ("win", "scheduled", "won"),
        ("convert", "won", "won"),
    )
    assert replay_opportunity(events) == "won"


def test_an_opportunity_cannot_be_won_before_it_is_scheduled() -> None:
    events = history(("capture", None, "captured"), ("win", "captured", "won"))
    with pytest.raises(ReplayError, match="Event 2"):
        replay_opportunity(events)


def test_replay_all_groups_events_by_record_and_names_the_broken_one() -> None:
    rows = [
        {"id": 1, "entity_type": "order", "entity_id": 7, "action": "create", "to_state": "entered"},
        {"id": 2, "entity_type": "opportunity", "entity_id": 7, "action": "capture", "to_state": "captured"},
        {
            "id": 3,
            "entity_type": "order",
            "entity_id": 7,
            "action": "audit",
            "from_state": "entered",
            "to_state": "audited",
        },
        {"id": 4, "entity_type": "customer", "entity_id": 7, "action": "create"},
    ]
    assert replay_all(rows, "order") == {7: "audited"}
    assert replay_all(rows, "opportunity") == {7: "captured"}
    broken = [*rows, {"id": 5, "entity_type": "order", "entity_id": 7, "action": "deliver"}]
    with pytest.raises(ReplayError, match="order 7: Event 5"):
        replay_all(broken, "order")
