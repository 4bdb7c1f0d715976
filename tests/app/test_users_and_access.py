"""Users and access through AppTest: the demo picker; the Data page's Users section; two sessions
editing one order. OIDC sign-in has its own file, tests/app/test_sign_in.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from crm_core.config import DatabaseTarget
from crm_core.services import all_users, order_detail, order_id_for_number
from crm_core.store import Store, data_version, make_store
from crm_core.store.models import Event
from tests.app.conftest import APP

ORDERS, DATA = "pages/orders.py", "pages/data.py"
ENTERED = "SO-001500"  # the sample's last entered order
MANAGER_EMAIL = "maria.lindqvist@scalewise.example"
ADMIN_ID, REP_ID, MANAGER_ID = 11, 2, 1


@pytest.fixture
def store(app_db: Path) -> Iterator[Store]:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    yield store
    store.dispose()


def session(*, user: dict[str, object] | None = None, user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.user = user
    if user_id is not None:
        at.session_state["auth_user_id"] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def open_order(at: AppTest, order_id: int) -> AppTest:
    at.session_state["orders_selected"] = order_id
    at.switch_page(ORDERS).run()
    assert not at.exception, at.exception
    return at


def sidebar_text(at: AppTest) -> str:
    parts = [m.value for m in at.sidebar.markdown] + [w.value for w in at.sidebar.warning]
    shown = " ".join(parts) + " " + " ".join(i.value for i in at.sidebar.info)
    return shown.replace("\\", "")  # as read on screen: without the escapes that keep text plain


def action_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("orders_act_")]


# --- demo mode (OIDC sign-in: tests/app/test_sign_in.py) -------------------------------------


def test_demo_mode_shows_the_notice_and_the_picker(app_db: Path) -> None:
    at = session(user_id=REP_ID)
    assert "Demo mode" in sidebar_text(at)
    assert at.session_state["auth_actor"].id == REP_ID


# --- the Users section of the Data page -----------------------------------------------------------


def test_an_admin_adds_a_user_on_the_data_page(app_db: Path, store: Store) -> None:
    at = session(user_id=ADMIN_ID)
    at.switch_page(DATA).run()
    at.text_input(key="data_users_name").input("Nora Newcomer")
    at.text_input(key="data_users_email").input("nora@scalewise.example")
    at.selectbox(key="data_users_role").set_value("manager")
    at.button(key="data_users_add_go").click().run()

    assert not at.exception, at.exception
    assert any("Added Nora Newcomer" in s.value for s in at.success)
    added = [u for u in all_users(store) if u["email"] == "nora@scalewise.example"]
    assert added and added[0]["role"] == "manager"
    picker = at.sidebar.selectbox(key="auth_user_picker")
    assert any("Nora Newcomer" in option for option in picker.options)


def test_a_bad_email_on_the_users_form_names_the_field_and_adds_nobody(app_db: Path, store: Store) -> None:
    at = session(user_id=ADMIN_ID)
    at.switch_page(DATA).run()
    before, version = len(all_users(store)), data_version(store)
    at.text_input(key="data_users_name").input("Nora Newcomer")
    at.text_input(key="data_users_email").input("nora at scalewise")
    at.button(key="data_users_add_go").click().run()

    assert not at.exception, at.exception
    assert any("Email:" in e.value and "not a valid email" in e.value for e in at.error)
    assert len(all_users(store)) == before and data_version(store) == version


def test_an_admin_changes_a_role_and_deactivates_a_user(app_db: Path, store: Store) -> None:
    at = session(user_id=ADMIN_ID)
    at.switch_page(DATA).run()
    at.selectbox(key="data_users_pick").set_value(REP_ID)
    at.selectbox(key="data_users_new_role").set_value("manager")
    at.button(key="data_users_change").click().run()
    assert any("Daniel Okafor is now manager" in s.value for s in at.success)

    at.selectbox(key="data_users_pick").set_value(REP_ID)
    at.button(key="data_users_deactivate").click().run()
    assert not at.exception, at.exception
    rows = {u["id"]: u for u in all_users(store)}
    assert rows[REP_ID]["role"] == "manager" and rows[REP_ID]["active"] is False
    assert any("can no longer sign in" in s.value for s in at.success)
    assert not any("Daniel Okafor" in o for o in at.sidebar.selectbox(key="auth_user_picker").options)


def test_a_rep_sees_the_users_but_cannot_manage_them(app_db: Path) -> None:
    at = session(user_id=REP_ID)
    at.switch_page(DATA).run()
    assert any("Only an admin can add users" in c.value for c in at.caption)
    with pytest.raises(KeyError):
        at.text_input(key="data_users_email")


# --- two sessions, one order ----------------------------------------------------------------------


def test_two_sessions_auditing_the_same_order_the_second_is_told_it_changed(
    app_db: Path, store: Store
) -> None:
    order_id = order_id_for_number(store, ENTERED)
    first = open_order(session(user_id=MANAGER_ID), order_id)
    second = open_order(session(user_id=ADMIN_ID), order_id)

    first.button(key="orders_act_audit").click().run()
    second.button(key="orders_act_audit").click().run()

    assert not first.exception and not second.exception
    assert any("Audit done" in s.value.replace("**", "") for s in first.success)
    assert any("changed by someone else — reloaded" in w.value for w in second.warning)
    detail = order_detail(store, order_id)
    assert detail.status == "audited"
    with store.read() as s:
        audits = s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.entity_id == order_id, Event.action == "audit")
        )
    assert audits == 1
    assert [e["actor"] for e in detail.events if e["action"] == "audit"] == ["Maria Lindqvist"]


def test_a_name_with_markdown_is_confirmed_as_plain_text(app_db: Path) -> None:
    at = session(user_id=ADMIN_ID)
    at.switch_page(DATA).run()
    at.text_input(key="data_users_name").input("**Eve** [click](javascript:alert(1))")
    at.text_input(key="data_users_email").input("eve@scalewise.example")
    at.button(key="data_users_add_go").click().run()

    assert not at.exception, at.exception
    message = next(s.value for s in at.success if "Added" in s.value)
    assert r"\*\*Eve\*\* \[click\]\(javascript\:alert\(1\)\)" in message
