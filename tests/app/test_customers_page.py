"""The Customers page and the credit finding on the Orders page, through AppTest, as users do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from crm_core.config import DatabaseTarget
from crm_core.orders import LineInput
from crm_core.services import create_order, customer_card, desk_settings, order_detail, update_customer
from crm_core.services.orders import NewOrder
from crm_core.store import Store, UnitOfWork, make_store
from crm_core.store.models import Customer
from tests.app.test_form_messages import NOT_AN_AMOUNT, message_under
from tests.conftest import SAMPLE_TODAY
from tests.integration.order_builders import REP
from ui.navigation import PAGES

CUSTOMERS, ORDERS = "pages/customers.py", "pages/orders.py"
MANAGER_ID, REP_ID, ADMIN_ID = 1, 2, 11  # James Whitfield is listed first and acts by default


@pytest.fixture
def store(app_db: Path) -> Iterator[Store]:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    yield store
    store.dispose()


def act_as(app: AppTest, user_id: int) -> None:
    app.sidebar.selectbox(key="auth_user_picker").set_value(user_id).run()
    assert not app.exception, app.exception


def open_customer(app: AppTest, customer_id: int) -> None:
    app.session_state["customers_selected"] = customer_id
    app.switch_page(CUSTOMERS).run()
    assert not app.exception, app.exception


def texts(app: AppTest) -> str:
    return " ".join(m.value for m in app.markdown).replace("\\", "")


def test_customers_sits_between_opportunities_and_orders_in_the_navigation() -> None:
    titles = [p.title for p in PAGES]
    assert titles.index("Customers") == titles.index("Opportunities") + 1
    assert titles.index("Customers") < titles.index("Orders")


def test_the_list_filters_by_search_and_blocked(app: AppTest, store: Store) -> None:
    app.switch_page(CUSTOMERS).run()
    assert "333 of 333 customers" in app.caption[0].value
    name = customer_card(store, 1).name

    app.text_input(key="customers_search").input(name).run()
    assert "1 of 333 customers" in app.caption[0].value

    app.text_input(key="customers_search").input("").run()
    app.selectbox(key="customers_blocked").set_value("blocked").run()
    assert "7 of 333 customers" in app.caption[0].value


def test_the_card_shows_addresses_tax_id_and_credit(app: AppTest, store: Store) -> None:
    card = customer_card(store, 1)
    open_customer(app, 1)

    assert [h.value for h in app.subheader] == [card.name]
    shown = texts(app)
    assert f"Tax id: {card.tax_id}" in shown.replace("**", "")
    assert card.billing_address is not None
    assert card.billing_address.splitlines()[0] in shown
    assert {m.label for m in app.metric} >= {"Credit limit", "Balance", "Won → delivered"}
    assert app.query_params["customer"] in ("1", ["1"])


def test_a_rep_edits_the_tax_id_but_sees_no_credit_fields(app: AppTest, store: Store) -> None:
    act_as(app, REP_ID)
    open_customer(app, 1)
    assert not [w for w in app.text_input if w.key and w.key.startswith("customers_edit_credit")]

    app.text_input(key="customers_edit_tax_id_1").input("77-1234567")
    app.button[[b.label for b in app.button].index("Save changes")].click().run()

    assert not app.exception, app.exception
    assert "Saved." in [s.value for s in app.success]
    assert customer_card(store, 1).tax_id == "77-1234567"


def test_every_bad_value_of_an_edit_shows_under_its_own_field_and_nothing_is_saved(
    app: AppTest, store: Store
) -> None:
    before = customer_card(store, 4)
    open_customer(app, 4)

    app.text_input(key="customers_edit_contact_email_4").input("not-an-email")
    app.text_input(key="customers_edit_credit_limit_cents_4").input("12abc")
    app.button[[b.label for b in app.button].index("Save changes")].click().run()

    assert not app.exception, app.exception
    assert message_under(app, "customers_edit_contact_email_4") == (
        "Contact email: 'not-an-email' is not a valid email address"
    )
    credit_message = message_under(app, "customers_edit_credit_limit_cents_4")
    assert credit_message == f"Credit limit: '12abc' {NOT_AN_AMOUNT}"
    assert message_under(app, "customers_edit_name_4") is None
    assert "Saved." not in [s.value for s in app.success]
    assert customer_card(store, 4).version == before.version
    assert app.text_input(key="customers_edit_contact_email_4").value == "not-an-email"


def test_an_edit_of_a_customer_someone_changed_meanwhile_is_refused_and_reloaded(
    app: AppTest, store: Store
) -> None:
    open_customer(app, 2)
    seen = customer_card(store, 2)
    update_customer(store, REP, 2, {"industry": "Wholesale"}, expected_version=seen.version)

    app.text_input(key="customers_edit_industry_2").input("Retail")
    app.button[[b.label for b in app.button].index("Save changes")].click().run()

    assert any("changed by someone else — reloaded" in w.value for w in app.warning)
    assert customer_card(store, 2).industry == "Wholesale"
    assert app.text_input(key="customers_edit_industry_2").value == "Wholesale"


def test_the_admin_sets_the_default_credit_limit_on_the_customers_page(app: AppTest, store: Store) -> None:
    act_as(app, ADMIN_ID)
    app.switch_page(CUSTOMERS).run()

    app.text_input(key="customers_settings_default_credit_limit").input("75000")
    app.button[[b.label for b in app.button].index("Save settings")].click().run()

    assert not app.exception, app.exception
    assert desk_settings(store).default_credit_limit_cents == 7_500_000


def test_a_bad_default_credit_limit_and_seller_email_show_under_their_fields_and_nothing_changes(
    app: AppTest, store: Store
) -> None:
    before = desk_settings(store)
    act_as(app, ADMIN_ID)
    app.switch_page(CUSTOMERS).run()

    app.text_input(key="customers_settings_default_credit_limit").input("-5")
    app.text_input(key="customers_settings_seller_email").input("billing at example")
    app.button[[b.label for b in app.button].index("Save settings")].click().run()

    assert not app.exception, app.exception
    assert message_under(app, "customers_settings_default_credit_limit") == (
        "Default credit limit must be at least 0"
    )
    assert message_under(app, "customers_settings_seller_email") == (
        "Seller email: 'billing at example' is not a valid email address"
    )
    assert message_under(app, "customers_settings_seller_name") is None
    assert desk_settings(store) == before


def over_the_limit_order(store: Store) -> int:
    with UnitOfWork(store) as uow:
        uow.session.execute(update(Customer).where(Customer.id == 3).values(credit_limit_cents=0))
        uow.commit()
    new = NewOrder(3, [LineInput("SW-1003", 5)], "bank_transfer", "standard")
    return create_order(store, REP, new, today=SAMPLE_TODAY)


def test_a_manager_resolves_the_credit_finding_on_the_order_page(app: AppTest, store: Store) -> None:
    order_id = over_the_limit_order(store)
    app.session_state["orders_selected"] = order_id
    app.switch_page(ORDERS).run()
    assert any("Credit limit exceeded" in e.value for e in app.error)

    app.button(key="orders_credit_prepay").click().run()

    assert not app.exception, app.exception
    assert order_detail(store, order_id).prepayment is True
    assert not any("Credit limit exceeded" in e.value for e in app.error)
    assert any("Prepayment required" in s.value for s in app.success)


def test_a_rep_sees_the_credit_finding_and_that_a_manager_can_resolve_it(app: AppTest, store: Store) -> None:
    order_id = over_the_limit_order(store)
    act_as(app, REP_ID)
    app.session_state["orders_selected"] = order_id
    app.switch_page(ORDERS).run()

    assert any("Credit limit exceeded" in e.value for e in app.error)
    assert any("Only a manager can resolve a credit finding" in c.value for c in app.caption)
    assert "Raise credit limit" not in [b.label for b in app.button]


def test_a_manager_merges_a_duplicate_from_the_survivors_card(app: AppTest, store: Store) -> None:
    duplicate = customer_card(store, 5)
    moved = len(duplicate.opportunities), len(duplicate.orders)
    open_customer(app, 4)

    app.text_input(key="customers_merge_search_4").input(duplicate.name).run()
    app.selectbox(key="customers_merge_choice_4").set_value(5).run()
    app.button(key="customers_merge_4").click().run()

    assert not app.exception, app.exception
    assert any(f"{moved[0]} opportunities and {moved[1]} orders moved" in s.value for s in app.success)
    card = customer_card(store, 4)
    assert {o["number"] for o in duplicate.orders} <= {o["number"] for o in card.orders}


def test_a_rep_is_not_offered_the_merge(app: AppTest) -> None:
    act_as(app, REP_ID)
    open_customer(app, 4)
    assert "Merge into this customer" not in [b.label for b in app.button]
