"""Orders: the order desk — the list, a new order, and one order with its next step.

Opens the order whose id is in `st.session_state["orders_selected"]` (set by other pages, e.g.
after converting a won opportunity) or whose number is in the URL (`?order=SO-000123`).
"""

from __future__ import annotations

import streamlit as st

from ui.auth import current_actor
from ui.data import frame, get_store
from ui.frame import inside_frame
from ui.orders import desk
from ui.orders.detail import order_detail_view
from ui.orders.entry import new_order_form, reset_new_order
from ui.orders.list import order_list
from ui.orders.state import BACK, NEW, SELECTED, VIEW

inside_frame()


def render() -> None:
    st.title("Orders")
    store = get_store()
    actor = current_actor()
    desk.init_state()
    desk.open_linked_order(store)
    desk.show_flash()

    if st.session_state[SELECTED] is not None:
        st.button("All orders", icon=":material/arrow_back:", on_click=desk.back_to_list, key=BACK)
        detail = order_detail_view(store, actor, int(st.session_state[SELECTED]))
        if detail is not None:
            desk.link_to(detail.number)
    elif st.session_state[VIEW] == "new":
        st.button("All orders", icon=":material/arrow_back:", on_click=desk.back_to_list, key=BACK)
        st.subheader("New order", anchor=False)
        created = new_order_form(store, actor, frame("customers", store), frame("products", store))
        if created is not None:
            reset_new_order()
            desk.entered(created)
            st.rerun()
    else:
        st.button("New order", icon=":material/add:", type="primary", on_click=desk.start_new_order, key=NEW)
        picked = order_list(frame("orders", store))
        if picked is not None:
            desk.open_order(picked)
            st.rerun()


render()
