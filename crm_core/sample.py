"""Deterministic sample data: about 18 months of a B2B sales-and-order desk ending at `as_of`.

`generate` simulates, with numpy vectors only, every opportunity's walk through the stages and
every order's walk through the order states, then cuts the story at the end of `as_of`: whatever
would happen later is not in the data. The result is one Polars frame per table in
`crm_core.store.models.TABLE_ORDER`, with the models' columns in their order and explicit ids.

Decisions others can rely on:
- Times are naive UTC, whole seconds, all at or before `as_of` 23:59:59 except the meetings of
  opportunities still open in `scheduled`, which lie 1-21 days after `as_of`. Everyone works on
  weekdays between 08:00 and 18:00: order durations are drawn in working days on a working clock.
- Ids follow creation time (opportunities, customers, orders), invoices and payments follow
  `issued_at` / `paid_at`, events follow `at`. Invoice numbers are gap-free per year of `issued_at`.
- Won opportunities close with a logistic model of their true value and potential (see
  `TRUE_SCALE_WEIGHTS`, `TRUE_BANT_WEIGHTS`), so back-tests and weight suggestions find signal.
- Every won opportunity gets its order (15 % a follow-on second one); `n_orders` is the total
  wanted, and repeat orders (1-4 lines, no opportunity) fill the rest. If the won opportunities
  alone need more orders than `n_orders`, they all get theirs anyway.
- `held_from` and `hold_reason` are filled only while an order is `on_hold`; earlier holds live in
  the events (with the reason as the note). `promised_date` is set once an order was allocated,
  and kept if it is cancelled later. `warnings_accepted_by` is a manager for audited orders with a
  discount of 12.5 % or more. Discontinued products only appear in old, finished orders.
- Order actions a manager owns (record payment, ship, deliver, cancel) have a manager as actor;
  the rest are done by the order's creator, a rep. Opportunity events are done by the owner.
- Credit limits cover twice a customer's largest order except for ~5 % kept tight; ~2 % of
  customers are blocked (`updated_at` is when), after the last audit of any of their orders.
- Stock `on_hand` is the quantity in the warehouse at `as_of` (shipped goods have left it);
  `reserved` is what open allocations hold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from crm_core.errors import NotFound, ValidationError
from crm_core.money import line_total_expr
from crm_core.opportunities import FACTORS, Stage
from crm_core.orders import DELIVERY_METHODS, FLOW, PAYMENT_METHODS, TRANSITIONS, Action, OrderStatus
from crm_core.store.models import TABLE_ORDER, Base

GENERATOR_VERSION = "1"
# The weights the simulated outcomes really follow; deliberately not the defaults (0.3, 0.2, 0.3, 0.2).
TRUE_SCALE_WEIGHTS: tuple[float, float, float, float] = (0.50, 0.05, 0.35, 0.10)
TRUE_BANT_WEIGHTS: tuple[float, float, float, float] = (0.30, 0.15, 0.35, 0.20)
HISTORY_DAYS = 548  # about 18 months
MIN_CUSTOMERS = 20
COMPANY_DOMAIN = "scalewise.example"

DAY = 86_400
EPOCH = date(1970, 1, 1)
WORK_START, WORK_END = 8 * 60, 18 * 60  # minutes of the day
WORK_DAY = (WORK_END - WORK_START) * 60  # seconds in a working day

# --- fixed master data -------------------------------------------------------------------------------

# (name, role); id is the position + 1. User 1 is a manager, user 2 a rep, user 11 the admin.
USERS: tuple[tuple[str, str], ...] = (
    ("Maria Lindqvist", "manager"),
    ("Daniel Okafor", "rep"),
    ("Priya Raman", "rep"),
    ("Lucas Moreau", "rep"),
    ("Hannah Weber", "rep"),
    ("Marcus Chen", "rep"),
    ("Sofia Alvarez", "rep"),
    ("Tom Becker", "rep"),
    ("Aisha Khan", "rep"),
    ("James Whitfield", "manager"),
    ("Elena Petrova", "admin"),
)
REP_SHARE = (0.18, 0.15, 0.14, 0.13, 0.12, 0.11, 0.09, 0.08)  # some reps carry more accounts

# (name, list price in cents, typical quantity low, high, popularity, active); SKU = SW-1001 + position.
PRODUCTS: tuple[tuple[str, int, int, int, int, bool], ...] = (
    ("Edge Router ER-400", 185_000, 1, 20, 3, True),
    ("Core Switch CS-48", 490_000, 1, 10, 2, True),
    ("Wi-Fi Access Point AP-6 Pro", 39_000, 4, 120, 4, True),
    ("Rack Server R-740X", 1_250_000, 1, 8, 1, True),
    ("Storage Array SA-24", 1_980_000, 1, 3, 1, True),
    ("Rugged Tablet T10", 115_000, 5, 60, 3, True),
    ("Barcode Scanner BS-200", 28_500, 5, 150, 4, True),
    ("Label Printer LP-4", 64_000, 2, 40, 3, True),
    ("Thermal Label Rolls (box of 10)", 4_500, 20, 500, 5, True),
    ("USB-C Charging Cable (3-pack)", 2_400, 10, 300, 4, True),
    ("Cat6 Patch Cable Pack (25)", 7_500, 10, 200, 4, True),
    ("UPS Unit 3 kVA", 230_000, 1, 15, 2, True),
    ("IP Security Camera C4", 42_000, 4, 80, 3, True),
    ("Video Conferencing Kit VC-Room", 360_000, 1, 12, 2, True),
    ("Docking Station D-Pro", 26_000, 10, 200, 3, True),
    ("Firewall Appliance FW-900", 740_000, 1, 6, 1, True),
    ("Warehouse Handheld H5", 165_000, 5, 60, 2, True),
    ("Receipt Printer RP-80", 31_000, 2, 50, 3, True),
    ("Industrial PC IPC-7", 520_000, 1, 10, 1, True),
    ("Smart Shelf Sensor Kit", 12_900, 10, 250, 2, True),
    ("Mobile Printer MP-3", 54_000, 2, 40, 2, True),
    ("Rugged Laptop RL-14", 289_000, 1, 30, 2, True),
    ("Edge Router ER-200", 120_000, 1, 20, 2, False),
    ("Wi-Fi Access Point AP-5", 31_000, 4, 120, 3, False),
)
# (code, name, region, lead time in days); customers live in the same regions.
WAREHOUSES: tuple[tuple[str, str, str, int], ...] = (
    ("NWK", "Newark Distribution Center", "Northeast", 2),
    ("CHI", "Chicago Distribution Center", "Midwest", 1),
    ("DFW", "Dallas Distribution Center", "South", 3),
    ("RNO", "Reno Fulfillment Center", "West", 4),
)
REGION_SHARE = (0.30, 0.25, 0.25, 0.20)
REGION_TAX_BP = (700, 625, 825, 725)  # sales tax by region; Education customers are exempt


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines())


REGION_AREA_CODES = _words(
    "212 617 973 215  312 614 313 414  214 713 404 305  415 206 702 503"
)  # 4 per region

# Company names: brand (prefix + suffix) + an industry noun (+ legal form), e.g. "Northwind Logistics Inc."
BRAND_PREFIXES = _words("""
    North South East West Blue Red Green Silver Gold Iron Stone River Lake Summit Pine Oak Maple Cedar
    Harbor Bay Bright Clear Swift True Prime Star Sun Moon Frost Storm Eagle Falcon Hawk Fox Wolf Bear
    Lion Granite Copper Crystal
