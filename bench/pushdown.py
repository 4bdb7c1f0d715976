"""SQL push-down against reading rows into Polars, on SQLite and PostgreSQL, at 1,000,000 orders.

- Revenue per month (Overview): `read_daily_payments` sums the ~900,000 payments per day in SQL
  and Polars finishes the months from ~550 rows; the alternative reads every payment and groups
  in Polars. The page only ever needs days, so the push-down is what it uses.
- Orders per status (Order status): a SQL GROUP BY against Polars grouping the orders frame the
  page has already loaded (it needs every order for its filters and exception lists anyway). The
  SQL figure is what a page would pay if it read nothing else; against the cached frame Polars wins.

The results are equal in both cases (tests/integration/test_frames.py).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy.engine import make_url

from bench.core import Options, Result, measurement, peak_rss_mb, timed
from bench.data import SIZES, postgres_store, sqlite_url
from crm_core import analytics
from crm_core.config import DatabaseTarget
from crm_core.store import Store, make_store
from crm_core.store import frames as store_frames


def _stores(options: Options) -> list[tuple[str, Store]]:
    size = SIZES["tiny" if options.size == "tiny" else "full"]
    stores = [("SQLite", make_store(DatabaseTarget(make_url(sqlite_url(size)), "bench")))]
    pg = postgres_store(size)
    if pg is not None:
        stores.append(("PostgreSQL", pg))
    return stores


def _revenue_pushed(store: Store) -> Callable[[], pl.DataFrame]:
    return lambda: analytics.monthly_revenue(store_frames.read_daily_payments(store).lazy()).collect()


def _revenue_polars(store: Store) -> Callable[[], pl.DataFrame]:
    return lambda: analytics.monthly_revenue(store_frames.read_payments(store).lazy()).collect()


@measurement("push-down")
def push_down(options: Options) -> list[Result]:
    repeat = 1 if options.size == "tiny" else options.repeat
    results = []
    for engine, store in _stores(options):
        try:
            pushed = timed(_revenue_pushed(store), repeat, warmup=1)
            polars = timed(_revenue_polars(store), max(1, min(repeat, 3)))
            revenue = Result(
                name=f"revenue per month, {engine}: SQL sums per day, Polars per month (used)",
                seconds=pushed,
                target="faster than reading every payment",
                baseline_name="read all payments + Polars",
                baseline_seconds=polars,
                peak_rss_mb=peak_rss_mb(),
            )
            revenue.met = (revenue.ratio or 0) > 1
            orders = store_frames.read_orders(store).lazy()
            in_polars = timed(lambda o=orders: analytics.orders_by_status(o).collect(), repeat, warmup=1)
            in_sql = timed(
                lambda s=store: analytics.every_status(store_frames.read_status_totals(s).lazy()).collect(),
                repeat,
                warmup=1,
            )
            by_status = Result(
                name=f"orders per status, {engine}: Polars on the loaded orders frame (used)",
                seconds=in_polars,
                target="faster than SQL GROUP BY",
                baseline_name="SQL GROUP BY status",
                baseline_seconds=in_sql,
                peak_rss_mb=peak_rss_mb(),
                note="the page loads every order anyway (filters, exceptions)",
            )
            by_status.met = (by_status.ratio or 0) > 1
            results += [revenue, by_status]
        finally:
            store.dispose()
    return results
