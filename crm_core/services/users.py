"""Users: who can sign in and as what."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.errors import NotFound
from crm_core.permissions import Actor, Role
from crm_core.store.engine import Store
from crm_core.store.models import User


def _to_actor(user: User) -> Actor:
    return Actor(id=user.id, name=user.name, email=user.email, role=Role(user.role))


def list_users(store: Store, *, active_only: bool = True) -> list[Actor]:
    """Users ordered by role (managers first, then reps, then admins) and name."""
    order = {Role.MANAGER.value: 0, Role.REP.value: 1, Role.ADMIN.value: 2}
    with store.read() as session:
        stmt = select(User)
        if active_only:
            stmt = stmt.where(User.active.is_(True))
        users = list(session.scalars(stmt))
    return [_to_actor(u) for u in sorted(users, key=lambda u: (order.get(u.role, 9), u.name))]


def get_actor(store: Store, user_id: int) -> Actor:
    with store.read() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound(f"No active user with id {user_id}.")
        return _to_actor(user)


def actor_for_email(store: Store, email: str) -> Actor | None:
    """The active user with this email (case-insensitive), or None."""
    with store.read() as session:
        user = session.scalars(
            select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
        ).first()
        return _to_actor(user) if user else None
