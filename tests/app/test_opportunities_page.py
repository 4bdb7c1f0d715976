"""The Opportunities page through AppTest: capture, every step, conversion, conflicts, permissions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from crm_core.opportunity_fields import Enrichment, NewOpportunity
from crm_core.permissions import Actor, Role
from crm_core.services import capture_opportunity, enrich_opportunity, opportunity_detail
from crm_core.store import Store
from crm_core.store.models import Opportunity, Order
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from ui.dates import today
from ui.opportunities.actions import DETAILS_TAB
from ui.opportunities.state import SELECTED
from ui.text import plain

MANAGER = Actor(1, "Maria Lindqvist", "m@example.com", Role.MANAGER)
REP, OTHER_REP = 2, 3
CAPTURE_TAB = ":material/add: Capture new"


@pytest.fixture
def db(app_db: Path) -> Store:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


@pytest.fixture
def page(app: AppTest) -> AppTest:
    return app.switch_page("pages/opportunities.py").run()


def press(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def page_as(user_id: int) -> AppTest:
    """The page for another demo user (picked before the first run, as the sidebar would)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = user_id
    return at.run().switch_page("pages/opportunities.py").run()


def open_capture(at: AppTest) -> AppTest:
    at.session_state["opportunities_view"] = CAPTURE_TAB
    return at.run()


def open_details(at: AppTest, opportunity_id: int) -> AppTest:
    at.session_state[SELECTED] = opportunity_id
    at.session_state["opportunities_view"] = DETAILS_TAB
    return at.run()


