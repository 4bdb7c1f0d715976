"""Opportunity use cases: capture, enrich, qualify, schedule, win, lose, convert into an order.

Each checks the actor's permission (reps work their own opportunities, managers anyone's), validates
its fields (bad input raises before anything is written), runs in one unit of work, refuses a stale
`expected_version` with ConflictError, moves the stage only as `crm_core.opportunities` allows,
appends an event (entity 'opportunity', from and to stage, the actor) and keeps `updated_at` and
`closed_at` current. Each returns the opportunity's new version (convert: the new order's id).

Decisions where the contract is silent:
- The owner is the person capturing unless they may work on anyone's opportunities (managers); an
  owner is an active rep or manager.
- A new customer starts with the contact typed at capture and the default credit limit an admin
  set (`crm_core.settings`: $50,000 unless changed), so its first order can pass the audit's credit
  check; capture writes a 'customer' 'create' event naming that limit, and enrichment an 'update'
  event when it changes industry or size.
- Conversion creates an `entered` order (default payment bank transfer, standard delivery, no tax,
  no shipping) with one line: the product of interest, its quantity, the list price.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_core import validation
from crm_core.customers import PossibleDuplicateCustomer, match_customers
from crm_core.errors import ValidationError
from crm_core.money import format_money
from crm_core.opportunities import (
    CLOSED_STAGES,
    OpportunityAction,
    Stage,
    check_conversion,
    target_stage,
)
from crm_core.opportunity_fields import (
    Enrichment,
    MeetingRequest,
    NewOpportunity,
    opportunity_title,
    validate_capture,
    validate_enrichment,
    validate_lost_reason,
    validate_meeting,
    validate_note,
    validate_scores,
)
from crm_core.orders import LineInput
from crm_core.permissions import Actor, Permission, require
from crm_core.scoring import score_one
from crm_core.services.customers import default_credit_limit_cents
from crm_core.services.orders import NewOrder, create_order
from crm_core.services.scoring import active_weights
from crm_core.store import Store, UnitOfWork
from crm_core.store import customers as customer_rows
from crm_core.store import opportunities as rows
from crm_core.store.models import Customer, Meeting, Opportunity, Order, utcnow

MAX_AMOUNT_CENTS = int(validation.MAX_AMOUNT * 100)


def may_work_on(actor: Actor | None, owner_id: int) -> bool:
    """Whether the actor may change an opportunity with this owner (the page greys out the rest)."""
    if actor is None or not actor.can(Permission.WORK_OWN_OPPORTUNITY):
        return False
    return actor.id == owner_id or actor.can(Permission.WORK_ANY_OPPORTUNITY)


def _load(
    uow: UnitOfWork,
    actor: Actor | None,
    opportunity_id: Any,
    expected_version: Any,
    now: datetime | None = None,
) -> Opportunity:
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    assert actor is not None
    ident = validation.integer("opportunity", opportunity_id, minimum=1)
    version = validation.integer("version", expected_version, minimum=1)
    opportunity = uow.get(Opportunity, ident, expected_version=version, what="opportunity", now=now)
    if opportunity.owner_id != actor.id:
        require(actor, Permission.WORK_ANY_OPPORTUNITY)
    return opportunity


def _move(
    uow: UnitOfWork,
    opportunity: Opportunity,
    actor: Actor,
    action: OpportunityAction,
    now: datetime,
    *,
    note: str | None = None,
) -> int:
    """Move to the stage `action` leads to (or refuse), stamp the times, write the event, flush."""
    before = opportunity.stage
    after = target_stage(before, action)
    opportunity.stage = after.value
    opportunity.updated_at = now
    if after in CLOSED_STAGES and before != after:
        opportunity.closed_at = now
    uow.record(
        "opportunity",
        opportunity.id,
        action.value,
        actor.id,
        from_state=before,
        to_state=after.value,
        note=note,
        at=now,
    )
    uow.flush()
    return opportunity.version


def capture_opportunity(
    store: Store, actor: Actor | None, new: NewOpportunity, *, today: date | None = None
) -> int:
    """Capture a new opportunity in stage `captured`; returns its id.

    Without `customer_id`, a customer with the same company name or email domain is offered
    (PossibleDuplicateCustomer) instead of creating a second one, unless `new_customer` is set."""
    require(actor, Permission.CAPTURE_OPPORTUNITY)
    assert actor is not None
    now = utcnow()
    fields = validate_capture(new, today=today or now.date())
    owner_id = fields.owner_id or actor.id
    if owner_id != actor.id:
        require(actor, Permission.WORK_ANY_OPPORTUNITY)
    with UnitOfWork(store, actor) as uow:
        if rows.active_owner(uow.session, owner_id) is None:
            raise ValidationError("owner", f"no active sales rep or manager with id {owner_id}")
        product = rows.find_product(uow.session, fields.product_id)
        if product is None:
            raise ValidationError("product interest", f"no product with id {fields.product_id}")
        if not product.active:
            raise ValidationError("product interest", f"{product.sku} ({product.name}) is no longer sold")
        amount = fields.expected_amount_cents
        if amount is None:
            amount = fields.quantity * product.list_price_cents
            if amount > MAX_AMOUNT_CENTS:
                raise ValidationError(
                    "quantity", "quantity × list price is more than 10^12; check the quantity"
                )
        if fields.customer_id is not None:
            customer = customer_rows.find_customer(uow.session, fields.customer_id)
            if customer is None:
                raise ValidationError("customer", f"no customer with id {fields.customer_id}")
            customer_note = f"Existing customer {customer.name}"
        else:
            assert fields.company is not None
            if not new.new_customer:
                matches = match_customers(
                    fields.company,
                    fields.email,
                    rows.customer_candidates(uow.session, fields.company, fields.email),
                )
                if matches:
                    raise PossibleDuplicateCustomer(matches)
            credit_limit = default_credit_limit_cents(uow.session)
            customer = Customer(
                name=fields.company,
                credit_limit_cents=credit_limit,
                contact_name=fields.contact_name,
                contact_email=fields.email,
                contact_phone=fields.phone,
                created_at=now,
                updated_at=now,
            )
            uow.add(customer)
            uow.flush()
            uow.record(
                "customer",
                customer.id,
                "create",
                actor.id,
                note=f"Created at opportunity capture; default credit limit {format_money(credit_limit)}",
                at=now,
            )
            customer_note = f"New customer {customer.name}"
        opportunity = Opportunity(
            title=opportunity_title(customer.name, product.name),
            customer_id=customer.id,
            owner_id=owner_id,
            contact_name=fields.contact_name,
            contact_email=fields.email,
            contact_phone=fields.phone,
            product_id=product.id,
            quantity=fields.quantity,
            expected_amount_cents=amount,
            expected_close_date=fields.expected_close_date,
            stage=Stage.CAPTURED.value,
            created_at=now,
            updated_at=now,
        )
        uow.add(opportunity)
        uow.flush()
        uow.record(
            "opportunity",
            opportunity.id,
            OpportunityAction.CAPTURE.value,
            actor.id,
            to_state=Stage.CAPTURED.value,
            note=customer_note,
            at=now,
        )
        uow.commit()
        return opportunity.id


def _step(
    store: Store,
    actor: Actor | None,
    opportunity_id: Any,
    expected_version: Any,
    action: OpportunityAction,
    now: datetime,
    *,
    note: str | None = None,
    change: Callable[[UnitOfWork, Opportunity, Actor], None] | None = None,
) -> int:
    """One stage move in one unit of work: load it (version and permission), refuse a move the
    stage table does not allow before changing anything, apply the step's own change, move, commit."""
    with UnitOfWork(store, actor) as uow:
        opportunity = _load(uow, actor, opportunity_id, expected_version, now)
        assert actor is not None
        target_stage(opportunity.stage, action)
        if change is not None:
            change(uow, opportunity, actor)
        version = _move(uow, opportunity, actor, action, now, note=note)
        uow.commit()
        return version


