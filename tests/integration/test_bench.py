"""The benchmark entry point runs end to end (tiny sizes; timing itself is never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys

from crm_core.config import PROJECT_ROOT


def test_the_bench_entry_point_prints_its_table_on_a_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "tiny", "--repeat", "1"],
        cwd=PROJECT_ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| measurement" in result.stdout
    assert "cold start" in result.stdout
    assert "Machine:" in result.stdout


def test_an_unknown_measurement_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "no-such-thing"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unknown measurement" in result.stderr
