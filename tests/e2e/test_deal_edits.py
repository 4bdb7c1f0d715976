"""A manager reassigns deals picked in the list and edits one, in a real browser."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import RunningApp, screenshot, settle

pytestmark = pytest.mark.e2e

HEADER, ROW = 35, 35  # the list's header and row heights in pixels


def tick_row(page, row: int) -> None:
    """Click the selection box at the start of a row of the list (the grid is a canvas)."""
    grid = page.get_by_test_id("stDataFrame").first
    page.wait_for_timeout(500)  # let the canvas settle after the last rerun
    grid.click(position={"x": 20, "y": HEADER + row * ROW + ROW / 2})
    settle(page)


def test_a_manager_reassigns_two_captured_deals_and_corrects_a_third(page, app_server: RunningApp) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Opportunities", exact=True).click()
    settle(page)
    page.get_by_label("Stage", exact=True).click()
    page.get_by_role("option", name="Captured", exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    page.get_by_text("Select several to reassign").click()
    settle(page)
    tick_row(page, 0)
    tick_row(page, 1)
    expect(page.get_by_text("2 selected")).to_be_visible()
    page.get_by_label("New owner", exact=True).click()
    page.get_by_role("option", name="Priya Raman · rep").click()
    settle(page)
    screenshot(page, "deals_1_list_with_selection")

    page.get_by_role("button", name="Reassign", exact=True).click()
    settle(page)
    expect(page.get_by_text("Reassigned 2 opportunities to Priya Raman.")).to_be_visible()
    with sqlite3.connect(app_server.database) as db:
        notes = [n for (n,) in db.execute("SELECT note FROM events WHERE action = 'reassign'")]
    assert len(notes) == 2 and all(n.startswith("owner ") and n.endswith(" → Priya Raman") for n in notes)

    page.get_by_text("Select several to reassign").click()
    settle(page)
    tick_row(page, 0)  # outside the selection mode, picking a row opens it
    expect(page.get_by_role("heading", name=re.compile(" — "))).to_be_visible()
    page.get_by_text("Edit deal", exact=True).click()
    quantity = page.get_by_label("Quantity *", exact=True)
    quantity.fill("0")
    quantity.press("Tab")
    page.get_by_label("Email *", exact=True).fill("ada@")
    page.get_by_label("Expected amount ($)", exact=True).fill("12abc")
    page.get_by_role("button", name="Save changes").click()
    settle(page)
    expect(page.get_by_text("Quantity must be at least 1")).to_be_visible()
    expect(page.get_by_text("Email: 'ada@' is not a valid email address")).to_be_visible()
    expect(
        page.get_by_text("Expected amount: '12abc' is not an amount: use digits, like 3000 or $3,000.00")
    ).to_be_visible()
    screenshot(page, "deals_2_edit_form_with_messages")

    quantity.fill("4")
    quantity.press("Tab")
    page.get_by_label("Email *", exact=True).fill("buyer@example.com")
    page.get_by_label("Expected amount ($)", exact=True).fill("")
    page.get_by_role("button", name="Save changes").click()
    settle(page)
    expect(page.get_by_text("Changes saved — the history below lists each one.")).to_be_visible()
    screenshot(page, "deals_3_saved_with_history")
    with sqlite3.connect(app_server.database) as db:
        [(actor, note)] = db.execute(
            "SELECT u.name, e.note FROM events e JOIN users u ON u.id = e.actor_id WHERE e.action = 'edit'"
        )
    assert actor == "James Whitfield"  # the demo picker's first user: a manager
    amount = r"\$[\d,]+\.\d\d"
    assert re.fullmatch(
        rf"expected amount {amount} → {amount}; quantity \d+ → 4; email '[^']+' → 'buyer@example.com'", note
    )
    assert page.locator("[data-testid='stException']").count() == 0
