"""Opportunity steps from the page: buttons queue a step (with the version the person saw), the
page runs it once with `run_action` where its message belongs, then shows the fresh record.

Why a queue: a button's callback runs before the script, with the arguments bound when the button
was drawn — so the version submitted is the one on screen, and a change made by someone else in
between is refused (ConflictError) instead of being overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from crm_core.customers import PossibleDuplicateCustomer
from crm_core.opportunities import FACTOR_LABELS
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.permissions import Actor
from crm_core.services import (
    capture_opportunity,
    convert_to_order,
    enrich_opportunity,
    mark_lost,
    mark_won,
    qualify_opportunity,
    schedule_meeting,
)
from crm_core.store import Store
from ui import form_errors
from ui.opportunities.state import (
    CAPTURE_FORM,
    CAPTURE_KEYS,
    CAPTURE_MATCHES,
    CAPTURE_PENDING,
    FLASH,
    NEXT_VIEW,
    PENDING,
    SELECTED,
    key,
    step_form,
)
from ui.orders import state as orders_state

DETAILS_TAB = ":material/handshake: Selected opportunity"

# Each step's fields, as crm_core names them in its messages (shown under each field's widget).
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "enrich": ("industry", "company size", "need", "budget", "decision maker", "timing"),
    "qualify": tuple(FACTOR_LABELS.values()),
    "schedule": ("meeting kind", "meeting time", "notes"),
    "win": ("note",),
    "lose": ("lost reason",),
    "convert": ("payment method", "delivery method"),
}
SUCCESS = {
    "enrich": "Enriched — next: score it.",
    "qualify": "Scored — next: schedule a meeting.",
    "schedule": "Meeting booked.",
    "win": "Marked won — you can create the order now.",
    "lose": "Marked lost.",
    "convert": "Order created.",
}


def field(name: str, opportunity_id: int) -> Any:
    return st.session_state.get(key(name, opportunity_id))


def under(step: str, opportunity_id: int, name: str) -> None:
    """The message of the step's last submit about the field `name`, under its widget."""
    form_errors.under(step_form(step, opportunity_id), name)


# --- callbacks (run before the script, with the version drawn on screen) ------------------------


def queue(action: str, opportunity_id: int, version: int, payload: Any = None) -> None:
    st.session_state[PENDING] = {
        "action": action,
        "id": opportunity_id,
        "version": version,
        "payload": payload,
    }


def queue_enrich(opportunity_id: int, version: int) -> None:
    values = (field(n, opportunity_id) for n in ("industry", "employees", "need", "budget", "dm", "timing"))
    queue("enrich", opportunity_id, version, Enrichment(*values))


def queue_qualify(opportunity_id: int, version: int, factors: tuple[str, ...]) -> None:
    queue("qualify", opportunity_id, version, {f: field(f"score_{f}", opportunity_id) for f in factors})


def queue_schedule(opportunity_id: int, version: int) -> None:
    day, time = field("meeting_day", opportunity_id), field("meeting_time", opportunity_id)
    at = datetime.combine(day, time, tzinfo=UTC) if day is not None and time is not None else None
    request = MeetingRequest(
        field("meeting_kind", opportunity_id), at, field("meeting_notes", opportunity_id)
    )
    queue("schedule", opportunity_id, version, request)


def queue_win(opportunity_id: int, version: int) -> None:
    queue("win", opportunity_id, version, field("win_note", opportunity_id))


def queue_lose(opportunity_id: int, version: int) -> None:
    queue("lose", opportunity_id, version, field("lost_reason", opportunity_id))


def queue_convert(opportunity_id: int, version: int) -> None:
    payload = {
        "payment_method": field("payment", opportunity_id),
        "delivery_method": field("delivery", opportunity_id),
        "another_order": bool(field("another", opportunity_id)),
    }
    queue("convert", opportunity_id, version, payload)


def queue_capture(customer_id: int | None = None, new_customer: bool = False) -> None:
    values = {name: st.session_state.get(k) for name, k in CAPTURE_KEYS.items()}
    st.session_state[CAPTURE_PENDING] = NewOpportunity(
        company=values["company"],
        contact_name=values["contact name"],
        email=values["email"],
        phone=values["phone"],
        product_id=values["product interest"],
        quantity=values["quantity"],
        expected_amount=values["expected amount"],
        expected_close_date=values["expected close date"],
        owner_id=values["owner"],
        customer_id=customer_id,
        new_customer=new_customer,
    )


def select(opportunity_id: int, *, open_details: bool = True) -> None:
    st.session_state[SELECTED] = opportunity_id
    if open_details:
        st.session_state[NEXT_VIEW] = DETAILS_TAB


# --- running them -------------------------------------------------------------------------------


def run_pending_step(store: Store, actor: Actor | None) -> None:
    """Run the queued step once; its error or conflict shows here, a new order opens on Orders."""
    pending = st.session_state.pop(PENDING, None)
    if not pending:
        return
    oid, version, payload = pending["id"], pending["version"], pending["payload"]
    steps: dict[str, Callable[[], int]] = {
        "enrich": lambda: enrich_opportunity(store, actor, oid, version, payload),
        "qualify": lambda: qualify_opportunity(store, actor, oid, version, payload),
        "schedule": lambda: schedule_meeting(store, actor, oid, version, payload),
        "win": lambda: mark_won(store, actor, oid, version, payload),
        "lose": lambda: mark_lost(store, actor, oid, version, payload),
        "convert": lambda: convert_to_order(store, actor, oid, version, **payload),
    }
    step = pending["action"]
    result = form_errors.submit(
        step_form(step, oid), steps[step], fields=STEP_FIELDS[step], success=SUCCESS[step]
    )
    if result is not None and pending["action"] == "convert":
        st.session_state[orders_state.SELECTED] = result  # the Orders page opens this order
        st.switch_page("pages/orders.py")


def run_pending_capture(store: Store, actor: Actor | None) -> int | None:
    """Capture once; field errors and matching customers are kept for the form to show beside it."""
    new = st.session_state.pop(CAPTURE_PENDING, None)
    if new is None:
        return None
    st.session_state.pop(CAPTURE_MATCHES, None)

    def attempt() -> int | None:
        try:
            return capture_opportunity(store, actor, new)
        except PossibleDuplicateCustomer as exc:
            st.session_state[CAPTURE_MATCHES] = [(m.id, m.name, m.reason) for m in exc.matches]
        return None

    opportunity_id = form_errors.submit(CAPTURE_FORM, attempt, fields=tuple(CAPTURE_KEYS))
    if opportunity_id is not None:
        for k in CAPTURE_KEYS.values():
            st.session_state.pop(k, None)
        select(opportunity_id)
        st.session_state[FLASH] = f"Opportunity #{opportunity_id} captured — next: enrich it."
    return opportunity_id
