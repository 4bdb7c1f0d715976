"""Data: where the data lives, what is in it, export a table, reset to the sample data."""

from __future__ import annotations

import streamlit as st

from crm_core.permissions import Permission
from crm_core.services import reset_sample_data, table_counts
from crm_core.store.models import TABLE_ORDER
from ui.auth import current_actor
from ui.data import frame, get_store
from ui.theme import label
from ui.widgets import run_action, show_data

st.title("Data")
store = get_store()
actor = current_actor()

st.subheader("Where the data lives")
st.write(store.describe())
if store.is_sqlite:
    st.caption(
        "Embedded SQLite: fine for one machine and a small team. For several app instances, point "
        "CRM_DATABASE_URL (or the app's secrets) at PostgreSQL."
    )

counts = table_counts(store)
st.subheader("What is in it")
cols = st.columns(4)
for i, name in enumerate(TABLE_ORDER):
    cols[i % 4].metric(label(name), f"{counts[name]:,}")

st.subheader("Export")
table = st.selectbox("Table", TABLE_ORDER, format_func=label, key="data_export_table")
show_data(
    frame(table),
    key=f"data_export_{table}",
    file_name=f"{table}.csv",
    label=f"{label(table)} — preview and CSV",
)

st.subheader("Reset to sample data")
if actor is None or not actor.can(Permission.RESET_DATA):
    st.caption("Only an admin can reset the data.")
else:

    @st.dialog("Reset to sample data?")
    def confirm_reset() -> None:
        st.write(
            "Every customer, opportunity, order and event is replaced by the sample data. "
            "This cannot be undone."
        )
        if st.button("Yes, reset everything", type="primary", key="data_reset_confirm") and (
            run_action(lambda: reset_sample_data(store, actor), success="Sample data restored") is not None
        ):
            st.rerun()

    if st.button("Reset to sample data…", key="data_reset"):
        confirm_reset()
