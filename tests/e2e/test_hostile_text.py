"""Hostile names show as plain text on every page, in a real Chromium (docs/architecture.md §7).

Customers, contacts, an industry, a hold reason and a published preset are named like an
attack: an `<img onerror>`, a `<script>` and a Markdown `javascript:` link. One more is typed
into the capture form. On every page no such element appears in the DOM, no dialog opens,
and where the name is shown as text it reads literally.

Two won deals carry industries that Plotly would read as markup — a link that navigates the
whole tab and a 120 px span — and become tick labels on Integration's "by segment" chart:
clicking them goes nowhere, and no such element is drawn. Tables offer no toolbar download
(it would bypass the neutralised exports).
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm_core.config import DatabaseTarget
from crm_core.opportunities import FACTORS
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.orders import LineInput
from crm_core.scoring import Weights
from crm_core.services import (
    capture_opportunity,
    create_order,
    enrich_opportunity,
    get_actor,
    hold_order,
    mark_won,
    order_detail,
    publish_preset,
    qualify_opportunity,
    save_preset,
    schedule_meeting,
)
from crm_core.services.orders import NewOrder
from crm_core.store import init_db, make_store
from tests.e2e.conftest import RunningApp, screenshot, settle, start_app

pytestmark = pytest.mark.e2e

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"
MD_JS_LINK = "[click me](javascript:alert(1))"
PLOTLY_LINK = '<a href="https://evil.example" target="_top">Healthcare</a>'
PLOTLY_SPAN = '<span style="font-size:120px">Retail</span>'
PAGES = [
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
INJECTED = """() => ({
    img: document.querySelectorAll("img[src='x'], img[onerror]").length,
    script: [...document.querySelectorAll("script")].filter(s => s.textContent.includes("alert(1)")).length,
    link: document.querySelectorAll("a[href^='javascript:' i]").length,
    evil: [...document.querySelectorAll("a")].filter(
        a => (a.getAttribute("href") || a.getAttribute("xlink:href") || "").includes("evil.example")).length,
    big: [...document.querySelectorAll("[style*='120px']")].length,
})"""
NOTHING = {"img": 0, "script": 0, "link": 0, "evil": 0, "big": 0}


def seed_hostile_records(database: Path) -> str:
    """Hostile names through the services (they are valid names); returns the hostile order's number."""
    from sqlalchemy.engine import make_url

    store = make_store(DatabaseTarget(make_url(f"sqlite:///{database}"), "test"))
    init_db(store)
    manager = get_actor(store, 1)
    ids = [
        capture_opportunity(
            store,
            manager,
            NewOpportunity(company, contact, f"buyer{n}@hostile{n}.example", 3, new_customer=True),
        )
        for n, (company, contact) in enumerate(
            [(XSS_IMG, XSS_SCRIPT), (MD_JS_LINK, XSS_IMG), (XSS_SCRIPT, MD_JS_LINK)]
        )
    ]
    enrich_opportunity(
        store, manager, ids[0], 1, Enrichment(XSS_IMG, 40, XSS_SCRIPT, 5000, MD_JS_LINK, "This quarter")
    )
    qualify_opportunity(
        store,
        manager,
        ids[0],
        2,
        dict.fromkeys(
            FACTORS,
            10,
        ),
    )
    from crm_core.services import opportunity_detail

    customer_id = opportunity_detail(store, ids[0]).customer_id
    order_id = create_order(
        store,
        manager,
        NewOrder(customer_id, [LineInput("SW-1001", 1)], "credit_card", "standard", notes=MD_JS_LINK),
    )
    hold_order(store, manager, order_id, XSS_SCRIPT)
    for n, industry in enumerate([PLOTLY_LINK, PLOTLY_SPAN]):  # won deals: their segments are charted
        deal = capture_opportunity(
            store,
            manager,
            NewOpportunity(f"Segment {n}", "Ann Lee", f"a{n}@segment{n}.example", 3, new_customer=True),
        )
        version = enrich_opportunity(
            store, manager, deal, 1, Enrichment(industry, 40, "Routers", 5000, "Ann Lee", "This quarter")
        )
        version = qualify_opportunity(store, manager, deal, version, dict.fromkeys(FACTORS, 8))
        soon = datetime.now(UTC) + timedelta(days=2)
        version = schedule_meeting(store, manager, deal, version, MeetingRequest("demo", soon))
        mark_won(store, manager, deal, version)
    preset = save_preset(store, manager, MD_JS_LINK, Weights(0.3, 0.2, 0.3, 0.2))
    publish_preset(store, manager, preset.id)
    number = order_detail(store, order_id).number
    store.dispose()
    return number


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    number = seed_hostile_records(folder / "e2e.sqlite")  # start_app serves this very file
    app = start_app(folder)
    try:
        yield app, number
    finally:
        app.process.terminate()
        try:
            app.process.wait(10)
        except subprocess.TimeoutExpired:
            app.process.kill()


