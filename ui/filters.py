"""Filter widgets shared by list pages: they return Polars expressions, pages apply them."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import streamlit as st

from ui.theme import label


def multiselect_filter(
    frame: pl.DataFrame, column: str, title: str, *, key: str, labels: bool = False
) -> pl.Expr:
    options = sorted(v for v in frame[column].unique().to_list() if v is not None)
    chosen = st.multiselect(title, options, key=key, format_func=label if labels else str, placeholder="All")
    return pl.col(column).is_in(chosen) if chosen else pl.lit(True)


def date_range_filter(frame: pl.DataFrame, column: str, title: str, *, key: str) -> pl.Expr:
    """A from–to date picker over a Datetime column; defaults to the whole range."""
    col = frame[column].drop_nulls()
    if col.is_empty():
        return pl.lit(True)
    lo, hi = col.min().date(), col.max().date()
    # Whoever left the whole range picked keeps the whole range as data comes in (someone else's
    # order entered today must show on the next rerun); a range someone narrowed stays as it is.
    whole = f"{key}__whole_range"
    if key not in st.session_state or st.session_state[key] == st.session_state.get(whole):
        st.session_state[key] = (lo, hi)
    st.session_state[whole] = (lo, hi)
    picked = st.date_input(title, min_value=lo - timedelta(days=3650), key=key)
    if not isinstance(picked, tuple | list) or len(picked) != 2:
        return pl.lit(True)  # the user is midway through picking a range
    start, end = picked
    return pl.col(column).dt.date().is_between(start, end)


def search_filter(columns: list[str], *, key: str, placeholder: str) -> pl.Expr:
    text = st.text_input("Search", key=key, placeholder=placeholder).strip()
    if not text:
        return pl.lit(True)
    needle = text.lower()
    return pl.any_horizontal(
        pl.col(c).cast(pl.String).str.to_lowercase().str.contains(needle, literal=True) for c in columns
    )
