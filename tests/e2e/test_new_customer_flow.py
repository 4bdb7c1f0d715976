"""A rep takes a lead for a brand-new company to an order; a manager resolves the credit finding on
the order page and takes the order to delivered. Pages change only through the app's own links and
buttons (never the sidebar's page links), and every event names the user who acted."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import RunningApp, screenshot, settle

pytestmark = pytest.mark.e2e

COMPANY = "Fresh Start Fabrication LLC"
REP, MANAGER = "Daniel Okafor", "Maria Lindqvist"


def choose(page, label: str, option: str | None = None) -> None:
    page.get_by_label(label, exact=True).click()
    options = page.get_by_role("option")
    (options.filter(has_text=option).first if option else options.first).click()


def type_number(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page)


def act_as(page, who: str) -> None:
    page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Acting as").click()
    page.get_by_role("option", name=who).click()
    settle(page)


def picker(page):
    """The sidebar's "Acting as" box; its value is who is picked."""
    return page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Acting as")


def events(database) -> list[tuple[str, str, str]]:
    """(entity, action, who) of every event about the new customer, its opportunity and its order."""
    with sqlite3.connect(database) as db:
        return db.execute(
            """
            SELECT e.entity_type, e.action, COALESCE(u.name, '(nobody)')
            FROM events e LEFT JOIN users u ON u.id = e.actor_id
            WHERE (e.entity_type = 'customer' AND e.entity_id IN (SELECT id FROM customers WHERE name = ?))
               OR (e.entity_type = 'opportunity' AND e.entity_id IN (SELECT p.id FROM opportunities p
                    JOIN customers c ON c.id = p.customer_id WHERE c.name = ?))
               OR (e.entity_type = 'order' AND e.entity_id IN (SELECT o.id FROM orders o
                    JOIN customers c ON c.id = o.customer_id WHERE c.name = ?))
            ORDER BY e.id
            """,
            (COMPANY, COMPANY, COMPANY),
        ).fetchall()


def test_a_rep_wins_a_new_customer_and_a_manager_clears_its_credit_and_delivers(
    page, app_server: RunningApp
) -> None:
    from playwright.sync_api import expect

    act_as(page, f"{REP} · rep")
    page.get_by_role("main").get_by_role("link", name=re.compile("^Opportunities")).click()  # Overview's link
    settle(page)
    expect(page.get_by_role("heading", name="Opportunities", exact=True)).to_be_visible()
    expect(picker(page)).to_have_value(f"{REP} · rep")

    page.get_by_role("tab", name="Capture new").click()
    settle(page)
    page.get_by_label("Company *", exact=True).fill(COMPANY)
    page.get_by_label("Contact name *", exact=True).fill("Ada Lovelace")
    page.get_by_label("Email *", exact=True).fill("ada@fresh-start-fabrication.example")
    page.get_by_label("Phone", exact=True).fill("+1 415 555 0199")
    choose(page, "Product interest *", "AP-6 Pro")
    type_number(page, "Quantity *", "150")  # 150 × $390.00 = $58,500.00, over the default $50,000.00
    press(page, "Capture opportunity")
    expect(page.get_by_role("heading", name=re.compile(f"^{COMPANY} — "))).to_be_visible()

    choose(page, "Industry *", "Manufacturing")
    type_number(page, "Company size (employees) *", "60")
    page.get_by_label("Need *", exact=True).fill("Wi-Fi for a new plant")
    type_number(page, "Budget ($) *", "60000")
    page.get_by_label("Decision maker *", exact=True).fill("Grace Hopper (COO)")
    choose(page, "Timing *", "This quarter")
    press(page, "Save enrichment")
    press(page, "Save scores")
    page.get_by_text("Demo", exact=True).click()
    press(page, "Book meeting")
    press(page, "Mark won")
    press(page, "Create order")

    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(rf"^SO-\d{{6}} · {COMPANY}$"))).to_be_visible()
    expect(picker(page)).to_have_value(f"{REP} · rep")  # still the rep after the page changed
    expect(
        page.get_by_text(re.compile(r"Credit limit exceeded.*over the credit limit of \$50,000\.00"))
    ).to_be_visible()
    expect(page.get_by_text("Only a manager can resolve a credit finding")).to_be_visible()
    expect(page.get_by_role("button", name="Raise credit limit")).to_have_count(0)
    screenshot(page, "new_customer_1_credit_finding_rep")

    act_as(page, f"{MANAGER} · manager")
    press(page, "Raise credit limit")
    expect(
        page.get_by_text(f"Credit limit of {COMPANY} raised from $50,000.00 to $59,000.00")
    ).to_be_visible()
    expect(page.get_by_text("Credit limit exceeded")).to_have_count(0)
    screenshot(page, "new_customer_2_credit_raised")

    for step in ("Audit", "Allocate", "Invoice", "Record payment"):
        press(page, step)
        expect(page.get_by_text(f"{step} done")).to_be_visible()
    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    press(page, "Ship")
    expect(page.get_by_text("Ship done")).to_be_visible()
    press(page, "Mark delivered")
    expect(page.get_by_text("Mark delivered done")).to_be_visible()
    expect(picker(page)).to_have_value(f"{MANAGER} · manager")
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "new_customer_3_delivered")

    by_the_rep = [
        ("customer", "create", REP),
        ("opportunity", "capture", REP),
        ("customer", "update", REP),  # enrichment sets the customer's industry and size
        ("opportunity", "enrich", REP),
        ("opportunity", "qualify", REP),
        ("opportunity", "schedule", REP),
        ("opportunity", "win", REP),
        ("order", "create", REP),
        ("opportunity", "convert", REP),
    ]
    by_the_manager = [("customer", "credit_limit", MANAGER)] + [
        ("order", action, MANAGER)
        for action in ("audit", "allocate", "invoice", "record_payment", "ship", "deliver")
    ]
    assert events(app_server.database) == by_the_rep + by_the_manager
