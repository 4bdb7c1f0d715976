"""On the Orders page, a click on a stale order is refused with who changed it and what they did."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.services import hold_order, order_detail, order_id_for_number
from crm_core.store import Store
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from tests.integration.order_builders import MANAGER

ENTERED = "SO-001500"  # the sample's last entered order
REP_ID = 2  # Daniel Okafor


@pytest.fixture
def db(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def test_auditing_an_order_a_manager_just_held_names_the_manager(app_db: Path, db: Store) -> None:
    order_id = order_id_for_number(db, ENTERED)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = REP_ID
    at.run()
    at.session_state["orders_selected"] = order_id
    at.switch_page("pages/orders.py").run()
    seen = order_detail(db, order_id).version
    hold_order(db, MANAGER, order_id, "Checking the address", expected_version=seen)

    at.button(key="orders_act_audit").click().run()

    assert not at.exception, at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # as read: without the escapes
    [warning] = [w for w in warnings if "someone else" in w]
    assert re.fullmatch(
        r"This order was changed by someone else — reloaded: Maria Lindqvist put it on hold "
        r"(just now|\d+ seconds? ago)\. Check it and try again\.",
        warning,
    ), warning
    assert order_detail(db, order_id).status == "on_hold"
