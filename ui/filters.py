"""Filter widgets and the predicates they stand for.

Two layers: the widgets return plain values (`picked_values`, `picked_span`, `typed_search`), and
`is_in`/`within`/`contains_text` turn values into Polars expressions. An analytics page gathers its
values into a frozen dataclass (e.g. `ui.opportunities.pipeline.PipelineFilters`) whose `predicate()`
selects the rows and which is itself the cache key of what is computed from them (`ui.data.derived`):
one value, so a filter cannot select rows without also keying the cache. List pages use the
`*_filter` shortcuts, which return the expression straight away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import polars as pl
import streamlit as st

from ui.theme import label

DateSpan = tuple[date, date]


def is_in(column: str, values: Sequence[object]) -> pl.Expr:
    """Rows whose `column` is one of `values`; every row when nothing is picked."""
    return pl.col(column).is_in(list(values)) if values else pl.lit(True)


def within(column: str, span: DateSpan | None) -> pl.Expr:
    """Rows whose Datetime `column` falls on a day of `span` (both ends included); every row for None."""
    if span is None:
        return pl.lit(True)
    start, end = span
    return pl.col(column).dt.date().is_between(start, end)


def contains_text(columns: Sequence[str], text: str) -> pl.Expr:
    """Rows where any of `columns` contains `text` (case-insensitive); every row for blank text."""
    needle = text.strip().lower()
    if not needle:
        return pl.lit(True)
    return pl.any_horizontal(
        pl.col(c).cast(pl.String).str.to_lowercase().str.contains(needle, literal=True) for c in columns
    )


def picked_values(
    frame: pl.DataFrame, column: str, title: str, *, key: str, labels: bool = False
) -> tuple[str, ...]:
    """A multiselect over the column's values ("All" when empty); the values picked."""
    options = sorted(v for v in frame[column].unique().to_list() if v is not None)
    chosen = st.multiselect(title, options, key=key, format_func=label if labels else str, placeholder="All")
    return tuple(chosen)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def picked_span(frame: pl.DataFrame, column: str, title: str, *, key: str) -> DateSpan | None:
    """A from–to date picker over a Datetime column; defaults to the whole range. None: no data, or
    the user is midway through picking a range (both mean "every row")."""
    col = frame[column].drop_nulls()
    if col.is_empty():
        return None
    lo, hi = _day(col.min()), _day(col.max())
    # Whoever left the whole range picked keeps the whole range as data comes in (someone else's
    # order entered today must show on the next rerun); a range someone narrowed stays as it is.
    whole = f"{key}__whole_range"
    if key not in st.session_state or st.session_state[key] == st.session_state.get(whole):
        st.session_state[key] = (lo, hi)
    st.session_state[whole] = (lo, hi)
    picked = st.date_input(title, min_value=lo - timedelta(days=3650), key=key)
    if not isinstance(picked, tuple | list) or len(picked) != 2:
        return None
    start, end = picked
    return (start, end)


def typed_search(*, key: str, placeholder: str) -> str:
    return st.text_input("Search", key=key, placeholder=placeholder).strip()


def multiselect_filter(
    frame: pl.DataFrame, column: str, title: str, *, key: str, labels: bool = False
) -> pl.Expr:
    return is_in(column, picked_values(frame, column, title, key=key, labels=labels))


def date_range_filter(frame: pl.DataFrame, column: str, title: str, *, key: str) -> pl.Expr:
    return within(column, picked_span(frame, column, title, key=key))


def search_filter(columns: list[str], *, key: str, placeholder: str) -> pl.Expr:
    return contains_text(columns, typed_search(key=key, placeholder=placeholder))
