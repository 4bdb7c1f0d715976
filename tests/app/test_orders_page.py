"""The Orders and Order status pages through AppTest: open, create, advance, refuse — as users do."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from crm_core.config import DatabaseTarget
from crm_core.services import hold_order, order_detail, order_id_for_number
from crm_core.store import Store, data_version, make_store
from tests.integration.order_builders import REP

ORDERS = "pages/orders.py"
ENTERED, INVOICED = "SO-001500", "SO-001473"  # the sample's last entered and last invoiced orders
REP_ID = 2  # Daniel Okafor; the first user listed, acting by default, is James Whitfield (manager)


@pytest.fixture
def store(app_db: Path) -> Store:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    yield store
    store.dispose()


def open_order(app: AppTest, store: Store, number: str) -> int:
    order_id = order_id_for_number(store, number)
    app.session_state["orders_selected"] = order_id
    app.switch_page(ORDERS).run()
    assert not app.exception, app.exception
    return order_id


def headings(app: AppTest) -> list[str]:
    return [h.value for h in app.subheader]


def button_labels(app: AppTest) -> list[str]:
    return [b.label for b in app.button]


def click(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    assert not app.exception, app.exception


def successes(app: AppTest) -> str:
    """The success messages as read on screen (without the Markdown asterisks)."""
    return " ".join(s.value for s in app.success).replace("**", "")


def test_the_order_in_session_state_opens_as_other_pages_expect(app: AppTest, store: Store) -> None:
    open_order(app, store, ENTERED)
    assert any(h.startswith(f"{ENTERED} · ") for h in headings(app))
    assert app.query_params["order"] == [ENTERED] or app.query_params["order"] == ENTERED


def test_an_order_number_in_the_url_opens_that_order(app: AppTest) -> None:
    app.query_params["order"] = INVOICED
    app.switch_page(ORDERS).run()
    assert any(h.startswith(f"{INVOICED} · ") for h in headings(app))


def test_an_unknown_order_number_in_the_url_says_so_and_shows_the_list(app: AppTest) -> None:
    app.query_params["order"] = "SO-999999"
    app.switch_page(ORDERS).run()
    assert not app.exception
    assert any("No order with number SO-999999" in w.value for w in app.warning)
    assert "New order" in button_labels(app)


def test_a_new_order_is_created_from_the_form_and_opens(app: AppTest, store: Store) -> None:
    app.session_state["orders_view"] = "new"
    app.session_state["orders_new_lines"] = [
        {"sku": "SW-1001", "quantity": 2, "unit_price": 1850.0, "discount_pct": 0.0},
        {"sku": "SW-1003", "quantity": 1, "unit_price": None, "discount_pct": 0.0},  # → list price
    ]
    app.switch_page(ORDERS).run()
    app.selectbox(key="orders_new_customer").set_value(5).run()
    assert [m.value for m in app.metric if m.label == "Subtotal (2 lines)"] == ["$4,090.00"]

    click(app, "orders_new_create")

    assert "Order entered" in successes(app)
    assert "SO-001501 · Northcrest Foods Group" in headings(app)
    detail = order_detail(store, order_id_for_number(store, "SO-001501"))
    assert [(line["sku"], line["quantity"], line["unit_price_cents"]) for line in detail.lines] == [
        ("SW-1001", 2, 185_000),
        ("SW-1003", 1, 39_000),
    ]


def test_the_form_names_the_field_of_a_bad_line_and_creates_nothing(app: AppTest, store: Store) -> None:
    app.session_state["orders_view"] = "new"
    app.session_state["orders_new_lines"] = [
        {"sku": "SW-1001", "quantity": 0, "unit_price": 1.0, "discount_pct": 0}
    ]
    app.switch_page(ORDERS).run()
    app.selectbox(key="orders_new_customer").set_value(5).run()
    version = data_version(store)

    click(app, "orders_new_create")

    assert any("Line 1: quantity must be at least 1" in e.value for e in app.error)
    assert data_version(store) == version


def test_a_manager_takes_an_order_from_entered_to_delivered_and_ship_waits_for_payment(
    app: AppTest, store: Store
) -> None:
    order_id = open_order(app, store, ENTERED)
    for key, done in (("audit", "Audit"), ("allocate", "Allocate"), ("invoice", "Invoice")):
        assert "Ship" not in button_labels(app)
        click(app, f"orders_act_{key}")
        assert f"{done} done" in successes(app)
    assert "Ship" not in button_labels(app)
    assert "Record payment" in button_labels(app)

    click(app, "orders_act_record_payment")  # the amount due is filled in
    assert "Ship" in button_labels(app)
    app.text_input(key=f"orders_in_tracking_{order_id}").input("1Z999AA10123456784").run()
    click(app, "orders_act_ship")
    click(app, "orders_act_deliver")

    assert "Mark delivered done" in successes(app)
    assert order_detail(store, order_id).status == "delivered"
    assert not [label for label in button_labels(app) if label in ("Put on hold", "Cancel order")]


def test_a_payment_a_cent_short_is_refused_with_a_message(app: AppTest, store: Store) -> None:
    order_id = open_order(app, store, INVOICED)
    due = order_detail(store, order_id).amount_due_cents
    version = data_version(store)
    short = due - 1
    app.text_input(key=f"orders_in_amount_{order_id}").input(f"{short // 100}.{short % 100:02d}").run()

    click(app, "orders_act_record_payment")

    assert any("a payment must be exactly" in e.value for e in app.error)
    assert data_version(store) == version
    assert order_detail(store, order_id).status == "invoiced"


def test_a_rep_sees_neither_record_payment_nor_cancel(app: AppTest, store: Store) -> None:
    app.session_state["auth_user_id"] = REP_ID  # the sidebar's "Acting as" picker
    open_order(app, store, INVOICED)

    labels = button_labels(app)
    assert "Record payment" not in labels and "Cancel order" not in labels
    assert any("Waiting for a manager" in c.value for c in app.caption)


def test_a_change_by_someone_else_is_a_conflict_not_an_overwrite(app: AppTest, store: Store) -> None:
    order_id = open_order(app, store, ENTERED)
    hold_order(
        store, REP, order_id, "Checking the address", expected_version=order_detail(store, order_id).version
    )

    click(app, "orders_act_audit")

    assert any("changed by someone else" in w.value for w in app.warning)
    assert order_detail(store, order_id).status == "on_hold"
    assert "Resume" in button_labels(app)  # the page shows the order as it is now


def test_cancel_asks_for_confirmation_in_a_dialog(app: AppTest, store: Store) -> None:
    order_id = open_order(app, store, ENTERED)

    click(app, "orders_act_cancel")
    assert "Yes, cancel the order" in button_labels(app)
    assert order_detail(store, order_id).status == "entered"
    app.text_input(key=f"orders_in_cancel_reason_{order_id}").input("Duplicate order").run()
    click(app, "orders_cancel_yes")

    assert "Cancel order done" in successes(app)
    assert order_detail(store, order_id).status == "cancelled"


def test_a_hold_without_a_reason_is_refused(app: AppTest, store: Store) -> None:
    order_id = open_order(app, store, ENTERED)

    click(app, "orders_act_hold")

    assert any("Hold reason is required" in e.value for e in app.error)
    assert order_detail(store, order_id).status == "entered"


def test_the_order_status_page_shows_the_exceptions_and_their_counts(app: AppTest) -> None:
    app.switch_page("pages/order_status.py").run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    for expected in ("Orders in flight", "On hold", "Late", "Unpaid > 14 days", "Unshipped > 7 days"):
        assert expected in labels
    assert int(next(m.value for m in app.metric if m.label == "On hold")) == 9


def test_the_lines_of_an_entered_order_can_be_saved_and_no_longer_after_the_audit(
    app: AppTest, store: Store
) -> None:
    order_id = open_order(app, store, ENTERED)
    assert "Change the lines" in [e.label for e in app.expander]

    click(app, f"orders_lines_save_{order_id}")

    assert "Lines of SO-001500 saved." in successes(app)
    assert order_detail(store, order_id).events[-1]["action"] == "update_lines"
    click(app, "orders_act_audit")
    assert "Change the lines" not in [e.label for e in app.expander]


def test_the_list_narrows_by_order_number_status_and_customer(app: AppTest) -> None:
    app.switch_page(ORDERS).run()

    app.text_input(key="orders_search").input("so-000010").run()
    assert "1 of 1,500 orders" in captions(app)
    app.text_input(key="orders_search").input("").run()
    app.multiselect(key="orders_status").set_value(["on_hold"]).run()
    assert "9 of 1,500 orders" in captions(app)
    app.text_input(key="orders_customer").input("zzz-nobody").run()
    assert "0 of 1,500 orders" in captions(app)


def captions(app: AppTest) -> str:
    return " ".join(c.value for c in app.caption)
