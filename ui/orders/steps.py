"""The order's next-step panel: only the actions the order allows and the user's role may take.

Buttons record the request (with the version of the order the user was looking at) in
`orders_pending` through their on_click callback; `run_pending` carries it out at the top of the
next run, through the service, before the order is read again. So a change someone else made
in between is a conflict ("changed by someone else — reloaded"), never silently overwritten.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from crm_core.errors import ValidationError
from crm_core.orders import ACTION_LABELS, PAYMENT_METHODS, Action, holds_stock, next_actions, status_label
from crm_core.permissions import Actor, Permission
from crm_core.services import ActionResult, OrderDetail, allowed_actions, perform
from crm_core.services.order_actions import valid_reason
from crm_core.store import Store
from ui import form_errors
from ui.orders.format import amount_text, cents, day, method, plain
from ui.orders.state import (
    ACT_CANCEL,
    ACT_HOLD,
    CANCEL_NO,
    CANCEL_REQUEST,
    CANCEL_YES,
    INPUT_PREFIX,
    PENDING,
    act,
    step_form,
    step_input,
)

# The fields the order's action inputs are about (as crm_core names them in its messages).
STEP_FIELDS = ("amount", "payment method", "tracking number", "hold reason", "cancel reason")
FORWARD_HELP = {
    Action.ALLOCATE: "Reserves the stock in the fastest warehouse that has every line (or splits the order) "
    "and sets the promised delivery date.",
    Action.INVOICE: "Issues the next invoice number and freezes the amounts.",
    Action.DELIVER: "Confirms the customer received the goods. Final.",
}
WAITING_FOR = {
    Action.RECORD_PAYMENT: "Waiting for a manager to record the customer's payment.",
    Action.CANCEL: "Only a manager can cancel an order.",
}


def _key(name: str, order_id: int) -> str:
    return step_input(name, order_id)


def _form(order_id: int) -> str:
    """The name the order's step messages are kept by (see ui.form_errors)."""
    return step_form(order_id)


def _request(action: str, order_id: int, version: int, inputs: dict[str, str] | None = None) -> None:
    """on_click: remember what to do and with which inputs (read from their widgets' keys)."""
    values = {name: st.session_state.get(key) for name, key in (inputs or {}).items()}
    st.session_state[PENDING] = {"action": action, "order_id": order_id, "version": version, "inputs": values}


def run_pending(store: Store, actor: Actor | None, order_id: int) -> ActionResult | None:
    """Carry out the action requested on the previous run, showing its outcome as a message."""
    pending = st.session_state.pop(PENDING, None)
    if not pending or pending["order_id"] != order_id:  # a request for another order is stale: drop it
        return None
    action = Action(pending["action"])
    result = form_errors.submit(
        _form(order_id),
        lambda: perform(
            store, actor, order_id, action, expected_version=pending["version"], **pending["inputs"]
        ),
        fields=STEP_FIELDS,
    )
    if result is not None:
        for key in [k for k in st.session_state if str(k).startswith(INPUT_PREFIX)]:
            del st.session_state[key]
        shown_note = f" — {plain(result.note)}" if result.note else ""
        now = status_label(result.status)
        st.success(
            f"**{ACTION_LABELS[action]}** done: {result.number} is now **{now}**{shown_note}",
            icon=":material/check_circle:",
        )
    return result


def next_step_panel(detail: OrderDetail, actor: Actor | None) -> None:
    """The buttons for what can happen next, with the inputs each needs."""
    possible = allowed_actions(actor, detail.status)
    if actor is None:
        st.info("Pick a user in the sidebar to work on this order.", icon=":material/person:")
        return
    forward = [a for a in possible if a not in (Action.HOLD, Action.RESUME, Action.CANCEL)]
    blocked = [a for a in next_actions(detail.status) if a not in possible]
    for action in forward:
        _forward_step(detail, actor, action)
    for action in blocked:
        if action in WAITING_FOR:
            st.caption(WAITING_FOR[action])
    side = [a for a in possible if a in (Action.HOLD, Action.RESUME, Action.CANCEL)]
    if side:
        if Action.RESUME in side:
            st.caption(f"Resuming returns the order to **{status_label(detail.held_from or '')}**.")
        cols = st.columns(len(side))
        for col, action in zip(cols, side, strict=True):
            with col:
                _side_step(detail, action)
    if not next_actions(detail.status):
        st.caption(
            f"This order is {status_label(detail.status)}: that is final, nothing more can happen to it."
        )
    request = st.session_state.get(CANCEL_REQUEST)
    if request and request["order_id"] == detail.id and Action.CANCEL in possible:
        _cancel_dialog(detail, request["version"])


def _button(
    action: Action, detail: OrderDetail, *, inputs: dict[str, str] | None = None, **kwargs: Any
) -> None:
    st.button(
        ACTION_LABELS[action],
        key=act(action.value),
        on_click=_request,
        args=(action.value, detail.id, detail.version, inputs),
        **kwargs,
    )


def _forward_step(detail: OrderDetail, actor: Actor, action: Action) -> None:
    if action == Action.AUDIT:
        _audit_step(detail, actor)
    elif action == Action.RECORD_PAYMENT:
        _payment_step(detail)
    elif action == Action.SHIP:
        key = _key("tracking", detail.id)
        st.text_input("Tracking number", key=key, placeholder="e.g. 1Z999AA10123456784", max_chars=100)
        form_errors.under(_form(detail.id), "tracking number")
        _button(action, detail, inputs={"tracking_number": key}, type="primary")
        st.caption("The goods leave the warehouse: stock on hand and reserved both go down.")
    else:
        _button(action, detail, type="primary")
        if action in FORWARD_HELP:
            st.caption(FORWARD_HELP[action])


