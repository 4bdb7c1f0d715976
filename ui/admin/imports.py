"""The Data page's Import section: reading the upload, the column-mapping editor, the import itself
and its report."""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.io import ColumnMapping, ImportOptions, ImportReport, Kind, fields_for, read_table_file
from crm_core.permissions import Actor, Permission, Role
from crm_core.services import import_table, list_users, mapping_for
from crm_core.store import Store
from ui.admin.state import (
    IMPORT_CREATE,
    IMPORT_DRY,
    IMPORT_FILE,
    IMPORT_GO,
    IMPORT_KIND,
    IMPORT_LENIENT,
    IMPORT_OWNER,
    IMPORT_REFUSED,
    IMPORT_REPORT,
    IMPORT_RESULT,
    IMPORT_TOML,
    IMPORT_UPLOAD,
    import_mapping,
)
from ui.text import message, plain
from ui.theme import label
from ui.widgets import run_action

NOT_MAPPED = "— not in the file —"
REFUSED_KEY = IMPORT_REFUSED
MAX_REFUSALS_KEPT = 20
UPLOAD_LIMIT_MB = 50  # .streamlit/config.toml server.maxUploadSize


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read_cached(data: bytes, name: str) -> pl.DataFrame:
    return read_table_file(data, name)


def read_upload(data: bytes, name: str) -> pl.DataFrame:
    """The uploaded file as text columns; a refused file is remembered and never read again.

    `st.cache_data` keeps only what a function returns, so without this a refused file would be
    read again on every rerun (every widget change) for as long as it stays in the uploader."""
    key = hashlib.sha256(data).hexdigest() + "/" + name
    refused: dict[str, str] = st.session_state.setdefault(REFUSED_KEY, {})
    if key in refused:
        raise DomainError(refused[key])
    try:
        return _read_cached(data, name)
    except DomainError as exc:
        refused[key] = str(exc)
        for old in list(refused)[:-MAX_REFUSALS_KEPT]:
            del refused[old]
        raise


def mapping_editor(kind: str, columns: list[str], start: ColumnMapping, *, key: str) -> ColumnMapping:
    """One row per field with a dropdown of the file's columns; returns the mapping as edited.

    Value maps, constants and date formats come from the mapping file (`start`) and are kept."""
    specs = fields_for(kind)
    table = pl.DataFrame(
        {
            "field": [f.name + (" *" if f.required else "") for f in specs],
            "column": [start.columns.get(f.name, NOT_MAPPED) for f in specs],
            "type": [f.type.value for f in specs],
            "meaning": [f.description for f in specs],
        }
    )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=["field", "type", "meaning"],
        column_config={
            "field": st.column_config.TextColumn("Scalewise field (* required)", width="medium"),
            "column": st.column_config.SelectboxColumn(
                "Column in your file", options=[NOT_MAPPED, *columns], required=True, width="medium"
            ),
            "type": st.column_config.TextColumn("Type", width="small"),
            "meaning": st.column_config.TextColumn("Meaning", width="large"),
        },
    )
    chosen = pl.DataFrame(edited) if not isinstance(edited, pl.DataFrame) else edited
    mapped = {
        spec.name: col
        for spec, col in zip(specs, chosen["column"].to_list(), strict=True)
        if col and col != NOT_MAPPED
    }
    return ColumnMapping(mapped, start.values, start.constants, start.date_format, start.datetime_format)


def show_report(report: ImportReport, *, key: str) -> None:
    """The import report: headline, counts, notes, every problem, and downloads."""
    headline = report.headline()
    if report.rows_rejected and not report.lenient:
        st.error(message(headline), icon=":material/block:")
    elif report.rows_rejected:
        st.warning(message(headline), icon=":material/warning:")
    else:
        st.success(message(headline), icon=":material/check_circle:")
    cols = st.columns(4)
    cols[0].metric("Rows read", f"{report.rows_read:,}", border=True)
    cols[1].metric(
        "Would be imported" if report.dry_run else "Imported", f"{report.rows_imported:,}", border=True
    )
    cols[2].metric("Rejected", f"{report.rows_rejected:,}", border=True)
    cols[3].metric("Problems", f"{report.problems.height:,}", border=True)
    st.write(("Would change: " if report.dry_run else "Changes: ") + message(report.changes()) + ".")
    for note in report.notes:
        st.caption(f"Note: {message(note)}")
    if report.problems.height:
        st.markdown("**Problems by reason**")
        st.dataframe(report.problems_by_reason(), hide_index=True, width="stretch")
        st.markdown("**Every problem** (row numbers count the header as row 1)")
        st.dataframe(
            report.problems,
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * report.problems.height),
            column_config={"row": st.column_config.NumberColumn("Row", format="%d")},
        )
    row = st.container(horizontal=True)
    row.download_button(
        "Download the report (CSV)",
        data=report.problems_csv(),
        file_name=f"import-report-{report.kind}.csv",
        mime="text/csv",
        key=f"{key}_download_report",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        "Download the mapping (TOML)",
        data=report.mapping.to_toml(),
        file_name=f"mapping-{report.kind}.toml",
        mime="application/toml",
        key=f"{key}_download_mapping",
        on_click="ignore",
        icon=":material/download:",
    )


