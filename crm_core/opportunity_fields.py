"""The fields each opportunity step needs, validated (DESIGN.md §1.2, §2.5). Pure: no database.

Each validator takes what a form (or an import) typed and returns clean values, or raises
`ValidationError` naming the field as the person knows it ("email", "company size", "Budget").

Decisions where the contract is silent:
- Product interest is required at capture (a won opportunity must be able to become an order); the
  expected amount defaults to quantity × list price when left empty (the service fills it in).
- The expected close date, if given, lies between today and three years ahead.
- Company size is the number of employees; timing is one of `TIMEFRAMES`.
- A meeting is booked between now and one year ahead; a time without a zone is taken as UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crm_core import validation
from crm_core.errors import InvalidFields as InvalidFields  # raised here (via validation.Fields)
from crm_core.errors import ValidationError
from crm_core.opportunities import FACTOR_LABELS, FACTORS

MEETING_KINDS: tuple[str, ...] = ("call", "meeting", "demo")
TIMEFRAMES: tuple[str, ...] = (
    "This quarter",
    "Next quarter",
    "Within 6 months",
    "Next fiscal year",
    "No fixed date",
)
# Offered when an opportunity is lost (the sample data uses the same ones); any other reason may be typed.
COMMON_LOST_REASONS: tuple[str, ...] = (
    "Chose a competitor",
    "No budget this year",
    "Price too high",
    "Project postponed",
    "No response after follow-ups",
    "Requirements not met",
    "Stayed with current supplier",
)
MAX_EMPLOYEES = 10_000_000
MAX_QUANTITY = 10**9
MAX_MEETING_AHEAD = timedelta(days=365)
MAX_CLOSE_AHEAD = timedelta(days=3 * 365)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_Fields = validation.Fields  # one collector for every form's fields


@dataclass(frozen=True)
class NewOpportunity:
    """The capture form as typed. `customer_id` picks an existing customer; else `company` names one,
    and `new_customer=True` creates it even when a similar customer exists."""

    company: Any
    contact_name: Any
    email: Any
    product_id: Any
    phone: Any = None
    quantity: Any = 1
    expected_amount: Any = None  # currency units; empty → quantity × list price
    expected_close_date: Any = None
    owner_id: Any = None  # empty → the person capturing
    customer_id: Any = None
    new_customer: bool = False


@dataclass(frozen=True)
class CaptureFields:
    company: str | None
    contact_name: str
    email: str
    phone: str | None
    product_id: int
    quantity: int
    expected_amount_cents: int | None
    expected_close_date: date | None
    owner_id: int | None
    customer_id: int | None


def close_date_bounds(today: date) -> tuple[date, date]:
    """The first and last expected close date accepted (the capture form's date picker offers these)."""
    return today, today + MAX_CLOSE_AHEAD


def meeting_bounds(now: datetime) -> tuple[datetime, datetime]:
    """A meeting lies after `now` and at most a year ahead (the schedule form's picker offers these)."""
    return now, now + MAX_MEETING_AHEAD


def validate_capture(new: NewOpportunity, *, today: date) -> CaptureFields:
    f = _Fields()
    customer_id = (
        None
        if _blank(new.customer_id)
        else f.check("customer", validation.integer, new.customer_id, minimum=1)
    )
    company = f.check("company", validation.text, new.company, required=_blank(new.customer_id))
    contact = f.check("contact name", validation.text, new.contact_name)
    email = f.check("email", validation.email, new.email)
    phone = f.check("phone", validation.phone, new.phone)
    product_id = None
    if f.required("product interest", new.product_id):
        product_id = f.check("product interest", validation.integer, new.product_id, minimum=1)
    quantity = f.check("quantity", validation.integer, new.quantity, minimum=1, maximum=MAX_QUANTITY)
    amount = (
        None
        if _blank(new.expected_amount)
        else f.check("expected amount", validation.money, new.expected_amount)
    )
    close = None
    if not _blank(new.expected_close_date):
        earliest, latest = close_date_bounds(today)
        close = f.check(
            "expected close date",
            validation.a_date,
            new.expected_close_date,
            earliest=earliest,
            latest=latest,
        )
    owner_id = None if _blank(new.owner_id) else f.check("owner", validation.integer, new.owner_id, minimum=1)
    f.done()
    return CaptureFields(
        company,
        contact,
        email,
        phone,
        product_id,
        quantity,
        amount,
        close,
        owner_id,
        customer_id,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Enrichment:
    """What enrichment asks for; industry and company size go onto the shared customer record."""

    industry: Any
    employees: Any
    need: Any
    budget: Any  # currency units
    decision_maker: Any
    timing: Any


@dataclass(frozen=True)
class EnrichmentFields:
    industry: str
    employees: int
    need: str
    budget_cents: int
    decision_maker: str
    timing: str


def validate_enrichment(raw: Enrichment) -> EnrichmentFields:
    f = _Fields()
    industry = f.check("industry", validation.text, raw.industry, max_length=100)
    employees = budget = timing = None
    if f.required("company size", raw.employees):
        employees = f.check(
            "company size", validation.integer, raw.employees, minimum=1, maximum=MAX_EMPLOYEES
        )
    need = f.check("need", validation.text, raw.need, max_length=validation.MAX_LONG_TEXT, multiline=True)
    if f.required("budget", raw.budget):
        budget = f.check("budget", validation.money, raw.budget)
    decision_maker = f.check("decision maker", validation.text, raw.decision_maker)
    if f.required("timing", raw.timing):
        timing = f.check("timing", validation.choice, raw.timing, TIMEFRAMES)
    f.done()
    return EnrichmentFields(industry, employees, need, budget, decision_maker, timing)  # type: ignore[arg-type]


def validate_scores(raw: Mapping[str, Any]) -> dict[str, float]:
    """All eight factor scores, each a number 0–10; a missing or unknown factor is refused."""
    if not isinstance(raw, Mapping):
        raise ValidationError("scores", "must name each of the eight factors")
    unknown = sorted(str(k) for k in set(raw) - set(FACTORS))
    if unknown:
        raise ValidationError("scores", f"unknown factor '{unknown[0][:40]}'")
    f = _Fields()
    scores = {}
    for factor in FACTORS:
        label = FACTOR_LABELS[factor]
        if f.required(label, raw.get(factor), "is required (a score from 0 to 10)"):
            scores[factor] = f.check(label, validation.score, raw[factor])
    f.done()
    return scores


@dataclass(frozen=True)
class MeetingRequest:
    kind: Any
    at: Any  # a datetime (naive is taken as UTC, the app's clock) or an ISO string
    notes: Any = None


@dataclass(frozen=True)
class MeetingFields:
    kind: str
    at: datetime
    notes: str | None


def validate_meeting(raw: MeetingRequest, *, now: datetime) -> MeetingFields:
    kind = validation.choice("meeting kind", raw.kind, MEETING_KINDS)
    at = raw.at
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at.strip())
        except ValueError:
            raise ValidationError("meeting time", f"'{at.strip()[:40]}' is not a date and time") from None
    if not isinstance(at, datetime):
        raise ValidationError("meeting time", "is required (a date and a time)")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # the app works in UTC and says so beside the input
    at = at.astimezone(UTC)
    earliest, latest = meeting_bounds(now)
    if at <= earliest:
        raise ValidationError("meeting time", f"must be in the future (it is {now:%Y-%m-%d %H:%M} UTC now)")
    if at > latest:
        raise ValidationError("meeting time", "must be within the next year")
    notes = validation.text(
        "notes", raw.notes, required=False, max_length=validation.MAX_LONG_TEXT, multiline=True
    )
    return MeetingFields(kind, at, notes)


def validate_lost_reason(reason: Any) -> str:
    cleaned = validation.text("lost reason", reason, max_length=1_000, multiline=True)
    assert cleaned is not None
    return cleaned


def validate_note(note: Any) -> str | None:
    return validation.text("note", note, required=False, max_length=validation.MAX_LONG_TEXT, multiline=True)


def opportunity_title(company: str, product: str) -> str:
    """'Wolftop Provisions LLC — Edge Router ER-400', cut to the 200 characters a title may have."""
    suffix = f" — {product}"
    return company[: max(0, validation.MAX_SHORT_TEXT - len(suffix))] + suffix
