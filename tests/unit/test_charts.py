"""Chart builders draw what is true: the running month as partial, the statuses in flight on their
own scale, E with its meaning, durations people read, and typed names as text (not HTML)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from crm_core import analytics
from ui.charts import (
    E_MEANING,
    PARTIAL_OPACITY,
    chart_text,
    human_duration,
    integration_chart,
    status_bars,
)
from ui.charts.integration import flow_sankey, integration_by_chart
from ui.charts.orders import cycle_time_lines, order_timeline, throughput_lines
from ui.charts.overview import sparkline
from ui.charts.pipeline import forecast_months
from ui.theme import PRIMARY

OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
HOSTILE_LINK = '<a href="https://evil.example" target="_top">Healthcare</a>'
HOSTILE_SPAN = '<span style="font-size:120px">Retail</span>'


def monthly(today: date) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"month": [OCT, NOV, DEC], "won": [10, 12, 2], "delivered": [20, 18, 3]},
    ).with_columns(analytics.effectiveness(pl.col("won"), pl.col("delivered")).alias("effectiveness"))
    return frame.with_columns(analytics.running_period("month", today))


@pytest.mark.parametrize(
    ("today", "running"),
    [
        (date(2026, 11, 30), [False, True, False]),  # the last day of November: November still runs
        (date(2026, 12, 1), [False, False, True]),  # the first day of December
        (date(2026, 12, 3), [False, False, True]),
    ],
)
def test_the_running_month_is_the_one_that_holds_today(today: date, running: list[bool]) -> None:
    assert monthly(today)["partial"].to_list() == running


def test_the_running_week_starts_on_monday() -> None:
    weeks = pl.DataFrame({"week": [date(2026, 11, 23), date(2026, 11, 30)]})
    thursday, sunday_before = date(2026, 12, 3), date(2026, 11, 29)
    assert weeks.with_columns(analytics.running_period("week", thursday, "1w"))["partial"].to_list() == [
        False,
        True,
    ]
    assert weeks.with_columns(analytics.running_period("week", sunday_before, "1w"))["partial"].to_list() == [
        True,
        False,
    ]


def test_the_running_month_of_s_o_and_e_is_hatched_lighter_dotted_and_labelled_so_far() -> None:
    fig = integration_chart(monthly(date(2026, 12, 3)))
    s_bars, o_bars, e_done, e_so_far = fig.data
    for bars in (s_bars, o_bars):
        assert list(bars.marker.opacity) == [1.0, 1.0, PARTIAL_OPACITY]
        assert list(bars.marker.pattern.shape) == ["", "", "/"]
        assert list(bars.customdata) == ["", "", " (so far)"]
    assert list(s_bars.y) == [10, 12, 2] and list(o_bars.y) == [20, 18, 3]
    assert (e_done.name, e_done.line.dash) == (E_MEANING, "solid")
    assert list(e_done.x) == [OCT, NOV] and list(e_done.y) == [6.7, 7.2]
    assert list(e_so_far.x) == [NOV, DEC] and list(e_so_far.y) == [7.2, 1.2]
    assert e_so_far.line.dash == "dot" and not e_so_far.showlegend
    [note] = fig.layout.annotations
    assert (note.text, note.x, note.y) == ("so far", DEC + timedelta(days=14), 3)


def test_a_month_that_has_ended_is_drawn_whole() -> None:
    fig = integration_chart(monthly(date(2027, 1, 5)))
    assert list(fig.data[0].marker.opacity) == [1.0, 1.0, 1.0]
    assert len(fig.data) == 3 and not fig.layout.annotations  # no dotted E, no "so far"


def test_cycle_time_and_throughput_mark_their_running_period() -> None:
    cycle = pl.DataFrame(
        {"month": [NOV, DEC], "delivered": [40, 3], "median_days": [14.0, 6.0], "p90_days": [25.0, 8.0]}
    ).with_columns(analytics.running_period("month", date(2026, 12, 3)))
    fig = cycle_time_lines(cycle)
    assert [t.name for t in fig.data] == [
        "90th percentile",
        "90th percentile (so far)",
        "median",
        "median (so far)",
    ]
    assert [a.text for a in fig.layout.annotations] == ["so far"]
    weekly = pl.DataFrame(
        {
            "week": [date(2026, 11, 23), date(2026, 11, 30)],
            "entered": [20, 4],
            "shipped": [18, 3],
            "delivered": [15, 2],
        }
    ).with_columns(analytics.running_period("week", date(2026, 12, 3), "1w"))
    fig = throughput_lines(weekly)
    dotted = [t for t in fig.data if t.line.dash == "dot"]
    assert [list(t.y) for t in dotted] == [[20, 4], [18, 3], [15, 2]]


def test_overview_trends_use_one_neutral_colour_and_mark_the_month_so_far() -> None:
    revenue = pl.DataFrame(
        {"month": [OCT, NOV, DEC], "value": [900_000.0, 850_000.0, 90_000.0]}
    ).with_columns(analytics.running_period("month", date(2026, 12, 3)))
    fig = sparkline(revenue, x="month", y="value", kind="bar", prefix="$")
    [bars] = fig.data
    assert bars.marker.color == PRIMARY  # never red for a month that has only begun
    assert list(bars.marker.opacity) == [1.0, 1.0, PARTIAL_OPACITY]
    assert [a.text for a in fig.layout.annotations] == ["Dec so far"]
    line = sparkline(revenue, x="month", y="value")
    assert {t.line.color for t in line.data} == {PRIMARY}
    assert [list(t.x) for t in line.data] == [[OCT, NOV], [NOV, DEC]]


def test_orders_by_status_leaves_delivered_and_cancelled_to_their_own_tiles() -> None:
    by_status = pl.DataFrame(
        {
            "status": ["entered", "invoiced", "on_hold", "delivered", "cancelled"],
            "count": [12, 17, 9, 1276, 158],
            "total_cents": [17_900_000, 32_800_000, 30_400_000, 3_200_000_000, 400_000_000],
        }
    )
    fig = status_bars(by_status, value_col="count")
    assert list(fig.data[0].y) == ["Entered", "Invoiced", "On hold"]
    assert list(fig.data[0].x) == [12, 17, 9]
    assert fig.layout.xaxis.range == (0, pytest.approx(17 * 1.18))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (12, "12 s"),
        (300, "5 min"),
        (3 * 3600, "3 h"),
        (2.5 * 3600, "2.5 h"),
        (4 * 86_400, "4 d"),
        (61 * 86_400, "2 mo"),
        (400 * 86_400, "1.1 y"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_an_order_timeline_shows_a_stay_of_seconds_beside_stays_of_months() -> None:
    start = datetime(2026, 6, 1, 9, 0)
    stays = [("entered", start, 2), ("audited", start + timedelta(seconds=2), 61 * 86_400)]
    segments = pl.DataFrame(
        {
            "state": [s for s, _, _ in stays],
            "start": [t for _, t, _ in stays],
            "end": [t + timedelta(seconds=d) for _, t, d in stays],
            "hours": [d / 3600 for _, _, d in stays],
        }
    )
    [bars] = order_timeline(segments).data
    assert list(bars.text) == ["2 s", "2 mo so far"]  # the order is still audited: its stay goes on
    assert list(bars.marker.opacity) == [1.0, PARTIAL_OPACITY]
    whole_ms = (61 * 86_400 + 2) * 1000
    assert bars.x[0] == pytest.approx(whole_ms / 100)  # 1 % of the time shown: visible, not 2 ms
    delivered = segments.vstack(
        pl.DataFrame(
            {"state": ["delivered"], "start": [segments["end"][-1]], "end": [None], "hours": [None]},
            schema=segments.schema,
        )
    )
    assert list(order_timeline(delivered).data[0].text) == ["2 s", "2 mo"]  # over: nothing so far


def test_the_forecast_calls_the_running_month_what_is_left_of_it() -> None:
    forecast = pl.DataFrame(
        {
            "month": [NOV, DEC, date(2027, 1, 1)],
            "stage": ["qualified"] * 3,
            "count": [1, 2, 3],
            "expected_amount_cents": [100, 200, 300],
            "weighted_cents": [50, 100, 150],
        }
    )
    periods = forecast_months(forecast, this_month=DEC)
    assert periods["period"].to_list() == ["Overdue", "Rest of Dec 2026", "Jan 2027"]


def test_typed_names_reach_plotly_as_text_never_as_html() -> None:
    assert chart_text(HOSTILE_LINK) == (
        '&lt;a href="https://evil.example" target="_top"&gt;Healthcare&lt;/a&gt;'
    )
    assert chart_text("R&D <b>") == "R&amp;D &lt;b&gt;"
    table = pl.DataFrame(
        {
            "industry": [HOSTILE_LINK, HOSTILE_SPAN],
            "won": [3, 2],
            "delivered": [4, 1],
            "effectiveness": [1.7, 0.7],
        }
    )
    fig = integration_by_chart(table, "industry")
    assert list(fig.data[0].y) == [chart_text(HOSTILE_LINK), chart_text(HOSTILE_SPAN)]
    drawn = json.dumps(fig.to_plotly_json(), default=str)
    assert "<a " not in drawn and "<span" not in drawn
    links = pl.DataFrame({"source": ["Opportunities"], "target": [HOSTILE_SPAN], "count": [5]})
    assert flow_sankey(links).data[0].node.label[1] == chart_text(HOSTILE_SPAN) + ": 5"
