"""Plotly figures built once per content of what they show, and shared by every session.

Building a figure is slow Python (Plotly validates every property it is given: 10–40 ms for one
of ours), and an analytics page draws up to seven of them on every rerun, although after most
writes the small frames behind them are the same as before. `figure(build, frame, ...)` keys the
figure by a fingerprint of its arguments — for a frame its columns, types, height and the sum of
its row hashes — and keeps one built figure per key for all sessions (`st.cache_resource`).
Streamlit only reads a figure it is given (it serialises a copy), so sharing one is safe; a page
must not change a figure it got from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st


def fingerprint(value: object) -> object:
    """What a builder's argument contributes to the key: a frame by its content, anything else
    (labels, titles, dates, numbers) by its repr."""
    if isinstance(value, pl.DataFrame):
        rows = int(value.hash_rows().sum()) if value.height else 0
        return ("frame", tuple(value.columns), tuple(map(str, value.dtypes)), value.height, rows)
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    return repr(value)


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _built(
    name: str, key: str, _build: Callable[..., Any], _args: tuple[Any, ...], _kwargs: dict[str, Any]
) -> Any:
    return _build(*_args, **_kwargs)


def figure(build: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`build(*args, **kwargs)`, built once per fingerprint of its arguments."""
    key = repr((fingerprint(args), sorted((k, fingerprint(v)) for k, v in kwargs.items())))
    return _built(f"{build.__module__}.{build.__qualname__}", key, build, args, kwargs)
