"""The Customers page's navigation: the list or one card, and the customer named in the address
bar (`?customer=42`)."""

from __future__ import annotations

import streamlit as st

from ui.customers.state import PARAM_SEEN, SELECTED


def back_to_list() -> None:
    st.session_state[SELECTED] = None
    st.session_state[PARAM_SEEN] = None
    st.query_params.pop("customer", None)


def open_linked_customer() -> None:
    """Open the customer whose id is in the URL, once per id (a bad one: a warning)."""
    st.session_state.setdefault(SELECTED, None)
    wanted = st.query_params.get("customer")
    if wanted and wanted != st.session_state.get(PARAM_SEEN):
        st.session_state[PARAM_SEEN] = wanted
        if wanted.isdigit():
            st.session_state[SELECTED] = int(wanted)
        else:
            st.warning(
                "That link does not name a customer. Showing all customers.", icon=":material/search_off:"
            )


def link_to(customer_id: int) -> None:
    """Keep the open card's customer id in the address bar, so the URL can be shared."""
    if st.query_params.get("customer") != str(customer_id):
        st.query_params["customer"] = str(customer_id)
        st.session_state[PARAM_SEEN] = str(customer_id)
