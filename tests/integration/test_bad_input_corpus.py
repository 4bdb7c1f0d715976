"""The bad-input corpus (docs/architecture.md §7): one table of hostile and broken inputs, thrown at the
service API, the importer and the command line, on SQLite and PostgreSQL.

Every refused case must name its field (or the file's row and column) and leave the database
exactly as it was: the row count of every table and the data version. The few *accepted* cases
are text a real CRM must take (emoji and right-to-left letters in a name, an apostrophe and
SQL-looking words, markup in a name): they are stored verbatim. The forms' part of the corpus
is `tests/app/test_bad_input_forms.py`; the decisions are in the README's "Bad input" section.
"""

# ruff: noqa: E501

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.__main__ import main as cli_main
from crm_core.cli_data import system_actor
from crm_core.errors import DomainError
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.orders import LineInput
from crm_core.scoring import Weights
from crm_core.services import (
    capture_opportunity,
    create_order,
    enrich_opportunity,
    get_actor,
    hold_order,
    import_file,
    mark_lost,
    qualify_opportunity,
    record_payment,
    save_preset,
    schedule_meeting,
    table_counts,
)
from crm_core.services.orders import NewOrder
from crm_core.store import Store, data_version
from crm_core.store.models import Customer, Opportunity, Order

MEGABYTE = "x" * 1_000_000
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: 'Invoice‮fdp.exe' reads 'Invoiceexe.pdf'
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"
MD_JS_LINK = "[click me](javascript:alert(1))"
SQL_NAME = "O'Brien; DROP TABLE customers;--"
EMOJI_RTL_NAME = "مطبعة النور 🚀 Café"


