"""Periods that follow the data, and monthly series that show their gaps.

Imported history often ends years before today (an old CRM switched off in 2019). A window such as
"the last 12 months" then ends at the latest activity in the data, not at today — otherwise every
chart is empty. The pages say so when that happens.

- latest activity: the newest of the opportunities' created/closed times and the orders'
  created/delivered times.
- `period_end`: today, unless the latest activity is more than `STALE_AFTER_DAYS` before today;
  then the day of the latest activity.
- `every_month`: a monthly series with a row for every month between its first and last, the
  months without data carrying nulls, so a line drawn over it breaks instead of bridging the gap.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

STALE_AFTER_DAYS = 90


def latest_activity(opportunities: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """One row, `latest` (a date, null when there is nothing): the newest activity in the data."""
    opp = opportunities.select(pl.max_horizontal(pl.col("created_at").max(), pl.col("closed_at").max()))
    ords = orders.select(pl.max_horizontal(pl.col("created_at").max(), pl.col("delivered_at").max()))
    both = pl.concat(
        [f.select(pl.all().first().cast(pl.Datetime("us")).alias("at")) for f in (opp, ords)], how="vertical"
    )
    return both.select(pl.col("at").max().dt.date().alias("latest"))


def period_end(today: date, latest: date | None) -> date:
    """The last day of the periods shown: today, or the latest activity when that is long past."""
    if latest is None or latest >= today - timedelta(days=STALE_AFTER_DAYS):
        return today
    return latest


def every_month(monthly: pl.LazyFrame, column: str = "month") -> pl.LazyFrame:
    """The rows of a monthly series plus a null row for each month missing between its first and last."""
    months = monthly.select(
        pl.date_ranges(pl.col(column).min(), pl.col(column).max(), interval="1mo").explode().alias(column)
    ).filter(pl.col(column).is_not_null())
    return months.join(monthly, on=column, how="left", maintain_order="left").sort(column)


def last_months(monthly: pl.LazyFrame, end: date, months: int = 12, column: str = "month") -> pl.LazyFrame:
    """The `months` calendar months up to `end`'s month, one row each (month starts), with the
    series' values; null where the series has no row for a month."""
    index = end.year * 12 + end.month - 1
    starts = [date((index - i) // 12, (index - i) % 12 + 1, 1) for i in range(months - 1, -1, -1)]
    grid = pl.LazyFrame({column: starts}, schema={column: pl.Date})
    return grid.join(monthly, on=column, how="left", maintain_order="left")
