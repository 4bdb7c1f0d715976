"""The fields each opportunity step needs, validated (docs/architecture.md §1.2, §7). Pure: no database.

Each validator takes what a form (or an import) typed and returns clean values, or raises
`ValidationError` naming the field as the person knows it ("email", "company size", "Budget").

Decisions where the contract is silent:
- Product interest is required at capture (a won opportunity must be able to become an order); the
  expected amount defaults to quantity × list price when left empty (the service fills it in).
- The expected close date, if given, lies between today and three years ahead.
- Company size is the number of employees; timing is one of `TIMEFRAMES`.
- A meeting is booked between now and one year ahead; a time without a zone is taken as UTC.
- Editing a deal (`validate_deal_edit`): an open deal's expected close date lies between today and
  three years ahead, or stays where it was (an overdue deal keeps its date until someone moves it),
  or is cleared. A won or lost deal's close date lies between its capture and today, and a won
  one's not after its first order was entered. An empty expected amount means quantity × list
  price, as at capture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crm_core import validation
from crm_core.errors import InvalidFields as InvalidFields  # raised here (via validation.Fields)
from crm_core.errors import ValidationError
from crm_core.opportunities import CLOSED_STAGES, FACTOR_LABELS, FACTORS, DealField, as_stage

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
    # Required fields: a blank one was recorded above and done() raised.
    assert contact is not None and email is not None and product_id is not None
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
        customer_id,
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
    # Every field is required: a blank one was recorded above and done() raised.
    assert industry is not None and need is not None and decision_maker is not None
    assert employees is not None and budget is not None and timing is not None
    return EnrichmentFields(industry, employees, need, budget, decision_maker, timing)


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


class _Keep:
    """The value of a deal field an edit leaves as it is (one object, even through pickle or copy)."""

    def __repr__(self) -> str:
        return "KEEP"

    def __reduce__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True)
class DealEdit:
    """The edit form as typed; a field left at KEEP is not changed (and not validated)."""

    expected_amount: Any = KEEP  # currency units; empty → quantity × the product's list price
    close_date: Any = KEEP  # the expected close date; for a won or lost deal, the day it closed
    product_id: Any = KEEP
    quantity: Any = KEEP
    contact_name: Any = KEEP
    email: Any = KEEP
    phone: Any = KEEP


@dataclass(frozen=True)
class DealEditFields:
    """Clean values, KEEP where the edit leaves a field alone; an amount of None means quantity ×
    list price (the service prices it)."""

    expected_amount_cents: Any
    close_date: Any
    product_id: Any
    quantity: Any
    contact_name: Any
    email: Any
    phone: Any


@dataclass(frozen=True)
class CloseDateRule:
    """Where a deal's close date may lie, and how each refusal is worded. `current` is accepted
    unchanged even outside the range; `required` refuses clearing it."""

    field: DealField
    earliest: date
    latest: date
    too_early: str
    too_late: str
    current: date | None
    required: bool

    @property
    def picker_range(self) -> tuple[date, date]:
        """What a date picker offers: the range, widened to show the current date."""
        if self.current is None:
            return self.earliest, self.latest
        return min(self.earliest, self.current), max(self.latest, self.current)


def close_date_rule(
    stage: Any, *, today: date, captured: date, current: date | None, first_order: date | None = None
) -> CloseDateRule:
    """The close-date rule for a deal at `stage` (for a closed one, `current` is the day it closed)."""
    if as_stage(stage) in CLOSED_STAGES:
        latest, too_late = today, "cannot be in the future"
        if first_order is not None and first_order < today:
            latest = first_order
            too_late = f"cannot be after its first order was entered ({first_order.isoformat()})"
        too_early = f"cannot be before the deal was captured ({captured.isoformat()})"
        return CloseDateRule(
            DealField.CLOSED_ON, min(captured, latest), latest, too_early, too_late, current, True
        )
    latest = today + MAX_CLOSE_AHEAD
    return CloseDateRule(
        DealField.CLOSE_DATE,
        today,
        latest,
        f"cannot be in the past (today is {today.isoformat()})",
        f"must be within three years (on or before {latest.isoformat()})",
        current,
        False,
    )


def _close_date(field: str, value: Any, rule: CloseDateRule) -> date | None:
    if _blank(value):
        if rule.required:
            raise ValidationError(field, "is required")
        return None
    day = validation.a_date(field, value)
    if day != rule.current and day < rule.earliest:
        raise ValidationError(field, rule.too_early)
    if day != rule.current and day > rule.latest:
        raise ValidationError(field, rule.too_late)
    return day


def _amount(field: str, value: Any) -> int | None:
    return None if _blank(value) else validation.money(field, value)


def _product(field: str, value: Any) -> int:
    if _blank(value):
        raise ValidationError(field, "is required")
    return validation.integer(field, value, minimum=1)


def validate_deal_edit(edit: DealEdit, *, close_dates: CloseDateRule) -> DealEditFields:
    """Every field the edit gives, checked at once (InvalidFields names each bad one)."""
    f = _Fields()

    def check(field: str, validator: Callable[..., Any], value: Any, *args: Any, **kwargs: Any) -> Any:
        return KEEP if value is KEEP else f.check(field, validator, value, *args, **kwargs)

    clean = DealEditFields(
        check(DealField.AMOUNT, _amount, edit.expected_amount),
        check(close_dates.field, _close_date, edit.close_date, close_dates),
        check(DealField.PRODUCT, _product, edit.product_id),
        check(DealField.QUANTITY, validation.integer, edit.quantity, minimum=1, maximum=MAX_QUANTITY),
        check(DealField.CONTACT_NAME, validation.text, edit.contact_name),
        check(DealField.EMAIL, validation.email, edit.email),
        check(DealField.PHONE, validation.phone, edit.phone),
    )
    f.done()
    return clean


def validate_note(note: Any) -> str | None:
    return validation.text("note", note, required=False, max_length=validation.MAX_LONG_TEXT, multiline=True)


def opportunity_title(company: str, product: str) -> str:
    """'Wolftop Provisions LLC — Edge Router ER-400', cut to the 200 characters a title may have."""
    suffix = f" — {product}"
    return company[: max(0, validation.MAX_SHORT_TEXT - len(suffix))] + suffix
