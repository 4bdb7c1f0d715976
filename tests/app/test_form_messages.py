"""Every form's message sits right under the field it is about, reads as a sentence, and the
refused submit changes nothing. Money fields take amounts as people type them and refuse the rest;
date pickers offer only what crm_core accepts; the cancel dialog stays open without a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_core.opportunities import FACTORS
from crm_core.opportunity_fields import Enrichment, NewOpportunity, close_date_bounds, meeting_bounds
from crm_core.permissions import Actor, Role
from crm_core.services import (
    capture_opportunity,
    enrich_opportunity,
    opportunity_detail,
    order_detail,
    order_id_for_number,
    qualify_opportunity,
    record_payment,
    table_counts,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Opportunity
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from ui.dates import today
from ui.opportunities.actions import DETAILS_TAB
from ui.opportunities.state import SELECTED

ORDERS, OPPORTUNITIES = "pages/orders.py", "pages/opportunities.py"
ENTERED, INVOICED = "SO-001500", "SO-001473"  # the sample's last entered and last invoiced orders
MANAGER = Actor(1, "James Whitfield", "m@example.com", Role.MANAGER)
ADMIN_ID = 11
CAPTURE_TAB = ":material/add: Capture new"
NOT_AN_AMOUNT = "is not an amount: use digits, like 3000 or \\$3,000.00"  # as Markdown shows it


@pytest.fixture
def db(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def leaves(node: Any) -> list[Any]:
    """Every element of the page in the order it is drawn (containers opened up)."""
    children = getattr(node, "children", None)
    if children is None:
        return [node]
    return [leaf for index in sorted(children) for leaf in leaves(children[index])]


def message_under(at: AppTest, widget_key: str) -> str | None:
    """The error drawn right after the widget with this key, or None if the next element is not one."""
    drawn = leaves(at._tree)
    [at_widget] = [i for i, element in enumerate(drawn) if getattr(element, "key", None) == widget_key]
    following = drawn[at_widget + 1] if at_widget + 1 < len(drawn) else None
    return following.value if type(following).__name__ == "Error" else None


def snapshot(db: Store) -> tuple[dict[str, int], int]:
    return table_counts(db), data_version(db)


def open_order(at: AppTest, db: Store, number: str) -> int:
    order_id = order_id_for_number(db, number)
    at.session_state["orders_selected"] = order_id
    at.switch_page(ORDERS).run()
    assert not at.exception, at.exception
    return order_id


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def new_order_page(at: AppTest, lines: list[dict[str, Any]]) -> AppTest:
    at.session_state["orders_view"] = "new"
    at.session_state["orders_new_lines"] = lines
    at.switch_page(ORDERS).run()
    assert not at.exception, at.exception
    return at


def line(**values: Any) -> dict[str, Any]:
    return {"sku": "SW-1001", "quantity": 1, "unit_price": None, "discount_pct": 0.0} | values


# --- order actions ---------------------------------------------------------------------------------


def test_a_ship_without_a_tracking_number_says_so_under_the_field(app: AppTest, db: Store) -> None:
    order_id = order_id_for_number(db, INVOICED)
    due = order_detail(db, order_id).amount_due_cents
    record_payment(db, MANAGER, order_id, f"{due // 100}.{due % 100:02d}")
    open_order(app, db, INVOICED)
    before = snapshot(db)

    click(app, "orders_act_ship")

    assert message_under(app, f"orders_in_tracking_{order_id}") == "Tracking number is required"
    assert snapshot(db) == before and order_detail(db, order_id).status == "paid"


def test_a_payment_of_12abc_is_refused_under_the_amount_and_not_read_as_12(app: AppTest, db: Store) -> None:
    order_id = open_order(app, db, INVOICED)
    before = snapshot(db)

    app.text_input(key=f"orders_in_amount_{order_id}").input("12abc").run()
    click(app, "orders_act_record_payment")

    assert message_under(app, f"orders_in_amount_{order_id}") == f"Amount: '12abc' {NOT_AN_AMOUNT}"
    assert snapshot(db) == before and order_detail(db, order_id).status == "invoiced"


def test_a_payment_typed_with_a_dollar_sign_and_thousands_commas_is_recorded(app: AppTest, db: Store) -> None:
    order_id = open_order(app, db, INVOICED)
    due = order_detail(db, order_id).amount_due_cents
    assert due >= 100_000  # the sample's last invoice is over $1,000: the typed amount has a comma

    app.text_input(key=f"orders_in_amount_{order_id}").input(f"${due / 100:,.2f}").run()
    click(app, "orders_act_record_payment")

    detail = order_detail(db, order_id)
    assert detail.status == "paid" and detail.payments[0]["amount_cents"] == due


def test_a_hold_without_a_reason_says_so_under_the_reason(app: AppTest, db: Store) -> None:
    order_id = open_order(app, db, ENTERED)
    before = snapshot(db)

    click(app, "orders_act_hold")

    assert message_under(app, f"orders_in_hold_reason_{order_id}") == "Hold reason is required"
    assert snapshot(db) == before


def test_the_cancel_dialog_stays_open_on_an_empty_reason_with_the_message_under_it(
    app: AppTest, db: Store
) -> None:
    order_id = open_order(app, db, ENTERED)
    before = snapshot(db)
    click(app, "orders_act_cancel")

    click(app, "orders_cancel_yes")

    assert "Yes, cancel the order" in [b.label for b in app.button]  # still open
    assert message_under(app, f"orders_in_cancel_reason_{order_id}") == "Cancel reason is required"
    assert snapshot(db) == before and order_detail(db, order_id).status == "entered"

    app.text_input(key=f"orders_in_cancel_reason_{order_id}").input("Duplicate order").run()
    click(app, "orders_cancel_yes")

    assert order_detail(db, order_id).status == "cancelled"
    assert "Yes, cancel the order" not in [b.label for b in app.button]


# --- the new-order form --------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_line_quantity_below_one_is_named_under_the_lines_table(
    app: AppTest, db: Store, quantity: int
) -> None:
    new_order_page(app, [line(quantity=quantity)])
    app.selectbox(key="orders_new_customer").set_value(5).run()
    before = snapshot(db)

    click(app, "orders_new_create")

    editor_key = next(e.key for e in app.data_editor)
    assert message_under(app, editor_key) == "Line 1: quantity must be at least 1"
    assert snapshot(db) == before


def test_every_bad_field_of_a_new_order_has_its_message_under_it(app: AppTest, db: Store) -> None:
    new_order_page(app, [line()])
    app.text_input(key="orders_new_shipping").input("12abc")
    app.text_area(key="orders_new_notes").input("call\x07me").run()
    before = snapshot(db)

    click(app, "orders_new_create")

    assert message_under(app, "orders_new_customer") == "Customer is required: choose one"
    assert message_under(app, "orders_new_shipping") == f"Shipping: '12abc' {NOT_AN_AMOUNT}"
    assert message_under(app, "orders_new_notes") == (
        "Notes contain control or text-direction characters (paste it as plain text and retype it)"
    )
    assert snapshot(db) == before


def test_shipping_typed_with_thousands_commas_is_charged_in_full(app: AppTest, db: Store) -> None:
    new_order_page(app, [line()])
    app.selectbox(key="orders_new_customer").set_value(5).run()
    app.text_input(key="orders_new_shipping").input("$1,250.50").run()

    click(app, "orders_new_create")

    order_id = app.session_state["orders_selected"]
    assert order_detail(db, order_id).shipping_cents == 125_050


def test_a_bad_line_of_an_entered_order_is_named_under_its_lines_table(app: AppTest, db: Store) -> None:
    order_id = open_order(app, db, ENTERED)
    version = order_detail(db, order_id).version
    editor = f"orders_lines_editor_{order_id}_{version}"
    app.session_state[editor] = {"edited_rows": {0: {"quantity": 0}}, "added_rows": [], "deleted_rows": []}
    app.run()
    before = snapshot(db)

    click(app, f"orders_lines_save_{order_id}")

    assert message_under(app, editor) == "Line 1: quantity must be at least 1"
    assert snapshot(db) == before


# --- opportunities -----------------------------------------------------------------------------


def open_capture(at: AppTest) -> AppTest:
    at.switch_page(OPPORTUNITIES).run()
    at.session_state["opportunities_view"] = CAPTURE_TAB
    return at.run()


def fill_capture(at: AppTest, amount: str) -> AppTest:
    at.text_input(key="opportunities_capture_company").input("Quillfeather Analytics GmbH")
    at.text_input(key="opportunities_capture_contact").input("Ada Lovelace")
    at.text_input(key="opportunities_capture_email").input("ada@quillfeather.example")
    at.selectbox(key="opportunities_capture_product").set_value(3)
    at.text_input(key="opportunities_capture_amount").input(amount)
    [button] = [b for b in at.button if b.label == "Capture opportunity"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_an_expected_amount_of_12abc_is_refused_under_its_field(app: AppTest, db: Store) -> None:
    open_capture(app)
    before = snapshot(db)

    fill_capture(app, "12abc")

    assert message_under(app, "opportunities_capture_amount") == f"Expected amount: '12abc' {NOT_AN_AMOUNT}"
    assert snapshot(db) == before


def test_an_expected_amount_of_3000_with_a_comma_is_saved_as_3000_dollars(app: AppTest, db: Store) -> None:
    open_capture(app)

    fill_capture(app, "3,000.00")

    with db.read() as session:
        amount = session.scalar(
            select(Opportunity.expected_amount_cents).order_by(Opportunity.id.desc()).limit(1)
        )
    assert amount == 300_000


def test_the_close_date_picker_offers_exactly_the_dates_a_capture_accepts(app: AppTest) -> None:
    open_capture(app)

    picker = app.date_input(key="opportunities_capture_close")

    assert (picker.min, picker.max) == close_date_bounds(today())


def captured(db: Store, *, qualified: bool = False) -> int:
    new = NewOpportunity(
        company="Quillfeather Analytics GmbH", contact_name="Ada", email="ada@quill.example", product_id=3
    )
    opportunity_id = capture_opportunity(db, MANAGER, new)
    if qualified:
        raw = Enrichment("Retail", 85, "Scanners", "12000", "Grace Hopper", "Next quarter")
        enrich_opportunity(db, MANAGER, opportunity_id, opportunity_detail(db, opportunity_id).version, raw)
        scores = dict.fromkeys(FACTORS, 6.0)
        qualify_opportunity(
            db, MANAGER, opportunity_id, opportunity_detail(db, opportunity_id).version, scores
        )
    return opportunity_id


def open_details(at: AppTest, opportunity_id: int) -> AppTest:
    at.switch_page(OPPORTUNITIES).run()
    at.session_state[SELECTED] = opportunity_id
    at.session_state["opportunities_view"] = DETAILS_TAB
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_enrichment_budget_of_12abc_is_refused_under_the_budget(app: AppTest, db: Store) -> None:
    opportunity_id = captured(db)
    open_details(app, opportunity_id)
    key = f"_{opportunity_id}"
    app.selectbox(key=f"opportunities_industry{key}").set_value("Retail")
    app.number_input(key=f"opportunities_employees{key}").set_value(85)
    app.text_area(key=f"opportunities_need{key}").input("Scanners for three warehouses")
    app.text_input(key=f"opportunities_budget{key}").input("12abc")
    app.text_input(key=f"opportunities_dm{key}").input("Grace Hopper (COO)")
    app.selectbox(key=f"opportunities_timing{key}").set_value("Next quarter")
    before = snapshot(db)

    [button] = [b for b in app.button if b.label == "Save enrichment"]
    button.click().run()

    assert message_under(app, f"opportunities_budget{key}") == f"Budget: '12abc' {NOT_AN_AMOUNT}"
    assert snapshot(db) == before and opportunity_detail(db, opportunity_id).stage == "captured"


def test_a_meeting_in_the_past_is_refused_under_its_date_and_time(app: AppTest, db: Store) -> None:
    opportunity_id = captured(db, qualified=True)
    open_details(app, opportunity_id)
    key = f"_{opportunity_id}"
    earliest, latest = meeting_bounds(datetime.now(UTC))
    picker = app.date_input(key=f"opportunities_meeting_day{key}")
    assert (picker.min, picker.max) == (earliest.date(), latest.date())
    app.date_input(key=f"opportunities_meeting_day{key}").set_value(today())
    app.time_input(key=f"opportunities_meeting_time{key}").set_value(datetime.min.time())
    before = snapshot(db)

    [button] = [b for b in app.button if b.label == "Book meeting"]
    button.click().run()

    assert (message_under(app, f"opportunities_meeting_time{key}") or "").startswith(
        "Meeting time must be in the future (it is "
    )
    assert snapshot(db) == before and opportunity_detail(db, opportunity_id).stage == "qualified"


def test_lost_without_a_reason_says_so_under_the_reason(app: AppTest, db: Store) -> None:
    opportunity_id = captured(db)
    open_details(app, opportunity_id)
    before = snapshot(db)

    [button] = [b for b in app.button if b.label == "Mark lost"]
    button.click().run()

    assert message_under(app, f"opportunities_lost_reason_{opportunity_id}") == "Lost reason is required"
    assert snapshot(db) == before


# --- users and presets ---------------------------------------------------------------------------


def test_a_bad_email_for_a_new_user_is_named_under_the_email_and_the_typed_name_stays(
    app_db: Path, db: Store
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = ADMIN_ID
    at.run().switch_page("pages/data.py").run()
    at.text_input(key="data_users_name").input("Nora Newcomer")
    at.text_input(key="data_users_email").input("nora at scalewise")
    before = snapshot(db)

    click(at, "data_users_add_go")

    assert message_under(at, "data_users_email") == "Email: 'nora at scalewise' is not a valid email address"
    assert at.text_input(key="data_users_name").value == "Nora Newcomer"
    assert snapshot(db) == before


def test_a_preset_without_a_name_says_so_under_the_name(app: AppTest, db: Store) -> None:
    app.switch_page("pages/scoring.py").run()
    before = snapshot(db)

    click(app, "FormSubmitter:scoring_save_form-Save preset")

    assert message_under(app, "scoring_preset_name") == "Preset name is required"
    assert snapshot(db) == before
