"""Customers: the list with search and filters, a customer's card (contact, addresses, tax id,
credit, balance, deals, orders, open invoices, won → delivered), editing it, merging duplicates,
and the desk's settings (admins).

Opens the customer whose id is in `st.session_state["customers_selected"]` or in the URL
(`?customer=42`)."""

from __future__ import annotations

import streamlit as st

from ui.auth import current_actor
from ui.customers.card import customer_card_view
from ui.customers.list import SELECTED, customer_list
from ui.customers.settings import settings_section
from ui.data import frame, get_store
from ui.frame import inside_frame

inside_frame()

PARAM_SEEN = "customers_param_seen"


def back_to_list() -> None:
    st.session_state[SELECTED] = None
    st.session_state[PARAM_SEEN] = None
    st.query_params.pop("customer", None)


st.title("Customers")
store = get_store()
actor = current_actor()
st.session_state.setdefault(SELECTED, None)

wanted = st.query_params.get("customer")
if wanted and wanted != st.session_state.get(PARAM_SEEN):
    st.session_state[PARAM_SEEN] = wanted
    if wanted.isdigit():
        st.session_state[SELECTED] = int(wanted)
    else:
        st.warning("That link does not name a customer. Showing all customers.", icon=":material/search_off:")

customers = frame("customer_list", store)
if st.session_state[SELECTED] is not None:
    st.button("All customers", icon=":material/arrow_back:", on_click=back_to_list, key="customers_back")
    card = customer_card_view(store, actor, int(st.session_state[SELECTED]), customers)
    if card is not None and st.query_params.get("customer") != str(card.id):
        st.query_params["customer"] = str(card.id)
        st.session_state[PARAM_SEEN] = str(card.id)
else:
    customer_list(customers)
    settings_section(store, actor)
