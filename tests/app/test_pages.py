"""Every page renders through the real app frame without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP

PAGES = {
    "pages/overview.py": "Overview",
    "pages/pipeline.py": "Pipeline",
    "pages/opportunities.py": "Opportunities",
    "pages/customers.py": "Customers",
    "pages/scoring.py": "Scoring",
    "pages/orders.py": "Orders",
    "pages/order_status.py": "Order status",
    "pages/integration.py": "Integration",
    "pages/data.py": "Data",
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_without_an_exception(app: AppTest, path: str) -> None:
    app.switch_page(path).run()
    assert not app.exception, app.exception
    assert PAGES[path] in [t.value for t in app.title]


def test_the_sidebar_announces_demo_mode_and_offers_the_demo_users(app: AppTest) -> None:
    assert any("Demo mode" in i.value for i in app.sidebar.info)
    picker = app.sidebar.selectbox(key="auth_user_picker")
    assert len(picker.options) >= 5
    assert any("manager" in o for o in picker.options)


def test_the_sidebar_names_the_database_without_a_password(app: AppTest) -> None:
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "SQLite file" in captions


def test_overview_shows_the_six_headline_figures(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    for expected in ("Open pipeline", "Weighted pipeline", "Orders in flight", "Revenue this month"):
        assert expected in labels
    assert any(label.startswith("Win rate") for label in labels)
    assert any(label.startswith("Integration effectiveness") for label in labels)


def test_a_bad_database_url_shows_one_message_and_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql+psycopg://crm:hunter2@127.0.0.1:9/crm")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "CRM_DATABASE_URL" in at.error[0].value
    assert "hunter2" not in at.error[0].value
