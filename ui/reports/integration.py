"""The Integration page: how well won opportunities turn into delivered orders — by month, rep and
segment, the flow from opportunity to delivered order, and the conversion lag.

`IntegrationPeriod` is the period picker's value: the days it covers, the predicate of the deals
won in it, and the cache key of everything computed for it (`ui.data.derived`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
import streamlit as st

from crm_core import analytics
from ui.charts import E_MEANING, integration_chart
from ui.charts.integration import flow_sankey, integration_by_chart, lag_histogram
from ui.data import by_content, changed_at, columns_changed_at, derived, frame
from ui.dates import today
from ui.figures import figure
from ui.reports.state import INTEGRATION_BY, INTEGRATION_PERIOD
from ui.theme import money, percent
from ui.widgets import arrow, show_data

PERIODS = {"Last 12 months": 12, "Last 6 months": 6, "Last 3 months": 3, "All time": None}
Figures = dict[str, Any]


@dataclass(frozen=True)
class IntegrationPeriod:
    """The days the page covers: from `start` (None: all time) up to `end`, the day after the data's
    last day (exclusive)."""

    start: date | None
    end: date

    def predicate(self, column: str = "closed_at") -> pl.Expr:
        """Rows on or after the start day by `column` (the conversions of deals won in the period)."""
        return pl.lit(True) if self.start is None else pl.col(column).dt.date() >= self.start


def lazy_frames() -> tuple[pl.LazyFrame, pl.LazyFrame]:
    return frame("opportunities").lazy(), frame("orders").lazy()


FRAMES = ("opportunities", "orders")
# What S, O, E (by month, rep and segment) and the conversion lags read of the orders: a write that
# changes none of these (an order put on hold, paid, shipped) leaves those figures as they were.
CONVERSION_COLUMNS = ("opportunity_id", "industry", "created_at", "delivered_at")


def conversions_key() -> tuple[int, tuple[int, ...]]:
    """The key of the data S, O, E and the lags read: the opportunities' version, the versions at
    which the orders' CONVERSION_COLUMNS last changed (`ui.data.columns_changed_at`)."""
    return changed_at("opportunities"), columns_changed_at("orders", CONVERSION_COLUMNS)


def period_picker() -> IntegrationPeriod:
    """The period control; when the data ended long ago, the months up to its last day (and a note)."""
    period = st.segmented_control("Period", list(PERIODS), default="Last 12 months", key=INTEGRATION_PERIOD)
    months = PERIODS.get(period or "Last 12 months")
    latest = derived(
        "integration_latest",
        (),
        lambda: analytics.latest_activity(*lazy_frames()).collect().item(),
        frames=FRAMES,
    )
    last_day = analytics.period_end(today(), latest)
    start = None if months is None else analytics.months_back(last_day, months)
    if months is not None and last_day != today():
        st.info(
            f"The data ends on {last_day:%d %b %Y}, long before today: “{period}” means the {months} months "
            "up to then.",
            icon=":material/history:",
        )
    return IntegrationPeriod(start, last_day + timedelta(days=1))


def period_figures(period: IntegrationPeriod) -> Figures:
    """The period's S/O/E and lags, computed once per period, day and content they read
    (`conversions_key`); the flow and the blocked orders (whatever the period) once per version of
    the opportunities and orders."""
    day = today()

    def conversions() -> Figures:
        opps, ords = lazy_frames()
        lags = analytics.conversion_lags(opps, ords).collect().filter(period.predicate("closed_at"))
        start, end = period.start, period.end
        return {
            "monthly": analytics.integration_by_month(opps, ords, start=start, end=end)
            .with_columns(analytics.running_period("month", day))
            .collect(),
            "lags": lags,
            "summary": analytics.conversion_summary(lags.lazy()).collect().row(0, named=True),
        }

    def flow() -> Figures:
        opps, ords = lazy_frames()
        return {
            "blocked": analytics.blocked_by_payment(ords).collect().row(0, named=True),
            "links": analytics.conversion_flow(opps, ords).collect(),
        }

    figures = by_content("integration", (period, day, conversions_key()), conversions)
    return figures | derived("integration_flow", (), flow, frames=FRAMES)


def tiles(monthly: pl.DataFrame) -> None:
    totals = analytics.integration_totals(monthly.lazy()).collect().row(0, named=True)
    tiles = st.columns(3)
    tiles[0].metric("Won (S)", f"{totals['won']:,}", help="Opportunities won in the period.", border=True)
    tiles[1].metric(
        "Delivered (O)", f"{totals['delivered']:,}", help="Orders delivered in the period.", border=True
    )
    tiles[2].metric(
        "E for the period",
        f"{totals['effectiveness']:.1f}",
        help=f"{E_MEANING} over the whole period's S and O (not the sum of the monthly E).",
        border=True,
    )
    with st.expander("What S, O and E mean"):
        st.markdown(
            "- **S** — opportunities *won* in the month (by the date they closed).\n"
            "- **O** — orders *delivered* in the month (by the delivery date).\n"
            "- **E = S·O / (S + O)**, and E = 0 when S + O = 0. It is half the harmonic mean of S and O: "
            "it only rises when sales *and* fulfilment both deliver, and it never exceeds the smaller of the "
            "two.\n"
            "- **By rep**: an order counts for the owner of the opportunity it came from; orders entered "
            "without an opportunity are shown as *No opportunity*. **By segment**: the customer's industry.\n"
            "- **Won → order**: won opportunities with at least one order; the **lag** runs from the won "
            "date to the first order's entry."
        )


