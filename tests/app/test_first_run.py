"""A database started with `init` (users, no data) opens on the first-run screen: what to import in
which order, a link to the Data page, and for an admin the sample data one click away."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.services.data import table_counts
from crm_core.store.seed import bootstrap_admin
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    path = tmp_path / "new.sqlite"
    store = sqlite_store_at(path)
    bootstrap_admin(store, "Grace Hopper", "grace@acme.example")
    store.dispose()
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    monkeypatch.delenv("CRM_DEMO_ALLOW_PERSISTENT", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_empty_database_opens_on_the_import_order_and_seeds_nothing(
    empty_app: AppTest, tmp_path: Path
) -> None:
    assert [t.value for t in empty_app.title] == ["Welcome to Scalewise"]
    steps = " ".join(m.value for m in empty_app.markdown)
    positions = [
        steps.index(f"**{name}**") for name in ("Users", "Customers", "Products", "Opportunities", "Orders")
    ]
    assert positions == sorted(positions)
    counts = table_counts(sqlite_store_at(tmp_path / "new.sqlite"))
    assert (counts["users"], counts["customers"], counts["opportunities"]) == (1, 0, 0)


def test_the_data_page_opens_as_usual_on_an_empty_database(empty_app: AppTest) -> None:
    empty_app.switch_page("pages/data.py").run()
    assert not empty_app.exception, empty_app.exception
    assert "Data" in [t.value for t in empty_app.title]


def test_an_admin_can_load_the_sample_data_instead(empty_app: AppTest) -> None:
    empty_app.button(key="first_run_sample").click().run()
    assert not empty_app.exception, empty_app.exception
    assert [t.value for t in empty_app.title] == ["Overview"]