def enrich_opportunity(
    store: Store, actor: Actor | None, opportunity_id: Any, expected_version: Any, fields: Enrichment
) -> int:
    """captured → enriched. Industry and company size are written onto the shared customer record."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    clean = validate_enrichment(fields)
    now = utcnow()

    def enrich(uow: UnitOfWork, opportunity: Opportunity, actor: Actor) -> None:
        customer = uow.get(Customer, opportunity.customer_id, what="customer")
        changes = [
            f"{name}: {old or '—'} → {new}"
            for name, old, new in (
                ("industry", customer.industry, clean.industry),
                ("company size", customer.employees, clean.employees),
            )
            if old != new
        ]
        if changes:
            customer.industry, customer.employees, customer.updated_at = clean.industry, clean.employees, now
            uow.record("customer", customer.id, "update", actor.id, note="; ".join(changes), at=now)
        opportunity.need_summary = clean.need
        opportunity.budget_cents = clean.budget_cents
        opportunity.decision_maker = clean.decision_maker
        opportunity.purchase_timeframe = clean.timing

    return _step(store, actor, opportunity_id, expected_version, OpportunityAction.ENRICH, now, change=enrich)


def qualify_opportunity(
    store: Store, actor: Actor | None, opportunity_id: Any, expected_version: Any, scores: Mapping[str, Any]
) -> int:
    """enriched → qualified, with the four SCALE and four BANT scores (each 0–10)."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    clean = validate_scores(scores)
    team = active_weights(store)
    vp = score_one(clean, team.weights, team.bant)

    def score(uow: UnitOfWork, opportunity: Opportunity, actor: Actor) -> None:
        for factor, value in clean.items():
            setattr(opportunity, factor, value)

    note = f"Value {vp['value']:.1f} · potential {vp['potential']:.1f} · {vp['quadrant']}"
    action = OpportunityAction.QUALIFY
    return _step(store, actor, opportunity_id, expected_version, action, utcnow(), note=note, change=score)


