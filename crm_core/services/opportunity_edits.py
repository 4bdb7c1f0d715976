"""Changing a deal after capture: editing its figures, product and contact, and reassigning it.

Who may do what (what can change at which stage is `crm_core.opportunities.check_edit`):
- An open deal: its owner or a manager (admins too: they may do all a manager may, though they
  own no deals) edits the expected amount, expected close date, product, quantity and contact.
- A won or lost deal: only a manager (or an admin) corrects its amount and close date. Reps do not
  change closed deals, not even their own; nothing reopens one.
- Reassigning: a manager (or an admin) gives open deals, one or many, to an active rep or manager.
  Reps do not reassign.

Each edit carries the version it was read at (a stale one raises ConflictError and changes nothing),
is validated before anything is written, and writes one 'edit' event listing each changed field
before → after; an edit that changes nothing writes nothing (no event, no new data version).
Reassigning writes one 'reassign' event per deal that changed hands. The events keep the stage
(from and to are the deal's stage), so replaying them still gives the stage.

The opportunity's contact is its own: editing it does not change the customer's main contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from crm_core import validation
from crm_core.errors import ConflictError, NotFound, ValidationError
from crm_core.money import format_money
from crm_core.opportunities import (
    CLOSED_STAGES,
    EDIT_EVENT,
    REASSIGN_EVENT,
    DealField,
    Stage,
    as_stage,
    check_edit,
    check_reassign,
    describe_change,
    editable_fields,
)
from crm_core.opportunity_fields import (
    KEEP,
    DealEdit,
    DealEditFields,
    close_date_rule,
    opportunity_title,
    validate_deal_edit,
)
from crm_core.permissions import Actor, Permission, require
from crm_core.services.opportunities import MAX_AMOUNT_CENTS, may_work_on
from crm_core.store import Store, UnitOfWork
from crm_core.store import opportunities as deals
from crm_core.store.models import Opportunity, Product, utcnow

MAX_REASSIGN = 5_000  # opportunities in one reassignment
_QUOTED = frozenset({DealField.CONTACT_NAME, DealField.EMAIL, DealField.PHONE, DealField.TITLE})


def editable_by(actor: Actor | None, owner_id: int, stage: Any) -> tuple[DealField, ...]:
    """The fields this actor may change on a deal with this owner and stage (empty: none). The page
    shows the edit form from this; `edit_opportunity` checks it all again."""
    if not may_work_on(actor, owner_id):
        return ()
    assert actor is not None
    if as_stage(stage) in CLOSED_STAGES and not actor.can(Permission.CORRECT_CLOSED_OPPORTUNITY):
        return ()
    return editable_fields(stage)


def may_reassign(actor: Actor | None) -> bool:
    return actor is not None and actor.can(Permission.REASSIGN_OPPORTUNITY)


def _close_day(opportunity: Opportunity) -> date | None:
    if as_stage(opportunity.stage) in CLOSED_STAGES:
        return opportunity.closed_at.date() if opportunity.closed_at else None
    return opportunity.expected_close_date


def _shown(field: DealField, value: Any, products: Mapping[int, Product]) -> str:
    if value is None or value == "":
        return "—"
    if field is DealField.AMOUNT:
        return format_money(value)
    if field is DealField.PRODUCT:
        product = products[value]
        return f"{product.name} ({product.sku})"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return f"'{value}'" if field in _QUOTED else str(value)


def _kept(value: Any, current: Any) -> Any:
    return current if value is KEEP else value


def _product_and_amount(
    uow: UnitOfWork, opportunity: Opportunity, clean: DealEditFields
) -> tuple[int | None, int, int, dict[int, Product]]:
    """The product, quantity and amount after the edit (an empty amount priced from the product, as
    at capture), and the products involved by id (for the history's words)."""
    products: dict[int, Product] = {}
    if opportunity.product_id is not None:
        products[opportunity.product_id] = deals.product(uow.session, opportunity.product_id)
    product_id = _kept(clean.product_id, opportunity.product_id)
    if product_id is not None and product_id not in products:
        product = deals.find_product(uow.session, product_id)
        if product is None:
            raise ValidationError(DealField.PRODUCT, f"does not exist (no product with id {product_id})")
        if not product.active:
            raise ValidationError(DealField.PRODUCT, f"{product.sku} ({product.name}) is no longer sold")
        products[product_id] = product
    quantity = _kept(clean.quantity, opportunity.quantity)
    amount = _kept(clean.expected_amount_cents, opportunity.expected_amount_cents)
    if amount is None:
        if product_id is None:
            raise ValidationError(DealField.AMOUNT, "is required (the deal names no product to price it)")
        amount = quantity * products[product_id].list_price_cents
        if amount > MAX_AMOUNT_CENTS:
            raise ValidationError(DealField.QUANTITY, "is too large: quantity × list price is over 10^12")
    return product_id, quantity, amount, products


def _title(
    uow: UnitOfWork, opportunity: Opportunity, product_id: int | None, products: dict[int, Product]
) -> str:
    """A generated title ('Company — Product') follows the product; a title someone chose stays."""
    old = opportunity.product_id
    if product_id == old or old is None or product_id is None:
        return opportunity.title
    company = deals.customer_name(uow.session, opportunity.customer_id)
    if opportunity.title != opportunity_title(company, products[old].name):
        return opportunity.title
    return opportunity_title(company, products[product_id].name)


def _record(
    uow: UnitOfWork, opportunity: Opportunity, action: str, actor: Actor, note: str, now: datetime
) -> None:
    stage = opportunity.stage  # not a step: the stage stays
    uow.record(
        "opportunity", opportunity.id, action, actor.id, from_state=stage, to_state=stage, note=note, at=now
    )


def edit_opportunity(
    store: Store,
    actor: Actor | None,
    opportunity_id: Any,
    expected_version: Any,
    edit: DealEdit,
    *,
    today: date | None = None,
) -> int:
    """Change what the edit gives (KEEP leaves a field alone); returns the opportunity's version,
    the same one when nothing changed."""
    require(actor, Permission.WORK_OWN_OPPORTUNITY)
    assert actor is not None
    ident = validation.integer("opportunity", opportunity_id, minimum=1)
    version = validation.integer("version", expected_version, minimum=1)
    now = utcnow()
    with UnitOfWork(store, actor) as uow:
        opportunity = uow.get(Opportunity, ident, expected_version=version, what="opportunity")
        if opportunity.owner_id != actor.id:
            require(actor, Permission.WORK_ANY_OPPORTUNITY)
        stage = as_stage(opportunity.stage)
        if stage in CLOSED_STAGES:
            require(actor, Permission.CORRECT_CLOSED_OPPORTUNITY)
        close_day = _close_day(opportunity)
        rule = close_date_rule(
            stage,
            today=today or now.date(),
            captured=opportunity.created_at.date(),
            current=close_day,
            first_order=deals.first_order_day(uow.session, opportunity.id) if stage is Stage.WON else None,
        )
        clean = validate_deal_edit(edit, close_dates=rule)
        product_id, quantity, amount, products = _product_and_amount(uow, opportunity, clean)
        o = opportunity
        wanted: dict[DealField, tuple[Any, Any]] = {
            DealField.AMOUNT: (o.expected_amount_cents, amount),
            rule.field: (close_day, _kept(clean.close_date, close_day)),
            DealField.PRODUCT: (o.product_id, product_id),
            DealField.QUANTITY: (o.quantity, quantity),
            DealField.CONTACT_NAME: (o.contact_name, _kept(clean.contact_name, o.contact_name)),
            DealField.EMAIL: (o.contact_email, _kept(clean.email, o.contact_email)),
            DealField.PHONE: (o.contact_phone, _kept(clean.phone, o.contact_phone)),
            DealField.TITLE: (o.title, _title(uow, o, product_id, products)),
        }
        changed = {field: values for field, values in wanted.items() if values[0] != values[1]}
        if not changed:
            return opportunity.version  # nothing to write: no event, no new data version
        check_edit(stage, changed)

        o.expected_amount_cents, o.product_id, o.quantity = amount, product_id, quantity
        o.contact_name = wanted[DealField.CONTACT_NAME][1]
        o.contact_email = wanted[DealField.EMAIL][1]
        o.contact_phone = wanted[DealField.PHONE][1]
        o.title = wanted[DealField.TITLE][1]
        new_day = wanted[rule.field][1]
        if rule.field is DealField.CLOSE_DATE:
            o.expected_close_date = new_day
        elif new_day != close_day:  # a closed deal's close date: the day moves, the time of day stays
            at = o.closed_at.timetz() if o.closed_at else time(12, tzinfo=UTC)
            o.closed_at = datetime.combine(new_day, at)
        o.updated_at = now
        note = "; ".join(
            describe_change(field, _shown(field, before, products), _shown(field, after, products))
            for field, (before, after) in changed.items()
        )
        _record(uow, opportunity, EDIT_EVENT, actor, note, now)
        uow.commit()
        return opportunity.version


def reassign_opportunities(
    store: Store, actor: Actor | None, versions: Mapping[Any, Any], new_owner_id: Any
) -> int:
    """Give open opportunities (id → the version the person saw) to another owner, all or none.
    Returns how many changed hands (those the new owner already had are left as they are)."""
    require(actor, Permission.REASSIGN_OPPORTUNITY)
    assert actor is not None
    if new_owner_id is None or (isinstance(new_owner_id, str) and not new_owner_id.strip()):
        raise ValidationError("new owner", "is required: choose a rep or manager")
    owner_id = validation.integer("new owner", new_owner_id, minimum=1)
    if not versions:
        raise ValidationError("selection", "is empty: tick the opportunities to reassign")
    if len(versions) > MAX_REASSIGN:
        raise ValidationError(
            "selection", f"has {len(versions):,} opportunities; reassign at most {MAX_REASSIGN:,} at a time"
        )
    seen = {
        validation.integer("opportunity", ident, minimum=1): validation.integer("version", v, minimum=1)
        for ident, v in versions.items()
    }
    now = utcnow()
    with UnitOfWork(store, actor) as uow:
        owner = deals.active_owner(uow.session, owner_id)
        if owner is None:
            raise ValidationError("new owner", f"is not an active sales rep or manager (user #{owner_id})")
        rows = deals.lock_opportunities(uow.session, seen)
        missing = sorted(set(seen) - set(rows))
        if missing:
            raise NotFound(f"No opportunity with id {missing[0]}.")
        stale = sorted(ident for ident, v in seen.items() if rows[ident].version != v)
        if stale:
            others = f" (and {len(stale) - 1} more)" if len(stale) > 1 else ""
            raise ConflictError(f"Opportunity #{stale[0]}{others}")
        check_reassign({ident: rows[ident].stage for ident in sorted(seen)})
        moving = [rows[ident] for ident in sorted(seen) if rows[ident].owner_id != owner.id]
        if not moving:
            return 0
        names = deals.user_names(uow.session, {o.owner_id for o in moving})
        for opportunity in moving:
            note = describe_change(DealField.OWNER, names[opportunity.owner_id], owner.name)
            _record(uow, opportunity, REASSIGN_EVENT, actor, note, now)
            opportunity.owner_id = owner.id
            opportunity.updated_at = now
        uow.commit()
        return len(moving)
