"""Every page in Chromium on a database moved in from other systems (2011–2019, gaps, deals imported
closed, orders without opportunities): no exception and no chart drawn without data. Screenshots of
every page land in test-results/e2e/moved_in_*.png (a tall window, so the whole page is in them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningApp, screenshot, settle, start_app, stop_app
from tests.e2e.test_navigation import PAGE_TITLES
from tests.other_systems import MOVED_IN_TODAY

pytestmark = pytest.mark.e2e

# Per Plotly chart on the page: its data-test key and how many points its traces carry.
CHART_POINTS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
  key: (el.closest('[class*="st-key-"]') || {className: ''}).className.match(/st-key-(\\S+)/)?.[1] || '?',
  points: (el.data || []).reduce((n, t) => n + ((t.x || t.values || t.link?.value || t.y || []).length), 0),
}))
"""


@pytest.fixture(scope="module")
def moved_in_server(
    moved_in_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
    directory = tmp_path_factory.mktemp("e2e_moved_in")
    shutil.copy(moved_in_template, directory / "e2e.sqlite")
    app = start_app(directory, {"CRM_TODAY": MOVED_IN_TODAY.isoformat()})
    try:
        yield app
    finally:
        stop_app(app)


def test_every_page_on_moved_in_data_opens_without_an_exception_or_an_empty_chart(
    browser: object, moved_in_server: RunningApp
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 5200})  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto(moved_in_server.url)
        settle(tab)
        nav = tab.locator("[data-testid='stSidebarNav']")
        for index, title in enumerate(PAGE_TITLES):
            nav.get_by_role("link", name=title, exact=True).click()
            settle(tab)
            expect(tab.get_by_role("heading", name=title, exact=True).first).to_be_visible()
            tab.wait_for_timeout(600)  # let Plotly draw
            screenshot(tab, f"moved_in_{index:02d}_{title.lower().replace(' ', '_')}")
            assert tab.locator("[data-testid='stException']").count() == 0, f"exception on {title}"
            empty = [c["key"] for c in tab.evaluate(CHART_POINTS) if c["points"] == 0]
            assert not empty, f"{title}: charts drawn without data: {empty}"
        # All time on Integration spans 2011–2019: a tick a year, not a hundred month labels.
        nav.get_by_role("link", name="Integration", exact=True).click()
        settle(tab)
        tab.get_by_test_id("stButtonGroup").get_by_text("All time", exact=True).click()
        settle(tab)
        tab.wait_for_timeout(600)
        screenshot(tab, "moved_in_08_integration_all_time")
        ticks = tab.locator(".st-key-integration_monthly_chart .xtick text").all_text_contents()
        assert ticks and len(ticks) <= 12, ticks
        assert all(t.strip().isdigit() and len(t.strip()) == 4 for t in ticks), ticks
    finally:
        context.close()
