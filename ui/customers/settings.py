"""The desk's settings on the Customers page: the default credit limit of new customers and the
seller named on every invoice. Everyone sees them; only an admin changes them (the service checks).
A bad value's message sits under its field."""

from __future__ import annotations

import streamlit as st

from crm_core.permissions import Actor, Permission
from crm_core.services import desk_settings, update_desk_settings
from crm_core.store import Store
from ui import form_errors
from ui.customers.state import SETTINGS_FLASH, SETTINGS_FORM, SETTINGS_PREFIX
from ui.orders.format import amount_text, cents, plain
from ui.text import message

PREFIX, FORM = SETTINGS_PREFIX, SETTINGS_FORM


def _save(store: Store, actor: Actor | None) -> None:
    values = {name: st.session_state.get(PREFIX + name) for name in FIELDS}
    labels = [name.replace("_", " ") for name in FIELDS]  # as crm_core names them: 'seller tax id'
    saved = form_errors.submit(
        FORM, lambda: update_desk_settings(store, actor, **values), fields=labels, rerun=True
    )
    if saved is not None:
        st.session_state[SETTINGS_FLASH] = "Settings saved."


FIELDS = ("default_credit_limit", "seller_name", "seller_address", "seller_tax_id", "seller_email")


def settings_section(store: Store, actor: Actor | None) -> None:
    current = desk_settings(store)
    with st.expander("Settings: new customers' credit limit, seller on invoices", icon=":material/settings:"):
        if flash := st.session_state.pop(SETTINGS_FLASH, None):
            st.success(message(flash), icon=":material/check_circle:")
        limit, seller = cents(current.default_credit_limit_cents), plain(current.seller_name)
        st.caption(
            f"New customers start with a credit limit of **{limit}**. "
            f"Invoices are issued by **{seller}** (tax id {plain(current.seller_tax_id)})."
        )
        if actor is None or not actor.can(Permission.MANAGE_SETTINGS):
            st.caption("An admin changes these settings.")
            return
        with st.form(FORM, border=False):
            form_errors.general(FORM)
            left, right = st.columns(2)
            with left:
                st.text_input(
                    "Default credit limit for new customers ($)",
                    value=amount_text(current.default_credit_limit_cents),
                    key=PREFIX + "default_credit_limit",
                )
                form_errors.under(FORM, "default credit limit")
            with right:
                st.text_input("Seller name", value=current.seller_name, key=PREFIX + "seller_name")
                form_errors.under(FORM, "seller name")
            with left:
                st.text_input("Seller tax id", value=current.seller_tax_id, key=PREFIX + "seller_tax_id")
                form_errors.under(FORM, "seller tax id")
            with right:
                st.text_input("Seller email", value=current.seller_email, key=PREFIX + "seller_email")
                form_errors.under(FORM, "seller email")
            st.text_area(
                "Seller address", value=current.seller_address, key=PREFIX + "seller_address", height=100
            )
            form_errors.under(FORM, "seller address")
            submitted = st.form_submit_button("Save settings", type="primary")
        if submitted:
            _save(store, actor)
            if SETTINGS_FLASH in st.session_state:
                st.rerun()
