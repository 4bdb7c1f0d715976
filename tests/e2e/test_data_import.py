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
    page.get_by_text("Create the customers and products the file names").click()
    settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    expect(page.get_by_text("10 rows read, 5 imported, 5 rejected.")).to_be_visible()
    expect(page.get_by_text("Problems by reason")).to_be_visible()
    expect(page.get_by_role("button", name="Download the report (CSV)")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "data_import_report")


def test_a_tiny_parquet_file_claiming_millions_of_rows_is_refused_before_it_is_read(
    page, tmp_path: Path
) -> None:
    import polars as pl
    from playwright.sync_api import expect

    file = tmp_path / "claims.parquet"
    pl.DataFrame({"name": pl.repeat("x", 20_000_000, eager=True)}).write_parquet(file)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("combobox", name="Acting as").click()
    page.get_by_role("option", name="Elena Petrova · admin").click()
    settle(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Data", exact=True).click()
    settle(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(file))
    settle(page)
    expect(
        page.get_by_text("claims.parquet has 20,000,000 rows by its metadata; the limit is 2,000,000.")
    ).to_be_visible()
    choose(page, "What the file holds", "Products")  # a rerun: the refusal stays, the file is not read again
    expect(page.get_by_text("claims.parquet has 20,000,000 rows by its metadata")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_text("claims.parquet has 20,000,000 rows").scroll_into_view_if_needed()
    screenshot(page, "data_import_refused_file")
