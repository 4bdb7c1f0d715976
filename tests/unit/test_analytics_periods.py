"""Periods follow the data: a window ends at the latest activity when the data ended long ago, and
monthly series carry their empty months so lines break instead of bridging the gap."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from crm_core import analytics

D = pl.Datetime("us")


def opportunities(created: list[datetime], closed: list[datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"created_at": created, "closed_at": closed}, schema={"created_at": D, "closed_at": D}
    )


def orders(created: list[datetime], delivered: list[datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"created_at": created, "delivered_at": delivered}, schema={"created_at": D, "delivered_at": D}
    )


def test_the_latest_activity_is_the_newest_of_deals_and_orders_created_closed_or_delivered() -> None:
    opps = opportunities([datetime(2012, 3, 1)], [datetime(2012, 5, 9, 17, 0)])
    ords = orders([datetime(2011, 1, 4)], [datetime(2019, 5, 28, 9, 30)])
    got = analytics.latest_activity(opps, ords).collect()
    assert_frame_equal(got, pl.DataFrame({"latest": [date(2019, 5, 28)]}))


def test_no_data_has_no_latest_activity() -> None:
    got = analytics.latest_activity(opportunities([], []), orders([], [])).collect()
    assert_frame_equal(got, pl.DataFrame({"latest": [None]}, schema={"latest": pl.Date}))


def test_periods_end_today_while_the_data_is_recent() -> None:
    today = date(2026, 11, 21)
    assert analytics.period_end(today, date(2026, 8, 23)) == today  # exactly 90 days back
    assert analytics.period_end(today, None) == today


def test_periods_end_at_the_latest_activity_once_the_data_is_older_than_90_days() -> None:
    assert analytics.period_end(date(2026, 11, 21), date(2026, 8, 22)) == date(2026, 8, 22)
    assert analytics.period_end(date(2026, 11, 21), date(2019, 5, 28)) == date(2019, 5, 28)


def test_a_monthly_series_gets_a_null_row_for_every_month_without_data() -> None:
    monthly = pl.LazyFrame({"month": [date(2011, 11, 1), date(2012, 2, 1)], "median_days": [3.0, 5.0]})
    got = analytics.every_month(monthly).collect()
    expected = pl.DataFrame(
        {
            "month": [date(2011, 11, 1), date(2011, 12, 1), date(2012, 1, 1), date(2012, 2, 1)],
            "median_days": [3.0, None, None, 5.0],
        }
    )
    assert_frame_equal(got, expected)


def test_cycle_time_breaks_in_the_months_nothing_was_delivered() -> None:
    ords = orders(
        [datetime(2011, 1, 1), datetime(2011, 4, 1)], [datetime(2011, 1, 3), datetime(2011, 4, 5)]
    ).with_columns(pl.col("delivered_at").alias("status_changed_at"))
    got = analytics.order_cycle_time_by_month(ords).collect()
    assert got["month"].to_list() == [date(2011, m, 1) for m in (1, 2, 3, 4)]
    assert got["delivered"].to_list() == [1, 0, 0, 1]
    assert got["median_days"].to_list() == [2.0, None, None, 4.0]


def test_the_last_months_are_every_month_up_to_the_end_with_nulls_where_nothing_closed() -> None:
    win_rates = pl.LazyFrame(
        {"month": [date(2018, 4, 1), date(2018, 7, 1), date(2019, 6, 1)], "win_rate": [0.5, 0.25, 1.0]}
    )
    got = analytics.last_months(win_rates, date(2019, 5, 23), months=4).collect()
    expected = pl.DataFrame(
        {
            "month": [date(2019, 2, 1), date(2019, 3, 1), date(2019, 4, 1), date(2019, 5, 1)],
            "win_rate": [None, None, None, None],
        },
        schema={"month": pl.Date, "win_rate": pl.Float64},
    )
    assert_frame_equal(got, expected)
    got = analytics.last_months(win_rates, date(2018, 8, 1), months=5).collect()
    assert got["month"].to_list() == [date(2018, m, 1) for m in (4, 5, 6, 7, 8)]
    assert got["win_rate"].to_list() == [0.5, None, None, 0.25, None]