""")
BRAND_SUFFIXES = _words("""
    wind peak field bridge gate point view ridge brook wood stone crest haven line port ford vale works
    way light spring mark shore dale hill land star side well top
""")
INDUSTRIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Manufacturing", _words("Manufacturing Industries Fabrication Components")),
    ("Logistics", _words("Logistics Freight Distribution Transport")),
    ("Retail", _words("Retail Outfitters Markets Stores")),
    ("Healthcare", _words("Health Medical Clinics Care")),
    ("Software", _words("Software Systems Analytics Labs")),
    ("Construction", _words("Construction Builders Engineering Contractors")),
    ("Food & Beverage", _words("Foods Beverages Bakeries Provisions")),
    ("Energy", _words("Energy Power Solar Utilities")),
    ("Financial Services", _words("Capital Financial Insurance Partners")),
    ("Education", _words("Academy Learning Institute Schools")),
)
TAX_EXEMPT_INDUSTRY = "Education"
LEGAL_FORMS = ("Inc.", "LLC", "Corp.", "Co.", "Group", "Ltd.", "")
FIRST_NAMES = _words("""
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
    Joseph Jessica Thomas Sarah Carlos Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul
    Ashley Steven Emily Andrew Kimberly Kevin Donna Brian Michelle George Laura
""")
LAST_NAMES = _words("""
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores
""")
JOB_TITLES = ("CFO", "COO", "CIO", "Head of Operations", "IT Director", "Procurement Manager", "VP Logistics")
NEED_PURPOSES = _lines("""
    replace end-of-life equipment
    equip a new site
    standardise across all branches
    cope with seasonal peak volumes
    meet new compliance requirements
    support a growing field team
""")
LEAD_SOURCES = _lines("""
    Inbound — website form
    Referral from an existing customer
    Trade show lead
    Outbound call
    Partner referral
    Webinar attendee
""")
LOST_REASONS = _lines("""
    Chose a competitor
    No budget this year
    Price too high
    Project postponed
    No response after follow-ups
    Requirements not met
    Stayed with current supplier
""")
LOST_REASON_SHARE = (0.28, 0.14, 0.18, 0.12, 0.12, 0.08, 0.08)
MEETING_KINDS = ("call", "meeting", "demo")
MEETING_NOTES = _lines("""
    Discovery call with the buyer
    Pricing and next steps call
    On-site meeting with procurement
    Meeting with the decision maker
    Product demo for the operations team
    Live demo and Q&A with IT
""")  # two per kind, in MEETING_KINDS order
HOLD_REASONS = _lines("""
    Credit review pending
    Customer asked to delay delivery
    Awaiting purchase order number
    Delivery address being verified
    Stock check with supplier
""")
CANCEL_REASONS = _lines("""
    Customer cancelled the purchase
    Duplicate order
    Credit check failed
    Customer found a cheaper supplier
    Budget frozen
    Requested date could not be met
""")
ORDER_NOTES = _lines("""
    Deliver to loading dock B
    Call the site manager before delivery
    Include a printed packing list
    Send the invoice to the accounts payable mailbox
    Split shipment is acceptable
""")
SHIPPING_DOLLARS = {"standard": (15, 49), "express": (29, 99), "pickup": (0, 0), "freight": (150, 600)}

# Opportunity stages: the action that reaches each open stage, then the two closing actions.
STAGES: tuple[str, ...] = tuple(Stage)
REACH_ACTIONS = ("capture", "enrich", "qualify", "schedule")
WON, LOST = STAGES.index(Stage.WON), STAGES.index(Stage.LOST)
# Order states: the happy path, then on_hold and cancelled; the actions between path neighbours.
ORDER_STATES: tuple[str, ...] = (*FLOW, OrderStatus.ON_HOLD, OrderStatus.CANCELLED)
ON_HOLD, CANCELLED = len(FLOW), len(FLOW) + 1
STEP_ACTIONS: tuple[str, ...] = tuple(
    next(a for (s, a), t in TRANSITIONS.items() if s == FLOW[j - 1] and t == FLOW[j])
    for j in range(1, len(FLOW))
)
RESERVING = np.isin(np.array(ORDER_STATES), [OrderStatus.ALLOCATED, OrderStatus.INVOICED, OrderStatus.PAID])

# Event vocabularies (events are built as small integer codes and labelled once, after sorting).
ENTITY_TYPES = ("opportunity", "order")
STATE_LABELS: tuple[str, ...] = (*STAGES, *ORDER_STATES)
ORDER_STATE_CODE = len(STAGES)  # ORDER_STATES[k] is STATE_LABELS[ORDER_STATE_CODE + k]
ACTION_LABELS: tuple[str, ...] = (
    *REACH_ACTIONS,
    "win",
    "lose",
    "create",
    *STEP_ACTIONS,
    Action.HOLD,
    Action.RESUME,
    Action.CANCEL,
)

# --- schema ------------------------------------------------------------------------------------------


def _polars_type(sql_type: TypeEngine) -> pl.DataType:
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, DateTime):
        return pl.Datetime("us")
    if isinstance(sql_type, Date):
        return pl.Date()
    if isinstance(sql_type, Boolean):
        return pl.Boolean()
    if isinstance(sql_type, Integer):
        return pl.Int64()
    if isinstance(sql_type, Float):
        return pl.Float64()
    if isinstance(sql_type, String):
        return pl.Utf8()
    raise TypeError(f"no Polars type for the SQL type {sql_type!r}")


def table_schema(table: str) -> pl.Schema:
    """The Polars schema of a store table: the models' columns, in order, with their frame dtypes."""
    return pl.Schema({c.name: _polars_type(c.type) for c in Base.metadata.tables[table].columns})


def _frame(table: str, columns: dict[str, object]) -> pl.DataFrame:
    """A frame with exactly the table's columns (missing ones null), cast to the table's dtypes."""
    schema = table_schema(table)
    height = len(next(iter(columns.values())))  # type: ignore[arg-type]
    data = {
        name: pl.Series(name, columns[name]) if name in columns else pl.Series(name, [None] * height)
        for name in schema
    }
    return pl.DataFrame(data).cast(dict(schema))  # type: ignore[arg-type]


# --- vector helpers ----------------------------------------------------------------------------------


