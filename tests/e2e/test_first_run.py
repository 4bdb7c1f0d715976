"""A team that starts empty (`python -m crm_core init`) sees the first-run screen; a rep who follows
its link to the Data page is still the acting user there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_core.permissions import Actor, Role
from crm_core.services.users import add_user
from crm_core.store.seed import bootstrap_admin
from tests.conftest import sqlite_store_at
from tests.e2e.conftest import RunningApp, screenshot, settle, start_app, stop_app
from tests.navigations import COVERED, FIRST_RUN_LINK

pytestmark = pytest.mark.e2e

REP = "Priya Raman · rep"


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    folder: Path = tmp_path_factory.mktemp("first_run")
    store = sqlite_store_at(folder / "e2e.sqlite")  # the file start_app points the app at
    email = "it.admin@northwind-trading.example"
    admin = Actor(
        id=bootstrap_admin(store, "Northwind IT", email), name="Northwind IT", email=email, role=Role.ADMIN
    )
    add_user(store, admin, "Priya Raman", "priya.raman@northwind-trading.example", "rep")
    store.dispose()
    app = start_app(folder)
    try:
        yield app
    finally:
        stop_app(app)


def test_a_rep_follows_the_first_run_link_to_the_data_page_and_stays_the_acting_user(
    browser: object, empty_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    assert FIRST_RUN_LINK in COVERED
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(empty_app.url)
        settle(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_role("combobox", name="Acting as").click()
        page.get_by_role("option", name=REP, exact=True).click()
        settle(page)
        expect(page.get_by_role("heading", name="Welcome to Scalewise")).to_be_visible()
        sample_button = page.get_by_role("button", name="Load the sample data instead")
        expect(sample_button).to_have_count(0)  # an admin may load the sample; a rep may not
        page.get_by_role("link", name="Go to the Data page to import").click()
        settle(page)
        expect(page.get_by_role("heading", name="Data", exact=True).first).to_be_visible()
        expect(sidebar.get_by_role("combobox", name="Acting as")).to_have_value(REP)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "first_run_link_to_data")
    finally:
        context.close()
