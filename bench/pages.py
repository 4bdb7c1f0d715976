"""The analytics pages at 1,000,000 orders and 200,000 opportunities: first load, warm rerun, memory.

Each page runs in a fresh interpreter (cold caches, its own peak RSS) through AppTest against the
large SQLite file from `bench.data`: the first run of the page is the first load (reading the
frames, computing, rendering), the following reruns with nothing changed are the warm reruns. The
baseline for the first load is what the app did before this work would at least have paid: reading
every row of the page's biggest table with pandas `read_sql`. The memory row visits Overview,
Pipeline, Order status and Integration in one process, as one user's session would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench.core import Options, Result, measurement
from bench.data import SIZES, postgres_store, postgres_url_with_schema, sqlite_url
from crm_core.config import PROJECT_ROOT

PAGES = {
    "Pipeline": ("pages/pipeline.py", "opportunities"),
    "Order status": ("pages/order_status.py", "orders"),
    "Integration": ("pages/integration.py", "orders"),
}
CHILD = """
import json, sys, time
from streamlit.testing.v1 import AppTest
# A running app has imported its modules long before a page's first load: do it before timing.
import plotly.graph_objects, altair, crm_core.analytics, ui.charts, ui.data  # noqa
pages, repeat = json.loads(sys.argv[1]), int(sys.argv[2])
at = AppTest.from_file("app.py", default_timeout=900)
from bench.core import as_started_server
as_started_server(at)  # a running server has done this before its first visitor
out = {"first": [], "warm": []}
for page in pages:
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    out["first"].append(time.perf_counter() - start)
    assert not at.exception, at.exception
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    out["warm"].append(warm)
from bench.core import own_peak_rss_mb
out["rss_mb"] = own_peak_rss_mb()
print("RESULT " + json.dumps(out))
"""


def _run_pages(url: str, pages: list[str], repeat: int) -> dict:
    env = {
        **os.environ,
        "CRM_DATABASE_URL": url,
        "CRM_AUTH": "demo",
        "CRM_DEMO_ALLOW_PERSISTENT": "1",
        "CRM_FRAME_SNAPSHOTS": "off",  # a first load with no snapshot (see bench/live.py for one)
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(pages), str(repeat)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"page run failed: {done.stderr[-2000:]}")
    return json.loads(line.removeprefix("RESULT "))


def _pandas_read_all(url: str, table: str) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    from crm_core.store.frames import opportunities_select, orders_select

    stmt = {"orders": orders_select(), "opportunities": opportunities_select()}[table]
    engine = create_engine(url)
    try:
        start = time.perf_counter()
        with engine.connect() as conn:
            pd.read_sql(stmt, conn)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def _targets(options: Options) -> list[tuple[str, str]]:
    """(engine, URL) of the large data set: SQLite, and PostgreSQL when a URL is set."""
    size = SIZES["tiny" if options.size == "tiny" else "full"]
    targets = [("SQLite", sqlite_url(size))]
    pg = postgres_store(size)
    if pg is not None:
        targets.append(("PostgreSQL", postgres_url_with_schema(pg)))
        pg.dispose()
    return targets


def _page_results(options: Options, title: str) -> list[Result]:
    size = SIZES["tiny" if options.size == "tiny" else "full"]
    path, table = PAGES[title]
    repeat = 1 if options.size == "tiny" else max(options.repeat, 5)
    scale = f"{size.orders:,} orders, {size.opportunities:,} opportunities"
    results = []
    for engine, url in _targets(options):
        firsts, warms, rss = [], [], 0.0
        for _ in range(1 if options.size == "tiny" else 2):  # each a fresh process: cold caches
            out = _run_pages(url, [path], repeat)
            firsts.append(out["first"][0])
            warms.extend(out["warm"][0])
            rss = max(rss, out["rss_mb"])
        baseline = [_pandas_read_all(url, table) for _ in range(1 if options.size == "tiny" else 2)]
        first = Result(
            name=f"{title}: first load, {scale}, {engine} (AppTest, fresh process)",
            seconds=firsts,
            target="≤ 3 s",
            baseline_name=f"pandas read_sql of all {table}",
            baseline_seconds=baseline,
            peak_rss_mb=rss,
            note="reading the frames + computing + rendering",
        )
        first.met = first.median <= 3.0
        warm = Result(
            name=f"{title}: warm rerun, {scale}, {engine} (AppTest)",
            seconds=warms,
            target="≤ 300 ms",
            peak_rss_mb=rss,
            note="nothing changed: frames and results from the caches",
        )
        warm.met = warm.median <= 0.300
        results += [first, warm]
    return results


@measurement("pipeline 1M")
def pipeline_page(options: Options) -> list[Result]:
    return _page_results(options, "Pipeline")


@measurement("order status 1M")
def order_status_page(options: Options) -> list[Result]:
    return _page_results(options, "Order status")


@measurement("integration 1M")
def integration_page(options: Options) -> list[Result]:
    return _page_results(options, "Integration")


@measurement("app memory 1M")
def app_memory(options: Options) -> Result:
    size = SIZES["tiny" if options.size == "tiny" else "full"]
    pages = ["pages/overview.py", "pages/pipeline.py", "pages/order_status.py", "pages/integration.py"]
    start = time.perf_counter()
    out = _run_pages(sqlite_url(size), pages, 1)
    elapsed = time.perf_counter() - start
    return Result(
        name=f"peak memory of the app, {size.orders:,} orders: Overview, Pipeline, Order status, Integration",
        seconds=[out["rss_mb"]],
        target="≤ 1,536 MB",
        met=out["rss_mb"] <= 1536,
        peak_rss_mb=out["rss_mb"],
        unit="MB",
        note=f"one AppTest session, SQLite; the four pages took {elapsed:.0f} s with start-up",
    )
