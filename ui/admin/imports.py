"""Data-page widgets for imports: reading the upload, the column-mapping editor and the import report."""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.io import ColumnMapping, ImportReport, fields_for, read_table_file
from ui.text import message

NOT_MAPPED = "— not in the file —"
REFUSED_KEY = "data_import_refused"  # {sha256 of the upload and its name: why it was refused}
MAX_REFUSALS_KEPT = 20


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
