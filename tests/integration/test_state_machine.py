"""A Hypothesis state machine over the real services: opportunities and orders together, on a
small SQLite store (a fresh copy of a template file per example), ≥ 200 examples × 50 steps.

Rules capture and move opportunities, convert won ones, enter orders and take any order action as
a rep or a manager — legal or not, with stale versions now and then. A refused step must change
nothing (data version). After every step the invariants hold: no shipped order without its
payment, stock never negative and conserved (on hand + shipped = what there was; reserved = what
open allocations hold), every order from an opportunity has its customer, and replaying the events
reproduces every status and stage."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from crm_core.config import DatabaseTarget
from crm_core.errors import ConflictError, DomainError
from crm_core.event_replay import replay_all
from crm_core.opportunities import FACTORS
from crm_core.opportunity_fields import Enrichment, MeetingRequest, NewOpportunity
from crm_core.orders import Action, LineInput, next_actions
from crm_core.permissions import Actor, Role
from crm_core.services import (
    capture_opportunity,
    convert_to_order,
    create_order,
    enrich_opportunity,
    mark_lost,
    mark_won,
    perform,
    qualify_opportunity,
    schedule_meeting,
)
from crm_core.services.orders import NewOrder
from crm_core.store import Store, UnitOfWork, data_version, make_store
from crm_core.store.migrate import migrate
from crm_core.store.models import Customer, Meta, Opportunity, Order, Product, Stock, User, Warehouse
from crm_core.store.uow import DATA_VERSION_KEY

MANAGER = Actor(1, "Mia Manager", "mia@example.com", Role.MANAGER)
REP = Actor(2, "Ray Rep", "ray@example.com", Role.REP)
OTHER_REP = Actor(3, "Rosa Rep", "rosa@example.com", Role.REP)
ACTORS = (MANAGER, REP, OTHER_REP)
SKUS = ("P-1", "P-2", "P-3")
ON_HAND = {(1, 1): 900, (2, 1): 600, (1, 2): 400, (2, 2): 0, (1, 3): 12, (2, 3): 8}  # (warehouse, product)
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
SCORES = dict.fromkeys(
    FACTORS,
    6,
)
ENRICHMENT = Enrichment("Retail", 120, "Scanners", "20000", "The COO", "Next quarter")
STATS: Counter[str] = Counter()
OPPORTUNITY_STEPS = ("enrich", "qualify", "schedule", "win", "lose")


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated, with three users, three customers (one with a tiny credit limit, one blocked),
    three products (one scarce) in two warehouses, and no history."""
    path = tmp_path_factory.mktemp("machine") / "template.sqlite"
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{path}"), "test"))
    with store.engine.begin() as conn:
        migrate(conn)
    with UnitOfWork(store) as uow:
        s = uow.session
        s.add(Meta(key=DATA_VERSION_KEY, value=1))
        for a in ACTORS:
            s.add(User(id=a.id, name=a.name, email=a.email, role=a.role.value, active=True))
        s.add_all(
            [
                Customer(id=1, name="Acme", credit_limit_cents=10**9),
                Customer(id=2, name="Tiny Credit", credit_limit_cents=50_000),
                Customer(id=3, name="Blocked Ltd", credit_limit_cents=10**9, blocked=True),
            ]
        )
        s.add_all(
            [
                Product(id=i, sku=sku, name=f"Product {sku}", list_price_cents=10_000 * i)
                for i, sku in enumerate(SKUS, 1)
            ]
        )
        s.add_all(
            [
                Warehouse(id=1, code="W1", name="North", region="N", lead_time_days=2),
                Warehouse(id=2, code="W2", name="South", region="S", lead_time_days=5),
            ]
        )
        s.flush()
        s.add_all(
            [Stock(warehouse_id=w, product_id=p, on_hand=q, reserved=0) for (w, p), q in ON_HAND.items()]
        )
        uow.commit()
    store.dispose()
    return path


