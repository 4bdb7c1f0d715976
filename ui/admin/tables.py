"""The Data page's other sections: where the data lives and what is in it, export (raw or
readable), and the reset to the sample data."""

from __future__ import annotations

from functools import partial

import streamlit as st

from crm_core.io import EXPORT_FORMATS
from crm_core.permissions import Actor, Permission
from crm_core.services import export_table, reset_sample_data, table_counts
from crm_core.store import Store
from crm_core.store.models import TABLE_ORDER
from ui.admin.state import EXPORT_RAW, EXPORT_TABLE, RESET, RESET_CONFIRM, export_download
from ui.data import table_preview
from ui.theme import label
from ui.widgets import run_action


def storage_section(store: Store) -> None:
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


def export_section(store: Store, actor: Actor | None) -> None:
    st.subheader("Export")
    table = st.selectbox("Table", TABLE_ORDER, format_func=label, key=EXPORT_TABLE)
    raw = st.toggle(
        "Raw: as stored (ids only, amounts in cents, percentages in basis points)",
        key=EXPORT_RAW,
        help="Off: names beside ids, amounts in currency units, times as YYYY-MM-DD HH:MM:SS (UTC). "
        "Readable customers and products import back as they are.",
    )
    preview, total = table_preview(table, raw=raw)
    st.caption(
        f"{total:,} rows. In CSV and Excel, cells that a spreadsheet would run as a formula start with a "
        "quote (the importer removes it); Parquet keeps them as typed."
    )
    st.dataframe(preview, hide_index=True, width="stretch", height=250)
    if actor is None or not actor.can(Permission.EXPORT_DATA):
        st.caption("Sign in as a user who may export data to download tables.")
    else:
        row = st.container(horizontal=True)
        for fmt, title in (("csv", "CSV"), ("xlsx", "Excel"), ("parquet", "Parquet")):
            suffix, mime = EXPORT_FORMATS[fmt]
            row.download_button(
                f"Download {label(table)} as {title}",
                data=partial(export_table, store, actor, table, fmt, raw=raw),
                file_name=f"{table}{'_raw' if raw else ''}{suffix}",
                mime=mime,
                key=export_download(fmt),
                on_click="ignore",
                icon=":material/download:",
            )


def reset_section(store: Store, actor: Actor | None) -> None:
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
            if st.button("Yes, reset everything", type="primary", key=RESET_CONFIRM) and (
                run_action(lambda: reset_sample_data(store, actor), success="Sample data restored")
                is not None
            ):
                st.rerun()

        if st.button("Reset to sample data…", key=RESET):
            confirm_reset()
