"""A shared link opened on a freshly started server lands inside the app frame.

Streamlit's legacy `pages/` mode would otherwise run the linked page on its own (no
sidebar, no acting user) until someone opened the home page first."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def test_the_first_visit_to_a_share_link_shows_the_frame_and_the_linked_weights(browser, app_server) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        tab.goto(f"{app_server.url}/scoring?w=0.50,0.05,0.35,0.10")  # nobody has opened "/" yet
        settle(tab)
        sidebar = tab.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("Acting as")).to_be_visible()
        expect(
            sidebar.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Order status")
        ).to_be_visible()
        expect(tab.get_by_role("heading", name="Scoring", exact=True).first).to_be_visible()
        sliders = tab.locator("[data-testid='stSlider']")
        expect(sliders.filter(has_text="Segmentation").get_by_text("0.50")).to_be_visible()
        expect(
            sliders.filter(has_text="Customer operating characteristics").get_by_text("0.05")
        ).to_be_visible()
    finally:
        context.close()
