"""AppTest fixtures: each test gets its own copy of a seeded SQLite database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.config import PROJECT_ROOT
from crm_core.store import init_db
from tests.conftest import SAMPLE_TODAY, sqlite_store_at

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "crm.sqlite"
    store = sqlite_store_at(path)
    init_db(store, today=SAMPLE_TODAY)
    store.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def app_db(seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "crm.sqlite"
    shutil.copy(seeded_template, path)
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    yield path


@pytest.fixture
def app(app_db: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at
