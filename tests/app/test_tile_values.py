"""The KPI tiles show the figures crm_core's analytics compute on the same seeded store, with the
clock pinned (CRM_TODAY): values and changes, not only labels. The periods are written out here
(month to date is [1 Nov, 22 Nov) on 21 Nov), so a tile that shows another figure, or a period that
starts a month early or ends a day late, fails. Labels, links and charts: test_data_integration_overview.py
and test_chart_pages.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import analytics
from crm_core.store import Store
from crm_core.store import frames as store_frames
from tests.app.conftest import APP
from tests.conftest import SAMPLE_TODAY, sqlite_store_at
from ui.theme import money, percent

PINNED = date(2026, 11, 21)
MONTH_START, TOMORROW = date(2026, 11, 1), date(2026, 11, 22)  # this month so far, 21 Nov included
LAST_MONTH_START, LAST_MONTH_SAME = date(2026, 10, 1), date(2026, 10, 22)  # the same days of October
TWELVE_MONTHS_START = date(2025, 12, 1)  # "Last 12 months" on 21 Nov 2026: Dec 2025 to Nov 2026


@pytest.fixture
def store(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def run_at(page: str | None, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CRM_TODAY", PINNED.isoformat())
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.proto.delta or None) for m in at.metric}


def signed_money(cents: float) -> str:
    return ("+" if cents >= 0 else "-") + money(abs(cents), compact=True)


def test_the_sample_is_seeded_up_to_the_pinned_day() -> None:
    assert PINNED == SAMPLE_TODAY  # the periods above are written for this day


def test_the_overview_tiles_are_this_month_so_far_against_the_same_days_of_last_month(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opportunities = store_frames.read_opportunities(store).lazy()
    orders = store_frames.read_orders(store).lazy()
    payments = store_frames.read_daily_payments(store).lazy()
    events = store_frames.read_opportunity_stage_events(store).lazy()

    def kpis(start: date, end: date) -> dict:
        return (
            analytics.period_kpis(opportunities, orders, payments, start=start, end=end)
            .collect()
            .row(0, named=True)
        )

    now, before = kpis(MONTH_START, TOMORROW), kpis(LAST_MONTH_START, LAST_MONTH_SAME)
    then = [datetime(2026, 10, 22)]  # the same moment last month (00:00 after the same days)
    pipe = analytics.pipeline_history(opportunities, events, then).collect().row(0, named=True)
    flight = analytics.in_flight_history(orders, then).collect().row(0, named=True)
    assert now["won"] and now["delivered"] and now["revenue_cents"]  # a month with every figure in it

    shown = tiles(run_at(None, monkeypatch))

    assert shown["Open pipeline"] == (
        money(now["open_pipeline_cents"], compact=True),
        signed_money(now["open_pipeline_cents"] - pipe["open_pipeline_cents"]),
    )
    assert shown["Weighted pipeline"] == (
        money(now["weighted_pipeline_cents"], compact=True),
        signed_money(now["weighted_pipeline_cents"] - pipe["weighted_pipeline_cents"]),
    )
    assert shown["Win rate this month"] == (
        percent(now["win_rate"]),
        f"{(now['win_rate'] - before['win_rate']) * 100:+.0f} pts",
    )
    assert shown["Orders in flight"] == (
        f"{now['orders_in_flight']:,}",
        f"{now['orders_in_flight'] - flight['orders_in_flight']:+,}",
    )
    assert shown["Revenue this month"] == (
        money(now["revenue_cents"], compact=True),
        signed_money(now["revenue_cents"] - before["revenue_cents"]),
    )
    assert shown["Integration effectiveness E"] == (
        f"{now['effectiveness']:.1f}",
        f"{now['effectiveness'] - before['effectiveness']:+.1f}",
    )


def test_the_integration_tiles_are_s_o_and_e_over_the_last_twelve_months(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opportunities = store_frames.read_opportunities(store).lazy()
    orders = store_frames.read_orders(store).lazy()
    monthly = analytics.integration_by_month(opportunities, orders, start=TWELVE_MONTHS_START, end=TOMORROW)
    totals = analytics.integration_totals(monthly).collect().row(0, named=True)
    assert totals["won"] != totals["delivered"]  # so a tile showing the other figure fails

    shown = tiles(run_at("pages/integration.py", monkeypatch))

    assert shown["Won (S)"] == (f"{totals['won']:,}", None)
    assert shown["Delivered (O)"] == (f"{totals['delivered']:,}", None)
    assert shown["E for the period"] == (f"{totals['effectiveness']:.1f}", None)


def test_the_order_status_tiles_count_the_orders_by_status(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_status = analytics.orders_by_status(store_frames.read_orders(store).lazy()).collect()
    count = dict(zip(by_status["status"].to_list(), by_status["count"].to_list(), strict=True))
    cents = dict(zip(by_status["status"].to_list(), by_status["total_cents"].to_list(), strict=True))
    in_flight = by_status.filter(~pl.col("status").is_in(analytics.FINAL_STATUS_VALUES))["count"].sum()

    shown = tiles(run_at("pages/order_status.py", monkeypatch))

    assert shown["Orders in flight"] == (f"{in_flight:,}", None)
    assert shown["On hold"] == (f"{count['on_hold']:,}", None)
    assert shown["Delivered"] == (f"{count['delivered']:,}", money(cents["delivered"], compact=True))
    assert shown["Cancelled"] == (f"{count['cancelled']:,}", money(cents["cancelled"], compact=True))