def _weekday(epoch_day: int) -> int:
    return (epoch_day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0


@dataclass(frozen=True)
class _Calendar:
    """Business days (Monday-Friday) numbered from the Monday on or before the history's first day."""

    monday: int  # epoch day of business day 0
    first_bday: int  # first business day of the history
    last_bday: int  # as_of, or the Friday before it
    end_s: int  # as_of 23:59:59 in epoch seconds

    @classmethod
    def ending(cls, as_of: date) -> _Calendar:
        last_day = (as_of - EPOCH).days
        first_day = last_day - HISTORY_DAYS
        monday = first_day - _weekday(first_day)
        last_bday = 5 * ((last_day - monday) // 7) + min(_weekday(last_day), 4)
        return cls(monday, min(_weekday(first_day), 5), last_bday, (last_day + 1) * DAY - 1)

    def day(self, bday: np.ndarray) -> np.ndarray:
        return self.monday + 7 * (bday // 5) + bday % 5

    def at(self, bday: np.ndarray, minute: np.ndarray) -> np.ndarray:
        return self.day(bday) * DAY + minute * 60

    @property
    def work_end(self) -> int:
        """The last working second up to as_of, on the working clock."""
        return (self.last_bday + 1) * WORK_DAY - 1

    def work(self, bday: np.ndarray, minute: np.ndarray) -> np.ndarray:
        """The working clock: seconds of working time (weekdays 08:00-18:00) since business day 0."""
        return bday * WORK_DAY + (minute - WORK_START) * 60

    def from_work(self, work: np.ndarray) -> np.ndarray:
        """Epoch seconds of a point on the working clock (strictly increasing)."""
        return self.at(work // WORK_DAY, WORK_START) + work % WORK_DAY

    def growing_bdays(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Business days over the history, activity growing from 0.6x to 1.4x the average."""
        x = (-0.6 + np.sqrt(0.36 + 1.6 * rng.random(n))) / 0.8  # inverse CDF of density 0.6 + 0.8x
        span = self.last_bday - self.first_bday + 1
        return self.first_bday + np.minimum((x * span).astype(np.int64), span - 1)


def _work_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(WORK_START, WORK_END, n)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _bdays(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return np.maximum(1, np.rint(_lognormal(rng, median, sigma, n))).astype(np.int64)


def _work_span(days: np.ndarray, minimum: int = 60) -> np.ndarray:
    """A duration given in working days, as seconds on the working clock."""
    return np.maximum(minimum, (days * WORK_DAY).astype(np.int64))


def _skewed_quantity(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + ((hi - lo + 1) * rng.random(len(lo)) ** 1.8).astype(np.int64)


def _pick(labels: Sequence[str], codes: np.ndarray) -> pl.Series:
    return pl.Series([str(label) for label in labels], dtype=pl.Utf8).gather(codes)


def _where(mask: np.ndarray, values: object) -> pl.Series:
    """`values` where `mask`, else null."""
    return pl.select(pl.when(pl.Series(mask)).then(pl.Series(values))).to_series()


def _times(seconds: np.ndarray) -> pl.Series:
    return pl.Series(seconds * 1_000_000).cast(pl.Datetime("us"))


def _dates(epoch_days: np.ndarray) -> pl.Series:
    return pl.Series(epoch_days).cast(pl.Int32).cast(pl.Date)


def _text(*parts: object) -> pl.Series:
    """Concatenate literals and string Series row-wise."""
    exprs = [pl.lit(p) if isinstance(p, str) else pl.lit(pl.Series(p)).cast(pl.Utf8) for p in parts]
    return pl.select(pl.concat_str(exprs)).to_series()


def _rank_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable sort order of `keys`, and each old position's new position."""
    order = np.argsort(keys, kind="stable")
    new_position = np.empty_like(order)
    new_position[order] = np.arange(len(order))
    return order, new_position


# --- master data -------------------------------------------------------------------------------------


def _users(cal: _Calendar) -> pl.DataFrame:
    n = len(USERS)
    names = [name for name, _ in USERS]
    return _frame(
        "users",
        {
            "id": np.arange(1, n + 1),
            "name": names,
            "email": [f"{nm.lower().replace(' ', '.')}@{COMPANY_DOMAIN}" for nm in names],
            "role": [role for _, role in USERS],
            "active": [True] * n,
            "created_at": _times((cal.monday - 120 + 3 * np.arange(n)) * DAY + 9 * 3600),
        },
    )


def _products() -> pl.DataFrame:
    return _frame(
        "products",
        {
            "id": np.arange(1, len(PRODUCTS) + 1),
            "sku": [f"SW-{1001 + i}" for i in range(len(PRODUCTS))],
            "name": [p[0] for p in PRODUCTS],
            "list_price_cents": [p[1] for p in PRODUCTS],
            "active": [p[5] for p in PRODUCTS],
        },
    )


def _warehouses() -> pl.DataFrame:
    return _frame(
        "warehouses",
        {
            "id": np.arange(1, len(WAREHOUSES) + 1),
            "code": [w[0] for w in WAREHOUSES],
            "name": [w[1] for w in WAREHOUSES],
            "region": [w[2] for w in WAREHOUSES],
            "lead_time_days": [w[3] for w in WAREHOUSES],
        },
    )


@dataclass
class _Customers:
    n: int
    weight: np.ndarray  # how much business each customer does, relative
    region: np.ndarray  # index into WAREHOUSES' regions
    industry: np.ndarray  # index into INDUSTRIES
    owner: np.ndarray  # account owner (user id of a rep)
    frame: pl.DataFrame  # every column but id, created_at, updated_at


def _customers(rng: np.random.Generator, n: int, rep_ids: np.ndarray) -> _Customers:
    brands = [p + s for p in BRAND_PREFIXES for s in BRAND_SUFFIXES if s != p.lower()]
    nouns = [noun for _, group in INDUSTRIES for noun in group]
    combos = len(brands) * len(nouns)
    combo = rng.permutation(combos)[np.arange(n) % combos]
    round_no = np.arange(n) // combos  # only beyond ~47,000 customers
    brand_i, noun_i = combo // len(nouns), combo % len(nouns)
    industry = noun_i // len(INDUSTRIES[0][1])
    brand, noun = _pick(brands, brand_i), _pick(nouns, noun_i)
    brand = pl.select(pl.when(pl.Series(round_no) > 0).then(_text(brand, " ", round_no + 1)).otherwise(brand))
    brand = brand.to_series()
    legal = _pick(LEGAL_FORMS, rng.integers(0, len(LEGAL_FORMS), n))
    name = pl.select(pl.concat_str([brand, pl.lit(" "), noun, pl.lit(" "), legal]).str.strip_chars())
    domain = _text(
        brand.str.to_lowercase().str.replace_all(" ", ""), "-", noun.str.to_lowercase(), ".example"
    )
    first, last = rng.integers(0, len(FIRST_NAMES), n), rng.integers(0, len(LAST_NAMES), n)
    first_s, last_s = _pick(FIRST_NAMES, first), _pick(LAST_NAMES, last)
    region = rng.choice(len(WAREHOUSES), n, p=REGION_SHARE)
    area = _pick(REGION_AREA_CODES, region * 4 + rng.integers(0, 4, n))
    employees = np.clip(_lognormal(rng, 180, 1.3, n), 5, 120_000).astype(np.int64)
    revenue = employees * rng.integers(900, 3_500, n) * 10_000  # $90k-$350k per employee, in cents
    credit = np.clip(np.rint(revenue * 0.02 / 500_000) * 500_000, 2_500_000, 200_000_000).astype(np.int64)
    blocked = np.zeros(n, dtype=bool)
    blocked[rng.choice(n, max(1, round(0.02 * n)), replace=False)] = True
    frame = pl.DataFrame(
        {
            "name": name.to_series(),
            "industry": _pick([i for i, _ in INDUSTRIES], industry),
            "employees": employees,
            "annual_revenue_cents": revenue,
            "region": _pick([w[2] for w in WAREHOUSES], region),
            "credit_limit_cents": credit,
            "blocked": blocked,
            "contact_name": _text(first_s, " ", last_s),
            "contact_email": _text(first_s.str.to_lowercase(), ".", last_s.str.to_lowercase(), "@", domain),
            "contact_phone": _text(
                "+1 ", area, "-555-01", pl.Series(rng.integers(0, 100, n)).cast(pl.Utf8).str.zfill(2)
            ),
        }
    )
    owner = rep_ids[rng.choice(len(rep_ids), n, p=REP_SHARE)]
    return _Customers(n, _lognormal(rng, 1.0, 1.0, n), region, industry, owner, frame)


# --- events ------------------------------------------------------------------------------------------


def _event_rows(
    entity_type: str,
    mask: np.ndarray,
    action: str,
    from_state: str | np.ndarray | None,
    to_state: str | np.ndarray,
    actor: np.ndarray,
    at: np.ndarray,
    note: pl.Series | None = None,
) -> pl.DataFrame:
    """The events of one kind for the entities where `mask` holds, with codes instead of labels.

    Per-entity arguments are full length; states are labels or arrays of codes into STATE_LABELS.
    """
    idx = np.flatnonzero(mask)

    def state(value: str | np.ndarray | None) -> np.ndarray:
        if isinstance(value, np.ndarray):
            return value[idx]
        return np.full(len(idx), -1 if value is None else STATE_LABELS.index(str(value)))

    columns = {
        "entity_type": np.full(len(idx), ENTITY_TYPES.index(entity_type), dtype=np.int8),
        "entity_id": idx + 1,
        "action": np.full(len(idx), ACTION_LABELS.index(str(action)), dtype=np.int8),
        "from_state": state(from_state).astype(np.int8),
        "to_state": state(to_state).astype(np.int8),
        "actor_id": actor[idx],
        "at": at[idx],
    }
    frame = pl.DataFrame(columns)
    return frame if note is None else frame.with_columns(note=note.gather(idx))


def _event_frame(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """All events in time order, numbered, with the codes turned back into labels."""
    events = pl.concat(parts, how="diagonal")
    # One integer key (time, then entity type, then id) sorts millions of rows far faster than three.
    key = ((pl.col("at") - pl.col("at").min()) * 2 + pl.col("entity_type")) * 2**32 + pl.col("entity_id")
    events = events.sort(key)

    def labels(names: Sequence[str], column: str) -> pl.Series:
        codes = events.select(pl.when(pl.col(column) >= 0).then(pl.col(column))).to_series()
        return pl.Series(column, [str(n) for n in names], dtype=pl.Utf8).gather(codes)

    return events.with_columns(
        id=pl.int_range(1, events.height + 1, dtype=pl.Int64),
        entity_type=labels(ENTITY_TYPES, "entity_type"),
        action=labels(ACTION_LABELS, "action"),
        from_state=labels(STATE_LABELS, "from_state"),
        to_state=labels(STATE_LABELS, "to_state"),
        at=pl.col("at") * 1_000_000,
    )


# --- opportunities -----------------------------------------------------------------------------------


def _normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


@dataclass
class _Opportunities:
    customer: np.ndarray  # customer index
    owner: np.ndarray
    product: np.ndarray  # product index
    quantity: np.ndarray
    stage: np.ndarray  # index into STAGES
    close_work: np.ndarray  # the (possibly future) close on the working clock
    close_bday: np.ndarray
    created_at: np.ndarray
    frame: pl.DataFrame  # customer_id still holds the customer index
    meetings: pl.DataFrame
    events: list[pl.DataFrame]


def _opportunities(
    rng: np.random.Generator, cal: _Calendar, n: int, cust: _Customers, reps: np.ndarray
) -> _Opportunities:
    key = np.sort(cal.growing_bdays(rng, n) * 1440 + _work_minutes(rng, n))  # ids follow creation
    customer = rng.choice(cust.n, n, p=cust.weight / cust.weight.sum())
    owner = np.where(rng.random(n) < 0.85, cust.owner[customer], reps[rng.integers(0, len(reps), n)])
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    popularity = np.array([PRODUCTS[i][4] for i in active], dtype=float)
    product = active[rng.choice(len(active), n, p=popularity / popularity.sum())]
    lo, hi, price = (np.array([p[k] for p in PRODUCTS])[product] for k in (2, 3, 1))
    quantity = _skewed_quantity(rng, lo, hi)

    # Scores on a 0-10 scale in half points, mildly correlated through a common "account quality".
    raw = 5.5 + 0.9 * rng.standard_normal(n)[:, None] + 2.1 * rng.standard_normal((n, 8))
    scores = np.clip(np.rint(raw * 2) / 2, 0, 10)
    value = scores[:, :4] @ _normalised(TRUE_SCALE_WEIGHTS)
    potential = scores[:, 4:] @ _normalised(TRUE_BANT_WEIGHTS)
    p_win = 1 / (1 + np.exp(-(0.9 * (value - 5.5) + 0.45 * (potential - 5.5))))

    # Destiny: the last open stage reached before the close, and whether the close is a win.
    u = rng.random(n)
    reach = np.where(u < 0.12, 0, np.where(u < 0.28, 1, 2))
    won = (reach == 2) & (rng.random(n) < p_win)
    reach = np.where(won | ((reach == 2) & (rng.random(n) >= 0.4)), 3, reach)

    # Business days of each stage, the meeting and the close; times are drawn within working hours.
    b_stage = np.empty((4, n), dtype=np.int64)
    b_stage[0] = key // 1440
    for k, median in ((1, 3), (2, 6), (3, 5)):
        b_stage[k] = b_stage[k - 1] + _bdays(rng, median, 0.7, n)
    b_meeting = b_stage[3] + rng.integers(1, 16, n)
    b_close = np.where(
        reach == 3,
        b_meeting + _bdays(rng, 8, 0.8, n),
        b_stage[reach, np.arange(n)] + _bdays(rng, 10, 0.9, n),
    )
    minutes = _work_minutes(rng, (5, n))
    minutes[0] = key % 1440
    t_stage = cal.at(b_stage, minutes[:4])
    t_close = cal.at(b_close, minutes[4])
    reached = (np.arange(4)[:, None] <= reach) & (t_stage <= cal.end_s)
    closed = t_close <= cal.end_s
    open_stage = reached.sum(axis=0) - 1
    stage = np.where(closed, np.where(won, WON, LOST), open_stage)
    updated = np.where(closed, t_close, t_stage[open_stage, np.arange(n)])

    enriched, scored, scheduled = reached[1], reached[2], reached[3]
    lost = stage == LOST
    lost_reason = _pick(LOST_REASONS, rng.choice(len(LOST_REASONS), n, p=LOST_REASON_SHARE))
    # Enrichment answers agree with the (still hidden) BANT scores: budget and timing.
    budget = (
        np.rint(quantity * price * (0.55 + 0.09 * scores[:, 4] + rng.normal(0, 0.1, n)) / 10_000) * 10_000
    )
    timeframe = np.digitize(scores[:, 7], [3, 5, 7, 8.5])
    timeframes = ("No fixed date", "Next fiscal year", "Within 6 months", "Next quarter", "This quarter")
    product_name = _pick([p[0] for p in PRODUCTS], product)
    first, last = (
        _pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n)),
        _pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n)),
    )
    decision_maker = _text(
        first, " ", last, " (", _pick(JOB_TITLES, rng.integers(0, len(JOB_TITLES), n)), ")"
    )
    need = _text("Needs ", quantity, " × ", product_name, " to ", _pick(NEED_PURPOSES, rng.integers(0, 6, n)))
    contact = cust.frame.select("name", "contact_name", "contact_email", "contact_phone")[customer]

    frame = pl.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "title": _text(contact["name"], " — ", product_name),
            "customer_id": customer,
            "owner_id": owner,
            "contact_name": contact["contact_name"],
            "contact_email": contact["contact_email"],
            "contact_phone": contact["contact_phone"],
            "product_id": product + 1,
            "quantity": quantity,
            "expected_amount_cents": quantity * price,
            "expected_close_date": _dates(cal.day(b_stage[0] + rng.integers(25, 70, n))),
            "stage": _pick(STAGES, stage),
            "need_summary": _where(enriched, need),
            "budget_cents": _where(enriched, np.maximum(10_000, budget).astype(np.int64)),
            "decision_maker": _where(enriched, decision_maker),
            "purchase_timeframe": _where(enriched, _pick(timeframes, timeframe)),
            **{f: _where(scored, scores[:, i]) for i, f in enumerate(FACTORS)},
            "lost_reason": _where(lost, lost_reason),
            "created_at": _times(t_stage[0]),
            "updated_at": _times(updated),
            "closed_at": _where(closed, _times(t_close)),
            "version": np.ones(n, dtype=np.int64),
        }
    )

    # One meeting per opportunity that reached `scheduled`; still-open ones meet after as_of.
    kind = rng.choice(len(MEETING_KINDS), n, p=(0.3, 0.3, 0.4))
    meeting_note = _pick(MEETING_NOTES, kind * 2 + rng.integers(0, 2, n))
    future = stage == STAGES.index(Stage.SCHEDULED)
    b_meet = np.where(future, cal.last_bday + rng.integers(1, 16, n), b_meeting)
    meet_at = cal.at(b_meet, 9 * 60 + 30 * rng.integers(0, 16, n))
    has_meeting = np.flatnonzero(scheduled)
    has_meeting = has_meeting[np.argsort(t_stage[3, has_meeting], kind="stable")]
    meetings = pl.DataFrame(
        {
            "id": np.arange(1, len(has_meeting) + 1),
            "opportunity_id": has_meeting + 1,
            "kind": _pick(MEETING_KINDS, kind[has_meeting]),
            "scheduled_at": _times(meet_at[has_meeting]),
            "notes": meeting_note.gather(has_meeting),
            "created_by": owner[has_meeting],
            "created_at": _times(t_stage[3, has_meeting]),
        }
    )

    booked = _text(
        _pick([k.capitalize() for k in MEETING_KINDS], kind),
        " booked for ",
        _times(meet_at).dt.strftime("%Y-%m-%d %H:%M"),
    )
    lead_source = _pick(LEAD_SOURCES, rng.integers(0, len(LEAD_SOURCES), n))
    notes = (lead_source, None, None, booked)
    events = [
        _event_rows(
            "opportunity",
            reached[k],
            REACH_ACTIONS[k],
            STAGES[k - 1] if k else None,
            STAGES[k],
            owner,
            t_stage[k],
            notes[k],
        )
        for k in range(4)
    ]
    events.append(_event_rows("opportunity", closed & won, "win", Stage.SCHEDULED, Stage.WON, owner, t_close))
    events.append(
        _event_rows(
            "opportunity",
            closed & ~won,
            "lose",
            reach,
            Stage.LOST,
            owner,
            t_close,
            lost_reason,
        )
    )
    return _Opportunities(
        customer,
        owner,
        product,
        quantity,
        stage,
        cal.work(b_close, minutes[4]),
        b_close,
        t_stage[0],
        frame,
        meetings,
        events,
    )


