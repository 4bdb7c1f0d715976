"""A rep picked in the sidebar stays the acting user through every navigation the app has.

The rep follows each navigation on the list in tests/navigations.py (kept complete by
tests/app/test_navigation_sources.py); after each, the sidebar still shows the rep and the next
event written on the way names the rep — never the first user, a manager."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import RunningApp, screenshot, settle
from tests.navigations import COVERED, FIRST_RUN_LINK

pytestmark = pytest.mark.e2e

REP = "Aisha Khan · rep"
COMPANY = "Kestrel Harbour Supplies Ltd"
OVERVIEW_LINKS = (
    "Pipeline — funnel and forecast",
    "Opportunities — work the list",
    "Order status — what is stuck",
    "Integration — sales to orders",
    "Orders — the order desk",
)


class Walk:
    """The rep's browser tab, the app's database, and the navigations followed so far."""

    def __init__(self, page, app: RunningApp) -> None:
        self.page, self.app = page, app
        self.followed: list[str] = []
        self.events_seen = self.event_count()

    def event_count(self) -> int:
        with sqlite3.connect(self.app.database) as db:
            return int(db.execute("SELECT count(*) FROM events").fetchone()[0])

    def new_events(self) -> list[tuple[str, str, str]]:
        """(entity, action, user's name) of each event written since the last call, oldest first."""
        with sqlite3.connect(self.app.database) as db:
            rows = db.execute(
                "SELECT e.entity_type, e.action, coalesce(u.name, '(nobody)') FROM events e "
                "LEFT JOIN users u ON u.id = e.actor_id ORDER BY e.id LIMIT -1 OFFSET ?",
                (self.events_seen,),
            ).fetchall()
        self.events_seen += len(rows)
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def followed_to(self, navigation: str, heading: str) -> None:
        """After `navigation`: the page is `heading` and the sidebar still shows the rep."""
        from playwright.sync_api import expect

        assert navigation in COVERED, navigation
        settle(self.page)
        expect(self.page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        picker = self.page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Acting as")
        expect(picker).to_have_value(REP)
        assert self.page.locator("[data-testid='stException']").count() == 0
        self.followed.append(navigation)

    def wrote(self, entity: str, action: str) -> None:
        """The events written since the last check are this one, by the rep."""
        assert self.new_events() == [(entity, action, "Aisha Khan")]

    def sidebar(self, title: str) -> None:
        nav = self.page.locator("[data-testid='stSidebarNav']")
        nav.get_by_role("link", name=title, exact=True).click()
        self.followed_to("app.py:<module>:navigation", title)

    def press(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        settle(self.page)

    def choose(self, label: str, option: str | None = None) -> None:
        self.page.get_by_label(label, exact=True).click()
        options = self.page.get_by_role("option")
        (options.filter(has_text=option).first if option else options.first).click()

    def number(self, label: str, value: str) -> None:
        field = self.page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Tab")

    def hold(self, reason: str) -> None:
        from playwright.sync_api import expect

        self.page.get_by_role("button", name="Put on hold").click()
        self.page.get_by_label("Why is it on hold?").fill(reason)
        self.page.get_by_label("Why is it on hold?").press("Tab")
        self.press("Confirm hold")
        expect(self.page.get_by_text("Put on hold done")).to_be_visible()
        self.wrote("order", "hold")

    def resume(self) -> None:
        from playwright.sync_api import expect

        self.press("Resume")
        expect(self.page.get_by_text("Resume done")).to_be_visible()
        self.wrote("order", "resume")


def test_a_rep_stays_the_acting_user_through_every_navigation(page, app_server: RunningApp) -> None:
    from playwright.sync_api import expect

    walk = Walk(page, app_server)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("combobox", name="Acting as").click()
    page.get_by_role("option", name=REP, exact=True).click()
    settle(page)

    # Opportunities: capture a lead and take it to won, then "Create order" switches to Orders.
    walk.sidebar("Opportunities")
    page.get_by_role("tab", name="Capture new").click()
    settle(page)
    page.get_by_label("Company *", exact=True).fill(COMPANY)
    page.get_by_label("Contact name *", exact=True).fill("Rosalind Franklin")
    page.get_by_label("Email *", exact=True).fill("rosalind@kestrel-harbour.example")
    walk.choose("Product interest *")
    walk.number("Quantity *", "2")
    walk.press("Capture opportunity")
    expect(page.get_by_role("heading", name=re.compile(f"^{COMPANY} — "))).to_be_visible()
    walk.choose("Industry *", "Retail")
    walk.number("Company size (employees) *", "40")
    page.get_by_label("Need *", exact=True).fill("Handheld scanners")
    walk.number("Budget ($) *", "9000")
    page.get_by_label("Decision maker *", exact=True).fill("Dorothy Hodgkin (CEO)")
    walk.choose("Timing *", "Next quarter")
    walk.press("Save enrichment")
    walk.press("Save scores")
    page.get_by_text("Demo", exact=True).click()
    walk.press("Book meeting")
    walk.press("Mark won")
    assert {name for _, _, name in walk.new_events()} == {"Aisha Khan"}  # capture … won, all hers
    walk.press("Create order")
    walk.followed_to("ui/opportunities/actions.py:run_pending_step:switch_page(pages/orders.py)", "Orders")
    assert {(entity, name) for entity, _, name in walk.new_events()} == {
        ("opportunity", "Aisha Khan"),
        ("order", "Aisha Khan"),
    }
    expect(page.get_by_role("heading", name=re.compile(f" · {COMPANY}$"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]order=SO-\d+"))  # the order's number in the address bar
    walk.followed_to("ui/orders/desk.py:link_to:query_params", "Orders")
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)  # a rep may not cancel
    walk.hold("Waiting for the purchase order")

    # Opportunities: the won deal's "Open on the Orders page".
    walk.sidebar("Opportunities")
    page.get_by_role("tab", name="Selected opportunity").click()
    settle(page)
    walk.press("Open on the Orders page")
    walk.followed_to("ui/opportunities/detail.py:_orders:switch_page(pages/orders.py)", "Orders")
    expect(page.get_by_role("heading", name=re.compile(f" · {COMPANY}$"))).to_be_visible()
    walk.resume()

    # Order status: a row of the exceptions table (only the orders on hold shown).
    walk.sidebar("Order status")
    kinds = page.get_by_test_id("stButtonGroup")
    for kind in ("Late", "Unpaid > 14 days", "Paid, not shipped > 7 days"):
        kinds.get_by_text(kind, exact=True).click()
        settle(page)
    table = page.get_by_test_id("stDataFrame").filter(visible=True).first
    table.scroll_into_view_if_needed()
    table.click(position={"x": 15, "y": 35 + 17})  # the first row's selection box
    walk.followed_to("ui/orders/status.py:attention_section:switch_page(pages/orders.py)", "Orders")
    expect(page.get_by_text("Resuming returns the order to")).to_be_visible()
    walk.resume()

    # Overview: the link under each headline figure; on Orders the order opened last is still open.
    for link in OVERVIEW_LINKS:
        walk.sidebar("Overview")
        page.get_by_role("link", name=link, exact=True).first.click()
        walk.followed_to("ui/reports/overview.py:tile:page_link", link.split(" — ")[0])
        assert walk.new_events() == []
    walk.hold("Customer asked to wait a week")

    # Scoring: the sliders' weights go into the address bar; a preset saved there is hers.
    walk.sidebar("Scoring")
    expect(page).to_have_url(re.compile(r"/scoring\?w="))
    walk.followed_to("ui/scoring/state.py:sync_link:query_params", "Scoring")
    page.get_by_label("Preset name", exact=True).fill("Aisha's harbour focus")
    walk.press("Save preset")
    expect(page.get_by_text("Preset saved")).to_be_visible()
    walk.wrote("preset", "save")

    # Customers: an open card's id goes into the address bar; an edit made there is hers.
    walk.sidebar("Customers")
    search = page.get_by_role("textbox", name="Search", exact=True)
    search.fill(COMPANY)
    search.press("Enter")
    settle(page)
    expect(page.get_by_text(re.compile(r"^1 of [\d,]+ customers"))).to_be_visible()
    heading = page.get_by_role("heading", name=COMPANY, exact=True)
    for _ in range(3):  # the grid is a canvas: a click before it has drawn the row selects nothing
        page.get_by_test_id("stDataFrame").first.click(position={"x": 15, "y": 35 + 17})  # the only row
        settle(page)
        if heading.count():
            break
        page.wait_for_timeout(1_000)
    expect(heading).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]customer=\d+"))
    walk.followed_to("ui/customers/desk.py:link_to:query_params", "Customers")
    page.get_by_text("Edit customer", exact=True).click()
    settle(page)
    tax_id = page.get_by_label("Tax id", exact=True)
    for _ in range(3):  # under load a submit can leave before the typed value reached the form
        tax_id.fill("47-1234567")
        tax_id.press("Tab")
        expect(tax_id).to_have_value("47-1234567")
        walk.press("Save changes")
        for _ in range(20):  # the "Saved." notice can be gone after the rerun: wait for the event itself
            if walk.event_count() > walk.events_seen:
                break
            page.wait_for_timeout(1_000)
        if walk.event_count() > walk.events_seen:
            break
    walk.wrote("customer", "update")
    screenshot(page, "acting_user_after_every_navigation")

    assert set(walk.followed) == set(COVERED) - {FIRST_RUN_LINK}  # that one: tests/e2e/test_first_run.py
