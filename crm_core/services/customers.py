"""Customer use cases: the list, a customer's card, editing it, merging duplicates, resolving a
credit finding on an order, and the desk's settings.

Decisions where the contract is silent:
- Any user who may enter orders may correct a customer's details (name, contact, addresses, tax
  id, industry, size, region); the credit limit and the blocked flag are managers' (permission
  MANAGE_CREDIT), checked here whatever the form shows. Every changed field writes its own
  'customer' 'update' event with "field: before → after"; a stale `expected_version` is refused
  ("changed by someone else — reloaded") and nothing is written.
- Merging (managers, MERGE_CUSTOMERS) moves the duplicate's opportunities and orders to the
  survivor, gives the survivor the duplicate's external id if it has none, deletes the duplicate
  and writes a 'merge' event on the survivor and a 'merged' event under the duplicate's id (events
  are append-only, so the duplicate's history stays readable by its id). Merging a customer into
  itself is refused.
- Credit findings (see `crm_core.settings` for the whole policy): "Raise credit limit" sets the
  customer's limit to open unpaid invoices + this order, rounded up to the next $1,000, and
  writes the before → after on the customer; "Require prepayment" marks the order as paid before
  it ships, so the audit's credit check does not apply to it, and writes an event on the order.
  Both only while the order awaits its audit, both managers only (MANAGE_CREDIT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from crm_core import settings as desk
from crm_core import validation
from crm_core.customer_fields import CREDIT_FIELDS, describe_change, validate_changes
from crm_core.errors import DomainError, ValidationError
from crm_core.money import format_money
from crm_core.orders import OrderStatus, status_label
from crm_core.permissions import Actor, Permission, require
from crm_core.store import Store, UnitOfWork
from crm_core.store import customers as rows
from crm_core.store import orders as facts
from crm_core.store.models import Customer, Order, utcnow
from crm_core.store.reads import customers as reads
from crm_core.store.reads.customers import CustomerCard, WonToDelivered

CREDIT_STEP_CENTS = 100_000  # a raised limit is rounded up to the next $1,000
SETTINGS_ENTITY_ID = 0  # the desk's settings are one record in the audit trail


# --- reading -------------------------------------------------------------------------------------


def customer_list(store: Store) -> pl.DataFrame:
    """Every customer with its contact, region, credit, blocked flag, counts and open balance."""
    return reads.read_customer_list(store)


def customer_card(store: Store, customer_id: int) -> CustomerCard:
    """Everything the Customers page shows about one customer, or NotFound."""
    return reads.customer_card(store, validation.integer("customer", customer_id, minimum=1))


# --- editing and merging -------------------------------------------------------------------------


def update_customer(
    store: Store,
    actor: Actor | None,
    customer_id: Any,
    changes: Mapping[str, Any],
    *,
    expected_version: Any,
    now: datetime | None = None,
) -> int:
    """Apply the changed fields (credit limit in currency units); returns the customer's new version.

    Fields equal to what is stored are ignored; changing the credit limit or blocked flag needs
    MANAGE_CREDIT. One event per changed field."""
    actor = require(actor, Permission.EDIT_CUSTOMER)
    now = now or utcnow()
    ident = validation.integer("customer", customer_id, minimum=1)
    version = validation.integer("version", expected_version, minimum=1)
    cleaned = validate_changes({k: v for k, v in changes.items()})
    with UnitOfWork(store, actor) as uow:
        customer = uow.get(Customer, ident, expected_version=version, what="customer")
        changed = {k: v for k, v in cleaned.items() if getattr(customer, k) != v}
        if not changed:
            return customer.version
        if CREDIT_FIELDS & changed.keys():
            require(actor, Permission.MANAGE_CREDIT)
        for name, value in changed.items():
            uow.record(
                "customer",
                customer.id,
                "update",
                actor.id,
                note=describe_change(name, getattr(customer, name), value),
                at=now,
            )
            setattr(customer, name, value)
        customer.updated_at = now
        uow.commit()
        return customer.version


@dataclass(frozen=True)
class MergeResult:
    survivor_id: int
    survivor: str
    duplicate_id: int
    duplicate: str
    opportunities_moved: int
    orders_moved: int


def merge_customers(
    store: Store,
    actor: Actor | None,
    survivor_id: Any,
    duplicate_id: Any,
    *,
    survivor_version: Any = None,
    duplicate_version: Any = None,
    now: datetime | None = None,
) -> MergeResult:
    """Fold the duplicate into the survivor: its opportunities and orders move, it is deleted."""
    actor = require(actor, Permission.MERGE_CUSTOMERS)
    now = now or utcnow()
    keep = validation.integer("survivor", survivor_id, minimum=1)
    drop = validation.integer("duplicate", duplicate_id, minimum=1)
    if keep == drop:
        raise ValidationError("duplicate", "a customer cannot be merged into itself; pick another customer")
    keep_version = None if survivor_version is None else validation.integer("version", survivor_version)
    drop_version = None if duplicate_version is None else validation.integer("version", duplicate_version)
    with UnitOfWork(store, actor) as uow:
        survivor = uow.get(Customer, keep, expected_version=keep_version, what="customer")
        duplicate = uow.get(Customer, drop, expected_version=drop_version, what="customer")
        opportunity_ids, order_numbers = rows.move_records(uow.session, duplicate.id, survivor.id)
        external_id = duplicate.external_id
        moved = f"{len(opportunity_ids)} opportunities and {len(order_numbers)} orders moved"
        listed = ", ".join(order_numbers[:20]) + (" …" if len(order_numbers) > 20 else "")
        uow.record(
            "customer",
            survivor.id,
            "merge",
            actor.id,
            at=now,
            note=f"Merged {duplicate.name} (#{duplicate.id}) into this customer: {moved}"
            + (f" ({listed})" if listed else ""),
        )
        uow.record(
            "customer",
            duplicate.id,
            "merged",
            actor.id,
            at=now,
            note=f"Merged into {survivor.name} (#{survivor.id}): {moved}; this record was removed",
        )
        uow.delete(duplicate)
        uow.flush()
        if survivor.external_id is None and external_id is not None:
            survivor.external_id = external_id
        survivor.updated_at = now
        uow.commit()
        return MergeResult(
            survivor.id, survivor.name, drop, duplicate.name, len(opportunity_ids), len(order_numbers)
        )


# --- resolving a credit finding on an order ------------------------------------------------------


@dataclass(frozen=True)
class CreditRaised:
    customer_id: int
    customer: str
    before_cents: int
    after_cents: int


def _order_awaiting_audit(uow: UnitOfWork, order_id: Any, expected_version: Any, doing: str) -> Order:
    ident = validation.integer("order", order_id, minimum=1)
    version = None if expected_version is None else validation.integer("version", expected_version, minimum=1)
    order = uow.get(Order, ident, expected_version=version, what="order")
    awaiting = order.status == OrderStatus.ENTERED or (
        order.status == OrderStatus.ON_HOLD and order.held_from == OrderStatus.ENTERED
    )
    if not awaiting:
        raise DomainError(
            f"Cannot {doing} for order {order.number}: it is {status_label(order.status)}; "
            "credit is checked only before the audit."
        )
    return order


def raise_credit_limit_for_order(
    store: Store,
    actor: Actor | None,
    order_id: Any,
    *,
    expected_version: Any = None,
    now: datetime | None = None,
) -> CreditRaised:
    """Raise the order's customer's limit to cover open unpaid invoices + this order (to the next $1,000)."""
    actor = require(actor, Permission.MANAGE_CREDIT)
    now = now or utcnow()
    with UnitOfWork(store, actor) as uow:
        order = _order_awaiting_audit(uow, order_id, expected_version, "raise the credit limit")
        customer = uow.get(Customer, order.customer_id, what="customer")
        exposure = (
            facts.open_unpaid_cents(uow.session, customer.id, except_order=order.id) + order.total_cents
        )
        before = customer.credit_limit_cents
        if exposure <= before:
            raise DomainError(
                f"{customer.name}'s credit limit of {format_money(before)} already covers order "
                f"{order.number} ({format_money(exposure)} with its open unpaid invoices)."
            )
        after = -(-exposure // CREDIT_STEP_CENTS) * CREDIT_STEP_CENTS
        uow.record(
            "customer",
            customer.id,
            "credit_limit",
            actor.id,
            at=now,
            note=f"{describe_change('credit_limit_cents', before, after)} to cover order {order.number} "
            f"(open unpaid {format_money(exposure - order.total_cents)} + this order "
            f"{format_money(order.total_cents)})",
        )
        customer.credit_limit_cents = after
        customer.updated_at = now
        uow.commit()
        return CreditRaised(customer.id, customer.name, before, after)


def require_prepayment(
    store: Store,
    actor: Actor | None,
    order_id: Any,
    *,
    expected_version: Any = None,
    now: datetime | None = None,
) -> int:
    """Mark the order as prepayment (no credit check: it is paid before it ships); returns its new version."""
    actor = require(actor, Permission.MANAGE_CREDIT)
    now = now or utcnow()
    with UnitOfWork(store, actor) as uow:
        order = _order_awaiting_audit(uow, order_id, expected_version, "require prepayment")
        if order.prepayment:
            raise DomainError(f"Order {order.number} is already a prepayment order.")
        order.prepayment = True
        order.updated_at = now
        uow.record(
            "order",
            order.id,
            "require_prepayment",
            actor.id,
            from_state=order.status,
            to_state=order.status,
            at=now,
            note="Prepayment required: paid before it ships, so no credit check",
        )
        uow.commit()
        return order.version


# --- the desk's settings -------------------------------------------------------------------------


def desk_settings(store: Store) -> desk.DeskSettings:
    """The settings in force (defaults where an admin set nothing)."""
    with store.read() as session:
        return desk.from_rows(rows.read_settings(session))


def update_desk_settings(
    store: Store,
    actor: Actor | None,
    *,
    default_credit_limit: Any,
    seller_name: Any,
    seller_address: Any,
    seller_tax_id: Any,
    seller_email: Any,
    now: datetime | None = None,
) -> desk.DeskSettings:
    """Admins only. One 'settings' event per changed setting (before → after)."""
    actor = require(actor, Permission.MANAGE_SETTINGS)
    now = now or utcnow()
    new = desk.validate(
        default_credit_limit=default_credit_limit,
        seller_name=seller_name,
        seller_address=seller_address,
        seller_tax_id=seller_tax_id,
        seller_email=seller_email,
    )
    with UnitOfWork(store, actor) as uow:
        old = desk.from_rows(rows.read_settings(uow.session))
        before, after = old.describe(), new.describe()
        changed = [name for name in after if before[name] != after[name]]
        if not changed:
            return old
        for name in changed:
            uow.record(
                "settings",
                SETTINGS_ENTITY_ID,
                "update",
                actor.id,
                at=now,
                note=f"{name}: {before[name]} → {after[name]}",
            )
        rows.write_settings(uow.session, desk.to_rows(new), actor.id, now)
        uow.commit()
        return new


def default_credit_limit_cents(session: Any) -> int:
    """The limit a customer created now starts with (inside the caller's session)."""
    return desk.from_rows(rows.read_settings(session)).default_credit_limit_cents


__all__ = [
    "CreditRaised",
    "CustomerCard",
    "MergeResult",
    "WonToDelivered",
    "customer_card",
    "customer_list",
    "default_credit_limit_cents",
    "desk_settings",
    "merge_customers",
    "raise_credit_limit_for_order",
    "require_prepayment",
    "update_customer",
    "update_desk_settings",
]
