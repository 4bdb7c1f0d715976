"""Monthly axes stay readable over any span: a tick per month, per quarter, then per year."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from ui.charts import month_axis


def months_from(first: date, count: int) -> list[date]:
    index = first.year * 12 + first.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def dtick(months: list[date]) -> str:
    return month_axis(go.Figure(), months).layout.xaxis.dtick


def test_fifteen_months_tick_every_month_and_sixteen_every_quarter() -> None:
    assert dtick(months_from(date(2018, 3, 1), 15)) == "M1"
    assert dtick(months_from(date(2018, 3, 1), 16)) == "M3"


def test_four_years_tick_every_quarter_and_more_every_year() -> None:
    assert dtick(months_from(date(2011, 1, 1), 48)) == "M3"
    assert dtick(months_from(date(2011, 1, 1), 49)) == "M12"
    assert dtick([date(2011, 1, 1), date(2019, 5, 1)]) == "M12"  # all time on data from 2011 to 2019