@pytest.fixture
def tab(browser, hostile_app) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(hostile_app[0].url)
    settle(tab)
    yield tab
    context.close()


def assert_nothing_injected(tab, where: str) -> None:
    tab.wait_for_timeout(300)  # an injected onerror would fire as soon as the image fails to load
    assert tab.evaluate(INJECTED) == NOTHING, where
    assert tab.dialogs == [], where
    assert tab.locator("[data-testid='stException']").count() == 0, where


def test_hostile_names_never_become_markup_on_any_page(tab, hostile_app) -> None:
    from playwright.sync_api import expect

    app, number = hostile_app
    nav = tab.locator("[data-testid='stSidebarNav']")
    for title in PAGES:
        nav.get_by_role("link", name=title, exact=True).click()
        settle(tab)
        expect(tab.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        assert_nothing_injected(tab, title)
        if title == "Scoring":  # the published preset's name is shown as text
            expect(tab.get_by_text(f"The team's active weights: {MD_JS_LINK}").first).to_be_visible()

    tab.goto(f"{app.url}/orders?order={number}")  # the order detail of the hostile customer
    settle(tab)
    expect(tab.get_by_role("heading", name=f"{number} · {XSS_IMG}")).to_be_visible()
    expect(tab.get_by_text(MD_JS_LINK).first).to_be_visible()  # the order's notes
    expect(tab.get_by_text(XSS_SCRIPT).first).to_be_visible()  # the hold reason
    assert_nothing_injected(tab, "order detail")
    screenshot(tab, "hostile_order_detail")

    with sqlite3.connect(app.database) as db:
        [(customer_id,)] = db.execute("SELECT customer_id FROM orders WHERE number = ?", (number,)).fetchall()
    tab.goto(f"{app.url}/customers?customer={customer_id}")  # the hostile customer's card
    settle(tab)
    expect(tab.get_by_role("heading", name=XSS_IMG, exact=True)).to_be_visible()
    assert_nothing_injected(tab, "customer card")
    screenshot(tab, "hostile_customer_card")


def test_a_hostile_name_typed_into_the_capture_form_shows_literally_on_the_detail(tab) -> None:
    from playwright.sync_api import expect

    tab.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Opportunities", exact=True).click()
    settle(tab)
    tab.get_by_role("tab", name="Capture new").click()
    settle(tab)
    company = f"{XSS_IMG} {MD_JS_LINK}"
    tab.get_by_label("Company *", exact=True).fill(company)
    tab.get_by_label("Contact name *", exact=True).fill(XSS_SCRIPT)
    tab.get_by_label("Email *", exact=True).fill("typed@hostile-form.example")
    tab.get_by_label("Product interest *", exact=True).click()
    tab.locator("[role='option']").first.click()
    tab.get_by_role("button", name="Capture opportunity").click()
    settle(tab)

    expect(tab.get_by_role("heading").filter(has_text=company).first).to_be_visible()
    expect(tab.get_by_text(XSS_SCRIPT).first).to_be_visible()
    assert_nothing_injected(tab, "opportunity detail")
    screenshot(tab, "hostile_opportunity_detail")


def test_industries_that_plotly_would_read_as_markup_are_drawn_as_text_and_go_nowhere(
    tab, hostile_app
) -> None:
    from playwright.sync_api import expect

    app = hostile_app[0]
    tab.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Integration", exact=True).click()
    settle(tab)
    tab.get_by_role("radio", name="Segment").or_(
        tab.get_by_role("button", name="Segment", exact=True)
    ).first.click()
    settle(tab)
    ticks = tab.locator(".js-plotly-plot .ytick text")
    expect(ticks.filter(has_text=PLOTLY_LINK)).to_have_count(1)  # the whole markup, read literally
    expect(ticks.filter(has_text=PLOTLY_SPAN)).to_have_count(1)
    assert_nothing_injected(tab, "Integration by segment")
    ticks.filter(has_text=PLOTLY_LINK).click(force=True)
    tab.wait_for_timeout(1000)  # a followed link would have navigated by now
    assert tab.url.startswith(app.url) and "evil" not in tab.url
    expect(tab.get_by_role("heading", name="Integration", exact=True).first).to_be_visible()
    assert len(tab.context.pages) == 1  # nothing opened elsewhere either
    screenshot(tab, "hostile_integration_segments")


def test_tables_offer_no_toolbar_download(tab) -> None:
    from playwright.sync_api import expect

    tab.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Order status", exact=True).click()
    settle(tab)
    table = tab.locator("[data-testid='stDataFrame']:visible").first
    table.hover()
    expect(tab.get_by_role("button", name="Search").first).to_be_visible()  # the toolbar is there…
    expect(tab.get_by_role("button", name="Download as CSV")).to_have_count(0)  # …without the download
