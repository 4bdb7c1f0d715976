"""The store side of opportunities, inside the caller's session: the customers a new deal's company
might already be, the owners a deal may go to, locking a batch of opportunities, the products and
orders a deal names, and the first order a won one led to."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm_core.customers import CustomerCandidate, company_domain
from crm_core.permissions import Role
from crm_core.store.models import Customer, Opportunity, Order, Product, User

OWNER_ROLES: frozenset[str] = frozenset({Role.REP.value, Role.MANAGER.value})  # admins own no deals


def lock_opportunities(session: Session, ids: Collection[int]) -> dict[int, Opportunity]:
    """The opportunities with these ids, by id, read `FOR UPDATE` on PostgreSQL so a concurrent
    writer waits and then sees the new versions (SQLite's write transaction holds the database)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Opportunity).where(Opportunity.id.in_(list(ids))).order_by(Opportunity.id).with_for_update()
    ).all()
    return {row.id: row for row in rows}


def active_owner(session: Session, user_id: int) -> User | None:
    """The user if they can own deals (an active rep or manager; admins own none), else None."""
    user = session.get(User, user_id)
    return user if user is not None and user.active and user.role in OWNER_ROLES else None


def user_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(list(ids))))
    return {row.id: row.name for row in rows}


def first_order_day(session: Session, opportunity_id: int) -> date | None:
    """The day the first order made from this opportunity was entered (None: no order yet)."""
    first = session.scalar(
        select(Order.created_at)
        .where(Order.opportunity_id == opportunity_id)
        .order_by(Order.created_at)
        .limit(1)
    )
    return None if first is None else first.date()


def customer_candidates(session: Session, company: str | None, email: str) -> list[CustomerCandidate]:
    """Customers whose name or contact email domain might match (SQL narrows, `match_customers` decides)."""
    conditions = []
    if company:
        conditions.append(func.lower(func.trim(Customer.name)) == " ".join(company.split()).lower())
    domain = company_domain(email)
    same_domain = func.lower(Opportunity.contact_email).like(f"%@{domain}")  # domains hold no % or _
    if domain:
        conditions.append(func.lower(Customer.contact_email).like(f"%@{domain}"))
        conditions.append(Customer.id.in_(select(Opportunity.customer_id).where(same_domain)))
    if not conditions:
        return []
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.contact_email).where(or_(*conditions)).limit(50)
    ).all()
    emails: dict[int, list[str]] = {row.id: [row.contact_email or ""] for row in rows}
    if domain and emails:
        found = select(Opportunity.customer_id, Opportunity.contact_email).where(
            same_domain, Opportunity.customer_id.in_(list(emails))
        )
        for customer_id, address in session.execute(found):
            emails[customer_id].append(address or "")
    return [CustomerCandidate(row.id, row.name, tuple(emails[row.id])) for row in rows]


def find_product(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def order_numbers(session: Session, opportunity_id: int) -> list[str]:
    """The numbers of the orders made from this opportunity, oldest first."""
    return list(
        session.scalars(select(Order.number).where(Order.opportunity_id == opportunity_id).order_by(Order.id))
    )


def product(session: Session, product_id: int) -> Product:
    """A product the deal already names (it exists: products are never deleted)."""
    return session.get_one(Product, product_id)


def customer_name(session: Session, customer_id: int) -> str:
    return session.get_one(Customer, customer_id).name