def import_section(store: Store, actor: Actor | None) -> None:
    """Import a file with a column mapping: check it (dry run), then import; the report stays shown."""
    st.subheader("Import")
    if actor is None or not actor.can(Permission.IMPORT_DATA):
        st.caption("Only an admin can import data. Pick an admin in the sidebar to try it.")
        return
    st.caption(
        "Customers, products, opportunities or orders (one row per order line) from CSV, Excel (.xlsx) or "
        f"Parquet, up to {UPLOAD_LIMIT_MB} MB here (larger files: `python -m crm_core import`). Columns are "
        "matched by name; adjust the mapping below or upload a TOML mapping file. Strict by default: "
        "one bad row and nothing is imported."
    )
    kind = st.selectbox("What the file holds", [k.value for k in Kind], format_func=label, key=IMPORT_KIND)
    upload = st.file_uploader("File", type=["csv", "xlsx", "parquet"], key=IMPORT_UPLOAD)
    if upload is not None:
        st.session_state[IMPORT_FILE] = {"name": upload.name, "data": upload.getvalue()}
    toml_upload = st.file_uploader("Mapping file (optional, TOML)", type=["toml"], key=IMPORT_TOML)
    toml_text = toml_upload.getvalue().decode("utf-8", errors="replace") if toml_upload is not None else None
    current = st.session_state.get(IMPORT_FILE)
    if current is not None:
        _import_file(store, actor, kind, current, toml_text)
    report = st.session_state.get(IMPORT_RESULT)
    if report is not None:
        st.markdown("#### Import report")
        show_report(report, key=IMPORT_REPORT)


def _import_file(
    store: Store, actor: Actor, kind: str, current: dict[str, Any], toml_text: str | None
) -> None:
    """The uploaded file read, its mapping edited, then checked or imported."""
    try:
        raw = read_upload(current["data"], current["name"])
        start = mapping_for(kind, raw.columns, toml_text)
    except DomainError as exc:
        st.error(message(exc), icon=":material/warning:")
        return
    file_name = plain(current["name"])
    st.write(f"**{file_name}** — {raw.height:,} rows, {raw.width - 1} columns. First rows:")
    st.dataframe(raw.drop("_row").head(5), hide_index=True, width="stretch")
    columns = [c for c in raw.columns if c != "_row"]
    st.markdown("**Column mapping** — pick the column of your file for each field (auto-detected).")
    mapping = mapping_editor(kind, columns, start, key=import_mapping(kind, columns))
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
    lenient = left.toggle("Lenient: import the valid rows, report the others", key=IMPORT_LENIENT)
    create = right.toggle(
        "Create the customers and products the file names but Scalewise lacks, and owners as reps",
        key=IMPORT_CREATE,
    )
    owner_email = None
    if kind == Kind.OPPORTUNITIES.value and not mapping.provides("owner"):
        owners = {u.email: f"{u.name} ({u.role.value})" for u in list_users(store) if u.role != Role.ADMIN}
        owner_email = st.selectbox(
            "Owner of the deals (the file has no owner column)",
            list(owners),
            index=None,
            placeholder="you, the importing user",
            format_func=lambda e: owners[e],
            key=IMPORT_OWNER,
        )
    buttons = st.container(horizontal=True)
    dry = buttons.button("Check only (dry run)", key=IMPORT_DRY, icon=":material/fact_check:")
    go = buttons.button("Import", type="primary", key=IMPORT_GO, icon=":material/upload:")
    if dry or go:
        bar = st.progress(0.0, text="Starting…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=text)

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
                progress=progress,
            )
        )
        bar.empty()
        if report is not None:
            st.session_state[IMPORT_RESULT] = report
            if report.written:
                st.rerun()  # the counts above and every cached frame move to the new data
