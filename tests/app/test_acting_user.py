"""The acting user picked in the sidebar stays the acting user when the app itself switches pages.

Streamlit drops every widget's state when a script calls `st.switch_page`; a picker that held the
user in its own widget key fell back to the first user (a manager) on the next page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_core.store import Store
from crm_core.store.models import Opportunity, Order, User
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from ui.auth import PICKER_KEY, USER_KEY
from ui.opportunities.actions import DETAILS_TAB
from ui.opportunities.state import SELECTED

REP_NAME = "Aisha Khan"


@pytest.fixture
def db(app_db: Path) -> Store:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def user_id(db: Store, name: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(User.id).where(User.name == name)))


def a_converted_opportunity(db: Store) -> tuple[int, int]:
    with db.read() as session:
        row = session.execute(
            select(Opportunity.id, Order.id)
            .join(Order, Order.opportunity_id == Opportunity.id)
            .order_by(Order.id)
            .limit(1)
        ).one()
    return int(row[0]), int(row[1])


def test_a_rep_picked_in_the_sidebar_still_acts_after_open_on_the_orders_page(
    app_db: Path, db: Store
) -> None:
    rep = user_id(db, REP_NAME)
    opportunity, order = a_converted_opportunity(db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key=PICKER_KEY).set_value(rep).run()
    assert at.session_state[USER_KEY] == rep

    at.switch_page("pages/opportunities.py").run()
    at.session_state[SELECTED] = opportunity
    at.session_state["opportunities_view"] = DETAILS_TAB
    at.run()
    at.button(key=f"opportunities_open_order_{order}").click().run()

    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Orders"]
    assert at.session_state["orders_selected"] == order
    assert at.sidebar.selectbox(key=PICKER_KEY).value == rep
    assert at.session_state["auth_actor"].name == REP_NAME
    assert "orders_act_cancel" not in [b.key for b in at.button]  # a rep may not cancel
