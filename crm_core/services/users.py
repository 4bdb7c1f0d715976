"""Users: who can sign in and as what; an admin adds users, changes roles and deactivates them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm_core import validation
from crm_core.errors import NotFound, ValidationError
from crm_core.permissions import Actor, Permission, Role, require
from crm_core.store.engine import Store
from crm_core.store.models import User, utcnow
from crm_core.store.uow import UnitOfWork


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


# --- managing users (admin only) ------------------------------------------------------------------

ROLES: tuple[str, ...] = tuple(r.value for r in Role)


def all_users(store: Store) -> list[dict[str, object]]:
    """Every user, active or not, as plain rows (id, name, email, role, active) ordered by name."""
    with store.read() as session:
        users = list(session.scalars(select(User).order_by(User.name, User.id)))
    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role, "active": u.active} for u in users]


def add_user(store: Store, actor: Actor | None, name: Any, email: Any, role: Any) -> Actor:
    """Create a user (admin only). The email is validated and unique, ignoring case."""
    actor = require(actor, Permission.MANAGE_USERS)
    clean_name = validation.text("name", name, max_length=200)
    clean_email = validation.email("email", email)
    clean_role = validation.choice("role", role, ROLES)
    assert clean_name is not None and clean_email is not None
    with UnitOfWork(store, actor) as uow:
        taken = uow.session.scalar(select(User.id).where(func.lower(User.email) == clean_email))
        if taken is not None:
            raise ValidationError("email", f"{clean_email} is already a user")
        user = User(name=clean_name, email=clean_email, role=clean_role, active=True, created_at=utcnow())
        uow.session.add(user)
        uow.session.flush()
        uow.record(
            "user", user.id, "create", actor.id, to_state=clean_role, note=f"{clean_name} <{clean_email}>"
        )
        uow.commit()
        return _to_actor(user)


def change_role(store: Store, actor: Actor | None, user_id: Any, role: Any) -> Actor:
    """Give a user another role (admin only). The last active admin keeps the role."""
    actor = require(actor, Permission.MANAGE_USERS)
    ident = validation.integer("user", user_id, minimum=1)
    clean_role = validation.choice("role", role, ROLES)
    with UnitOfWork(store, actor) as uow:
        user = uow.get(User, ident, what="user")
        before = user.role
        if before == clean_role:
            return _to_actor(user)
        if before == Role.ADMIN and user.active:
            _keep_an_admin(uow, user, f"Cannot make {user.name} a {clean_role}")
        user.role = clean_role
        uow.record("user", user.id, "change_role", actor.id, from_state=before, to_state=clean_role)
        uow.commit()
        return _to_actor(user)


def deactivate_user(store: Store, actor: Actor | None, user_id: Any) -> None:
    """Stop a user from signing in (admin only). Their records and events stay; nobody deactivates
    themselves or the last active admin."""
    actor = require(actor, Permission.MANAGE_USERS)
    ident = validation.integer("user", user_id, minimum=1)
    if ident == actor.id:
        raise ValidationError("user", "you cannot deactivate yourself; ask another admin")
    with UnitOfWork(store, actor) as uow:
        user = uow.get(User, ident, what="user")
        if not user.active:
            return
        if user.role == Role.ADMIN:
            _keep_an_admin(uow, user, f"Cannot deactivate {user.name}")
        user.active = False
        uow.record("user", user.id, "deactivate", actor.id, from_state="active", to_state="inactive")
        uow.commit()


def _keep_an_admin(uow: UnitOfWork, user: User, what: str) -> None:
    others = uow.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise ValidationError("role", f"{what}: they are the last active admin")