# --- orders ------------------------------------------------------------------------------------------


@dataclass
class _Orders:
    customer: np.ndarray  # customer index
    created_at: np.ndarray  # epoch seconds
    audited_at: np.ndarray  # epoch seconds, 0 if not audited
    frames: dict[str, pl.DataFrame]  # orders (customer_id still the index), lines, allocations, ...
    events: list[pl.DataFrame]


def _order_headers(
    rng: np.random.Generator, cal: _Calendar, opps: _Opportunities, cust: _Customers, target: int
) -> dict[str, np.ndarray]:
    """Who orders what and when (on the working clock): orders of won opportunities, then repeat
    orders up to `target`. A won deal is converted the same day or a few working days later."""
    won = np.flatnonzero(opps.stage == WON)
    lag = rng.choice(6, len(won), p=(0.55, 0.25, 0.08, 0.05, 0.04, 0.03)) * WORK_DAY
    first = opps.close_work[won] + lag + rng.integers(300, 3 * 3600, len(won))
    first = np.minimum(first, cal.work_end)  # won late on as_of: converted before the day ends
    second = cal.work(opps.close_bday[won] + rng.integers(10, 61, len(won)), _work_minutes(rng, len(won)))
    has_second = (rng.random(len(won)) < 0.15) & (second <= cal.work_end)
    second_qty = np.maximum(1, np.rint(opps.quantity[won] * rng.uniform(0.3, 1.0, len(won)))).astype(np.int64)
    from_won = np.concatenate([won, won[has_second]])
    n_repeat = max(0, target - len(from_won))
    repeat_customer = rng.choice(cust.n, n_repeat, p=cust.weight / cust.weight.sum())
    repeat_created = cal.work(cal.growing_bdays(rng, n_repeat), _work_minutes(rng, n_repeat))
    columns = {
        "customer": np.concatenate([opps.customer[from_won], repeat_customer]),
        "opportunity": np.concatenate([from_won + 1, np.zeros(n_repeat, dtype=np.int64)]),
        "created": np.concatenate([first, second[has_second], repeat_created]),
        "creator": np.concatenate([opps.owner[from_won], cust.owner[repeat_customer]]),
        "product": np.concatenate([opps.product[from_won], np.full(n_repeat, -1)]),
        "quantity": np.concatenate(
            [opps.quantity[won], second_qty[has_second], np.zeros(n_repeat, np.int64)]
        ),
    }
    order, _ = _rank_order(columns["created"])  # ids follow creation
    return {name: values[order] for name, values in columns.items()}


