"""A sales manager takes a new lead all the way to an order, in a real browser."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import RunningApp, screenshot, settle

pytestmark = pytest.mark.e2e

COMPANY = "Brightline Robotics Ltd"


def choose(page, label: str, option: str | None = None) -> None:
    """Open a selectbox by its label and pick an option (the first one when none is named)."""
    page.get_by_label(label, exact=True).click()
    options = page.get_by_role("option")
    (options.filter(has_text=option).first if option else options.first).click()


def type_number(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def press(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    settle(page)


def test_capture_enrich_score_schedule_win_and_find_the_order(page, app_server: RunningApp) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Opportunities", exact=True).click()
    settle(page)
    page.get_by_role("tab", name="Capture new").click()
    settle(page)
    page.get_by_label("Company *", exact=True).fill(COMPANY)
    page.get_by_label("Contact name *", exact=True).fill("Ada Lovelace")
    page.get_by_label("Email *", exact=True).fill("ada@brightline-robotics.example")
    page.get_by_label("Phone", exact=True).fill("+1 415 555 0199")
    choose(page, "Product interest *")
    type_number(page, "Quantity *", "3")
    press(page, "Capture opportunity")
    expect(page.get_by_role("heading", name=re.compile(f"^{COMPANY} — "))).to_be_visible()
    screenshot(page, "opportunity_1_captured")

    choose(page, "Industry *", "Retail")
    type_number(page, "Company size (employees) *", "85")
    page.get_by_label("Need *", exact=True).fill("Scanners for three warehouses")
    type_number(page, "Budget ($) *", "12000")
    page.get_by_label("Decision maker *", exact=True).fill("Grace Hopper (COO)")
    choose(page, "Timing *", "Next quarter")
    press(page, "Save enrichment")
    expect(page.get_by_text("To move on to Qualified")).to_be_visible()
    screenshot(page, "opportunity_2_enriched")

    press(page, "Save scores")
    expect(page.get_by_role("button", name="Book meeting")).to_be_visible()
    screenshot(page, "opportunity_3_qualified")

    page.get_by_text("Demo", exact=True).click()
    press(page, "Book meeting")
    expect(page.get_by_role("button", name="Mark won")).to_be_visible()
    screenshot(page, "opportunity_4_scheduled")

    press(page, "Mark won")
    expect(page.get_by_role("button", name="Create order")).to_be_visible()
    screenshot(page, "opportunity_5_won")
    assert page.locator("[data-testid='stException']").count() == 0

    press(page, "Create order")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    with sqlite3.connect(app_server.database) as db:
        [(number,)] = db.execute(
            "SELECT o.number FROM orders o JOIN opportunities p ON p.id = o.opportunity_id "
            "JOIN customers c ON c.id = o.customer_id WHERE c.name = ?",
            (COMPANY,),
        ).fetchall()
    # The Orders page opens the new order itself: its number and customer head the detail.
    expect(page.get_by_role("heading", name=re.compile(rf"^{number} · "))).to_be_visible()
    expect(page.get_by_role("button", name="Audit")).to_be_visible()
    screenshot(page, "opportunity_6_order")
    assert page.locator("[data-testid='stException']").count() == 0
    assert not page.dialogs