def monthly_section(monthly: pl.DataFrame) -> None:
    st.caption(f"{E_MEANING}: S opportunities won, O orders delivered in the month; E is high when both are.")
    st.plotly_chart(
        figure(integration_chart, monthly, title="S, O and E per month"), key="integration_monthly_chart"
    )
    if monthly["partial"].any():
        st.caption("This month is still running: its bars are hatched and its E dotted, marked “so far”.")
    show_data(monthly.drop("partial"), key="integration_monthly", file_name="integration_by_month.csv")


def by_section(period: IntegrationPeriod) -> None:
    st.subheader("By rep or segment")
    by_label = st.segmented_control("Group by", ["Rep", "Segment"], default="Rep", key=INTEGRATION_BY)
    by = "industry" if by_label == "Segment" else "owner"
    grouped = by_content(
        "integration_by",
        (by, period, conversions_key()),
        lambda: analytics.integration_by(*lazy_frames(), by, start=period.start, end=period.end).collect(),
    )
    left, right = st.columns([3, 2])
    charted = grouped.filter(pl.col(by) != analytics.NO_OPPORTUNITY)
    left.plotly_chart(
        figure(
            integration_by_chart,
            charted,
            by,
            title=f"S, O and E by {'segment' if by == 'industry' else 'rep'}",
        ),
        key="integration_by_chart",
    )
    right.dataframe(
        arrow(grouped),
        hide_index=True,
        width="stretch",
        column_config={
            "owner": "Rep",
            "industry": "Segment",
            "won": st.column_config.NumberColumn("S (won)", format="%d"),
            "delivered": st.column_config.NumberColumn("O (delivered)", format="%d"),
            "effectiveness": st.column_config.NumberColumn(
                "E", format="%.1f", help=f"{E_MEANING}, S won deals, O delivered orders"
            ),
        },
    )
    if by == "owner" and charted.height < grouped.height:
        st.caption(
            "Orders entered without an opportunity have no rep: they are in the table as "
            f"“{analytics.NO_OPPORTUNITY}” but left out of the chart."
        )
    show_data(grouped, key="integration_grouped", file_name=f"integration_by_{by}.csv")


def flow_section(figures: Figures) -> None:
    blocked = figures["blocked"]
    st.subheader("From opportunity to delivered order")
    st.caption(
        "Every opportunity counted once (all time), following its most advanced order. The grey branches are "
        "where deals stop: lost, no order yet, cancelled, waiting for payment, not shipped, in transit. "
        f"“{analytics.WITHOUT_OPPORTUNITY}” (entered or imported without a deal) are counted as orders and "
        "join the same steps by how far they got."
    )
    links = figures["links"]
    st.columns(4)[0].metric(
        "Unpaid invoices",
        f"{blocked['orders']:,}",
        delta=money(blocked["total_cents"], compact=True) if blocked["orders"] else None,
        delta_color="off",
        delta_arrow="off",
        help="Orders invoiced but not paid (also those held while invoiced): blocked, as they cannot ship "
        "until paid. As of now, whatever the period; below, their value.",
        border=True,
    )

    if links.is_empty():
        st.info("No opportunities or orders yet: the flow appears once some are entered or imported.")
    else:
        st.plotly_chart(figure(flow_sankey, links), key="integration_flow")
    show_data(links, key="integration_flow", file_name="integration_flow.csv")


def lag_section(figures: Figures) -> None:
    summary, lags = figures["summary"], figures["lags"]
    st.subheader("Won → order: conversion and lag")
    cols = st.columns(4)
    cols[0].metric("Won in the period", f"{summary['won']:,}")
    cols[1].metric(
        "With an order", f"{summary['converted']:,}", help="Won opportunities with at least one order."
    )
    median = summary["median_lag_days"]
    p90 = summary["p90_lag_days"]
    cols[2].metric(
        "Median lag",
        "—" if median is None else f"{median:,.1f} days",
        help="Days from winning to the first order; 90 % of conversions happen within "
        + ("—" if p90 is None else f"{p90:,.1f} days."),
    )
    cols[3].metric(
        "Won → order",
        percent(summary["conversion_rate"], 1),
        help="Share of the opportunities won in the period that have at least one order.",
    )
    if lags["lag_days"].drop_nulls().is_empty():
        st.info("No won opportunity in this period has an order yet.")
    else:
        st.plotly_chart(
            figure(lag_histogram, lags, title="Days from won to first order"), key="integration_lag"
        )
    show_data(lags, key="integration_lags", file_name="integration_conversion_lags.csv")