@dataclass
class _Timeline:
    """How far each order got by the end of as_of, and when (epoch seconds)."""

    T: np.ndarray  # (len(FLOW), n): when the order reached (or would reach) FLOW[j]
    happened: np.ndarray  # (len(FLOW), n): whether it reached FLOW[j] by the end of as_of
    status: np.ndarray  # index into ORDER_STATES
    changed: np.ndarray  # the last status change
    hold_state: np.ndarray  # index into FLOW of the state a hold came from (0 if none)
    held: np.ndarray
    hold_at: np.ndarray
    resumed: np.ndarray
    resume_at: np.ndarray
    cancelled: np.ndarray
    cancel_at: np.ndarray
    cancel_from: np.ndarray  # index into ORDER_STATES


def _order_timeline(
    rng: np.random.Generator,
    cal: _Calendar,
    created: np.ndarray,
    card: np.ndarray,
    lead: np.ndarray,
    transit: np.ndarray,
) -> _Timeline:
    """Simulate every order's walk through the states on the working clock, then cut it at as_of."""
    n = len(created)
    steps = np.empty((len(FLOW), n), dtype=np.int64)
    steps[0] = created
    steps[1] = _work_span(_lognormal(rng, 1.5, 0.8, n))
    steps[2] = _work_span(_lognormal(rng, 1.0, 0.8, n))
    steps[3] = _work_span(_lognormal(rng, 1.5, 0.8, n))
    steps[4] = np.where(
        card, _work_span(_lognormal(rng, 0.15, 0.8, n)), _work_span(_lognormal(rng, 10, 0.5, n))
    )
    steps[5] = _work_span(lead + rng.uniform(0.1, 1.0, n))
    steps[6] = _work_span(transit + rng.uniform(0.2, 1.5, n))
    T = np.cumsum(steps, axis=0)
    cols = np.arange(n)

    # Exceptions before shipping: a hold (resumed, or ended by a cancellation) and a cancellation.
    pre_shipment = FLOW.index(OrderStatus.SHIPPED)
    hold_state = np.where(
        rng.random(n) < 0.10, rng.choice(pre_shipment, n, p=(0.25, 0.25, 0.2, 0.2, 0.1)), -1
    )
    cancel_state = np.where(
        rng.random(n) < 0.07, rng.choice(pre_shipment, n, p=(0.3, 0.25, 0.2, 0.15, 0.1)), -1
    )
    hold_state = np.where((cancel_state >= 0) & (cancel_state < hold_state), -1, hold_state)
    has_hold = hold_state >= 0
    during_hold = has_hold & ((rng.random(n) < 0.3) | (cancel_state == hold_state))
    resumes = has_hold & ~during_hold
    hs = np.maximum(hold_state, 0)
    gap = T[hs + 1, cols] - T[hs, cols]
    hold_at = T[hs, cols] + np.maximum(1, rng.uniform(0.2, 0.8, n) * gap).astype(np.int64)
    hold_len = np.where(
        resumes, _work_span(_lognormal(rng, 3, 0.9, n), 600), _work_span(rng.uniform(15, 60, n))
    )
    T = T + np.where((np.arange(len(FLOW))[:, None] > hold_state) & resumes, hold_len, 0)  # a hold delays
    cs = np.maximum(cancel_state, 0)
    gap = T[cs + 1, cols] - T[cs, cols]
    cancel_at = np.where(
        during_hold,
        hold_at + hold_len,
        T[cs, cols] + np.maximum(1, rng.uniform(0.2, 0.8, n) * gap).astype(np.int64),
    )
    last_step = np.where(during_hold, hold_state, np.where(cancel_state >= 0, cancel_state, len(FLOW) - 1))

    happened = (np.arange(len(FLOW))[:, None] <= last_step) & (cal.work_end >= T)
    held = has_hold & (hold_at <= cal.work_end)
    resumed = resumes & (hold_at + hold_len <= cal.work_end)
    cancelled = (during_hold | (cancel_state >= 0)) & (cancel_at <= cal.work_end)
    status = happened.sum(axis=0) - 1
    status = np.where(held & ~resumed, ON_HOLD, status)
    status = np.where(cancelled, CANCELLED, status)
    changed = np.max(np.where(happened, T, 0), axis=0)
    changed = np.where(held, np.maximum(changed, hold_at), changed)
    changed = np.where(resumed, np.maximum(changed, hold_at + hold_len), changed)
    changed = np.where(cancelled, cancel_at, changed)
    return _Timeline(
        T=cal.from_work(T),
        happened=happened,
        status=status,
        changed=cal.from_work(changed),
        hold_state=hs,
        held=held,
        hold_at=cal.from_work(hold_at),
        resumed=resumed,
        resume_at=cal.from_work(hold_at + hold_len),
        cancelled=cancelled,
        cancel_at=cal.from_work(cancel_at),
        cancel_from=np.where(during_hold, ON_HOLD, cs),
    )


