"""Figures built once per content of what they show (`ui.figures`): the same content gives the same
figure object, shared by every session; any change of a value, a column or an argument builds anew."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from ui.figures import figure, fingerprint

BY_STATUS = pl.DataFrame({"status": ["entered", "on_hold"], "count": [3, 1], "total_cents": [900, 100]})


BUILT: list[str] = []  # the titles of the figures `bars` built


def bars(frame: pl.DataFrame, *, title: str) -> go.Figure:
    BUILT.append(title)
    return go.Figure(go.Bar(x=frame["count"].to_list(), y=frame["status"].to_list()), layout={"title": title})


def test_the_same_content_is_built_once_and_the_same_figure_is_returned() -> None:
    first = figure(bars, BY_STATUS, title="Orders by status 1")
    again = figure(bars, BY_STATUS.clone(), title="Orders by status 1")  # equal, not the same
    assert again is first
    assert BUILT.count("Orders by status 1") == 1


def test_a_changed_value_title_or_column_builds_a_new_figure() -> None:
    first = figure(bars, BY_STATUS, title="Orders by status 2")
    one_more = BY_STATUS.with_columns(
        pl.when(pl.col("status") == "on_hold").then(2).otherwise(pl.col("count")).alias("count")
    )
    changed = figure(bars, one_more, title="Orders by status 2")
    assert changed is not first
    assert list(changed.data[0].x) == [3, 2]  # type: ignore[attr-defined]
    figure(bars, BY_STATUS, title="Orders by status, renamed")
    figure(bars, BY_STATUS.rename({"total_cents": "value_cents"}), title="Orders by status 2")
    assert BUILT.count("Orders by status 2") == 3
    assert BUILT.count("Orders by status, renamed") == 1


def test_the_fingerprint_tells_frames_apart_by_content_type_and_order_of_columns() -> None:
    assert fingerprint(BY_STATUS) == fingerprint(BY_STATUS.clone())
    assert fingerprint(BY_STATUS) != fingerprint(BY_STATUS.with_columns(pl.col("count") + 1))
    assert fingerprint(BY_STATUS) != fingerprint(BY_STATUS.with_columns(pl.col("count").cast(pl.Float64)))
    assert fingerprint(BY_STATUS) != fingerprint(BY_STATUS.select("count", "status", "total_cents"))
    assert fingerprint(BY_STATUS) != fingerprint(BY_STATUS.head(1))
    assert fingerprint(BY_STATUS.clear()) != fingerprint(BY_STATUS.clear().drop("count"))
    assert fingerprint([date(2026, 1, 1)]) != fingerprint([date(2026, 1, 2)])