@dataclass
class Ctx:
    store: Store
    tmp: Path
    manager: Any
    admin: Any
    opportunity: tuple[int, int]  # a captured opportunity owned by the manager: id, version
    order_entered: int

    # --- service: the call must raise a DomainError; its message is what a user reads
    def refused(self, call: Callable[[], object]) -> str:
        with pytest.raises(DomainError) as caught:
            call()
        return str(caught.value)

    # --- import: strict, so a single bad row means nothing is written; the report is the message
    def imported(self, kind: str, csv: str) -> str:
        report = import_file(self.store, self.admin, kind, csv.encode("utf-8"), f"{kind}.csv")
        assert not report.written and report.rows_rejected > 0, report.to_text()
        return report.to_text()

    # --- command line: `python -m crm_core …` in process; the message is stderr (and stdout)
    def cli(self, *argv: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli_main(list(argv))
            except SystemExit as exc:  # argparse refuses bad arguments with status 2
                status = exc.code
        assert status not in (0, None), out.getvalue()
        text = err.getvalue() + out.getvalue()
        assert "Traceback" not in text
        return text

    def file(self, name: str, content: str) -> str:
        path = self.tmp / name
        path.write_text(content, encoding="utf-8")
        return str(path)

    def capture(self, **changes: Any) -> int:
        fields = {
            "company": "Corpus Test Ltd",
            "contact_name": "Ada Lovelace",
            "email": "ada@corpus.example",
            "product_id": 1,
            "new_customer": True,
        } | changes
        return capture_opportunity(self.store, self.manager, NewOpportunity(**fields))

    def order(self, **changes: Any) -> int:
        fields = {
            "customer_id": 2,
            "lines": [LineInput("SW-1001", 1)],
            "payment_method": "credit_card",
            "delivery_method": "standard",
        } | changes
        return create_order(self.store, self.manager, NewOrder(**fields))

    def enrich(self, **changes: Any) -> int:
        fields = {
            "industry": "Retail",
            "employees": 50,
            "need": "Faster routers",
            "budget": 10_000,
            "decision_maker": "CFO",
            "timing": "This quarter",
        } | changes
        return enrich_opportunity(self.store, self.manager, *self.opportunity, Enrichment(**fields))

    def scores(self, **changes: Any) -> int:
        factors = ("segmentation", "customer_characteristics", "relationship_level", "account_resource")
        bant = ("budget", "authority", "need", "timing")
        scores: dict[str, Any] = dict.fromkeys(factors + bant, 5) | changes
        return qualify_opportunity(self.store, self.manager, *self.opportunity, scores)


@dataclass(frozen=True)
class Case:
    channel: str  # service, import or cli
    name: str
    run: Callable[[Ctx], str]
    expect: str  # the field (or "row N" and the column) the message must name; a service's starts with it


@dataclass(frozen=True)
class Accepted:
    """Valid text that looks hostile: stored verbatim (`read` returns what was stored)."""

    channel: str
    name: str
    value: str
    write: Callable[[Ctx, str], int]
    read: Callable[[Store, int], str]


CUSTOMERS_HEADER = "name,employees,annual_revenue,credit_limit,contact_email\n"
OPPS_HEADER = "external_id,customer,stage,expected_amount,segmentation,created_at\n"


def customers_csv(row: str) -> str:
    return CUSTOMERS_HEADER + "Good Row Ltd,10,1000,500,a@good.example\n" + row + "\n"


def opps_csv(row: str) -> str:
    return OPPS_HEADER + "X-1,Wolftop Provisions LLC,captured,100,5,2026-01-02\n" + row + "\n"


def far_future() -> str:
    return (datetime.now(UTC) + timedelta(days=3650)).isoformat()


S, IMP, C = "service", "import", "cli"
CASES: list[Case] = [
    # ---- service API: capture
    Case(S, "empty company", lambda c: c.refused(lambda: c.capture(company="")), "company"),
    Case(S, "whitespace-only contact", lambda c: c.refused(lambda: c.capture(contact_name=" \t ")), "contact name"),
    Case(S, "1 MB company name", lambda c: c.refused(lambda: c.capture(company=MEGABYTE)), "company"),
    Case(S, "NUL in contact name", lambda c: c.refused(lambda: c.capture(contact_name="Ada\x00")), "contact name"),
    Case(S, "escape sequence in company", lambda c: c.refused(lambda: c.capture(company="Acme\x1b[31m")), "company"),
    Case(S, "newline in company", lambda c: c.refused(lambda: c.capture(company="Acme\nEvil")), "company"),
    Case(S, "right-to-left override in company", lambda c: c.refused(lambda: c.capture(company=f"Invoice{RLO}fdp.exe")), "company"),
    Case(S, "bidi isolate in contact", lambda c: c.refused(lambda: c.capture(contact_name="Ada\u2067x\u2069")), "contact name"),
    Case(S, "lone surrogate in contact", lambda c: c.refused(lambda: c.capture(contact_name="Ada\ud800")), "contact name"),
    Case(S, "script tag as email", lambda c: c.refused(lambda: c.capture(email=XSS_SCRIPT)), "email"),
    Case(S, "SQL as email", lambda c: c.refused(lambda: c.capture(email="x' OR '1'='1")), "email"),
    Case(S, "javascript link as phone", lambda c: c.refused(lambda: c.capture(phone=MD_JS_LINK)), "phone"),
    Case(S, "NaN expected amount", lambda c: c.refused(lambda: c.capture(expected_amount=float("nan"))), "expected amount"),
    Case(S, "infinite expected amount", lambda c: c.refused(lambda: c.capture(expected_amount=float("inf"))), "expected amount"),
    Case(S, "negative expected amount", lambda c: c.refused(lambda: c.capture(expected_amount=-5)), "expected amount"),
    Case(S, "10^20 expected amount", lambda c: c.refused(lambda: c.capture(expected_amount=10**20)), "expected amount"),
    Case(S, "three-decimal amount", lambda c: c.refused(lambda: c.capture(expected_amount="10.001")), "expected amount"),
    Case(S, "quantity 10^20", lambda c: c.refused(lambda: c.capture(quantity=10**20)), "quantity"),
    Case(S, "quantity 2.5", lambda c: c.refused(lambda: c.capture(quantity=2.5)), "quantity"),
    Case(S, "quantity True", lambda c: c.refused(lambda: c.capture(quantity=True)), "quantity"),
    Case(S, "quantity as a list", lambda c: c.refused(lambda: c.capture(quantity=[1])), "quantity"),
    Case(S, "company as a number", lambda c: c.refused(lambda: c.capture(company=12345)), "company"),
    Case(S, "product id 10^20", lambda c: c.refused(lambda: c.capture(product_id=10**20)), "product interest"),
    Case(S, "customer id 10^20", lambda c: c.refused(lambda: c.capture(customer_id=10**20)), "customer"),
    Case(S, "product id SQL", lambda c: c.refused(lambda: c.capture(product_id="1; DROP TABLE products")), "product interest"),
    Case(S, "close date in year 1", lambda c: c.refused(lambda: c.capture(expected_close_date="0001-01-01")), "expected close date"),
    Case(S, "close date 9999-12-31", lambda c: c.refused(lambda: c.capture(expected_close_date="9999-12-31")), "expected close date"),
    Case(S, "close date not a date", lambda c: c.refused(lambda: c.capture(expected_close_date="2026-02-30")), "expected close date"),
    # ---- service API: the later steps
    Case(S, "enrich: NaN budget", lambda c: c.refused(lambda: c.enrich(budget=float("nan"))), "budget"),
    Case(S, "enrich: negative company size", lambda c: c.refused(lambda: c.enrich(employees=-3)), "company size"),
    Case(S, "enrich: timing not offered", lambda c: c.refused(lambda: c.enrich(timing="<b>now</b>")), "timing"),
    Case(S, "qualify: NaN score", lambda c: c.refused(lambda: c.scores(segmentation=float("nan"))), "Segmentation"),
    Case(S, "qualify: infinite score", lambda c: c.refused(lambda: c.scores(budget=float("-inf"))), "Budget"),
    Case(S, "qualify: score 11", lambda c: c.refused(lambda: c.scores(need=11)), "Need"),
    Case(S, "qualify: score as text", lambda c: c.refused(lambda: c.scores(timing="high")), "Timing"),
    Case(
        S,
        "schedule: meeting in ten years",
        lambda c: c.refused(lambda: schedule_meeting(c.store, c.manager, *c.opportunity, MeetingRequest("demo", far_future()))),
        "meeting time",
    ),
    Case(
        S,
        "schedule: kind is a script tag",
        lambda c: c.refused(lambda: schedule_meeting(c.store, c.manager, *c.opportunity, MeetingRequest(XSS_SCRIPT, far_future()))),
        "meeting kind",
    ),
    Case(S, "lose: empty reason", lambda c: c.refused(lambda: mark_lost(c.store, c.manager, *c.opportunity, "   ")), "lost reason"),
    Case(S, "lose: 1 MB reason", lambda c: c.refused(lambda: mark_lost(c.store, c.manager, *c.opportunity, MEGABYTE)), "lost reason"),
    Case(S, "opportunity id 10^20", lambda c: c.refused(lambda: mark_lost(c.store, c.manager, 10**20, 1, "x")), "opportunity"),
    # ---- service API: orders
    Case(S, "order without lines", lambda c: c.refused(lambda: c.order(lines=[])), "lines"),
    Case(S, "line quantity -1", lambda c: c.refused(lambda: c.order(lines=[LineInput("SW-1001", -1)])), "line 1: quantity"),
    Case(S, "line quantity 10^20", lambda c: c.refused(lambda: c.order(lines=[LineInput("SW-1001", 10**20)])), "line 1: quantity"),
    Case(S, "line price NaN", lambda c: c.refused(lambda: c.order(lines=[LineInput("SW-1001", 1, float("nan"))])), "line 1: unit price"),
    Case(S, "line discount 150 %", lambda c: c.refused(lambda: c.order(lines=[LineInput("SW-1001", 1, None, 150)])), "line 1: discount %"),
    Case(S, "line SKU with NUL", lambda c: c.refused(lambda: c.order(lines=[LineInput("SW-1001\x00", 1)])), "line 1: SKU"),
    Case(S, "line SKU is SQL", lambda c: c.refused(lambda: c.order(lines=[LineInput("' OR 1=1 --", 1)])), "line 1: SKU"),
    Case(S, "shipping infinite", lambda c: c.refused(lambda: c.order(shipping=float("inf"))), "shipping"),
    Case(S, "tax rate negative", lambda c: c.refused(lambda: c.order(tax_rate_pct=-1)), "tax rate %"),
    Case(S, "payment method script", lambda c: c.refused(lambda: c.order(payment_method=XSS_SCRIPT)), "payment method"),
    Case(S, "requested date year 1900", lambda c: c.refused(lambda: c.order(requested_date="1900-01-01")), "requested date"),
    Case(S, "notes with control chars", lambda c: c.refused(lambda: c.order(notes="hi\x07there")), "notes"),
    Case(S, "customer id as float NaN", lambda c: c.refused(lambda: c.order(customer_id=float("nan"))), "customer"),
    Case(S, "hold: reason 1 MB", lambda c: c.refused(lambda: hold_order(c.store, c.manager, c.order_entered, MEGABYTE)), "hold reason"),
    Case(S, "order id 10^20", lambda c: c.refused(lambda: hold_order(c.store, c.manager, 10**20, "x")), "order"),
    Case(S, "payment amount NaN", lambda c: c.refused(lambda: record_payment(c.store, c.manager, c.order_entered, float("nan"))), "amount"),
    Case(S, "payment amount 10^20", lambda c: c.refused(lambda: record_payment(c.store, c.manager, c.order_entered, Decimal(10) ** 20)), "amount"),
    Case(S, "preset name with NUL", lambda c: c.refused(lambda: save_preset(c.store, c.manager, "Q1\x00", Weights(0.3, 0.2, 0.3, 0.2))), "preset name"),
    Case(S, "preset name with RLO", lambda c: c.refused(lambda: save_preset(c.store, c.manager, f"Q1{RLO}", Weights(0.3, 0.2, 0.3, 0.2))), "preset name"),
    Case(S, "preset name as a number", lambda c: c.refused(lambda: save_preset(c.store, c.manager, 42, Weights(0.3, 0.2, 0.3, 0.2))), "preset name"),  # type: ignore[arg-type]
    # ---- imports (strict: one bad row and nothing is written; the report names row and column)
    Case(IMP, "empty customer name", lambda c: c.imported("customers", customers_csv(",5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "whitespace customer name", lambda c: c.imported("customers", customers_csv("   ,5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "1 MB customer name", lambda c: c.imported("customers", customers_csv(f"{MEGABYTE},5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "escape sequence in name", lambda c: c.imported("customers", customers_csv("Evil\x1b[2J Ltd,5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "C1 control in name", lambda c: c.imported("customers", customers_csv("Evil\x85 Ltd,5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "right-to-left override in name", lambda c: c.imported("customers", customers_csv(f"Evil{RLO}dtL,5,1,1,")), "row 3, column 'name'"),
    Case(IMP, "employees NaN", lambda c: c.imported("customers", customers_csv("Nan Ltd,NaN,1,1,")), "row 3, column 'employees'"),
    Case(IMP, "employees 10^20", lambda c: c.imported("customers", customers_csv("Big Ltd,100000000000000000000,1,1,")), "row 3, column 'employees'"),
    Case(IMP, "employees negative", lambda c: c.imported("customers", customers_csv("Neg Ltd,-4,1,1,")), "row 3, column 'employees'"),
    Case(IMP, "employees in Arabic-Indic digits", lambda c: c.imported("customers", customers_csv("Digits Ltd,١٢٣,1,1,")), "row 3, column 'employees'"),
    Case(IMP, "revenue infinity", lambda c: c.imported("customers", customers_csv("Inf Ltd,5,inf,1,")), "row 3, column 'annual_revenue'"),
    Case(IMP, "revenue 10^20", lambda c: c.imported("customers", customers_csv("Rich Ltd,5,100000000000000000000,1,")), "row 3, column 'annual_revenue'"),
    Case(IMP, "credit limit negative", lambda c: c.imported("customers", customers_csv("Debt Ltd,5,1,-100,")), "row 3, column 'credit_limit'"),
    Case(IMP, "email is a script tag", lambda c: c.imported("customers", customers_csv(f"Mail Ltd,5,1,1,{XSS_SCRIPT}")), "row 3, column 'contact_email'"),
    Case(IMP, "score NaN", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,100,NaN,2026-01-02")), "row 3, column 'segmentation'"),
    Case(IMP, "score infinity", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,100,inf,2026-01-02")), "row 3, column 'segmentation'"),
    Case(IMP, "amount NaN", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,NaN,5,2026-01-02")), "row 3, column 'expected_amount'"),
    Case(IMP, "stage is SQL", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,won'; DROP TABLE opportunities;--,100,5,2026-01-02")), "row 3, column 'stage'"),
    Case(IMP, "created in year 0001", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,100,5,0001-01-01")), "row 3, column 'created_at'"),
    Case(IMP, "created 9999-12-31", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,100,5,9999-12-31")), "row 3, column 'created_at'"),
    Case(IMP, "created 2026-13-45", lambda c: c.imported("opportunities", opps_csv("X-2,Wolftop Provisions LLC,captured,100,5,2026-13-45")), "row 3, column 'created_at'"),
    Case(IMP, "customer markdown javascript link", lambda c: c.imported("opportunities", opps_csv(f"X-2,{MD_JS_LINK},captured,100,5,2026-01-02")), "row 3, column 'customer'"),
    # ---- command line
    Case(C, "unknown import kind", lambda c: c.cli("import", "invoices", c.file("a.csv", "x\n1\n")), "kind"),
    Case(C, "missing file", lambda c: c.cli("import", "customers", str(c.tmp / "nope.csv")), "no such file"),
    Case(C, "empty file", lambda c: c.cli("import", "customers", c.file("empty.csv", "")), "file"),
    Case(C, "binary garbage as CSV", lambda c: c.cli("import", "customers", c.file("junk.csv", "\x00\x01\x02\ufffd" * 100)), "file"),
    Case(C, "a file with a bad row", lambda c: c.cli("import", "customers", c.file("bad.csv", customers_csv("Nan Ltd,NaN,1,1,"))), "row 3, column 'employees'"),
    Case(C, "--as a script tag", lambda c: c.cli("import", "customers", c.file("ok.csv", customers_csv("Fine Ltd,1,1,1,")), "--as", XSS_SCRIPT), "--as"),
    Case(C, "--as a rep (no import right)", lambda c: c.cli("import", "customers", c.file("ok2.csv", customers_csv("Fine Ltd,1,1,1,")), "--as", "daniel.okafor@scalewise.example"), "import"),
    Case(C, "mapping that is not TOML", lambda c: c.cli("import", "customers", c.file("ok3.csv", customers_csv("Fine Ltd,1,1,1,")), "--mapping", c.file("m.toml", "[columns\nname = ")), "mapping"),
    Case(C, "mapping to a missing column", lambda c: c.cli("import", "customers", c.file("ok4.csv", customers_csv("Fine Ltd,1,1,1,")), "--mapping", c.file("m2.toml", '[columns]\nname = "<script>"\n')), "name"),
    Case(C, "export format unknown", lambda c: c.cli("export", "customers", "--format", "html", "--out", str(c.tmp / "x.html")), "--format"),
    Case(C, "export table is SQL", lambda c: c.cli("export", "customers; DROP TABLE users", "--out", str(c.tmp / "x.csv")), "table"),
    Case(C, "1 MB argument", lambda c: c.cli("import", MEGABYTE, "x.csv"), "argument 2"),
]

ACCEPTED: list[Accepted] = [
    Accepted(S, "emoji and Arabic letters in a company name", EMOJI_RTL_NAME,
             lambda c, v: c.capture(company=v), lambda s, i: _customer_of(s, i)),
    Accepted(S, "O'Brien; DROP TABLE as a contact name", SQL_NAME,
             lambda c, v: c.capture(contact_name=v), lambda s, i: _contact_of(s, i)),
    Accepted(S, "an img tag as a company name", XSS_IMG,
             lambda c, v: c.capture(company=v), lambda s, i: _customer_of(s, i)),
    Accepted(S, "a script tag as a contact name", XSS_SCRIPT,
             lambda c, v: c.capture(contact_name=v), lambda s, i: _contact_of(s, i)),
    Accepted(S, "a javascript: Markdown link as a company name", MD_JS_LINK,
             lambda c, v: c.capture(company=v), lambda s, i: _customer_of(s, i)),
    Accepted(IMP, "emoji, Arabic and SQL in an imported customer name", f"{EMOJI_RTL_NAME} {SQL_NAME}",
             lambda c, v: _import_customer(c, v), lambda s, i: _customer_name(s, i)),
]


def _customer_of(store: Store, opportunity_id: int) -> str:
    with store.read() as session:
        opp = session.get(Opportunity, opportunity_id)
        assert opp is not None
        return session.get(Customer, opp.customer_id).name  # type: ignore[union-attr]


def _contact_of(store: Store, opportunity_id: int) -> str:
    with store.read() as session:
        return session.get(Opportunity, opportunity_id).contact_name  # type: ignore[union-attr]


def _customer_name(store: Store, customer_id: int) -> str:
    with store.read() as session:
        return session.get(Customer, customer_id).name  # type: ignore[union-attr]


def _import_customer(c: Ctx, name: str) -> int:
    quoted = '"' + name.replace('"', '""') + '"'
    report = import_file(c.store, c.admin, "customers", f"name\n{quoted}\n".encode(), "c.csv")
    assert report.written and report.clean, report.to_text()
    with c.store.read() as session:
        return session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1))  # type: ignore[return-value]


def snapshot(store: Store) -> tuple[dict[str, int], int]:
    return table_counts(store), data_version(store)


@pytest.fixture
def ctx(seeded_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ctx:
    monkeypatch.setenv("CRM_DATABASE_URL", seeded_store.target.url.render_as_string(hide_password=False))
    with seeded_store.read() as session:
        opportunity = session.execute(
            select(Opportunity.id, Opportunity.version).where(Opportunity.stage == "captured").limit(1)
        ).one()
        order_id = session.scalar(select(Order.id).where(Order.status == "entered").limit(1))
    assert order_id is not None
    return Ctx(
        seeded_store,
        tmp_path,
        get_actor(seeded_store, 1),
        system_actor(seeded_store, None),
        (opportunity.id, opportunity.version),
        order_id,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.channel}: {case.name}")
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(ctx: Ctx, case: Case) -> None:
    before = snapshot(ctx.store)

    message = case.run(ctx)

    if case.channel == S:  # a sentence that starts with the field: "Company is required"
        assert message.lower().startswith(case.expect.lower()), message[:2000]
    assert case.expect.lower() in message.lower(), message[:2000]
    assert len(message) < 5_000, "the message must not echo a megabyte back"
    assert snapshot(ctx.store) == before


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: f"{case.channel}: {case.name}")
def test_valid_text_that_looks_hostile_is_stored_verbatim(ctx: Ctx, case: Accepted) -> None:
    version = data_version(ctx.store)

    record_id = case.write(ctx, case.value)

    assert case.read(ctx.store, record_id) == case.value
    assert data_version(ctx.store) == version + 1


def test_the_corpus_is_large_enough_to_quote() -> None:
    from tests.app.test_bad_input_forms import ACCEPTED_NAMES, FORM_CASES

    by_channel = {ch: sum(1 for c in CASES + ACCEPTED if c.channel == ch) for ch in (S, IMP, C)}
    by_channel["forms"] = len(FORM_CASES) + len(ACCEPTED_NAMES)
    accepted = len(ACCEPTED) + len(ACCEPTED_NAMES)
    print(f"bad-input corpus: {sum(by_channel.values())} cases ({accepted} accepted verbatim) — {by_channel}")
    assert sum(by_channel.values()) >= 60 and all(by_channel.values())