def _order_lines(
    rng: np.random.Generator, cal: _Calendar, h: dict[str, np.ndarray], tl: _Timeline, discount: np.ndarray
) -> pl.DataFrame:
    """A won opportunity's order has its one line; repeat orders 1-4 distinct products, where
    discontinued products only appear in finished orders from long ago."""
    n = len(h["created"])
    n_lines = np.where(h["product"] >= 0, 1, rng.choice(4, n, p=(0.45, 0.30, 0.15, 0.10)) + 1)
    starts = np.cumsum(n_lines) - n_lines
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(len(line_order)) - starts[line_order]
    # Distinct products: each line steps 1-5 places further along the catalogue (at most 15 < 22).
    offset = np.cumsum(np.where(position == 0, 0, rng.integers(1, 6, len(line_order))))
    offset = offset - offset[starts][line_order] if len(offset) else offset
    everything = np.arange(len(PRODUCTS))
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    popularity = np.array([p[4] for p in PRODUCTS], dtype=float)
    start_all = rng.choice(len(everything), n, p=popularity / popularity.sum())
    start_active = rng.choice(len(active), n, p=popularity[active] / popularity[active].sum())
    created = tl.T[0]
    old_and_final = np.isin(tl.status, [len(FLOW) - 1, CANCELLED]) & (created < cal.end_s - 240 * DAY)
    product = np.where(
        old_and_final[line_order],
        everything[(start_all[line_order] + offset) % len(everything)],
        active[(start_active[line_order] + offset) % len(active)],
    )
    from_opportunity = h["product"][line_order] >= 0
    product = np.where(from_opportunity, h["product"][line_order], product)
    lo, hi, price = (np.array([p[k] for p in PRODUCTS])[product] for k in (2, 3, 1))
    quantity = np.where(from_opportunity, h["quantity"][line_order], _skewed_quantity(rng, lo, hi))
    return pl.DataFrame(
        {
            "id": np.arange(1, len(line_order) + 1),
            "order_id": line_order + 1,
            "line_no": position + 1,
            "product_id": product + 1,
            "quantity": quantity,
            "unit_price_cents": price,
            "discount_bp": discount[line_order],
        }
    )