class Desk(RuleBasedStateMachine):
    template: Path
    workdir: Path

    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        path = self.workdir / f"example-{STATS['examples']}.sqlite"
        shutil.copy(self.template, path)
        self.path = path
        self.store: Store = make_store(DatabaseTarget(make_url(f"sqlite:///{path}"), "test"))
        self.opportunities: list[int] = []
        self.orders: list[int] = []
        self.steps = 0

    def teardown(self) -> None:
        STATS["longest example"] = max(STATS["longest example"], self.steps)
        self.store.dispose()
        self.path.unlink(missing_ok=True)

    # --- helpers ----------------------------------------------------------------------------------

    def _version(self, model: type[Order] | type[Opportunity], ident: int) -> int:
        with self.store.read() as s:
            return int(s.scalar(select(model.version).where(model.id == ident)) or 1)

    def _attempt(self, kind: str, call: object) -> object | None:
        """Run a use case; a refusal must be a domain error that changed nothing."""
        before = data_version(self.store)
        STATS["steps"] += 1
        try:
            result = call()  # type: ignore[operator]
        except DomainError as exc:
            STATS[f"refused: {type(exc).__name__}"] += 1
            assert data_version(self.store) == before, f"{kind} was refused but changed the data"
            return None
        STATS[f"done: {kind}"] += 1
        assert data_version(self.store) > before
        return result

    # --- rules ------------------------------------------------------------------------------------

    @rule(
        actor=st.sampled_from(ACTORS),
        customer=st.sampled_from([1, 2]),
        product=st.integers(1, 3),
        quantity=st.integers(1, 40),
    )
    def capture(self, actor: Actor, customer: int, product: int, quantity: int) -> None:
        new = NewOpportunity(
            company=None,
            contact_name="Ada",
            email="ada@acme.example",
            product_id=product,
            quantity=quantity,
            customer_id=customer,
        )
        made = self._attempt("capture", lambda: capture_opportunity(self.store, actor, new, today=TODAY))
        if made is not None:
            self.opportunities.append(int(made))  # type: ignore[arg-type]

    @precondition(lambda self: bool(self.opportunities))
    @rule(actor=st.sampled_from(ACTORS), pick=st.integers(0, 10**6), step=st.sampled_from(OPPORTUNITY_STEPS))
    def work_opportunity(self, actor: Actor, pick: int, step: str) -> None:
        o = self.opportunities[pick % len(self.opportunities)]
        v = self._version(Opportunity, o)
        calls = {
            "enrich": lambda: enrich_opportunity(self.store, actor, o, v, ENRICHMENT),
            "qualify": lambda: qualify_opportunity(self.store, actor, o, v, SCORES),
            "schedule": lambda: schedule_meeting(
                self.store, actor, o, v, MeetingRequest("demo", datetime.now(UTC) + timedelta(days=3))
            ),
            "win": lambda: mark_won(self.store, actor, o, v),
            "lose": lambda: mark_lost(self.store, actor, o, v, "Went with a competitor"),
        }
        self._attempt(step, calls[step])

    @precondition(lambda self: bool(self.opportunities))
    @rule(actor=st.sampled_from(ACTORS), pick=st.integers(0, 10**6), another=st.booleans())
    def convert(self, actor: Actor, pick: int, another: bool) -> None:
        o = self.opportunities[pick % len(self.opportunities)]
        v = self._version(Opportunity, o)
        made = self._attempt(
            "convert",
            lambda: convert_to_order(
                self.store, actor, o, v, another_order=another, today=TODAY, payment_method="credit_card"
            ),
        )
        if made is not None:
            self.orders.append(int(made))  # type: ignore[arg-type]

    @rule(
        actor=st.sampled_from(ACTORS),
        customer=st.integers(1, 3),
        lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 12)), min_size=1, max_size=3),
    )
    def enter_order(self, actor: Actor, customer: int, lines: list[tuple[str, int]]) -> None:
        new = NewOrder(
            customer_id=customer,
            lines=[LineInput(sku, q) for sku, q in lines],
            payment_method="paypal",
            delivery_method="standard",
        )
        made = self._attempt("enter order", lambda: create_order(self.store, actor, new, today=TODAY))
        if made is not None:
            self.orders.append(int(made))  # type: ignore[arg-type]

    @precondition(lambda self: bool(self.orders))
    @rule(
        actor=st.sampled_from(ACTORS),
        pick=st.integers(0, 10**6),
        action=st.sampled_from(list(Action)),
        accept=st.booleans(),
        exact=st.booleans(),
    )
    def act_on_order(self, actor: Actor, pick: int, action: Action, accept: bool, exact: bool) -> None:
        o = self.orders[pick % len(self.orders)]
        v = self._version(Order, o)
        with self.store.read() as s:
            total = s.scalar(text("SELECT total_cents FROM invoices WHERE order_id = :o"), {"o": o}) or 100
        amount = total if exact else total + 1
        inputs = {
            "accept_warnings": accept,
            "amount": f"{amount // 100}.{amount % 100:02d}",
            "tracking_number": f"TRK{o}",
            "reason": "Customer asked",
        }
        self._attempt(
            action.value, lambda: perform(self.store, actor, o, action, expected_version=v, now=NOW, **inputs)
        )

    @precondition(lambda self: bool(self.orders))
    @rule(pick=st.integers(0, 10**6), choice=st.integers(0, 10))
    def progress_order(self, pick: int, choice: int) -> None:
        """A manager takes one of the actions the order offers now (so runs reach shipping)."""
        o = self.orders[pick % len(self.orders)]
        with self.store.read() as s:
            status = s.scalar(select(Order.status).where(Order.id == o))
        offered = [a for a in next_actions(status) if a not in (Action.HOLD, Action.CANCEL)] or list(
            next_actions(status)
        )
        if offered:
            self.act_on_order(MANAGER, pick, offered[choice % len(offered)], True, True)

    @precondition(lambda self: bool(self.opportunities))
    @rule(pick=st.integers(0, 10**6))
    def progress_opportunity(self, pick: int) -> None:
        """A manager takes an opportunity one stage forward."""
        o = self.opportunities[pick % len(self.opportunities)]
        with self.store.read() as s:
            stage = s.scalar(select(Opportunity.stage).where(Opportunity.id == o))
        forward = {"captured": "enrich", "enriched": "qualify", "qualified": "schedule", "scheduled": "win"}
        if stage in forward:
            self.work_opportunity(MANAGER, pick, forward[stage])
        elif stage == "won":
            self.convert(MANAGER, pick, True)

    @precondition(lambda self: bool(self.orders))
    @rule(pick=st.integers(0, 10**6))
    def stale_write(self, pick: int) -> None:
        """A hold with the version before the last change is a conflict, never applied."""
        o = self.orders[pick % len(self.orders)]
        v = self._version(Order, o)
        if v < 2:
            return
        before = data_version(self.store)
        STATS["steps"] += 1
        with pytest.raises(ConflictError):
            perform(self.store, MANAGER, o, "hold", expected_version=v - 1, now=NOW, reason="stale")
        STATS["refused: ConflictError (stale version)"] += 1
        assert data_version(self.store) == before

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def the_books_balance(self) -> None:
        self.steps += 1  # invariants run once at the start and after every step
        with self.store.read() as s:
            q = lambda sql: s.execute(text(sql)).all()  # noqa: E731
            unpaid_shipped = q(
                "SELECT o.id FROM orders o WHERE o.status IN ('shipped', 'delivered') AND NOT EXISTS ("
                " SELECT 1 FROM payments p JOIN invoices i ON i.id = p.invoice_id"
                " WHERE p.order_id = o.id AND p.amount_cents = i.total_cents)"
            )
            assert unpaid_shipped == [], "shipped without payment"
            negative = q("SELECT * FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand")
            assert negative == [], "negative stock"
            # Conservation: on hand + shipped out = what there was; reserved = open allocations.
            shipped = dict(
                q(
                    "SELECT a.product_id, SUM(a.quantity) FROM allocations a"
                    " JOIN orders o ON o.id = a.order_id"
                    " WHERE o.status IN ('shipped', 'delivered') GROUP BY a.product_id"
                )
            )
            on_hand = dict(q("SELECT product_id, SUM(on_hand) FROM stock GROUP BY product_id"))
            for p in (1, 2, 3):
                start = sum(qty for (_, pid), qty in ON_HAND.items() if pid == p)
                assert on_hand[p] + shipped.get(p, 0) == start, f"stock of product {p} not conserved"
            reserved = dict(q("SELECT product_id, SUM(reserved) FROM stock GROUP BY product_id"))
            held = dict(
                q(
                    "SELECT a.product_id, SUM(a.quantity) FROM allocations a"
                    " JOIN orders o ON o.id = a.order_id"
                    " WHERE a.released = false AND (o.status IN ('allocated', 'invoiced', 'paid')"
                    " OR (o.status = 'on_hold' AND o.held_from IN ('allocated', 'invoiced', 'paid')))"
                    " GROUP BY a.product_id"
                )
            )
            for p in (1, 2, 3):
                assert reserved[p] == held.get(p, 0), f"reserved stock of product {p} does not match"
            strays = q(
                "SELECT o.id FROM orders o JOIN opportunities op ON op.id = o.opportunity_id"
                " WHERE o.customer_id != op.customer_id OR op.stage != 'won'"
            )
            assert strays == [], "an order from an opportunity with another customer (or not won)"
            events = [
                dict(r._mapping)
                for r in s.execute(
                    text("SELECT id, entity_type, entity_id, action, from_state, to_state FROM events")
                )
            ]
            orders = dict(q("SELECT id, status FROM orders"))
            deals = dict(q("SELECT id, stage FROM opportunities"))
        assert replay_all(events, "order") == orders
        assert replay_all(events, "opportunity") == deals


