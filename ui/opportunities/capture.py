"""The capture form: a new opportunity, with each field's problem shown under it, and the customer
that already exists offered instead of a duplicate."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import streamlit as st

from crm_core.opportunity_fields import close_date_bounds
from crm_core.permissions import Actor, Permission
from crm_core.store.opportunities import OWNER_ROLES
from ui import form_errors
from ui.dates import today
from ui.opportunities.actions import queue_capture
from ui.opportunities.state import (
    CAPTURE_FORM,
    CAPTURE_FORM_WIDGET,
    CAPTURE_KEYS,
    CAPTURE_MATCHES,
    CAPTURE_NEW_ANYWAY,
    capture_use,
)
from ui.text import plain
from ui.theme import money


def _problem(field: str) -> None:
    """The message for `field` from the last submit, right under its input."""
    form_errors.under(CAPTURE_FORM, field)


def capture_form(actor: Actor | None, owners: list[Actor], products: pl.DataFrame) -> None:
    if actor is None or not actor.can(Permission.CAPTURE_OPPORTUNITY):
        st.info("Sign in as a sales rep or manager to capture opportunities.", icon=":material/lock:")
        return
    st.caption(
        "A new lead: who it is, what they are interested in, and roughly what it is worth. "
        "Fields marked * are required. If the company is already a customer you will be offered it."
    )
    _offer_matches()

    active = products.filter(pl.col("active")).sort("name")
    names = dict(zip(active["id"].to_list(), active["name"].to_list(), strict=True))
    prices = dict(zip(active["id"].to_list(), active["list_price_cents"].to_list(), strict=True))
    skus = dict(zip(active["id"].to_list(), active["sku"].to_list(), strict=True))
    may_assign = actor.can(Permission.WORK_ANY_OPPORTUNITY)
    if may_assign:
        owner_names = {o.id: o.name for o in owners if o.role.value in OWNER_ROLES}
    else:
        owner_names = {actor.id: actor.name}
    if st.session_state.get(CAPTURE_KEYS["owner"]) not in owner_names:
        st.session_state[CAPTURE_KEYS["owner"]] = (
            actor.id if actor.id in owner_names else next(iter(owner_names))
        )
    st.session_state.setdefault(CAPTURE_KEYS["quantity"], 1)
    st.session_state.setdefault(CAPTURE_KEYS["expected close date"], today() + timedelta(days=60))

    with st.form(CAPTURE_FORM_WIDGET, border=True):
        left, right = st.columns(2)
        with left:
            st.text_input(
                "Company *", key=CAPTURE_KEYS["company"], placeholder="e.g. Northwind Logistics Inc."
            )
            _problem("company")
            st.text_input("Contact name *", key=CAPTURE_KEYS["contact name"])
            _problem("contact name")
            st.text_input("Email *", key=CAPTURE_KEYS["email"], placeholder="name@company.com")
            _problem("email")
            st.text_input("Phone", key=CAPTURE_KEYS["phone"], placeholder="+1 212 555 0100")
            _problem("phone")
        with right:
            st.selectbox(
                "Product interest *",
                list(names),
                index=None,
                format_func=lambda pid: f"{names[pid]} ({skus[pid]}) · {money(prices[pid])}",
                placeholder="Choose a product",
                key=CAPTURE_KEYS["product interest"],
            )
            _problem("product interest")
            st.number_input("Quantity *", min_value=1, step=1, key=CAPTURE_KEYS["quantity"])
            _problem("quantity")
            st.text_input(
                "Expected amount ($)",
                placeholder="Empty: quantity × list price",
                key=CAPTURE_KEYS["expected amount"],
                help="Digits, like 3000 or $3,000.00 (a point before the cents).",
            )
            _problem("expected amount")
            first, last = close_date_bounds(today())  # the picker offers what the capture accepts
            st.date_input(
                "Expected close date",
                min_value=first,
                max_value=last,
                key=CAPTURE_KEYS["expected close date"],
                format="YYYY-MM-DD",
            )
            _problem("expected close date")
            st.selectbox(
                "Owner",
                list(owner_names),
                format_func=lambda uid: owner_names[uid],
                disabled=not may_assign,
                help=None if may_assign else "Reps capture opportunities for themselves.",
                key=CAPTURE_KEYS["owner"],
            )
            _problem("owner")
        st.form_submit_button(
            "Capture opportunity", type="primary", on_click=queue_capture, icon=":material/add_circle:"
        )


def _offer_matches() -> None:
    matches = st.session_state.get(CAPTURE_MATCHES)
    if not matches:
        return
    with st.container(border=True):
        st.warning(
            "This company may already be a customer. Use the existing record so that its opportunities "
            "and orders stay together, or create a new customer anyway.",
            icon=":material/group:",
        )
        for customer_id, name, reason in matches[:5]:
            cols = st.columns([3, 1.3], vertical_alignment="center")
            cols[0].markdown(f"**{plain(name)}** · customer #{customer_id} · {plain(reason)}")
            cols[1].button(
                "Use this customer",
                key=capture_use(customer_id),
                on_click=queue_capture,
                kwargs={"customer_id": customer_id},
                width="stretch",
            )
        st.button(
            "Create a new customer anyway",
            key=CAPTURE_NEW_ANYWAY,
            on_click=queue_capture,
            kwargs={"new_customer": True},
        )