def schedule_meeting(
    store: Store,
    actor: Actor | None,
    opportunity_id: Any,
    expected_version: Any,
    meeting: MeetingRequest,
    *,
    now: datetime | None = None,
) -> int:
    """qualified → scheduled, booking a call, meeting or demo in the future."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    now = now or utcnow()
    clean = validate_meeting(meeting, now=now)

    def book(uow: UnitOfWork, opportunity: Opportunity, actor: Actor) -> None:
        uow.add(
            Meeting(
                opportunity_id=opportunity.id,
                kind=clean.kind,
                scheduled_at=clean.at,
                notes=clean.notes,
                created_by=actor.id,
                created_at=now,
            )
        )

    note = f"{clean.kind.capitalize()} booked for {clean.at:%Y-%m-%d %H:%M} UTC"
    action = OpportunityAction.SCHEDULE
    return _step(store, actor, opportunity_id, expected_version, action, now, note=note, change=book)


def mark_won(
    store: Store, actor: Actor | None, opportunity_id: Any, expected_version: Any, note: Any = None
) -> int:
    """scheduled → won (final)."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    clean = validate_note(note)
    return _step(store, actor, opportunity_id, expected_version, OpportunityAction.WIN, utcnow(), note=clean)


def mark_lost(
    store: Store, actor: Actor | None, opportunity_id: Any, expected_version: Any, reason: Any
) -> int:
    """Any open stage → lost (final); the reason is required."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    clean = validate_lost_reason(reason)

    def lose(uow: UnitOfWork, opportunity: Opportunity, actor: Actor) -> None:
        opportunity.lost_reason = clean

    action = OpportunityAction.LOSE
    return _step(store, actor, opportunity_id, expected_version, action, utcnow(), note=clean, change=lose)


def convert_to_order(
    store: Store,
    actor: Actor | None,
    opportunity_id: Any,
    expected_version: Any,
    *,
    payment_method: Any = "bank_transfer",
    delivery_method: Any = "standard",
    another_order: bool = False,
    today: date | None = None,
) -> int:
    """A won opportunity → an `entered` order for the same customer, linked by `opportunity_id`.

    Returns the order's id. A second order needs `another_order=True`; the order and the
    opportunity's 'convert' event are written in one transaction."""
    require(actor, Permission.CONVERT_OPPORTUNITY)
    now = utcnow()
    with UnitOfWork(store, actor) as uow:
        opportunity = _load(uow, actor, opportunity_id, expected_version, now)
        assert actor is not None
        existing = rows.order_numbers(uow.session, opportunity.id)
        check_conversion(opportunity.stage, existing, another_order=bool(another_order))
        product = rows.find_product(uow.session, opportunity.product_id) if opportunity.product_id else None
        if product is None:
            raise ValidationError("product interest", "the opportunity names no product to put on the order")
        new = NewOrder(
            customer_id=opportunity.customer_id,
            lines=[LineInput(product.sku, opportunity.quantity)],  # no price: the list price applies
            payment_method=payment_method,
            delivery_method=delivery_method,
            shipping=Decimal(0),
            opportunity_id=opportunity.id,
        )
        order_id = create_order(store, actor, new, today=today or now.date(), uow=uow)
        number = uow.get(Order, order_id, what="order").number
        opportunity.updated_at = now  # bumps the version: a second, concurrent convert is refused
        uow.record(
            "opportunity",
            opportunity.id,
            OpportunityAction.CONVERT.value,
            actor.id,
            from_state=opportunity.stage,
            to_state=opportunity.stage,
            note=f"Order {number} created",
            at=now,
        )
        uow.commit()
        return order_id
