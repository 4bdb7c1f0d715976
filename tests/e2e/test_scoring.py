"""A workshop in a real browser: move the sliders, watch the top of the ranking change; open a share link."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.e2e.conftest import screenshot, settle

pytestmark = pytest.mark.e2e


def slider(page, label: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("group", name=label, exact=True).get_by_role("slider")


def top_ranked(page) -> str:  # type: ignore[no-untyped-def]
    """The '#1 …' line under the quadrant chart names the top-ranked opportunity."""
    return page.locator("[data-testid='stText']").filter(has_text="#1 ").first.inner_text()


def open_scoring(page, app_url: str, query: str = "") -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"{app_url}/scoring{query}")
    settle(page)
    expect(page.get_by_role("heading", name="Scoring", exact=True).first).to_be_visible()
    expect(slider(page, "Segmentation")).to_be_visible()


def test_moving_sliders_changes_the_top_of_the_ranking(page, app_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_scoring(page, app_server.url)
    before = top_ranked(page)
    for label, key in (
        ("Customer operating characteristics", "End"),
        ("Segmentation", "Home"),
        ("Level of relationship", "Home"),
        ("Account management resource", "Home"),
    ):
        slider(page, label).focus()
        page.keyboard.press(key)
        settle(page)
    expect(slider(page, "Customer operating characteristics")).to_have_value("1")
    expect(page.locator("[data-testid='stText']").filter(has_text="#1 ").first).not_to_have_text(before)
    assert "w=0.00,1.00,0.00,0.00" in unquote(page.url)  # the address bar follows the sliders
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "scoring_sliders_moved")


def test_a_share_link_opens_with_its_weights(page, app_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_scoring(page, app_server.url, "?w=0.50,0.05,0.35,0.10")
    for label, value in (
        ("Segmentation", "0.5"),
        ("Customer operating characteristics", "0.05"),
        ("Level of relationship", "0.35"),
        ("Account management resource", "0.1"),
    ):
        expect(slider(page, label)).to_have_value(value)
    expect(page.get_by_text("50 %", exact=True)).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "scoring_share_link")


def test_a_malformed_share_link_shows_a_notice(page, app_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_scoring(page, app_server.url, "?w=0,0,0,0")
    expect(page.get_by_text("could not be used", exact=False)).to_be_visible()
    expect(slider(page, "Segmentation")).to_have_value("0.3")
