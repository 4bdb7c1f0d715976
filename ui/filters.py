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
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Protocol

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


class RowFilter(Protocol):
    """A filter bar's value: a frozen dataclass whose fields default to "everything"."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def predicate(self) -> pl.Expr: ...


@dataclass(frozen=True)
class Choices:
    """What a filter bar offers, computed once from a frame: each listed column's distinct values
    (sorted, no null) and each date column's first and last day. At a million orders reading them
    off the frame takes tens of milliseconds, so an analytics page computes them once per version
    of its frame (`ui.data.derived`) and hands this to the widgets instead of the frame."""

    values: dict[str, tuple[object, ...]]
    spans: dict[str, DateSpan | None]

    @classmethod
    def of(cls, frame: pl.DataFrame, values: Sequence[str] = (), spans: Sequence[str] = ()) -> Choices:
        distinct = {c: tuple(sorted(v for v in frame[c].unique().to_list() if v is not None)) for c in values}
        return cls(distinct, {c: _span(frame[c]) for c in spans})


def selected_rows(frame: pl.DataFrame, filters: RowFilter) -> pl.DataFrame:
    """The rows of `frame` that `filters` selects. When every field of `filters` is at its default
    (nothing narrowed: every row), the frame itself — not a copy of a million rows per rerun and
    session."""
    if all(getattr(filters, f.name) == f.default for f in fields(filters)):
        return frame
    return frame.filter(filters.predicate())


def narrowed(span: DateSpan | None, whole: DateSpan | None) -> DateSpan | None:
    """The span picked, or None ("every row") when it is the data's whole range."""
    return None if span == whole else span


def _span(column: pl.Series) -> DateSpan | None:
    days = column.drop_nulls()
    return None if days.is_empty() else (_day(days.min()), _day(days.max()))


def picked_values(
    source: pl.DataFrame | Choices, column: str, title: str, *, key: str, labels: bool = False
) -> tuple[str, ...]:
    """A multiselect over the column's values ("All" when empty); the values picked. `source` is
    the frame, or its `Choices`."""
    if isinstance(source, Choices):
        options: Sequence[object] = source.values[column]
    else:
        options = sorted(v for v in source[column].unique().to_list() if v is not None)
    chosen = st.multiselect(title, options, key=key, format_func=label if labels else str, placeholder="All")
    return tuple(chosen)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def picked_span(source: pl.DataFrame | Choices, column: str, title: str, *, key: str) -> DateSpan | None:
    """A from–to date picker over a Datetime column (of the frame, or of its `Choices`); defaults to
    the whole range. None: no data, or the user is midway through picking a range (both mean
    "every row")."""
    whole_span = source.spans[column] if isinstance(source, Choices) else _span(source[column])
    if whole_span is None:
        return None
    lo, hi = whole_span
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
