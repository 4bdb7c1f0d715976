"""Reusable widgets: data tables with a CSV download, and turning domain errors into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import polars as pl
import streamlit as st

from crm_core.errors import ConflictError, DomainError
from crm_core.io import neutralise_formulas

T = TypeVar("T")


def show_data(frame: pl.DataFrame, *, key: str, file_name: str, label: str = "Show data") -> None:
    """An expander with the table behind a chart and a CSV download of it."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Download CSV",
            data=neutralise_formulas(frame).write_csv(),
            file_name=file_name,
            mime="text/csv",
            key=f"{key}_csv",
        )


def run_action(action: Callable[[], T], *, success: str | None = None) -> T | None:
    """Call a service; show a domain error as a message (never a traceback) and return None."""
    try:
        result = action()
    except ConflictError as exc:
        st.warning(str(exc), icon=":material/sync_problem:")
        return None
    except DomainError as exc:
        st.error(str(exc), icon=":material/warning:")
        return None
    if success:
        st.toast(success, icon=":material/check_circle:")
    return result
