"""A workshop in a real browser: move the sliders, watch the top of the ranking change; open a share link;
save a preset with a hostile name and publish it."""

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


FULL_LINK = "?w=0.50,0.05,0.35,0.10&b=0.60,0.00,0.25,0.15&t=4.5,6&n=30&closed=1&q=an"


def test_a_full_share_link_restores_every_control(page, app_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_scoring(page, app_server.url, FULL_LINK)
    page.get_by_text("BANT weights and quadrant thresholds").click()
    settle(page)
    for label, value in (
        ("Segmentation", "0.5"),
        ("Level of relationship", "0.35"),
        ("Budget", "0.6"),
        ("Authority", "0"),
        ("Need", "0.25"),
        ("Timing", "0.15"),
        ("Value threshold (V at or above is high)", "4.5"),
        ("Potential threshold (P at or above is high)", "6"),
    ):
        expect(slider(page, label)).to_have_value(value)
    expect(page.get_by_role("switch", name="Include closed (won and lost) opportunities")).to_be_checked()
    expect(page.get_by_role("textbox", name="Search", exact=True)).to_have_value("an")
    expect(page.get_by_role("radiogroup", name="Top N").get_by_role("radio", name="30")).to_be_checked()
    expect(page.get_by_text("Top 30 of", exact=False)).to_be_visible()
    assert "n=30" in page.url and "b=0.60,0.00,0.25,0.15" in unquote(page.url)
    assert page.locator("[data-testid='stAlert']").filter(has_text="could not be used").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "scoring_full_share_link")


HOSTILE_PRESET = "[x](javascript:alert(1)) ![i](http://127.0.0.1:9/a.png)"


def test_a_manager_publishes_a_preset_named_like_markup_and_reads_what_the_baseline_now_is(  # type: ignore[no-untyped-def]
    page, app_server
) -> None:
    from playwright.sync_api import expect

    open_scoring(page, app_server.url, "?w=0.20,0.10,0.50,0.20")
    page.get_by_label("Preset name").fill(HOSTILE_PRESET)
    page.get_by_role("button", name="Save preset").click()
    settle(page)  # the saved preset is the one chosen in the list
    page.get_by_role("button", name="Publish for the team").click()
    settle(page)

    expect(page.get_by_text("They are the baseline from now on", exact=False)).to_be_visible()
    shown = page.evaluate("() => document.body.innerText.replaceAll('\\u2060', '')")  # the word joiners
    assert f"Published {HOSTILE_PRESET}. The team's active weights are now SCALE: Segmentation 0.20" in shown
    assert f"Rank shift against {HOSTILE_PRESET}" in shown
    assert f"The team's active weights: {HOSTILE_PRESET}, published by" in shown
    injected = page.evaluate(
        """() => ({
            images: document.querySelectorAll("img[src*='127.0.0.1:9']").length,
            links: document.querySelectorAll("a[href^='javascript:' i], a[href*='127.0.0.1:9']").length,
        })"""
    )
    assert injected == {"images": 0, "links": 0}
    assert page.dialogs == []
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "scoring_published")
