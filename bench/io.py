"""Import 500,000 retail order lines from CSV (lenient, missing customers and products created).

The file looks like an online shop's export (InvoiceNo, StockCode, Description, Quantity,
InvoiceDate in US form, UnitPrice, CustomerID, Country) with its usual mess: about 2 % cancelled
`C` invoices, 0.3 % negative quantities and 0.3 % zero prices, 3 % lines without a customer. The import
runs through the command line (`python -m crm_core import orders … --lenient --create-missing`)
in a child process against a freshly seeded SQLite file, so the time is what a user waits for and
the peak memory is the importer's own. `--size tiny` uses 5,000 lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from bench.core import PEAK_REPORTER, Options, Result, measurement
from crm_core.config import PROJECT_ROOT, DatabaseTarget

FULL_LINES, TINY_LINES = 500_000, 5_000
RUN_CLI = "import runpy\nsys.argv[0] = 'crm_core'\nrunpy.run_module('crm_core', run_name='__main__')\n"


def retail_lines(n: int, seed: int = 11) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    invoices = max(1, n // 20)
    invoice = np.sort(rng.integers(0, invoices, n))
    skus = rng.integers(10_000, 14_000, n)
    customer_of_invoice = rng.integers(12_000, 16_000, invoices)
    base = np.datetime64("2024-01-01T08:00") + (invoice.astype("int64") * 17) % (365 * 24 * 60)
    minute = base.astype("datetime64[ms]")
    frame = pl.DataFrame(
        {
            "InvoiceNo": (536_000 + invoice).astype(str),
            "StockCode": skus.astype(str),
            "Description": np.char.add(np.char.add("ITEM ", skus.astype(str)), " GIFT SET"),
            "Quantity": rng.integers(1, 24, n),
            "InvoiceDate": pl.Series(minute).dt.strftime("%-m/%-d/%Y %-H:%M"),
            "UnitPrice": (rng.integers(30, 2_000, n) / 100).round(2),
            "CustomerID": customer_of_invoice[invoice].astype(str),
            "Country": "United Kingdom",
        }
    )
    cancelled = pl.Series(invoice % 50 == 7)  # ~2 % of invoices
    messy = pl.Series(rng.random(n))
    no_customer = pl.Series(invoice % 33 == 5)  # ~3 % of lines, whole invoices
    return frame.with_columns(
        pl.when(cancelled).then("C" + pl.col("InvoiceNo")).otherwise("InvoiceNo").alias("InvoiceNo"),
        pl.when(cancelled | (messy < 0.003))
        .then(-pl.col("Quantity"))
        .otherwise("Quantity")
        .alias("Quantity"),
        pl.when(messy.is_between(0.003, 0.006)).then(0.0).otherwise("UnitPrice").alias("UnitPrice"),
        pl.when(no_customer).then(None).otherwise("CustomerID").alias("CustomerID"),
    )


def _seeded_database(folder: Path) -> Path:
    from sqlalchemy.engine import make_url

    from crm_core.store import init_db, make_store

    path = folder / "bench.sqlite"
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{path}"), "bench"))
    init_db(store, today=date(2026, 11, 21))
    store.dispose()
    return path


@measurement("import 500k order lines")
def import_order_lines(options: Options) -> Result:
    n = TINY_LINES if options.size == "tiny" else FULL_LINES
    repeat = 1 if options.size == "tiny" else max(1, min(options.repeat, 3))
    runs: list[float] = []
    peaks: list[float] = []
    summary = ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "online_retail.csv"
        retail_lines(n).write_csv(csv)
        template = _seeded_database(folder)
        for i in range(repeat):
            database = folder / f"run{i}.sqlite"
            shutil.copy(template, database)
            env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{database}"}
            command = [  # python -m crm_core import …, reporting its own peak memory at exit
                sys.executable,
                "-c",
                PEAK_REPORTER + RUN_CLI,
                "import",
                "orders",
                str(csv),
                "--lenient",
                "--create-missing",
            ]
            start = time.perf_counter()
            done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
            runs.append(time.perf_counter() - start)
            if done.returncode not in (0, 3):
                raise RuntimeError(f"import failed ({done.returncode}): {done.stderr or done.stdout}")
            summary = next((line for line in done.stdout.splitlines() if "rows read" in line), "")
            reported = [x.split()[1] for x in done.stderr.splitlines() if x.startswith("PEAK_RSS_MB ")]
            peaks += [float(x) for x in reported if x != "None"]
    median = sorted(runs)[len(runs) // 2]
    return Result(
        name=f"import {n:,} retail order lines from CSV (CLI, lenient, create missing)",
        seconds=runs,
        target="≤ 60 s" if n == FULL_LINES else "(tiny: no target)",
        met=median <= 60 if n == FULL_LINES else None,
        peak_rss_mb=max(peaks, default=None),
        note=summary.split(": ", 1)[-1][:90],
    )


@measurement("re-import 500k order lines")
def reimport_order_lines(options: Options) -> Result:
    """The same file imported a second time: every order is updated and its lines replaced (the
    old lines deleted), which is where a missing index on `allocations.line_id` cost a minute."""
    n = TINY_LINES if options.size == "tiny" else FULL_LINES
    runs: list[float] = []
    peaks: list[float] = []
    summary = ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "online_retail.csv"
        retail_lines(n).write_csv(csv)
        database = _seeded_database(folder)
        env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{database}"}
        command = [
            sys.executable, "-c", PEAK_REPORTER + RUN_CLI, "import", "orders", str(csv), "--lenient",
            "--create-missing",
        ]  # fmt: skip
        first = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        if first.returncode not in (0, 3):
            raise RuntimeError(f"import failed ({first.returncode}): {first.stderr or first.stdout}")
        start = time.perf_counter()
        done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        runs.append(time.perf_counter() - start)
        if done.returncode not in (0, 3):
            raise RuntimeError(f"re-import failed ({done.returncode}): {done.stderr or done.stdout}")
        summary = next((line for line in done.stdout.splitlines() if line.startswith("Changes:")), "")
        reported = [x.split()[1] for x in done.stderr.splitlines() if x.startswith("PEAK_RSS_MB ")]
        peaks += [float(x) for x in reported if x != "None"]
    return Result(
        name=f"re-import {n:,} retail order lines (every order updated, its lines replaced)",
        seconds=runs,
        target="≤ 20 s" if n == FULL_LINES else "(tiny: no target)",
        met=runs[0] <= 20 if n == FULL_LINES else None,
        peak_rss_mb=max(peaks, default=None),
        note=summary[:90],
    )
