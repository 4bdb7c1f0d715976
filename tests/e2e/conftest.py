"""Real-browser fixtures, after Streamlit's own e2e_playwright: start `streamlit run app.py`
on a free port against a temporary database, poll /_stcore/health, drive headless Chromium.

The browser is CRM_CHROMIUM, else /usr/bin/chromium (or chromium on PATH), else
Playwright's own download. Without any, the tests skip with the reason — unless
CRM_REQUIRE_E2E=1 (CI), when they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
REQUIRE_E2E = os.environ.get("CRM_REQUIRE_E2E", "") == "1"
OUTPUT_DIR = PROJECT_ROOT / "test-results" / "e2e"
EXPECT_TIMEOUT_MS = 30_000  # a loaded 2-core CI machine can take seconds per rerun; expect() retries


def _patient_expect() -> None:
    try:
        from playwright.sync_api import expect
    except ImportError:  # reported by the browser fixture
        return
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


_patient_expect()


def _unavailable(reason: str) -> None:
    if REQUIRE_E2E:
        pytest.fail(f"CRM_REQUIRE_E2E=1 but the browser tests cannot run: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CRM_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    database: Path
    process: subprocess.Popen[bytes]
    log: Path


def start_app(
    tmp_dir: Path, extra_env: dict[str, str] | None = None, extra_args: tuple[str, ...] = ()
) -> RunningApp:
    port = free_port()
    database = tmp_dir / "e2e.sqlite"
    log = tmp_dir / "streamlit.log"
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{database}", "CRM_AUTH": "demo", **(extra_env or {})}
    handle = log.open("wb")
    process = subprocess.Popen(
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
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *extra_args,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return RunningApp(url, database, process, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within 60 s:\n{log.read_text()}")


def stop_app(app: RunningApp) -> None:
    """Stop a server started by `start_app`, killing it if it does not stop within 10 s."""
    app.process.terminate()
    try:
        app.process.wait(10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    with sync_playwright() as pw:
        try:
            if executable:
                launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            else:
                launched = pw.chromium.launch(args=CHROMIUM_ARGS)
        except Exception as exc:  # no browser binary anywhere
            _unavailable(f"no Chromium found (set CRM_CHROMIUM or install Debian's chromium): {exc}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("e2e"))
    try:
        yield app
    finally:
        stop_app(app)


@pytest.fixture
def page(browser: object, app_server: RunningApp) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs  # hostile-text tests assert that no dialog opened
    tab.goto(app_server.url)
    settle(tab)
    yield tab
    context.close()


def settle(tab: object, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    tab.wait_for_timeout(200)  # type: ignore[attr-defined]
    tab.wait_for_selector(  # type: ignore[attr-defined]
        "[data-test-script-state='notRunning']", state="attached", timeout=timeout_ms
    )
    tab.wait_for_timeout(150)  # type: ignore[attr-defined]


def screenshot(tab: object, name: str) -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
