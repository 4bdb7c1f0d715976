"""The Overview page: the headline figures now against the same point of last month, with trends
and links.

Pipeline, weighted pipeline and orders in flight are rebuilt as they stood a month ago from the
event history (`crm_core.analytics.snapshots`; past amounts are today's amounts). Win rate,
revenue and E compare this month so far with the same days of last month. `MonthToDate` is the
one value the figures depend on besides the data: the day they are shown up to, and the cache key
(`ui.data.derived`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from crm_core import analytics
from ui.charts import E_MEANING
from ui.charts.overview import sparkline
from ui.data import by_content, changed_at, columns_changed_at, derived, frame
from ui.dates import today
from ui.figures import figure
from ui.navigation import PAGES
from ui.reports.state import overview_trend
from ui.theme import money, percent

LINKS = {p.title: p for p in PAGES}
Figures = dict[str, Any]


@dataclass(frozen=True)
class MonthToDate:
    """This month up to `day` (today, or the data's last day when that is long past) against the
    same days of last month."""

    day: date

    @property
    def this_start(self) -> date:
        return analytics.month_start(self.day)

    @property
    def last_start(self) -> date:
        return analytics.previous_month_start(self.day)

    @property
    def last_same(self) -> date:
        """The end (exclusive) of last month's same days: as many days as this month has had so far."""
        elapsed = self.day - self.this_start + timedelta(days=1)  # today included
        return min(self.last_start + elapsed, self.this_start)

    def trend_days(self) -> list[date]:
        """The 12 month starts before `day`, then `day`."""
        return [analytics.months_back(self.day, 12 - i) for i in range(12)] + [self.day]


def month_to_date() -> MonthToDate:
    latest = derived(
        "overview_latest",
        (),
        lambda: (
            analytics.latest_activity(frame("opportunities").lazy(), frame("orders").lazy()).collect().item()
        ),
    )
    return MonthToDate(analytics.period_end(today(), latest))  # the data's last day when it ended long ago


def midnight(d: date) -> datetime:
    return datetime.combine(d, time())


# What each figure reads of the orders: a write that changes none of these columns (an order put on
# hold, for the monthly S/O/E) leaves that figure as it was (`ui.data.columns_changed_at`).
DELIVERY_COLUMNS = ("delivered_at",)
IN_FLIGHT_COLUMNS = ("created_at", "delivered_at", "status", "status_changed_at")


def _moments(period: MonthToDate) -> list[datetime]:
    """Month starts of the last 12 months, then "now" (tomorrow 00:00) and the same moment last month."""
    day = period.day
    trend_at = [midnight(analytics.months_back(day, 12 - i)) for i in range(12)] + [
        midnight(day + timedelta(days=1))
    ]
    return [*trend_at, midnight(period.last_same)]


def _kpis(period: MonthToDate) -> Figures:
    opportunities, orders, payments = frame("opportunities"), frame("orders"), frame("daily_payments")

    def kpis(start: date, end: date) -> dict:
        return (
            analytics.period_kpis(opportunities.lazy(), orders.lazy(), payments.lazy(), start=start, end=end)
            .collect()
            .row(0, named=True)
        )

    return {
        "now": kpis(period.this_start, period.day + timedelta(days=1)),
        "before": kpis(period.last_start, period.last_same),
        "no_payments": payments.is_empty(),
        "empty": opportunities.is_empty() and orders.is_empty(),
    }


def figures(period: MonthToDate) -> Figures:
    """Everything the tiles show (small frames and rows). Each part is cached by what it reads: the
    headline numbers per data version and day; the pipeline's history (the slowest, ~0.5 s at
    200,000 deals) and the win rates per version of the deals, revenue per version of the payments,
    the monthly S/O/E and the orders in flight while the columns of the orders they read are
    unchanged — an order put on hold computes only the numbers and the in-flight line again."""
    running = analytics.running_period("month", period.day)
    moments = _moments(period)
    shown = dict(derived("overview_kpis", period, lambda: _kpis(period)))  # a copy: the cached one is shared
    shown["pipeline"] = derived(
        "overview_pipeline",
        period,
        lambda: analytics.pipeline_history(
            frame("opportunities").lazy(), frame("opportunity_events").lazy(), moments
        ).collect(),
        frames=("opportunities", "opportunity_events"),
    )
    shown["flight"] = by_content(
        "overview_flight",
        (period, columns_changed_at("orders", IN_FLIGHT_COLUMNS)),
        lambda: analytics.in_flight_history(frame("orders").lazy(), moments).collect(),
    )
    # The 12 months up to `day`, every one of them: a month without closings breaks the win-rate
    # line instead of being bridged; a month without wins, deliveries or payments counts 0.
    shown["monthly"] = by_content(
        "overview_monthly",
        (period, changed_at("opportunities"), columns_changed_at("orders", DELIVERY_COLUMNS)),
        lambda: (
            analytics.last_months(
                analytics.monthly_integration(frame("opportunities").lazy(), frame("orders").lazy()),
                period.day,
            )
            .with_columns(pl.col("won", "delivered", "effectiveness").fill_null(0), running)
            .collect()
        ),
    )
    shown["revenue"] = derived(
        "overview_revenue",
        period,
        lambda: (
            analytics.last_months(analytics.monthly_revenue(frame("daily_payments").lazy()), period.day)
            .with_columns(pl.col("revenue_cents").fill_null(0), running)
            .collect()
        ),
        frames=("daily_payments",),
    )
    shown["win_rates"] = derived(
        "overview_win_rates",
        period,
        lambda: (
            analytics.last_months(analytics.monthly_win_rate(frame("opportunities").lazy()), period.day)
            .with_columns(running)
            .collect()
        ),
        frames=("opportunities",),
    )
    return shown


def stale_note(note: Any, period: MonthToDate) -> None:
    """When the data ended long ago, say which month "this month" is."""
    day = period.day
    if day != today():
        note.info(
            f"The data ends on {day:%d %b %Y}, long before today: “this month” is {day:%B %Y} up to then, "
            "against the same days of the month before; the small charts are the 12 months up to then.",
            icon=":material/history:",
        )


def change(current: float | None, previous: float | None, fmt: Callable[[float], str]) -> str | None:
    if current is None or previous is None:
        return None
    return fmt(current - previous)


def signed_money(cents: float) -> str:
    return ("+" if cents >= 0 else "-") + money(abs(cents), compact=True)


def snapshots(history: pl.DataFrame, value: str, period: MonthToDate, scale: float = 1.0) -> pl.DataFrame:
    """The 12 month starts and now (moments, not sums: nothing is partial)."""
    head = history.head(13)
    return pl.DataFrame({"at": period.trend_days(), "value": (head[value] / scale).to_list()})


def monthly_points(monthly: pl.DataFrame, value: str, scale: float = 1.0) -> pl.DataFrame:
    return monthly.select("month", (pl.col(value) / scale).alias("value"), "partial")


def tile(
    column: DeltaGenerator,
    title: str,
    value: str,
    *,
    delta: str | None,
    help: str,
    trend: Any,
    page: str,
    note: str | None = None,
) -> None:
    """A KPI with its trend (a neutral colour: the delta says good or bad) and a link; `trend` None
    when there is nothing to draw (the note says why)."""
    with column, st.container(border=True, height="stretch"):
        st.metric(title, value, delta=delta, help=help)
        if note:
            st.caption(note)
        if trend is not None:
            st.plotly_chart(trend, config={"displayModeBar": False}, key=overview_trend(title))
        info = LINKS[page]
        st.page_link(info.path, label=f"{info.title} — {info.blurb}", icon=info.icon)


def tiles(shown: Figures, period: MonthToDate) -> None:
    """The six headline tiles, each with its trend and a link to the page that explains it."""
    now, before, pipeline, flight = shown["now"], shown["before"], shown["pipeline"], shown["flight"]
    monthly, revenue, win_rates = shown["monthly"], shown["revenue"], shown["win_rates"]
    then_pipe, then_flight = pipeline.row(-1, named=True), flight.row(-1, named=True)
    row1 = st.columns(3)
    tile(
        row1[0],
        "Open pipeline",
        money(now["open_pipeline_cents"], compact=True),
        delta=change(now["open_pipeline_cents"], then_pipe["open_pipeline_cents"], signed_money),
        help="Expected amount of every opportunity in an open stage (captured → scheduled), against the same "
        "moment last month.",
        trend=figure(
            sparkline,
            snapshots(pipeline, "open_pipeline_cents", period, 100),
            x="at",
            y="value",
            prefix="$",
            x_format="%d %b %Y",
        ),
        page="Pipeline",
    )
    tile(
        row1[1],
        "Weighted pipeline",
        money(now["weighted_pipeline_cents"], compact=True),
        delta=change(now["weighted_pipeline_cents"], then_pipe["weighted_pipeline_cents"], signed_money),
        help="Open pipeline with each opportunity multiplied by its stage's win probability (captured 10 %, "
        "enriched 25 %, qualified 50 %, scheduled 70 %); last month's stages come from the event history.",
        trend=figure(
            sparkline,
            snapshots(pipeline, "weighted_pipeline_cents", period, 100),
            x="at",
            y="value",
            prefix="$",
            x_format="%d %b %Y",
        ),
        page="Pipeline",
    )
    tile(
        row1[2],
        "Win rate this month",
        percent(now["win_rate"]),
        delta=change(now["win_rate"], before["win_rate"], lambda d: f"{d * 100:+.0f} pts"),
        help="Won ÷ (won + lost) among opportunities closed this month; the change is against the same days "
        "of last month.",
        trend=figure(
            sparkline, monthly_points(win_rates, "win_rate"), x="month", y="value", value_format=".0%"
        ),
        page="Opportunities",
    )
    row2 = st.columns(3)
    tile(
        row2[0],
        "Orders in flight",
        f"{now['orders_in_flight']:,}",
        delta=change(now["orders_in_flight"], then_flight["orders_in_flight"], lambda d: f"{d:+,.0f}"),
        help="Orders neither delivered nor cancelled, against the same moment last month. More in flight is "
        "not good or bad by itself.",
        trend=figure(
            sparkline, snapshots(flight, "orders_in_flight", period), x="at", y="value", x_format="%d %b %Y"
        ),
        page="Order status",
    )
    tile(
        row2[1],
        "Revenue this month",
        money(now["revenue_cents"], compact=True),
        delta=change(now["revenue_cents"], before["revenue_cents"], signed_money),
        help="Payments received this month so far; the change is against the same days of last month.",
        trend=None
        if shown["no_payments"]
        else figure(
            sparkline,
            monthly_points(revenue, "revenue_cents", 100),
            x="month",
            y="value",
            kind="bar",
            prefix="$",
        ),
        page="Orders",
        note="No payments recorded yet: revenue counts payments (imported orders carry none)."
        if shown["no_payments"]
        else None,
    )
    tile(
        row2[2],
        "Integration effectiveness E",
        f"{now['effectiveness']:.1f}",
        delta=change(now["effectiveness"], before["effectiveness"], lambda d: f"{d:+.1f}"),
        help=f"{E_MEANING}: S = opportunities won this month, O = orders delivered this month. It rises only "
        "when sales and fulfilment both deliver, and never exceeds the smaller of the two.",
        trend=figure(
            sparkline, monthly_points(monthly, "effectiveness"), x="month", y="value", value_format=".1f"
        ),
        page="Integration",
        note=f"{E_MEANING} · S won deals, O delivered orders",
    )


def footer(shown: Figures, period: MonthToDate) -> None:
    """What the month's figures count, and a word when the database is empty."""
    now, before, day = shown["now"], shown["before"], period.day
    st.caption(
        ("This month so far" if day == today() else f"{day:%B %Y} up to the {day.day}")
        + f": {now['won']} won, {now['lost']} lost, {now['delivered']} orders delivered. "
        f"Same days last month: {before['won']} won, {before['lost']} lost, {before['delivered']} delivered. "
        "Past pipeline uses today's expected amounts (amount changes are not recorded)."
    )

    if shown["empty"]:
        st.info("The database is empty. An admin can load the sample data on the Data page.")
