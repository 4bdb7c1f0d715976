"""One entry point for every order action, by its `Action` (the page and the bench use it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_core.orders import Action
from crm_core.permissions import Actor
from crm_core.services.order_actions import (
    ActionResult,
    allocate_order,
    audit_order,
    cancel_order,
    deliver_order,
    hold_order,
    invoice_order,
    record_payment,
    resume_order,
    ship_order,
)
from crm_core.store import Store


def perform(
    store: Store,
    actor: Actor | None,
    order_id: int,
    action: Action | str,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
    **inputs: Any,
) -> ActionResult:
    """Run the use case for `action` (inputs: accept_warnings, amount, method, tracking_number, reason)."""
    common = {"expected_version": expected_version, "now": now}
    match Action(action):
        case Action.AUDIT:
            return audit_order(
                store, actor, order_id, accept_warnings=inputs.get("accept_warnings", False), **common
            )
        case Action.ALLOCATE:
            return allocate_order(store, actor, order_id, **common)
        case Action.INVOICE:
            return invoice_order(store, actor, order_id, **common)
        case Action.RECORD_PAYMENT:
            return record_payment(
                store, actor, order_id, inputs.get("amount"), method=inputs.get("method"), **common
            )
        case Action.SHIP:
            return ship_order(store, actor, order_id, inputs.get("tracking_number"), **common)
        case Action.DELIVER:
            return deliver_order(store, actor, order_id, **common)
        case Action.HOLD:
            return hold_order(store, actor, order_id, inputs.get("reason"), **common)
        case Action.RESUME:
            return resume_order(store, actor, order_id, **common)
        case Action.CANCEL:
            return cancel_order(store, actor, order_id, inputs.get("reason"), **common)
    raise AssertionError(action)  # pragma: no cover - Action(action) already refused anything else
