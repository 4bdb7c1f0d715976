"""An admin uploads a shop's order export in the browser, imports it leniently and reads the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot, settle
from tests.import_files import RETAIL_ORDER_LINES

pytestmark = pytest.mark.e2e


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_an_admin_uploads_order_lines_and_reads_the_import_report(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    file = tmp_path / "online_retail.csv"
    file.write_text(RETAIL_ORDER_LINES)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("combobox", name="Acting as").click()
    page.get_by_role("option", name="Elena Petrova · admin").click()
    settle(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Data", exact=True).click()
    settle(page)
    choose(page, "What the file holds", "Orders")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(file))
    settle(page)
    expect(page.get_by_text("online_retail.csv — 10 rows")).to_be_visible()
    page.get_by_text("Lenient: import the valid rows").click()
    settle(page)
    page.get_by_text("Create customers and products").click()
    settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    expect(page.get_by_text("10 rows read, 5 imported, 5 rejected.")).to_be_visible()
    expect(page.get_by_text("Problems by reason")).to_be_visible()
    expect(page.get_by_role("button", name="Download the report (CSV)")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "data_import_report")
