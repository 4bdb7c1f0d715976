"""Customers: the list with search and filters, a customer's card (contact, addresses, tax id,
credit, balance, deals, orders, open invoices, won → delivered), editing it, merging duplicates,
and the desk's settings (admins).

Opens the customer whose id is in `st.session_state["customers_selected"]` or in the URL
(`?customer=42`)."""

from __future__ import annotations

import streamlit as st

from ui.auth import current_actor
from ui.customers import desk
from ui.customers.card import customer_card_view
from ui.customers.list import customer_list
from ui.customers.settings import settings_section
from ui.customers.state import BACK, SELECTED
from ui.data import frame, get_store
from ui.frame import inside_frame

inside_frame()


def render() -> None:
    st.title("Customers")
    store = get_store()
    actor = current_actor()
    desk.open_linked_customer()
    customers = frame("customer_list", store)
    if st.session_state[SELECTED] is not None:
        st.button("All customers", icon=":material/arrow_back:", on_click=desk.back_to_list, key=BACK)
        card = customer_card_view(store, actor, int(st.session_state[SELECTED]), customers)
        if card is not None:
            desk.link_to(card.id)
    else:
        customer_list(customers)
        settings_section(store, actor)


render()
