"""Data: where the data lives, what is in it, import with a column mapping, export, users, reset."""

from __future__ import annotations

from functools import partial

import streamlit as st

from crm_core.errors import DomainError
from crm_core.io import EXPORT_FORMATS, ImportOptions, Kind
from crm_core.permissions import Permission, Role
from crm_core.services import (
    export_table,
    import_table,
    list_users,
    mapping_for,
    reset_sample_data,
    table_counts,
)
from crm_core.store.models import TABLE_ORDER
from ui.admin.imports import mapping_editor, read_upload, show_report
from ui.admin.users import users_section
from ui.auth import current_actor
from ui.data import get_store, table_preview
from ui.frame import inside_frame
from ui.scoring.enrichment import data_page_button
from ui.text import message, plain
from ui.theme import label
from ui.widgets import run_action

inside_frame()

FILE_KEY = "data_import_file"  # {"name": str, "data": bytes}: the file being imported
REPORT_KEY = "data_import_result"
UPLOAD_LIMIT_MB = 50  # .streamlit/config.toml server.maxUploadSize


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

st.subheader("Import")
if actor is None or not actor.can(Permission.IMPORT_DATA):
    st.caption("Only an admin can import data. Pick an admin in the sidebar to try it.")
else:
    st.caption(
        "Customers, products, opportunities or orders (one row per order line) from CSV, Excel (.xlsx) or "
        f"Parquet, up to {UPLOAD_LIMIT_MB} MB here (larger files: `python -m crm_core import`). Columns are "
        "matched by name; adjust the mapping below or upload a TOML mapping file. Strict by default: "
        "one bad row and nothing is imported."
    )
    kind = st.selectbox(
        "What the file holds", [k.value for k in Kind], format_func=label, key="data_import_kind"
    )
    upload = st.file_uploader("File", type=["csv", "xlsx", "parquet"], key="data_import_upload")
    if upload is not None:
        st.session_state[FILE_KEY] = {"name": upload.name, "data": upload.getvalue()}
    toml_upload = st.file_uploader("Mapping file (optional, TOML)", type=["toml"], key="data_import_toml")
    toml_text = toml_upload.getvalue().decode("utf-8", errors="replace") if toml_upload is not None else None
    current = st.session_state.get(FILE_KEY)
    if current is not None:
        try:
            raw = read_upload(current["data"], current["name"])
            start = mapping_for(kind, raw.columns, toml_text)
        except DomainError as exc:
            st.error(message(exc), icon=":material/warning:")
            raw = None
        if raw is not None:
            file_name = plain(current["name"])
            st.write(f"**{file_name}** — {raw.height:,} rows, {raw.width - 1} columns. First rows:")
            st.dataframe(raw.drop("_row").head(5), hide_index=True, width="stretch")
            columns = [c for c in raw.columns if c != "_row"]
            st.markdown("**Column mapping** — pick the column of your file for each field (auto-detected).")
            mapping = mapping_editor(
                kind, columns, start, key=f"data_import_map_{kind}_{hash(tuple(columns))}"
            )
            if start.values or start.constants or start.date_format or start.datetime_format:
                st.caption(
                    "From the mapping file: "
                    + "; ".join(
                        [f"values of {k} translated" for k in start.values]
                        + [f"{k} = '{v}' for every row" for k, v in start.constants.items()]
                        + [f"dates as {f}" for f in (start.date_format, start.datetime_format) if f]
                    )
                )
            left, right = st.columns(2)
            lenient = left.toggle(
                "Lenient: import the valid rows, report the others", key="data_import_lenient"
            )
            create = right.toggle(
                "Create the customers and products the file names but Scalewise lacks, and owners as reps",
                key="data_import_create",
            )
            owner_email = None
            if kind == Kind.OPPORTUNITIES.value and not mapping.provides("owner"):
                owners = {
                    u.email: f"{u.name} ({u.role.value})" for u in list_users(store) if u.role != Role.ADMIN
                }
                owner_email = st.selectbox(
                    "Owner of the deals (the file has no owner column)",
                    list(owners),
                    index=None,
                    placeholder="you, the importing user",
                    format_func=lambda e: owners[e],
                    key="data_import_owner",
                )
            buttons = st.container(horizontal=True)
            dry = buttons.button("Check only (dry run)", key="data_import_dry", icon=":material/fact_check:")
            go = buttons.button("Import", type="primary", key="data_import_go", icon=":material/upload:")
            if dry or go:
                bar = st.progress(0.0, text="Starting…")
                options = ImportOptions(
                    lenient=lenient, create_missing=create, dry_run=bool(dry), owner_email=owner_email
                )
                report = run_action(
                    lambda: import_table(
                        store,
                        actor,
                        kind,
                        raw,
                        current["name"],
                        mapping=mapping,
                        options=options,
                        progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                    )
                )
                bar.empty()
                if report is not None:
                    st.session_state[REPORT_KEY] = report
                    if report.written:
                        st.rerun()  # the counts above and every cached frame move to the new data
    report = st.session_state.get(REPORT_KEY)
    if report is not None:
        st.markdown("#### Import report")
        show_report(report, key="data_import")

data_page_button(store, actor)

st.subheader("Export")
table = st.selectbox("Table", TABLE_ORDER, format_func=label, key="data_export_table")
raw = st.toggle(
    "Raw: as stored (ids only, amounts in cents, percentages in basis points)",
    key="data_export_raw",
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
            key=f"data_export_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )

users_section(store, actor)

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
