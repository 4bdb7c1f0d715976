"""The store side of users: the lists the admin page and the sign-in read, and the checks adding a
user or changing a role need. Runs inside the caller's session (the services own the unit of work)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.permissions import Role
from crm_core.store.models import User


def find_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def users(session: Session, *, active_only: bool = False) -> list[User]:
    """Users in id order (every one, or only the active ones)."""
    stmt = select(User)
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    return list(session.scalars(stmt))


def users_by_name(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name, User.id)))


def active_user_by_email(session: Session, email: str) -> User | None:
    """The active user with this email (ignoring case and surrounding spaces), or None."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
    ).first()


def email_taken(session: Session, email: str) -> bool:
    """Whether a user (active or not) has this lower-case email, ignoring case."""
    return session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None


def other_active_admins(session: Session, user_id: int) -> int:
    """How many active admins there are besides this user."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user_id)
        )
        or 0
    )


def known_emails(session: Session) -> list[str]:
    """Every user's email, lower-case."""
    return [e.lower() for e in session.scalars(select(User.email))]


def first_active_admin_id(session: Session) -> int | None:
    """The active admin with the lowest id (whom the command line acts as by default), or None."""
    return session.scalar(
        select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True)).order_by(User.id).limit(1)
    )
