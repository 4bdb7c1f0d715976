"""Editing a customer and merging a duplicate into it, from its card.

The Save and Merge buttons record the request with the version of the customer the user was
looking at (their on_click arguments are bound when the card was drawn); `run_pending_edit` carries
it out through the service at the top of the next run. So a change someone made in between is
refused ("changed by someone else — reloaded") and the form shows the stored values again, never
an overwrite. The credit limit and blocked fields show only for managers; the service enforces it.
Each bad value's message (every one of a submit) sits under its field, worded by crm_core.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from crm_core.customer_fields import BY_NAME
from crm_core.customers import customer_filter
from crm_core.errors import ConflictError
from crm_core.permissions import Actor, Permission
from crm_core.services import CustomerCard, merge_customers, update_customer
from crm_core.store import Store
from ui import form_errors
from ui.customers.state import EDIT_PREFIX, PENDING, edit_field, merge_button, merge_choice, merge_search
from ui.orders.format import amount_text, plain
from ui.text import message
from ui.widgets import run_action

TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("contact_name", "Contact name"),
    ("contact_email", "Contact email"),
    ("contact_phone", "Contact phone"),
    ("tax_id", "Tax id"),
    ("industry", "Industry"),
    ("region", "Region"),
)
ADDRESS_FIELDS: tuple[tuple[str, str], ...] = (
    ("billing_address", "Billing address"),
    ("shipping_address", "Shipping address (empty: same as billing)"),
)


def _key(field: str, customer_id: int) -> str:
    return edit_field(field, customer_id)


def _form(customer_id: int) -> str:
    return f"customers_edit_form_{customer_id}"


def _under(customer_id: int, field: str) -> None:
    """The last save's message about the field (named by its label, as crm_core names it)."""
    form_errors.under(_form(customer_id), BY_NAME[field].label)


def _forget_inputs() -> None:
    for key in [k for k in st.session_state if str(k).startswith(EDIT_PREFIX)]:
        del st.session_state[key]


def _initial(card: CustomerCard) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(card, name) or "" for name, _ in TEXT_FIELDS + ADDRESS_FIELDS}
    values["employees"] = "" if card.employees is None else str(card.employees)
    values["credit_limit_cents"] = amount_text(card.credit_limit_cents)
    values["blocked"] = card.blocked
    return values


def _request_edit(customer_id: int, version: int, fields: tuple[str, ...]) -> None:
    changes = {name: st.session_state.get(_key(name, customer_id)) for name in fields}
    st.session_state[PENDING] = {"kind": "edit", "id": customer_id, "version": version, "changes": changes}


def _request_merge(customer_id: int, version: int, choice_key: str, versions: dict[int, int]) -> None:
    duplicate = st.session_state.get(choice_key)
    st.session_state[PENDING] = {
        "kind": "merge",
        "id": customer_id,
        "version": version,
        "duplicate": duplicate,
        "duplicate_version": versions.get(duplicate) if duplicate is not None else None,
    }


def run_pending_edit(store: Store, actor: Actor | None, customer_id: int) -> None:
    """Carry out the save or merge asked for on the previous run, and say what happened."""
    pending = st.session_state.pop(PENDING, None)
    if not pending or pending["id"] != customer_id:
        return
    if pending["kind"] == "edit":
        conflicts: list[ConflictError] = []

        def save() -> int | None:
            try:
                return update_customer(
                    store, actor, customer_id, pending["changes"], expected_version=pending["version"]
                )
            except ConflictError as conflict:
                conflicts.append(conflict)
                return None

        labels = [BY_NAME[name].label for name in pending["changes"] if name in BY_NAME]
        # bad input: each message waits under its field (drawn later in this run), the typed values stay
        version = form_errors.submit(_form(customer_id), save, fields=labels)
        if conflicts:
            _forget_inputs()  # show what is stored now
            st.warning(message(conflicts[0]), icon=":material/sync_problem:")
            return
        if version is None:
            return
        _forget_inputs()
        done = "Saved." if version != pending["version"] else "Nothing to save: no field was changed."
        st.success(done, icon=":material/check_circle:")
        return
    if pending["duplicate"] is None:
        st.error("Pick the duplicate customer to merge into this one.", icon=":material/warning:")
        return
    result = run_action(
        lambda: merge_customers(
            store,
            actor,
            customer_id,
            pending["duplicate"],
            survivor_version=pending["version"],
            duplicate_version=pending["duplicate_version"],
        )
    )
    if result is not None:
        st.success(
            f"Merged {plain(result.duplicate)} into {plain(result.survivor)}: "
            f"{result.opportunities_moved} opportunities and {result.orders_moved} orders moved.",
            icon=":material/merge:",
        )


