"""The Orders page's navigation between its three views — the list, a new order, one order — and
the order named in the address bar (`?order=SO-000123`)."""

from __future__ import annotations

import streamlit as st

from crm_core.errors import DomainError
from crm_core.services import order_id_for_number
from crm_core.store import Store
from ui.orders.state import FLASH, PARAM_SEEN, SELECTED, TABLE_NONCE, VIEW
from ui.text import message

ENTERED = "Order entered. Next step: the audit checks it before anything is reserved."


def init_state() -> None:
    for key, default in ((SELECTED, None), (VIEW, "list"), (PARAM_SEEN, None)):
        st.session_state.setdefault(key, default)


def open_order(order_id: int) -> None:
    st.session_state[SELECTED] = int(order_id)
    st.session_state[VIEW] = "detail"


def back_to_list() -> None:
    st.session_state[SELECTED] = None
    st.session_state[VIEW] = "list"
    st.session_state[TABLE_NONCE] = st.session_state.get(TABLE_NONCE, 0) + 1  # forget the old row pick
    st.session_state[PARAM_SEEN] = None
    st.query_params.pop("order", None)


def start_new_order() -> None:
    st.session_state[SELECTED] = None
    st.session_state[VIEW] = "new"
    st.query_params.pop("order", None)


def open_linked_order(store: Store) -> None:
    """Open the order whose number is in the URL, once per number (a bad one: a warning)."""
    wanted = st.query_params.get("order")
    if wanted and wanted != st.session_state[PARAM_SEEN]:
        st.session_state[PARAM_SEEN] = wanted
        try:
            open_order(order_id_for_number(store, wanted))
        except DomainError as problem:
            st.warning(f"{message(problem)} Showing all orders instead.", icon=":material/search_off:")


def link_to(number: str) -> None:
    """Keep the open order's number in the address bar, so the URL can be shared."""
    if st.query_params.get("order") != number:
        st.query_params["order"] = number
        st.session_state[PARAM_SEEN] = number


def show_flash() -> None:
    if flash := st.session_state.pop(FLASH, None):
        st.success(message(flash), icon=":material/check_circle:")


def entered(order_id: int) -> None:
    """A new order was entered: open it, with a word on its next step."""
    open_order(order_id)
    st.session_state[FLASH] = ENTERED
