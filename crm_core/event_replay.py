"""Replaying the audit trail: an order's or opportunity's events, folded from the first to the
last, give the state it is in now. Pure functions over plain values (no database).

Each event is re-applied through the domain's own transition rules (`crm_core.orders.transition`,
`crm_core.opportunities.target_stage`), not just copied from its `to_state`: a history the rules do
not allow, or an event whose recorded `from_state`/`to_state` disagrees with the replay, raises
`ReplayError` naming the event. Events that are not moves (`create`, `update_lines`, `convert`)
check their states but change nothing; `import` events set the state the file gave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crm_core.errors import DomainError, InvalidTransition
from crm_core.opportunities import OpportunityAction, Stage, target_stage
from crm_core.orders import Action, OrderStatus, transition

ORDER, OPPORTUNITY = "order", "opportunity"
IMPORT = "import"


class ReplayError(DomainError):
    """The events of a record do not add up to a history the domain rules allow."""


@dataclass(frozen=True)
class EventRow:
    """The part of an event that replay needs (a row of the `events` table)."""

    id: int
    action: str
    from_state: str | None = None
    to_state: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> EventRow:
        return cls(int(row["id"]), str(row["action"]), row.get("from_state"), row.get("to_state"))


def replay_order(events: Iterable[EventRow]) -> OrderStatus | None:
    """The status an order's events lead to (None for no events)."""
    status: OrderStatus | None = None
    held_from: OrderStatus | None = None
    for event in sorted(events, key=lambda e: e.id):
        _check_from(event, status)
        if event.action in ("create", IMPORT):
            new = OrderStatus(event.to_state or OrderStatus.ENTERED)
            held_from = None
        elif event.action in Action.__members__.values():
            if status is None:
                raise ReplayError(f"Event {event.id} ({event.action}) comes before the order was created.")
            try:
                new = transition(status, event.action, held_from)
            except InvalidTransition as exc:
                raise ReplayError(f"Event {event.id}: {exc}") from None
            held_from = status if new == OrderStatus.ON_HOLD else None
        else:  # not a move (update_lines, …): the state stays
            new = status
        _check_to(event, new)
        status = new
    return status


def replay_opportunity(events: Iterable[EventRow]) -> Stage | None:
    """The stage an opportunity's events lead to (None for no events)."""
    stage: Stage | None = None
    for event in sorted(events, key=lambda e: e.id):
        _check_from(event, stage)
        if event.action == OpportunityAction.CAPTURE:
            if stage is not None:
                raise ReplayError(f"Event {event.id}: the opportunity was captured twice.")
            new = Stage.CAPTURED
        elif event.action == IMPORT:
            new = Stage(event.to_state or Stage.CAPTURED)
        elif event.action in OpportunityAction.__members__.values():
            if stage is None:
                raise ReplayError(f"Event {event.id} ({event.action}) comes before the capture.")
            try:
                new = target_stage(stage, OpportunityAction(event.action))
            except InvalidTransition as exc:
                raise ReplayError(f"Event {event.id}: {exc}") from None
        else:
            new = stage
        _check_to(event, new)
        stage = new
    return stage


def replay_all(events: Iterable[Mapping[str, Any]], entity_type: str) -> dict[int, str | None]:
    """entity id → replayed state, for every order or opportunity that has events."""
    fold = {ORDER: replay_order, OPPORTUNITY: replay_opportunity}[entity_type]
    by_entity: dict[int, list[EventRow]] = {}
    for row in events:
        if row["entity_type"] == entity_type:
            by_entity.setdefault(int(row["entity_id"]), []).append(EventRow.of(row))
    out: dict[int, str | None] = {}
    for entity_id, rows in by_entity.items():
        try:
            state = fold(rows)
        except ReplayError as exc:
            raise ReplayError(f"{entity_type} {entity_id}: {exc}") from None
        out[entity_id] = None if state is None else state.value
    return out


def _check_from(event: EventRow, state: str | None) -> None:
    if event.from_state is not None and state is not None and event.from_state != state:
        raise ReplayError(
            f"Event {event.id} ({event.action}) says it started from {event.from_state}, "
            f"but the events before it end at {state}."
        )


def _check_to(event: EventRow, state: str | None) -> None:
    if event.to_state is not None and event.to_state != state:
        raise ReplayError(
            f"Event {event.id} ({event.action}) says it led to {event.to_state}, but the rules give {state}."
        )