def edit_customer(card: CustomerCard, actor: Actor | None) -> None:
    """The edit form (anyone who may edit customers; credit fields for managers)."""
    if actor is None or not actor.can(Permission.EDIT_CUSTOMER):
        return
    manager = actor.can(Permission.MANAGE_CREDIT)
    for name, value in _initial(card).items():
        st.session_state.setdefault(_key(name, card.id), value)
    form = _form(card.id)
    with st.expander("Edit customer", icon=":material/edit:"), st.form(form):
        form_errors.general(form)
        left, right = st.columns(2)
        for i, (name, title) in enumerate(TEXT_FIELDS):
            with left if i % 2 == 0 else right:
                st.text_input(title, key=_key(name, card.id), max_chars=320)
                _under(card.id, name)
        with left:
            st.text_input("Company size (employees)", key=_key("employees", card.id))
            _under(card.id, "employees")
        for name, title in ADDRESS_FIELDS:
            st.text_area(title, key=_key(name, card.id), height=100, max_chars=500)
            _under(card.id, name)
        fields = [name for name, _ in TEXT_FIELDS + ADDRESS_FIELDS] + ["employees"]
        if manager:
            credit, blocked = st.columns(2)
            with credit:
                st.text_input("Credit limit ($)", key=_key("credit_limit_cents", card.id))
                _under(card.id, "credit_limit_cents")
            with blocked:
                st.checkbox("Blocked (no new orders)", key=_key("blocked", card.id))
                _under(card.id, "blocked")
            fields += ["credit_limit_cents", "blocked"]
        else:
            st.caption("The credit limit and the blocked flag are changed by a manager.")
        st.form_submit_button(
            "Save changes",
            type="primary",
            on_click=_request_edit,
            args=(card.id, card.version, tuple(fields)),
        )


def merge_duplicate(card: CustomerCard, actor: Actor | None, customers: pl.DataFrame) -> None:
    """Managers: pick a duplicate of this customer and fold it into this one."""
    if actor is None or not actor.can(Permission.MERGE_CUSTOMERS):
        return
    with st.expander("Merge a duplicate into this customer", icon=":material/merge:"):
        st.caption(
            f"The duplicate's opportunities and orders move to {plain(card.name)}, and the duplicate is "
            "removed. Its history stays in the audit trail."
        )
        search = st.text_input("Find the duplicate", key=merge_search(card.id))
        candidates = (
            customers.filter(customer_filter(search) & (pl.col("id") != card.id)).head(50)
            if search.strip()
            else customers.head(0)
        )
        names = dict(zip(candidates["id"].to_list(), candidates["name"].to_list(), strict=True))
        versions = dict(zip(candidates["id"].to_list(), candidates["version"].to_list(), strict=True))
        choice_key = merge_choice(card.id)
        st.selectbox(
            "Duplicate",
            list(names),
            format_func=lambda cid: f"{names[cid]} (#{cid})",
            key=choice_key,
            index=None,
            placeholder="Type part of its name above" if not names else "Pick the duplicate",
        )
        st.button(
            "Merge into this customer",
            key=merge_button(card.id),
            icon=":material/merge:",
            on_click=_request_merge,
            args=(card.id, card.version, choice_key, versions),
        )
