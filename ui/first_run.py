"""The first-run screen: a database with users but no customers, products, deals or orders yet
(started with `python -m crm_core init`) says what to import in which order, links to the Data
page, and lets an admin load the sample data instead."""

from __future__ import annotations

import streamlit as st

from crm_core.permissions import Actor, Permission
from crm_core.services.data import moving_in, reset_sample_data
from crm_core.store import Store
from ui.widgets import run_action

DATA_PAGE = "pages/data.py"
STEPS = (
    ("Users", "the people who sign in and own deals: `python -m crm_core users import users.csv` "
     "(name, email, role) or the Users section of the Data page"),
    ("Customers", "accounts, with their id in the old system as external id"),
    ("Products", "SKU, name and list price"),
    ("Opportunities", "deals, matched to customers, owners (by email or name) and products"),
    ("Orders", "one row per order line; lines with the same order number form one order"),
)  # fmt: skip


def show_first_run(store: Store, actor: Actor | None) -> bool:
    """Show the first-run screen when the database is waiting for its first imports; True if shown."""
    if not moving_in(store):
        return False
    st.title("Welcome to Scalewise")
    st.write(
        "This database has users but no data yet. Import what your old system exports, in this order "
        "(each step matches what the earlier ones brought in):"
    )
    st.markdown("\n".join(f"{i}. **{name}** — {what}" for i, (name, what) in enumerate(STEPS, start=1)))
    st.page_link(DATA_PAGE, label="Go to the Data page to import", icon=":material/database:")
    if actor is not None and actor.can(Permission.RESET_DATA):
        st.divider()
        st.write("Or look around first with the sample data (you can replace it with your own later).")
        if st.button("Load the sample data instead", key="first_run_sample") and (
            run_action(lambda: reset_sample_data(store, actor), success="Sample data loaded") is not None
        ):
            st.rerun()
    return True
