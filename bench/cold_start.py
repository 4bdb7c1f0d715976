"""Cold start: an empty `var/`, then migrate + seed + the first page rendered in a browser.

Timed from launching `streamlit run` until the Overview page has finished its first script
run in headless Chromium (the user's view). Without Chromium, falls back to AppTest in a
fresh interpreter (migrate + seed + the page script, no browser).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.core import Options, Result, measurement, own_peak_rss_mb
from crm_core.config import PROJECT_ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CRM_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _browser_cold_start(browser: object, var_dir: Path, peaks: list[float]) -> float:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "CRM_DATABASE_URL": f"sqlite:///{var_dir / 'crm.sqlite'}",
        "CRM_DEMO_ALLOW_PERSISTENT": "1",
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.02)
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(url)
        page.get_by_role("heading", name="Overview").first.wait_for(timeout=60_000)
        page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=60_000)
        page.locator("[data-testid='stMetric']").first.wait_for(timeout=60_000)
        elapsed = time.perf_counter() - start
        page.close()
        peaks.append(own_peak_rss_mb(proc.pid) or 0.0)  # the app server's own peak, while it lives
        return elapsed
    finally:
        proc.terminate()
        proc.wait(10)


def _apptest_cold_start(var_dir: Path) -> float:
    env = {
        **os.environ,
        "CRM_DATABASE_URL": f"sqlite:///{var_dir / 'crm.sqlite'}",
        "CRM_DEMO_ALLOW_PERSISTENT": "1",
    }
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True)
    return time.perf_counter() - start


@measurement("cold start")
def cold_start(options: Options) -> Result:
    repeat = 1 if options.size == "tiny" else max(3, options.repeat)
    exe = _chromium()
    runs: list[float] = []
    peaks: list[float] = []
    how = "browser"
    if exe:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
            for _ in range(repeat):
                with tempfile.TemporaryDirectory() as tmp:
                    runs.append(_browser_cold_start(browser, Path(tmp), peaks))
            browser.close()
    else:
        how = "AppTest (no Chromium found)"
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(_apptest_cold_start(Path(tmp)))
    median = sorted(runs)[len(runs) // 2]
    return Result(
        name="cold start: empty var/ → migrate + seed + Overview rendered",
        seconds=runs,
        target="≤ 5 s",
        met=median <= 5.0,
        peak_rss_mb=max(peaks, default=None),
        note=how,
    )
