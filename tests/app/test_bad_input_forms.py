"""The forms' part of the bad-input corpus (the rest: tests/integration/test_bad_input_corpus.py).

Each case types something hostile or broken into a real form through AppTest, submits it, and
expects an `st.error` naming the field, no exception, and the database unchanged (row counts of
every table and the data version). Valid text that only *looks* hostile is saved verbatim and
shown as text, not Markdown.
"""


from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_core.services import order_id_for_number, table_counts
from crm_core.store import Store, data_version
from crm_core.store.models import Customer
from tests.conftest import sqlite_store_at
from ui.text import plain

MEGABYTE = "x" * 1_000_000
RLO = "\u202e"
XSS_SCRIPT = "<script>alert(1)</script>"
MD_JS_LINK = "[click me](javascript:alert(1))"
ENTERED, INVOICED = "SO-001500", "SO-001473"
CAPTURE_TAB = ":material/add: Capture new"


@pytest.fixture
def db(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def capture(**values: str) -> Callable[[AppTest, Store], AppTest]:
    def submit(at: AppTest, db: Store) -> AppTest:
        at.switch_page("pages/opportunities.py").run()
        at.session_state["opportunities_view"] = CAPTURE_TAB
        at.run()
        fields = {
            "company": "Form Corpus Ltd",
            "contact": "Ada Lovelace",
            "email": "ada@formcorpus.example",
        } | values
        for name, value in fields.items():
            at.text_input(key=f"opportunities_capture_{name}").input(value)
        at.selectbox(key="opportunities_capture_product").set_value(3)
        [button] = [b for b in at.button if b.label == "Capture opportunity"]
        return button.click().run()

    return submit


def new_order(line: dict[str, object], notes: str = "") -> Callable[[AppTest, Store], AppTest]:
    def submit(at: AppTest, db: Store) -> AppTest:
        at.session_state["orders_view"] = "new"
        at.session_state["orders_new_lines"] = [
            {"sku": "SW-1001", "quantity": 1, "unit_price": None, "discount_pct": 0.0} | line
        ]
        at.switch_page("pages/orders.py").run()
        at.selectbox(key="orders_new_customer").set_value(5).run()
        if notes:
            at.text_area(key="orders_new_notes").input(notes).run()
        return at.button(key="orders_new_create").click().run()

    return submit


def order_action(number: str, key: str, field: str, value: str) -> Callable[[AppTest, Store], AppTest]:
    def submit(at: AppTest, db: Store) -> AppTest:
        order_id = order_id_for_number(db, number)
        at.session_state["orders_selected"] = order_id
        at.switch_page("pages/orders.py").run()
        at.text_input(key=f"orders_in_{field}_{order_id}").input(value).run()
        return at.button(key=key).click().run()

    return submit


def preset(name: str) -> Callable[[AppTest, Store], AppTest]:
    def submit(at: AppTest, db: Store) -> AppTest:
        at.switch_page("pages/scoring.py").run()
        at.text_input(key="scoring_preset_name").input(name)
        [button] = [b for b in at.button if b.label == "Save preset"]
        return button.click().run()

    return submit


@dataclass(frozen=True)
class FormCase:
    name: str
    submit: Callable[[AppTest, Store], AppTest]
    expect: str  # the field the error message must name


FORM_CASES = [
    FormCase("capture: whitespace company", capture(company="   "), "company"),
    FormCase("capture: 1 MB company", capture(company=MEGABYTE), "company"),
    FormCase("capture: right-to-left override in company", capture(company=f"Evil{RLO}cnI"), "company"),
    FormCase("capture: NUL in contact name", capture(contact="Ada\x00"), "contact name"),
    FormCase("capture: escape sequence in contact", capture(contact="Ada\x1b[31m"), "contact name"),
    FormCase("capture: script tag as email", capture(email=XSS_SCRIPT), "email"),
    FormCase("capture: javascript link as phone", capture(phone=MD_JS_LINK), "phone"),
    FormCase("capture: SQL as email", capture(email="a@b.example' OR 1=1 --"), "email"),
    FormCase("order: quantity NaN", new_order({"quantity": float("nan")}), "line 1: quantity"),
    FormCase("order: quantity 10^20", new_order({"quantity": 10**20}), "line 1: quantity"),
    FormCase("order: unit price 10^20", new_order({"unit_price": 1e20}), "line 1: unit price"),
    FormCase("order: unit price infinite", new_order({"unit_price": float("inf")}), "line 1: unit price"),
    FormCase("order: negative discount", new_order({"discount_pct": -5.0}), "line 1: discount %"),
    FormCase("order: SKU is SQL", new_order({"sku": "'; DROP TABLE orders;--"}), "line 1: SKU"),
    FormCase("order: notes with a bell character", new_order({}, notes="call\x07me"), "notes"),
    FormCase(
        "payment: NaN", order_action(INVOICED, "orders_act_record_payment", "amount", "NaN"), "amount"
    ),
    FormCase(
        "payment: 10^20", order_action(INVOICED, "orders_act_record_payment", "amount", "1e20"), "amount"
    ),
    FormCase(
        "payment: negative", order_action(INVOICED, "orders_act_record_payment", "amount", "-5"), "amount"
    ),
    FormCase(
        "payment: script tag",
        order_action(INVOICED, "orders_act_record_payment", "amount", XSS_SCRIPT),
        "amount",
    ),
    FormCase(
        "hold: whitespace reason",
        order_action(ENTERED, "orders_act_hold", "hold_reason", "  "),
        "hold reason",
    ),
    FormCase(
        "hold: 1 MB reason",
        order_action(ENTERED, "orders_act_hold", "hold_reason", MEGABYTE),
        "hold reason",
    ),
    FormCase(
        "hold: right-to-left override",
        order_action(ENTERED, "orders_act_hold", "hold_reason", f"wait{RLO}"),
        "hold reason",
    ),
    FormCase("preset: NUL in name", preset("Q3\x00"), "preset name"),
    FormCase("preset: right-to-left override in name", preset(f"Q3{RLO}"), "preset name"),
]


def snapshot(db: Store) -> tuple[dict[str, int], int]:
    return table_counts(db), data_version(db)


@pytest.mark.parametrize("case", FORM_CASES, ids=lambda case: case.name)
def test_a_form_refuses_bad_input_naming_the_field_and_changes_nothing(
    app: AppTest, db: Store, case: FormCase
) -> None:
    before = snapshot(db)

    at = case.submit(app, db)

    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert case.expect.lower() in errors.lower(), errors[:500]
    assert len(errors) < 5_000, "the message must not echo a megabyte back"
    assert snapshot(db) == before


ACCEPTED_NAMES = {
    "emoji and Arabic": "مطبعة النور 🚀 Café",
    "SQL-looking": "O'Brien; DROP TABLE customers;--",
    "javascript link": MD_JS_LINK,
}


@pytest.mark.parametrize("company", list(ACCEPTED_NAMES.values()), ids=list(ACCEPTED_NAMES))
def test_a_capture_form_accepts_real_names_verbatim_and_shows_them_as_text(
    app: AppTest, db: Store, company: str
) -> None:
    version = data_version(db)

    at = capture(company=company)(app, db)

    assert not at.exception, at.exception
    with db.read() as session:
        stored = session.scalar(select(Customer.name).order_by(Customer.id.desc()).limit(1))
    assert stored == company
    assert data_version(db) == version + 1
    assert at.subheader[0].value.startswith(plain(company))  # escaped Markdown: shown literally
