"""Orders: the order desk — the list, a new order, and one order with its next step.

Opens the order whose id is in `st.session_state["orders_selected"]` (set by other pages, e.g.
after converting a won opportunity) or whose number is in the URL (`?order=SO-000123`).
"""

from __future__ import annotations

import streamlit as st

from crm_core.errors import DomainError
from crm_core.services import order_id_for_number
from ui.auth import current_actor
from ui.data import frame, get_store
from ui.frame import inside_frame
from ui.orders.detail import order_detail_view
from ui.orders.entry import new_order_form, reset_new_order
from ui.orders.list import TABLE_NONCE, order_list
from ui.text import message

inside_frame()

SELECTED, VIEW, PARAM_SEEN, FLASH = "orders_selected", "orders_view", "orders_param_seen", "orders_flash"


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


st.title("Orders")
store = get_store()
actor = current_actor()
for key, default in ((SELECTED, None), (VIEW, "list"), (PARAM_SEEN, None)):
    st.session_state.setdefault(key, default)

wanted = st.query_params.get("order")
if wanted and wanted != st.session_state[PARAM_SEEN]:
    st.session_state[PARAM_SEEN] = wanted
    try:
        open_order(order_id_for_number(store, wanted))
    except DomainError as problem:
        st.warning(f"{message(problem)} Showing all orders instead.", icon=":material/search_off:")

if flash := st.session_state.pop(FLASH, None):
    st.success(message(flash), icon=":material/check_circle:")

if st.session_state[SELECTED] is not None:
    st.button("All orders", icon=":material/arrow_back:", on_click=back_to_list, key="orders_back")
    detail = order_detail_view(store, actor, int(st.session_state[SELECTED]))
    if detail is not None and st.query_params.get("order") != detail.number:
        st.query_params["order"] = detail.number
        st.session_state[PARAM_SEEN] = detail.number
elif st.session_state[VIEW] == "new":
    st.button("All orders", icon=":material/arrow_back:", on_click=back_to_list, key="orders_back")
    st.subheader("New order", anchor=False)
    created = new_order_form(store, actor, frame("customers", store), frame("products", store))
    if created is not None:
        reset_new_order()
        open_order(created)
        st.session_state[FLASH] = "Order entered. Next step: the audit checks it before anything is reserved."
        st.rerun()
else:
    st.button("New order", icon=":material/add:", type="primary", on_click=start_new_order, key="orders_new")
    picked = order_list(frame("orders", store))
    if picked is not None:
        open_order(picked)
        st.rerun()