def test_opportunities_and_orders_keep_their_invariants_under_any_sequence_of_use_cases(
    small_template: Path, tmp_path: Path
) -> None:
    STATS.clear()
    Desk.template, Desk.workdir = small_template, tmp_path
    run_state_machine_as_test(
        Desk,
        settings=settings(
            max_examples=200,
            stateful_step_count=50,
            deadline=None,
            # The same 200 sequences every run: the coverage check below (a ship and a conversion
            # happened) must not depend on the luck of the draw; it failed about 1 run in 6 when random.
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert STATS["examples"] >= 200
    done = sum(n for k, n in STATS.items() if k.startswith("done: "))
    refused = sum(n for k, n in STATS.items() if k.startswith("refused: "))
    print(
        f"\nstate machine: {STATS['examples']} examples, {STATS['steps']} steps ({done} committed, "
        f"{refused} refused with nothing changed); the longest example ran "
        f"{STATS['longest example'] - 1} steps, invariants checked after every one"
    )
    for key, n in sorted(STATS.items()):
        if key.startswith(("done: ", "refused: ")):
            print(f"  {key}: {n}")
    assert STATS["done: ship"] > 0 and STATS["done: convert"] > 0  # the machine reaches the far states
    assert STATS["longest example"] - 1 >= 50
