"""Reusable widgets: data tables with a CSV download, and turning domain errors into messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import polars as pl
import pyarrow as pa
import streamlit as st

from crm_core.errors import ConflictError, DomainError
from crm_core.io import EXPORT_FORMATS
from crm_core.permissions import Permission
from crm_core.services.imports import export_frame
from ui.text import message

T = TypeVar("T")
MAX_SHOWN_ROWS = 1_000


def arrow(frame: pl.DataFrame) -> pa.Table:
    """A frame as Streamlit's tables take it fastest: an Arrow table goes to the browser as it is,
    where a Polars frame is converted to pandas and back to Arrow first (3.9 ms against 0.4 ms for
    3,000 rows). Strings as `large_string`, which every Arrow reader knows."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def show_data(frame: pl.DataFrame, *, key: str, file_name: str, label: str = "Show data") -> None:
    """An expander with the table behind a chart and downloads of it as CSV, Excel or Parquet.

    Drawn only when opened (a rerun): a collapsed expander would still send its table and its three
    buttons to the browser on every rerun, and a page has up to seven of them. The table shows at
    most MAX_SHOWN_ROWS rows; the downloads have them all, made only when a button is clicked, with
    formulas neutralised (crm_core.io)."""
    panel = st.expander(label, key=data_panel(key), on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.dataframe(arrow(frame.head(MAX_SHOWN_ROWS)), hide_index=True, width="stretch")
        if frame.height > MAX_SHOWN_ROWS:
            st.caption(f"The first {MAX_SHOWN_ROWS:,} of {frame.height:,} rows; the downloads have them all.")
        download_buttons(frame, key=key, file_name=file_name)


def data_panel(key: str) -> str:
    """The session-state key of a "Show data" expander: True while it is open."""
    return f"{key}_data_panel"


def download_buttons(frame: pl.DataFrame, *, key: str, file_name: str) -> None:
    """CSV, Excel and Parquet downloads of a frame, for users allowed to export data."""
    from ui.auth import current_actor

    actor = current_actor()
    if actor is None or not actor.can(Permission.EXPORT_DATA):
        st.caption("Sign in as a user who may export data to download this table.")
        return
    stem = file_name.rsplit(".", 1)[0]
    row = st.container(horizontal=True)
    for fmt, title in (("csv", "CSV"), ("xlsx", "Excel"), ("parquet", "Parquet")):
        suffix, mime = EXPORT_FORMATS[fmt]
        row.download_button(
            f"Download {title}",
            data=partial(export_frame, actor, frame, fmt),
            file_name=stem + suffix,
            mime=mime,
            key=f"{key}_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )


def run_action(action: Callable[[], T], *, success: str | None = None) -> T | None:
    """Call a service; show a domain error as a message (never a traceback) and return None."""
    try:
        result = action()
    except ConflictError as exc:
        st.warning(message(exc), icon=":material/sync_problem:")
        return None
    except DomainError as exc:
        st.error(message(exc), icon=":material/warning:")
        return None
    if success:
        st.toast(message(success), icon=":material/check_circle:")
    return result