def _audit_step(detail: OrderDetail, actor: Actor) -> None:
    errors = [f for f in detail.findings if f.is_error]
    warnings = [f for f in detail.findings if not f.is_error]
    inputs: dict[str, str] = {}
    disabled = bool(errors)
    if errors and all(f.code == "over_credit_limit" for f in errors):
        who = "Resolve it" if actor.can(Permission.MANAGE_CREDIT) else "A manager can resolve it"
        st.caption(
            f"The credit check stops the audit. {who} under the finding: raise the credit limit, "
            "or require prepayment."
        )
    elif errors:
        st.caption("Fix the errors in the audit check first (change the lines, or put the order on hold).")
    elif warnings and actor.can(Permission.APPROVE_WARNINGS):
        key = _key("accept", detail.id)
        plural = "s" if len(warnings) != 1 else ""
        accepted = st.checkbox(f"I accept the {len(warnings)} warning{plural} of the audit check", key=key)
        inputs["accept_warnings"] = key
        disabled = not accepted
    elif warnings:
        st.caption("A manager must accept the warnings in the audit check before this order can be audited.")
        disabled = True
    _button(Action.AUDIT, detail, inputs=inputs, type="primary", disabled=disabled)


def _payment_step(detail: OrderDetail) -> None:
    invoice = detail.invoice
    if invoice is None:  # cannot happen for an invoiced order; say so rather than fail
        st.warning("This order has no invoice to pay.")
        return
    st.markdown(
        f"Amount due **{cents(detail.amount_due_cents)}** on invoice {invoice.number}, "
        f"due {day(invoice.due_date)} · {method(detail.payment_method)}"
    )
    amount_key, method_key = _key("amount", detail.id), _key("method", detail.id)
    left, right = st.columns(2)
    with left:
        st.text_input(
            "Amount received ($)",
            value=amount_text(detail.amount_due_cents),
            key=amount_key,
            help="Digits, like 3000 or $3,000.00 (a point before the cents).",
        )
        form_errors.under(_form(detail.id), "amount")
    with right:
        st.selectbox(
            "Paid by",
            PAYMENT_METHODS,
            index=PAYMENT_METHODS.index(detail.payment_method),
            format_func=method,
            key=method_key,
        )
        form_errors.under(_form(detail.id), "payment method")
    _button(
        Action.RECORD_PAYMENT, detail, inputs={"amount": amount_key, "method": method_key}, type="primary"
    )
    st.caption("The amount must equal the invoice total to the cent. Shipping is possible once it is paid.")


def _side_step(detail: OrderDetail, action: Action) -> None:
    if action == Action.RESUME:
        _button(action, detail)
    elif action == Action.HOLD:
        with st.popover(ACTION_LABELS[Action.HOLD], icon=":material/pause_circle:"):
            key = _key("hold_reason", detail.id)
            st.text_input("Why is it on hold?", key=key, placeholder="e.g. Awaiting purchase order number")
            form_errors.under(_form(detail.id), "hold reason")
            st.button(
                "Confirm hold",
                key=ACT_HOLD,
                on_click=_request,
                args=(Action.HOLD.value, detail.id, detail.version, {"reason": key}),
            )
    elif action == Action.CANCEL:
        st.button(
            ACTION_LABELS[Action.CANCEL],
            key=ACT_CANCEL,
            icon=":material/cancel:",
            on_click=_open_cancel,
            args=(detail.id, detail.version),
        )


def _open_cancel(order_id: int, version: int) -> None:
    st.session_state[CANCEL_REQUEST] = {"order_id": order_id, "version": version}


def _close_cancel() -> None:
    st.session_state.pop(CANCEL_REQUEST, None)


def _confirm_cancel(order_id: int, version: int, reason_key: str) -> None:
    """on_click: ask crm_core's rule for the reason before the dialog closes. A bad reason keeps the
    dialog open with its message under the field; a good one queues the cancel and closes it."""
    try:
        valid_reason("cancel reason", st.session_state.get(reason_key))
    except ValidationError as problem:
        form_errors.keep(_form(order_id), problem, STEP_FIELDS)
        return
    form_errors.clear(_form(order_id))
    _request(Action.CANCEL.value, order_id, version, {"reason": reason_key})
    _close_cancel()


@st.dialog("Cancel this order?", on_dismiss=_close_cancel)
def _cancel_dialog(detail: OrderDetail, version: int) -> None:
    st.markdown(f"**{detail.number}** for {plain(detail.customer)} will be cancelled. This cannot be undone.")
    if holds_stock(detail.status, detail.held_from):
        st.markdown("Its reserved stock goes back to the warehouses.")
    if detail.is_paid:
        st.warning(
            f"It is paid ({cents(detail.payments[0]['amount_cents'])}): it will be flagged for a refund."
        )
    key = _key("cancel_reason", detail.id)
    st.text_input("Reason *", key=key, placeholder="e.g. Customer cancelled the purchase")
    form_errors.under(_form(detail.id), "cancel reason")
    yes, no = st.columns(2)
    confirmed = yes.button(
        "Yes, cancel the order",
        type="primary",
        key=CANCEL_YES,
        on_click=_confirm_cancel,
        args=(detail.id, version, key),
    )
    if confirmed and st.session_state.get(CANCEL_REQUEST) is None:  # accepted: the page runs it
        st.rerun()
    if no.button("Keep the order", key=CANCEL_NO):
        form_errors.clear(_form(detail.id))
        _close_cancel()
        st.rerun()
