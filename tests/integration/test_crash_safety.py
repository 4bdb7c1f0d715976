"""Crash safety: `python -m crm_core import` killed with SIGKILL halfway through writing a large
file leaves the database exactly as it was (row counts, data version), SQLite's integrity
check says ok, and the next import works — on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl

from crm_core.cli_data import system_actor
from crm_core.config import PROJECT_ROOT
from crm_core.services import import_file, table_counts
from crm_core.store import Store, data_version

ROWS = 300_000  # six chunks of 50,000: the kill lands after the first, well before the commit
MIDWAY = re.compile(r"^progress \d+% Writing customers… ([\d,]+) of ([\d,]+) rows")


def large_customer_file(path: Path, rows: int = ROWS) -> Path:
    ids = pl.int_range(0, rows, eager=True)
    pl.DataFrame(
        {
            "name": "Crash Test Customer " + ids.cast(pl.String),
            "employees": (ids % 5_000 + 1),
            "region": pl.Series(["Northeast", "West", "South"] * (rows // 3 + 1))[:rows],
            "credit_limit": (ids % 100 * 1_000).cast(pl.String) + ".00",
        }
    ).write_csv(path)
    return path


def snapshot(store: Store) -> tuple[dict[str, int], int]:
    return table_counts(store), data_version(store)


def test_an_import_killed_halfway_leaves_the_database_as_it_was(seeded_store: Store, tmp_path: Path) -> None:
    source = large_customer_file(tmp_path / "customers.csv")
    before = snapshot(seeded_store)
    env = {**os.environ, "CRM_DATABASE_URL": seeded_store.target.url.render_as_string(hide_password=False)}
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_core", "import", "customers", str(source), "--progress"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed_at = None
    assert process.stderr is not None
    for line in process.stderr:
        midway = MIDWAY.match(line)
        if midway and midway.group(1) != midway.group(2):
            os.kill(process.pid, signal.SIGKILL)
            killed_at = line.strip()
            break
    process.wait()
    assert killed_at is not None, f"the import ended before it could be killed ({process.returncode})"
    assert process.returncode == -signal.SIGKILL

    seeded_store.dispose()  # fresh connections, as after a restart
    assert snapshot(seeded_store) == before, f"killed at: {killed_at}"
    if seeded_store.is_sqlite:
        with sqlite3.connect(seeded_store.target.url.database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # And the database still takes an import.
    admin = system_actor(seeded_store, None)
    report = import_file(seeded_store, admin, "customers", b"name\nAfter The Crash Ltd\n", "after.csv")
    assert report.written and report.clean
    assert table_counts(seeded_store)["customers"] == before[0]["customers"] + 1