def _settlement(
    lines: pl.DataFrame, tl: _Timeline, shipping: np.ndarray, tax_rate: np.ndarray
) -> tuple[np.ndarray, pl.DataFrame, np.ndarray]:
    """Order totals by the crm_core.money rules, and the invoices in issue order, numbered gap-free
    per year. Returns the totals, the invoices and each order's invoice position (-1 if none)."""
    n = len(shipping)
    line_total = lines.select(line_total_expr()).to_series().to_numpy()
    starts = np.searchsorted(lines["order_id"].to_numpy(), np.arange(1, n + 1))
    subtotal = np.add.reduceat(line_total, starts) if n else np.zeros(0, dtype=np.int64)
    tax = (2 * subtotal * tax_rate + 10_000) // 20_000  # crm_core.money.tax_cents, half-up
    total = subtotal + shipping + tax

    invoiced = np.flatnonzero(tl.happened[3])
    issued = tl.T[3, invoiced]
    invoiced, issued = invoiced[np.lexsort((invoiced, issued))], np.sort(issued, kind="stable")
    year = (issued // DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    seq = np.arange(len(invoiced)) - np.searchsorted(year, year) + 1
    invoice_of = np.full(n, -1)
    invoice_of[invoiced] = np.arange(len(invoiced))
    invoices = pl.DataFrame(
        {
            "id": np.arange(1, len(invoiced) + 1),
            "number": _text("INV-", year, "-", pl.Series(seq).cast(pl.Utf8).str.zfill(6)),
            "order_id": invoiced + 1,
            "issued_at": _times(issued),
            "due_date": _dates(issued // DAY + 30),
            "subtotal_cents": subtotal[invoiced],
            "shipping_cents": shipping[invoiced],
            "tax_cents": tax[invoiced],
            "total_cents": total[invoiced],
        }
    )
    return total, invoices, invoice_of


def _allocations_and_stock(
    rng: np.random.Generator, lines: pl.DataFrame, tl: _Timeline, warehouse: np.ndarray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One warehouse per order; cancelled orders released their stock; `reserved` is what open
    allocations hold, `on_hand` that plus what is free."""
    line_order = lines["order_id"].to_numpy() - 1
    product = lines["product_id"].to_numpy() - 1
    quantity = lines["quantity"].to_numpy()
    allocated = np.flatnonzero(tl.happened[2][line_order])
    order = line_order[allocated]
    allocations = pl.DataFrame(
        {
            "id": np.arange(1, len(allocated) + 1),
            "order_id": order + 1,
            "line_id": allocated + 1,
            "warehouse_id": warehouse[order] + 1,
            "product_id": product[allocated] + 1,
            "quantity": quantity[allocated],
            "released": tl.status[order] == CANCELLED,
        }
    )
    holds_stock = RESERVING[tl.status] | ((tl.status == ON_HOLD) & RESERVING[tl.hold_state])
    reserving = allocated[holds_stock[order]]
    cell = warehouse[line_order[reserving]] * len(PRODUCTS) + product[reserving]
    reserved = np.rint(np.bincount(cell, quantity[reserving], len(WAREHOUSES) * len(PRODUCTS)))
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    stock_wh, stock_product = (
        np.repeat(np.arange(len(WAREHOUSES)), len(active)),
        np.tile(active, len(WAREHOUSES)),
    )
    typical = np.array([p[3] for p in PRODUCTS])[stock_product]
    free = np.where(
        rng.random(len(stock_product)) < 0.08,  # running low
        rng.integers(0, typical // 2 + 1),
        rng.integers(2 * typical, 12 * typical + 1),
    )
    cell_reserved = reserved[stock_wh * len(PRODUCTS) + stock_product].astype(np.int64)
    stock = pl.DataFrame(
        {
            "warehouse_id": stock_wh + 1,
            "product_id": stock_product + 1,
            "on_hand": cell_reserved + free,
            "reserved": cell_reserved,
        }
    )
    return allocations, stock


def _orders(
    rng: np.random.Generator,
    cal: _Calendar,
    opps: _Opportunities,
    cust: _Customers,
    target: int,
    managers: np.ndarray,
) -> _Orders:
    h = _order_headers(rng, cal, opps, cust, target)
    n, customer, creator = len(h["created"]), h["customer"], h["creator"]
    methods = tuple(DELIVERY_METHODS)
    payment = rng.choice(len(PAYMENT_METHODS), n, p=(0.40, 0.15, 0.45))
    delivery = rng.choice(len(methods), n, p=(0.55, 0.20, 0.10, 0.15))
    region = cust.region[customer]
    # Mostly from the warehouse in the customer's region (warehouses and regions share an index).
    warehouse = np.where(rng.random(n) < 0.85, region, rng.integers(0, len(WAREHOUSES), n))
    lead = np.array([w[3] for w in WAREHOUSES])[warehouse]
    transit = np.array([DELIVERY_METHODS[m] for m in methods])[delivery]
    discount = np.where(rng.random(n) < 0.22, rng.choice([500, 750, 1000, 1250, 1500], n), 0)
    ship_lo, ship_hi = (np.array([SHIPPING_DOLLARS[m][k] for m in methods])[delivery] for k in (0, 1))
    shipping = rng.integers(ship_lo, ship_hi + 1) * 100
    exempt = cust.industry[customer] == [i for i, _ in INDUSTRIES].index(TAX_EXEMPT_INDUSTRY)
    tax_rate = np.where(exempt, 0, np.array(REGION_TAX_BP)[region])
    manager = managers[rng.integers(0, len(managers), n)]
    card = payment != PAYMENT_METHODS.index("bank_transfer")

    tl = _order_timeline(rng, cal, h["created"], card, lead, transit)
    lines = _order_lines(rng, cal, h, tl, discount)
    total, invoices, invoice_of = _settlement(lines, tl, shipping, tax_rate)
    paid = np.flatnonzero(tl.happened[4])
    paid = paid[np.lexsort((paid, tl.T[4, paid]))]
    payments = pl.DataFrame(
        {
            "id": np.arange(1, len(paid) + 1),
            "order_id": paid + 1,
            "invoice_id": invoice_of[paid] + 1,
            "method": _pick(PAYMENT_METHODS, payment[paid]),
            "amount_cents": total[paid],
            "paid_at": _times(tl.T[4, paid]),
            "recorded_by": manager[paid],
        }
    )
    allocations, stock = _allocations_and_stock(rng, lines, tl, warehouse)

    status, T, happened = tl.status, tl.T, tl.happened
    ids = pl.Series(np.arange(1, n + 1))
    on_hold = status == ON_HOLD
    from_opportunity = h["opportunity"] > 0
    serial = ((ids * 7_919_311 + 104_729) % 10**10).cast(pl.Utf8).str.zfill(10)  # distinct for every id
    tracking = _text("1Z", _pick([w[0] for w in WAREHOUSES], warehouse), serial)
    hold_reason = _pick(HOLD_REASONS, rng.integers(0, len(HOLD_REASONS), n))
    cancel_reason = _pick(CANCEL_REASONS, rng.integers(0, len(CANCEL_REASONS), n))
    shipped, delivered = (
        happened[FLOW.index(OrderStatus.SHIPPED)],
        happened[FLOW.index(OrderStatus.DELIVERED)],
    )
    orders = pl.DataFrame(
        {
            "id": ids,
            "number": _text("SO-", ids.cast(pl.Utf8).str.zfill(6)),
            "customer_id": customer,
            "opportunity_id": _where(from_opportunity, h["opportunity"]),
            "status": _pick(ORDER_STATES, status),
            "held_from": _where(on_hold, _pick(ORDER_STATES, tl.hold_state)),
            "hold_reason": _where(on_hold, hold_reason),
            "cancel_reason": _where(status == CANCELLED, cancel_reason),
            "refund_due": (status == CANCELLED) & happened[4],
            "payment_method": _pick(PAYMENT_METHODS, payment),
            "delivery_method": _pick(methods, delivery),
            "requested_date": _dates(T[0] // DAY + rng.integers(7, 31, n)),
            "promised_date": _where(happened[2], _dates(T[2] // DAY + lead + transit)),
            "notes": _where(rng.random(n) < 0.15, _pick(ORDER_NOTES, rng.integers(0, len(ORDER_NOTES), n))),
            "shipping_cents": shipping,
            "tax_rate_bp": tax_rate,
            "total_cents": total,
            "warnings_accepted_by": _where(happened[1] & (discount >= 1250), manager),
            "tracking_number": _where(shipped, tracking),
            "created_by": creator,
            "created_at": _times(T[0]),
            "updated_at": _times(tl.changed),
            "status_changed_at": _times(tl.changed),
            "shipped_at": _where(shipped, _times(T[FLOW.index(OrderStatus.SHIPPED)])),
            "delivered_at": _where(delivered, _times(T[FLOW.index(OrderStatus.DELIVERED)])),
            "version": np.ones(n, dtype=np.int64),
        }
    )

    # Events: the happy-path steps, then holds, resumptions and cancellations.
    managed = {Action.RECORD_PAYMENT, Action.SHIP, Action.DELIVER}
    numbers = invoices["number"]
    step_notes = {
        Action.INVOICE: numbers.gather(np.maximum(invoice_of, 0)) if len(numbers) else None,
        Action.SHIP: tracking,
    }
    converted = _where(from_opportunity, _text("Created from opportunity #", h["opportunity"]))
    events = [
        _event_rows("order", happened[0], "create", None, OrderStatus.ENTERED, creator, T[0], converted)
    ]
    for j, action in enumerate(STEP_ACTIONS, start=1):
        actor = manager if action in managed else creator
        events.append(
            _event_rows(
                "order", happened[j], action, FLOW[j - 1], FLOW[j], actor, T[j], step_notes.get(action)
            )
        )
    state_held = ORDER_STATE_CODE + tl.hold_state
    events += [
        _event_rows(
            "order", tl.held, Action.HOLD, state_held, OrderStatus.ON_HOLD, creator, tl.hold_at, hold_reason
        ),
        _event_rows(
            "order", tl.resumed, Action.RESUME, OrderStatus.ON_HOLD, state_held, creator, tl.resume_at
        ),
        _event_rows(
            "order",
            tl.cancelled,
            Action.CANCEL,
            ORDER_STATE_CODE + tl.cancel_from,
            OrderStatus.CANCELLED,
            manager,
            tl.cancel_at,
            cancel_reason,
        ),
    ]
    frames = {
        "orders": orders,
        "order_lines": lines,
        "allocations": allocations,
        "invoices": invoices,
        "payments": payments,
        "stock": stock,
    }
    return _Orders(customer, T[0], np.where(happened[1], T[1], 0), frames, events)


# --- assembly ----------------------------------------------------------------------------------------


def _weight_presets(cal: _Calendar) -> pl.DataFrame:
    start = cal.day(np.array([cal.first_bday]))[0] * DAY
    team_created = start + 2 * DAY + 10 * 3600
    return _frame(
        "weight_presets",
        {
            "id": [1, 2],
            "name": ["Team default", "Relationship first"],
            "segmentation": [0.3, 0.2],
            "customer_characteristics": [0.2, 0.1],
            "relationship_level": [0.3, 0.5],
            "account_resource": [0.2, 0.2],
            "budget": [0.25, 0.25],
            "authority": [0.25, 0.25],
            "need": [0.25, 0.25],
            "timing": [0.25, 0.25],
            "author_id": [1, 10],
            "created_at": _times(np.array([team_created, cal.end_s + 1 - 21 * DAY + 11 * 3600])),
            "published": [True, False],
            "published_at": _where(np.array([True, False]), _times(np.array([team_created + 3600] * 2))),
            "published_by": [1, None],
        },
    )


def _validate(n_opportunities: int, n_orders: int | None, as_of: date) -> None:
    if isinstance(n_opportunities, bool) or not isinstance(n_opportunities, int) or n_opportunities < 1:
        raise ValidationError("n_opportunities", "must be a whole number of at least 1")
    if n_orders is not None and (isinstance(n_orders, bool) or not isinstance(n_orders, int) or n_orders < 0):
        raise ValidationError("n_orders", "must be a whole number of at least 0")
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise ValidationError("as_of", "must be a date (YYYY-MM-DD)")


def generate(
    n_opportunities: int = 2000, *, seed: int = 7, as_of: date, n_orders: int | None = None
) -> dict[str, pl.DataFrame]:
    """One frame per table in TABLE_ORDER; identical for the same arguments.

    `n_orders` defaults to 0.75 × `n_opportunities`; every won opportunity gets its order(s) even
    if that is more. There are `max(20, n_opportunities // 6)` customers.
    """
    _validate(n_opportunities, n_orders, as_of)
    rng = np.random.default_rng(seed)
    cal = _Calendar.ending(as_of)
    roles = np.array([role for _, role in USERS])
    reps, managers = np.flatnonzero(roles == "rep") + 1, np.flatnonzero(roles == "manager") + 1
    cust = _customers(rng, max(MIN_CUSTOMERS, n_opportunities // 6), reps)
    opps = _opportunities(rng, cal, n_opportunities, cust, reps)
    target = round(0.75 * n_opportunities) if n_orders is None else n_orders
    orders = _orders(rng, cal, opps, cust, target, managers)

    # A customer record is created minutes before its first opportunity or order; ids follow that.
    first_seen = np.full(cust.n, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, opps.customer, opps.created_at)
    np.minimum.at(first_seen, orders.customer, orders.created_at)
    idle = cal.at(cal.growing_bdays(rng, cust.n), _work_minutes(rng, cust.n))
    never_seen = first_seen == np.iinfo(np.int64).max
    created = np.where(never_seen, idle, first_seen - rng.integers(60, 1800, cust.n))
    blocked = cust.frame["blocked"].to_numpy()
    # Credit limits cover twice a customer's largest order, except for a few kept tight on purpose.
    largest = np.zeros(cust.n, dtype=np.int64)
    np.maximum.at(largest, orders.customer, orders.frames["orders"]["total_cents"].to_numpy())
    headroom = -(-2 * largest // 500_000) * 500_000  # rounded up to $5,000
    tight = rng.random(cust.n) < 0.05
    credit = np.where(
        tight, cust.frame["credit_limit_cents"], np.maximum(cust.frame["credit_limit_cents"], headroom)
    )
    # A customer is blocked after the last audit of its orders (audits refuse blocked customers).
    last_audit = np.zeros(cust.n, dtype=np.int64)
    np.maximum.at(last_audit, orders.customer, orders.audited_at)
    blocked_at = cal.at(cal.last_bday - rng.integers(0, 60, cust.n), _work_minutes(rng, cust.n))
    blocked_at = np.maximum(blocked_at, last_audit + 3600)
    updated = np.where(blocked, np.maximum(created, blocked_at), created)
    order, new_position = _rank_order(created)
    customers = cust.frame.with_columns(credit_limit_cents=credit)[order].with_columns(
        id=pl.Series(np.arange(1, cust.n + 1)),
        created_at=_times(created[order]),
        updated_at=_times(updated[order]),
    )

    users = _users(cal)
    frames = {
        "users": users,
        "customers": customers,
        "products": _products(),
        "warehouses": _warehouses(),
        "opportunities": opps.frame.with_columns(customer_id=pl.Series(new_position[opps.customer] + 1)),
        "meetings": opps.meetings,
        **orders.frames,
        "events": _event_frame(opps.events + orders.events),
        "weight_presets": _weight_presets(cal),
    }
    frames["orders"] = frames["orders"].with_columns(customer_id=pl.Series(new_position[orders.customer] + 1))
    return {name: _frame(name, frames[name].to_dict()) for name in TABLE_ORDER}


# --- files and command line --------------------------------------------------------------------------


def write_sample(frames: dict[str, pl.DataFrame], out_dir: Path, *, seed: int, as_of: date) -> None:
    """One `<table>.csv` per table and a `manifest.json` with seed, as_of, generator version and counts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLE_ORDER:
        frames[name].write_csv(out_dir / f"{name}.csv")
    manifest = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "counts": {name: frames[name].height for name in TABLE_ORDER},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_sample(dir: Path) -> tuple[dict[str, pl.DataFrame], dict]:
    """The frames written by `write_sample`, with the tables' exact dtypes, and the manifest."""
    dir = Path(dir)
    manifest_path = dir / "manifest.json"
    if not manifest_path.is_file():
        raise NotFound(f"No sample data in {dir}: manifest.json is missing.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    frames = {}
    for name in TABLE_ORDER:
        path = dir / f"{name}.csv"
        if not path.is_file():
            raise NotFound(f"The sample data in {dir} is incomplete: {path.name} is missing.")
        try:
            frames[name] = pl.read_csv(path, schema=table_schema(name))
        except pl.exceptions.PolarsError as error:
            raise ValidationError(path.name, f"is not a valid {name} table: {error}") from None
    return frames, manifest


def _count(field: str, minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{field} must be a whole number, not '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{field} must be at least {minimum}, not {value}")
        return value

    return parse


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"as-of must be a date like 2026-11-20, not '{text}'") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core.sample",
        description="Write a deterministic Scalewise sample data set as CSV files.",
    )
    parser.add_argument("--opportunities", type=_count("opportunities", 1), default=2000, help="default 2000")
    parser.add_argument("--seed", type=_count("seed", 0), default=7, help="default 7")
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for the CSV files and manifest.json"
    )
    parser.add_argument(
        "--as-of", type=_day, default=None, help="last day of the history (default: today, UTC)"
    )
    parser.add_argument(
        "--orders", type=_count("orders", 0), default=None, help="default 0.75 × opportunities"
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or datetime.now(UTC).date()
    frames = generate(args.opportunities, seed=args.seed, as_of=as_of, n_orders=args.orders)
    write_sample(frames, args.out, seed=args.seed, as_of=as_of)
    counts = ", ".join(f"{name} {frame.height:,}" for name, frame in frames.items())
    print(f"Wrote {args.out} (seed {args.seed}, as of {as_of}): {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
