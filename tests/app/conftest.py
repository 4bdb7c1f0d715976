"""AppTest fixtures: each test gets its own copy of a seeded SQLite database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from crm_core.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


@contextmanager
def server_address(address: str | None) -> Iterator[None]:
    """Streamlit's server.address while the block runs (AppTest starts no server: it is only
    what the app reads to decide whether demo mode may run on a configured database)."""
    before, where = config.get_option("server.address"), config.get_where_defined("server.address")
    config.set_option("server.address", address, where_defined="tests")
    try:
        yield
    finally:
        config.set_option("server.address", before, where_defined=where)


@pytest.fixture(autouse=True)
def loopback_server() -> Iterator[None]:
    """The app under test listens on loopback only (as a developer's `--server.address 127.0.0.1`),
    so demo mode runs on the test databases; tests/app/test_demo_guard.py changes the address."""
    with server_address("127.0.0.1"):
        yield


@pytest.fixture
def app_db(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the seeded database, configured by CRM_DATABASE_URL."""
    path = tmp_path / "crm.sqlite"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    monkeypatch.delenv("CRM_DEMO_ALLOW_PERSISTENT", raising=False)
    monkeypatch.setenv("CRM_FRAME_SNAPSHOTS", str(tmp_path / "frames"))  # not the project's var/
    monkeypatch.setenv("CRM_WARM_FRAMES", "off")  # each test loads what it shows (test_live_mode tests it)
    yield path


@pytest.fixture
def app(app_db: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at
