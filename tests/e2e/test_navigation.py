"""A first-time visitor clicks through every page: each renders without an exception."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, settle

pytestmark = pytest.mark.e2e

PAGE_TITLES = [
    "Overview",
    "Pipeline",
    "Opportunities",
    "Customers",
    "Scoring",
    "Orders",
    "Order status",
    "Integration",
    "Data",
]


def test_every_page_opens_from_the_navigation_without_an_error(page) -> None:
    from playwright.sync_api import expect

    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav).to_be_visible()
    for index, title in enumerate(PAGE_TITLES):
        nav.get_by_role("link", name=title, exact=True).click()
        settle(page)
        expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        assert page.locator("[data-testid='stException']").count() == 0, f"exception on {title}"
        screenshot(page, f"{index:02d}_{title.lower().replace(' ', '_')}")


def test_demo_mode_is_announced_and_a_user_is_acting(page) -> None:
    from playwright.sync_api import expect

    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Demo mode")).to_be_visible()
    expect(sidebar.get_by_text("Acting as")).to_be_visible()


def test_show_data_draws_the_table_behind_a_chart_and_its_downloads_when_opened(page) -> None:
    from playwright.sync_api import expect

    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_role("link", name="Order status", exact=True).click()
    settle(page)
    panel = page.locator("[data-testid='stExpander']").filter(has_text="Show data").first
    expect(panel.locator("[data-testid='stDataFrame']")).to_have_count(0)  # nothing sent while closed
    panel.get_by_text("Show data").click()
    settle(page)
    expect(panel.locator("[data-testid='stDataFrame']")).to_be_visible()
    expect(panel.get_by_role("button", name="Download CSV")).to_be_visible()
    screenshot(page, "order_status_show_data")
