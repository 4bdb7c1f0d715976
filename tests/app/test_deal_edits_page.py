"""Deals after capture on the Opportunities page (AppTest): the edit form, its messages under each
field, conflicts, who sees it, and reassigning deals picked in the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.opportunity_fields import DealEdit, NewOpportunity
from crm_core.permissions import Actor, Role
from crm_core.services import (
    capture_opportunity,
    edit_opportunity,
    opportunity_detail,
    opportunity_history,
)
from crm_core.store import Store, data_version
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from tests.integration.test_opportunity_services import walk
from ui.opportunities.actions import DETAILS_TAB
from ui.opportunities.state import SELECTED
from ui.text import plain

MANAGER, REP, OTHER_REP = 1, 2, 3
DANIEL = Actor(REP, "Daniel Okafor", "daniel.okafor@scalewise.example", Role.REP)


@pytest.fixture
def db(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def deal(db: Store, n: int = 1) -> int:
    """A captured deal of Daniel's: 5 × Wi-Fi Access Point AP-6 Pro ($390.00 each)."""
    new = NewOpportunity(f"Edit Test {n} GmbH", "Ada Lovelace", f"ada@edit-test-{n}.example", 3, quantity=5)
    return capture_opportunity(db, DANIEL, new)


def page_as(user_id: int, opportunity_id: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = user_id
    at.run().switch_page("pages/opportunities.py").run()
    if opportunity_id is not None:
        at.session_state[SELECTED] = opportunity_id
        at.session_state["opportunities_view"] = DETAILS_TAB
        at.run()
    assert not at.exception, at.exception
    return at


def field(opportunity_id: int, version: int, name: str) -> str:
    return f"opportunities_edit_{name}_{opportunity_id}_v{version}"


def press(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def form_elements(at: AppTest) -> list[tuple[str, Any]]:
    """The 'Edit deal' expander's contents in page order: (element type, label or message)."""
    [expander] = [e for e in at.expander if e.label == "Edit deal"]
    found: list[tuple[str, Any]] = []

    def walk_tree(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            kind = type(child).__name__
            if kind in ("Error", "Caption", "Markdown"):
                found.append((kind, child.value))
            elif hasattr(child, "label"):
                found.append((kind, child.label))
            walk_tree(child)

    walk_tree(expander)
    return found


def history_rows(at: AppTest) -> list[tuple]:
    table = at.dataframe[-1].value  # the history table is the page's last
    return list(table[["what", "who", "note"]].itertuples(index=False, name=None))


def changes_listed(at: AppTest) -> list[str]:
    """The 'Changes after capture' lines, without their time stamps."""
    [listed] = [m.value for m in at.markdown if m.value.startswith("**Changes after capture**")]
    return [line.split(" UTC · ", 1)[1] for line in listed.splitlines()[2:]]


def test_the_owner_edits_a_deal_and_its_history_says_what_changed(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(REP, opportunity_id)
    at.text_input(key=field(opportunity_id, 1, "amount")).input("")  # empty: quantity × list price
    at.number_input(key=field(opportunity_id, 1, "quantity")).set_value(6)
    at.text_input(key=field(opportunity_id, 1, "contact")).input("Grace Hopper")

    press(at, "Save changes")

    assert not at.exception and not at.error
    detail = opportunity_detail(db, opportunity_id)
    assert (detail.version, detail.quantity, detail.expected_amount_cents, detail.contact_name) == (
        2,
        6,
        6 * 39_000,
        "Grace Hopper",
    )
    assert "Changes saved — the history below lists each one." in [s.value for s in at.success]
    note = (
        "expected amount $1,950.00 → $2,340.00; quantity 5 → 6; contact name 'Ada Lovelace' → 'Grace Hopper'"
    )
    assert history_rows(at)[0] == ("Edited", "Daniel Okafor", note)
    assert changes_listed(at) == [f"**Daniel Okafor** edited: {plain(note)}"]
    assert (
        at.number_input(key=field(opportunity_id, 2, "quantity")).value == 6
    )  # the form shows the saved deal


def test_each_bad_field_shows_its_message_right_under_it_and_nothing_is_saved(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(REP, opportunity_id)
    version = data_version(db)
    at.text_input(key=field(opportunity_id, 1, "amount")).input("12abc")
    at.number_input(key=field(opportunity_id, 1, "quantity")).set_value(0)
    at.text_input(key=field(opportunity_id, 1, "email")).input("ada@")

    press(at, "Save changes")

    assert not at.exception
    elements = form_elements(at)
    for widget, problem in [
        (
            "Expected amount ($)",
            "Expected amount: '12abc' is not an amount: use digits, like 3000 or \\$3,000.00",
        ),
        ("Quantity *", "Quantity must be at least 1"),
        ("Email *", "Email: 'ada@' is not a valid email address"),
    ]:
        position = [label for _, label in elements].index(widget)
        assert elements[position + 1] == ("Error", problem)
    assert len(at.error) == 3
    assert opportunity_detail(db, opportunity_id).version == 1
    assert data_version(db) == version
    assert at.text_input(key=field(opportunity_id, 1, "amount")).value == "12abc"  # what was typed stays


def test_saving_without_a_change_says_so_and_writes_nothing(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(REP, opportunity_id)
    version = data_version(db)

    press(at, "Save changes")

    assert "Nothing to save: every field is as it was." in [s.value for s in at.success]
    assert data_version(db) == version
    assert opportunity_history(db, opportunity_id)["action"].to_list() == ["capture"]


def test_an_edit_on_a_deal_someone_else_changed_is_refused_and_the_form_reloaded(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(REP, opportunity_id)
    edit_opportunity(db, DANIEL, opportunity_id, 1, DealEdit(quantity=9))  # meanwhile, elsewhere
    at.number_input(key=field(opportunity_id, 1, "quantity")).set_value(6)

    press(at, "Save changes")

    assert any("changed by someone else — reloaded" in w.value for w in at.warning)
    assert opportunity_detail(db, opportunity_id).quantity == 9
    assert at.number_input(key=field(opportunity_id, 2, "quantity")).value == 9


def test_a_rep_gets_no_edit_form_for_another_reps_deal_or_their_own_closed_one(db: Store) -> None:
    opportunity_id = deal(db)
    assert not [e for e in page_as(OTHER_REP, opportunity_id).expander if e.label == "Edit deal"]

    walk(db, opportunity_id, "won", DANIEL)
    at = page_as(REP, opportunity_id)
    assert not [e for e in at.expander if e.label == "Edit deal"]
    assert "Won and lost are final: a manager can correct this deal's amount and close date." in [
        c.value for c in at.caption
    ]


def test_a_manager_corrects_a_won_deals_amount_with_only_amount_and_close_date_offered(db: Store) -> None:
    opportunity_id = deal(db)
    version = walk(db, opportunity_id, "won", DANIEL)
    at = page_as(MANAGER, opportunity_id)
    inputs = [label for kind, label in form_elements(at) if kind in ("TextInput", "DateInput", "NumberInput")]
    assert inputs == ["Amount ($) *", "Close date *"]
    assert not [b for b in at.button if b.label == "Reassign"]  # a closed deal keeps its owner

    at.text_input(key=field(opportunity_id, version, "amount")).input("1800.50")
    press(at, "Save changes")

    assert not at.error
    detail = opportunity_detail(db, opportunity_id)
    assert (detail.stage, detail.expected_amount_cents) == ("won", 180_050)
    assert history_rows(at)[0] == ("Edited", "Maria Lindqvist", "expected amount $1,950.00 → $1,800.50")


def test_a_manager_reassigns_one_deal_from_its_details(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(MANAGER, opportunity_id)
    at.selectbox(key=f"opportunities_reassign_owner_{opportunity_id}").set_value(OTHER_REP)

    press(at, "Reassign")

    assert "Reassigned 1 opportunity to Priya Raman." in [s.value for s in at.success]
    assert opportunity_detail(db, opportunity_id).owner == "Priya Raman"
    assert history_rows(at)[0] == ("Reassigned", "Maria Lindqvist", "owner Daniel Okafor → Priya Raman")
    assert changes_listed(at) == [
        f"**Maria Lindqvist** reassigned: {plain('owner Daniel Okafor → Priya Raman')}"
    ]


def pick_rows(at: AppTest, rows: list[int]) -> AppTest:
    [table] = [d for d in at.dataframe if d.key and d.key.startswith("opportunities_pick_")]
    at.session_state[table.key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def test_a_manager_reassigns_the_deals_selected_in_the_list(db: Store) -> None:
    first, second, third = (deal(db, n) for n in (1, 2, 3))  # the newest first in the list
    at = page_as(MANAGER)
    at.toggle(key="opportunities_select_many").set_value(True).run()
    pick_rows(at, [0, 2])  # the third and the first
    assert "**2 selected**" in [m.value for m in at.markdown]
    at.selectbox(key="opportunities_bulk_owner").set_value(OTHER_REP).run()

    press(at, "Reassign")

    assert not at.exception
    assert "Reassigned 2 opportunities to Priya Raman." in [s.value for s in at.success]
    owners = [opportunity_detail(db, i).owner for i in (first, second, third)]
    assert owners == ["Priya Raman", "Daniel Okafor", "Priya Raman"]
    assert "**0 selected**" in [m.value for m in at.markdown]  # the finished selection is cleared


def test_a_closed_deal_in_the_selection_is_named_and_nobody_is_reassigned(db: Store) -> None:
    open_one, won = deal(db, 1), deal(db, 2)
    walk(db, won, "won", DANIEL)
    at = page_as(MANAGER)
    at.toggle(key="opportunities_select_many").set_value(True).run()
    pick_rows(at, [0, 1])
    assert "**2 selected** · 1 won or lost (they keep their owner: unselect them)" in [
        m.value for m in at.markdown
    ]
    at.selectbox(key="opportunities_bulk_owner").set_value(OTHER_REP).run()

    press(at, "Reassign")

    assert [e.value for e in at.error] == [
        f"Opportunity #{won} is won or lost: a closed deal keeps the owner who closed it. "
        "Reassign open ones only."
    ]
    assert [opportunity_detail(db, i).owner for i in (open_one, won)] == ["Daniel Okafor", "Daniel Okafor"]


def test_reps_cannot_select_deals_to_reassign(db: Store) -> None:
    at = page_as(REP)
    assert not at.toggle
    assert [d.key for d in at.dataframe if d.key and d.key.startswith("opportunities_pick_")] == []


def test_reassigning_without_choosing_a_new_owner_asks_for_one(db: Store) -> None:
    opportunity_id = deal(db)
    at = page_as(MANAGER)
    at.toggle(key="opportunities_select_many").set_value(True).run()
    pick_rows(at, [0])

    press(at, "Reassign")

    assert [e.value for e in at.error] == ["New owner is required: choose a rep or manager"]
    assert opportunity_detail(db, opportunity_id).owner == "Daniel Okafor"


def test_typed_text_in_a_change_is_shown_as_text(db: Store) -> None:
    opportunity_id = deal(db)
    hostile = "**Bold** :red[red] [x](javascript:alert(1))"
    edit_opportunity(db, DANIEL, opportunity_id, 1, DealEdit(contact_name=hostile))

    at = page_as(REP, opportunity_id)

    [line] = changes_listed(at)
    change = f"contact name 'Ada Lovelace' → '{hostile}'"
    assert line == f"**Daniel Okafor** edited: {plain(change)}"
    assert "**Bold**" not in line and ":red[" not in line and "](javascript" not in line
