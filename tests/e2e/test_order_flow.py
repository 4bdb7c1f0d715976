"""A sales manager enters a two-line order in the browser and takes it all the way to delivered.

The lines are typed into the real `st.data_editor` grid (a canvas): cells are double-clicked at
their position, computed from the editor's fixed column widths, as Streamlit's own e2e helpers do.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import screenshot, settle
from ui.orders.entry import EDITOR_WIDTHS

pytestmark = pytest.mark.e2e

ROW_HEIGHT, ROW_MARKER = 35, 30  # px, from Streamlit's data grid
CUSTOMER = "Northcrest Foods Group"  # a large credit limit in the sample


def cell_position(row: int, column: str) -> dict[str, float]:
    """Middle of a cell of the lines editor; row 1 is the first data row (0 is the header)."""
    left = ROW_MARKER
    for name, width in EDITOR_WIDTHS.items():
        if name == column:
            return {"x": left + width / 2, "y": row * ROW_HEIGHT + ROW_HEIGHT / 2}
        left += width
    raise KeyError(column)


def open_cell(page, row: int, column: str, opened: str) -> None:
    """Double-click a cell until its editor (the locator `opened`) shows: the first click may only
    move the focus into the grid."""
    grid = page.get_by_test_id("stDataFrame").first
    for _ in range(3):
        grid.dblclick(position=cell_position(row, column))
        try:
            page.locator(opened).first.wait_for(state="visible", timeout=2_000)
            return
        except Exception:
            page.keyboard.press("Escape")
    raise AssertionError(f"the editor of row {row}, column {column} did not open")


def pick_product(page, row: int, option: str) -> None:
    page.wait_for_timeout(500)  # let the canvas settle after the last rerun
    open_cell(page, row, "sku", "[role=option]")
    page.get_by_role("option", name=option).click()
    settle(page)


def type_in_cell(page, row: int, column: str, text: str, *, then_shows: str) -> None:
    """Select the cell with one click and type (the grid starts editing on the first key), until
    the page shows `then_shows`: a click that lands while the grid re-draws is simply repeated."""
    grid = page.get_by_test_id("stDataFrame").first
    for _ in range(3):
        page.wait_for_timeout(500)  # let the canvas settle after the last rerun
        grid.click(position=cell_position(row, column))
        page.wait_for_timeout(300)
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        settle(page)
        try:
            page.get_by_text(then_shows).first.wait_for(state="visible", timeout=3_000)
            return
        except Exception:
            page.keyboard.press("Escape")
    raise AssertionError(f"typing {text!r} into row {row}, column {column} did not show {then_shows!r}")


def click_and_settle(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page)


def test_a_manager_enters_a_two_line_order_and_takes_it_to_delivered(page) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Orders", exact=True).click()
    settle(page)
    click_and_settle(page, "New order")

    page.get_by_role("combobox", name="Customer").click()
    page.keyboard.type(CUSTOMER)
    page.get_by_role("option", name=re.compile(CUSTOMER)).first.click()
    settle(page)
    pick_product(page, 1, "SW-1001 · Edge Router ER-400")
    expect(page.get_by_text("1. SW-1001 $1,850.00")).to_be_visible()  # the list price came in
    type_in_cell(page, 1, "quantity", "2", then_shows="1. SW-1001 $3,700.00")
    pick_product(page, 2, "SW-1003 · Wi-Fi Access Point AP-6 Pro")
    expect(page.get_by_text("Subtotal (2 lines)")).to_be_visible()
    expect(page.get_by_text("$4,090.00").first).to_be_visible()  # 2 × 1,850.00 + 390.00
    screenshot(page, "orders_new_order")

    click_and_settle(page, "Create order")
    expect(page.get_by_text("Order entered.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(rf"SO-\d{{6}} · {CUSTOMER}"))).to_be_visible()

    for step in ("Audit", "Allocate", "Invoice"):
        expect(page.get_by_role("button", name="Ship", exact=True)).to_have_count(0)
        click_and_settle(page, step)
        expect(page.get_by_text(f"{step} done")).to_be_visible()
    expect(page.get_by_role("button", name="Ship", exact=True)).to_have_count(0)  # invoiced, not paid
    expect(page.get_by_text("Amount due $4,386.53")).to_be_visible()  # + 7.25 % tax, the customer's last rate
    screenshot(page, "orders_invoiced")

    click_and_settle(page, "Record payment")
    expect(page.get_by_text("Record payment done")).to_be_visible()
    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    click_and_settle(page, "Ship")
    expect(page.get_by_text("Ship done")).to_be_visible()
    click_and_settle(page, "Mark delivered")

    expect(page.get_by_text("Mark delivered done")).to_be_visible()
    expect(page.get_by_text("nothing more can happen to it")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "orders_delivered")


def test_a_quantity_of_zero_and_a_shipping_of_12abc_get_messages_under_their_fields(page) -> None:
    """In the grid, a quantity below one used to be only outlined in red (its reason in a hover) and
    kept from the server; a number field dropped the letters of '12abc'. Both now reach crm_core."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Orders", exact=True).click()
    settle(page)
    click_and_settle(page, "New order")
    page.get_by_role("combobox", name="Customer").click()
    page.keyboard.type(CUSTOMER)
    page.get_by_role("option", name=re.compile(CUSTOMER)).first.click()
    settle(page)
    pick_product(page, 1, "SW-1001 · Edge Router ER-400")
    type_in_cell(page, 1, "quantity", "0", then_shows="Line 1: quantity must be at least 1")
    shipping = page.get_by_label("Shipping ($)", exact=True)
    shipping.fill("12abc")
    shipping.press("Tab")
    settle(page)

    click_and_settle(page, "Create order")

    under_grid = page.locator("[data-testid='stElementContainer']:has([data-testid='stDataFrame'])").first
    following = under_grid.locator("xpath=following-sibling::*[1]")
    expect(following).to_contain_text("Line 1: quantity must be at least 1")
    expect(
        page.get_by_text("Shipping: '12abc' is not an amount: use digits, like 3000 or $3,000.00")
    ).to_be_visible()
    expect(page.get_by_text("Order entered.")).to_have_count(0)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "orders_new_order_with_errors")


HOSTILE = "<img src=x onerror=alert(1)> **Bold** [link](javascript:alert(2)) :red[Red]"


def test_a_customer_name_with_markup_is_shown_exactly_as_typed(page, app_server) -> None:
    from playwright.sync_api import expect
    from sqlalchemy.engine import make_url

    from crm_core.config import DatabaseTarget
    from crm_core.orders import LineInput
    from crm_core.services import NewOrder, create_order, order_detail
    from crm_core.store import UnitOfWork, make_store
    from crm_core.store.models import Customer
    from tests.integration.order_builders import REP

    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_server.database}"), "e2e"))
    try:
        with UnitOfWork(store) as uow:
            customer = Customer(name=HOSTILE, credit_limit_cents=10**9, region="West")
            uow.session.add(customer)
            uow.session.flush()
            customer_id = customer.id
            uow.commit()
        order_id = create_order(
            store, REP, NewOrder(customer_id, [LineInput("SW-1001", 1)], "paypal", "standard", notes=HOSTILE)
        )
        number = order_detail(store, order_id).number
    finally:
        store.dispose()

    page.goto(f"{app_server.url}/orders?order={number}")
    settle(page)

    expect(page.get_by_role("heading", name=f"{number} · {HOSTILE}")).to_be_visible()
    expect(page.get_by_text(f"Notes: {HOSTILE}")).to_be_visible()
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("main a[href^='javascript']").count() == 0
    assert page.dialogs == []
