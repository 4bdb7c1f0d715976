"""Resolving a credit finding right on the order: "Raise credit limit" or "Require prepayment".

Like the order's other buttons, a click records the request (with the order's version) in
`orders_credit_pending`; `run_credit_pending` carries it out through the service at the top of the
next run, before the order is read again. The services decide who may (managers); a rep sees the
finding and who can resolve it.
"""

from __future__ import annotations

import streamlit as st

from crm_core.order_audit import Finding
from crm_core.permissions import Actor, Permission
from crm_core.services import OrderDetail, raise_credit_limit_for_order, require_prepayment
from crm_core.store import Store
from ui.orders.format import cents, plain
from ui.orders.state import CREDIT_PENDING, CREDIT_PREPAY, CREDIT_RAISE
from ui.widgets import run_action

CREDIT_CODE = "over_credit_limit"
RAISE, PREPAY = "raise", "prepay"


def credit_finding(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.code == CREDIT_CODE), None)


def _request(kind: str, order_id: int, version: int) -> None:
    st.session_state[CREDIT_PENDING] = {"kind": kind, "order_id": order_id, "version": version}


def run_credit_pending(store: Store, actor: Actor | None, order_id: int) -> None:
    """Carry out the credit resolution asked for on the previous run, and say what happened."""
    pending = st.session_state.pop(CREDIT_PENDING, None)
    if not pending or pending["order_id"] != order_id:
        return
    if pending["kind"] == RAISE:
        raised = run_action(
            lambda: raise_credit_limit_for_order(store, actor, order_id, expected_version=pending["version"])
        )
        if raised is not None:
            st.success(
                f"Credit limit of {plain(raised.customer)} raised from {cents(raised.before_cents)} "
                f"to {cents(raised.after_cents)}. The order can be audited now.",
                icon=":material/check_circle:",
            )
    else:
        version = run_action(
            lambda: require_prepayment(store, actor, order_id, expected_version=pending["version"])
        )
        if version is not None:
            st.success(
                "Prepayment required: the order is paid before it ships, so the credit check no longer "
                "applies. The order can be audited now.",
                icon=":material/check_circle:",
            )


def credit_actions(detail: OrderDetail, actor: Actor | None) -> None:
    """Under the credit finding: the two ways out for a manager, or who can help for everyone else."""
    if actor is None or not actor.can(Permission.MANAGE_CREDIT):
        st.caption("Only a manager can resolve a credit finding: ask one to open this order.")
        return
    row = st.container(horizontal=True)
    row.button(
        "Raise credit limit",
        key=CREDIT_RAISE,
        icon=":material/trending_up:",
        on_click=_request,
        args=(RAISE, detail.id, detail.version),
        help="Sets the customer's limit to its open unpaid invoices + this order, rounded up to $1,000.",
    )
    row.button(
        "Require prepayment",
        key=CREDIT_PREPAY,
        icon=":material/payments:",
        on_click=_request,
        args=(PREPAY, detail.id, detail.version),
        help="The customer pays before the order ships (it never ships unpaid), so no credit is extended.",
    )