def count(db: Store, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def fill_capture(at: AppTest, **values: object) -> AppTest:
    fields = {
        "company": "Quillfeather Analytics GmbH",
        "contact": "Ada Lovelace",
        "email": "ada@quillfeather.example",
        "product": 3,
        "quantity": 4,
    } | values
    for name, value in fields.items():
        widget_key = f"opportunities_capture_{name}"
        if name == "product":
            at.selectbox(key=widget_key).set_value(value)
        elif name == "quantity":
            at.number_input(key=widget_key).set_value(value)
        else:
            at.text_input(key=widget_key).input(value)
    return at


def fill_enrichment(at: AppTest, opportunity_id: int, need: str = "Scanners for three warehouses") -> AppTest:
    key = f"_{opportunity_id}"
    at.selectbox(key=f"opportunities_industry{key}").set_value("Retail")
    at.number_input(key=f"opportunities_employees{key}").set_value(85)
    at.text_area(key=f"opportunities_need{key}").input(need)
    at.text_input(key=f"opportunities_budget{key}").input("12,000")
    at.text_input(key=f"opportunities_dm{key}").input("Grace Hopper (COO)")
    at.selectbox(key=f"opportunities_timing{key}").set_value("Next quarter")
    return at


def stage_of(db: Store, opportunity_id: int) -> str:
    return opportunity_detail(db, opportunity_id).stage


def test_the_capture_form_names_every_bad_field_and_saves_nothing(page: AppTest, db: Store) -> None:
    before = count(db, Opportunity)
    at = fill_capture(open_capture(page), company="   ", email="ada@@quill", product=None)
    press(at, "Capture opportunity")

    assert not at.exception
    messages = [e.value for e in at.error]
    assert "Company is required" in messages
    assert "Email: 'ada@@quill' is not a valid email address" in messages
    assert "Product interest is required" in messages
    assert count(db, Opportunity) == before


def test_an_existing_customer_is_offered_and_used_instead_of_a_duplicate(page: AppTest, db: Store) -> None:
    with db.read() as session:
        name = session.scalars(select(Opportunity.title).where(Opportunity.customer_id == 1).limit(1)).one()
    company = name.split(" — ")[0]
    at = fill_capture(open_capture(page), company=f" {company.upper()} ", email="someone@gmail.com")
    press(at, "Capture opportunity")
    assert any("may already be a customer" in w.value for w in at.warning)

    press(at, "Use this customer")

    assert not at.exception
    opportunity_id = at.session_state[SELECTED]
    assert opportunity_detail(db, opportunity_id).customer_id == 1
    assert at.session_state["opportunities_view"] == DETAILS_TAB


def test_an_opportunity_is_taken_from_capture_to_an_order_step_by_step(db: Store) -> None:
    at = page_as(REP)
    press(fill_capture(open_capture(at)), "Capture opportunity")
    opportunity_id = at.session_state[SELECTED]
    assert stage_of(db, opportunity_id) == "captured"
    assert opportunity_detail(db, opportunity_id).owner_id == REP
    assert at.subheader[0].value == plain(opportunity_detail(db, opportunity_id).title)
    steps = [b.label for b in at.button if b.label != "Save changes"]  # besides editing the deal
    assert steps == ["Save enrichment", "Mark lost"]  # only the valid next steps

    key = f"_{opportunity_id}"
    press(fill_enrichment(at, opportunity_id), "Save enrichment")
    assert not at.exception and not at.error
    assert stage_of(db, opportunity_id) == "enriched"

    at.slider(key=f"opportunities_score_segmentation{key}").set_value(9.0).run()
    assert "6.2 / 10" in [m.value for m in at.metric]  # V updates live: 0.3·9 + 0.2·5 + 0.3·5 + 0.2·5
    press(at, "Save scores")
    assert stage_of(db, opportunity_id) == "qualified"
    assert opportunity_detail(db, opportunity_id).scores["segmentation"] == 9.0

    at.radio(key=f"opportunities_meeting_kind{key}").set_value("demo")
    press(at, "Book meeting")  # tomorrow 10:00 UTC by default
    assert stage_of(db, opportunity_id) == "scheduled"

    press(at, "Mark won")
    assert stage_of(db, opportunity_id) == "won"
    assert [b.label for b in at.button if b.label in ("Create order", "Mark lost")] == ["Create order"]

    press(at, "Create order")
    assert not at.exception
    with db.read() as session:
        order = session.scalars(select(Order).where(Order.opportunity_id == opportunity_id)).one()
    assert at.session_state["orders_selected"] == order.id
    assert "Orders" in [t.value for t in at.title]


def test_a_change_by_someone_else_is_reported_and_the_opportunity_reloaded(page: AppTest, db: Store) -> None:
    opportunity_id = capture_opportunity(
        db, MANAGER, NewOpportunity("Conflict Co", "Bob", "bob@conflict-co.example", 3), today=None
    )
    at = open_details(page, opportunity_id)
    assert "Save enrichment" in [b.label for b in at.button]
    enrich = Enrichment("Retail", 10, "Need", 100, "Bob", "This quarter")
    enrich_opportunity(db, MANAGER, opportunity_id, 1, enrich)  # another user, meanwhile

    fill_enrichment(at, opportunity_id, need="Mine")
    press(at, "Save enrichment")

    assert not at.exception
    assert any("changed by someone else — reloaded" in w.value for w in at.warning)
    assert opportunity_detail(db, opportunity_id).need_summary == "Need"
    assert "Save scores" in [b.label for b in at.button]  # the fresh stage's step is shown


def test_lost_needs_a_reason_and_a_missing_one_changes_nothing(page: AppTest, db: Store) -> None:
    opportunity_id = capture_opportunity(
        db, MANAGER, NewOpportunity("Lossy Ltd", "Al", "al@lossy.example", 3)
    )
    at = open_details(page, opportunity_id)
    press(at, "Mark lost")
    assert "Lost reason is required" in [e.value for e in at.error]
    assert stage_of(db, opportunity_id) == "captured"

    at.selectbox(key=f"opportunities_lost_reason_{opportunity_id}").set_value("Price too high")
    press(at, "Mark lost")
    assert stage_of(db, opportunity_id) == "lost"
    assert not [b for b in at.button if b.label in ("Save enrichment", "Mark lost")]


def test_a_rep_sees_but_cannot_work_another_reps_opportunity(db: Store) -> None:
    with db.read() as session:
        theirs = session.scalars(
            select(Opportunity.id)
            .where(Opportunity.owner_id == OTHER_REP, Opportunity.stage == "captured")
            .limit(1)
        ).one()
    at = open_details(page_as(REP), theirs)
    assert not at.exception
    assert any("Only the owner" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("Save enrichment", "Mark lost")]


def test_typed_text_is_shown_as_text(page: AppTest, db: Store) -> None:
    hostile = "**Bold** :red[red] <b>html</b> [x](javascript:alert(1))"
    opportunity_id = capture_opportunity(
        db, MANAGER, NewOpportunity(hostile, "Eve", "eve@hostile.example", 3)
    )
    at = open_details(page, opportunity_id)
    assert not at.exception
    shown = at.subheader[0].value
    assert shown == plain(opportunity_detail(db, opportunity_id).title)
    assert "<b>" not in shown and "**" not in shown and ":red[" not in shown


def test_the_list_filters_by_quadrant(page: AppTest) -> None:
    page.multiselect(key="opportunities_quadrant").set_value(["pursue"]).run()
    assert not page.exception
    caption = page.caption[0].value
    shown, total = (int(n.replace(",", "")) for n in caption.split(" opportunities")[0].split(" of "))
    assert 0 < shown < total


def test_the_expected_close_date_defaults_to_sixty_days_ahead(page: AppTest) -> None:
    at = open_capture(page)
    assert at.date_input(key="opportunities_capture_close").value == today() + timedelta(days=60)
