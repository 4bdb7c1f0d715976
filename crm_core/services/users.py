"""Users: who can sign in and as what; an admin adds users, changes roles and deactivates them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from crm_core import validation
from crm_core.errors import NotFound, ValidationError
from crm_core.io.fields import normalise_name
from crm_core.io.read import ROW, read_table_file
from crm_core.io.report import PROBLEM_SCHEMA, ImportReport
from crm_core.permissions import Actor, Permission, Role, require
from crm_core.store import users as rows
from crm_core.store.engine import Store
from crm_core.store.models import User, utcnow
from crm_core.store.uow import UnitOfWork


def _to_actor(user: User) -> Actor:
    return Actor(id=user.id, name=user.name, email=user.email, role=Role(user.role))


def list_users(store: Store, *, active_only: bool = True) -> list[Actor]:
    """Users ordered by role (managers first, then reps, then admins) and name."""
    order = {Role.MANAGER.value: 0, Role.REP.value: 1, Role.ADMIN.value: 2}
    with store.read() as session:
        users = rows.users(session, active_only=active_only)
    return [_to_actor(u) for u in sorted(users, key=lambda u: (order.get(u.role, 9), u.name))]


def get_actor(store: Store, user_id: int) -> Actor:
    with store.read() as session:
        user = rows.find_user(session, user_id)
        if user is None or not user.active:
            raise NotFound(f"No active user with id {user_id}.")
        return _to_actor(user)


def actor_for_email(store: Store, email: str) -> Actor | None:
    """The active user with this email (case-insensitive), or None."""
    with store.read() as session:
        user = rows.active_user_by_email(session, email)
        return _to_actor(user) if user else None


# --- managing users (admin only) ------------------------------------------------------------------

ROLES: tuple[str, ...] = tuple(r.value for r in Role)


def all_users(store: Store) -> list[dict[str, object]]:
    """Every user, active or not, as plain rows (id, name, email, role, active) ordered by name."""
    with store.read() as session:
        users = rows.users_by_name(session)
    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role, "active": u.active} for u in users]


def add_user(store: Store, actor: Actor | None, name: Any, email: Any, role: Any) -> Actor:
    """Create a user (admin only). The email is validated and unique, ignoring case."""
    actor = require(actor, Permission.MANAGE_USERS)
    clean_name = validation.text("name", name, max_length=200)
    clean_email = validation.email("email", email)
    clean_role = validation.choice("role", role, ROLES)
    assert clean_name is not None and clean_email is not None
    with UnitOfWork(store, actor) as uow:
        if rows.email_taken(uow.session, clean_email):
            raise ValidationError("email", f"{clean_email} is already a user")
        user = User(name=clean_name, email=clean_email, role=clean_role, active=True, created_at=utcnow())
        uow.add(user)
        uow.flush()
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
    if not rows.other_active_admins(uow.session, user.id):
        raise ValidationError("role", f"{what}: they are the last active admin")


# --- importing users (admin only) -----------------------------------------------------------------

USER_COLUMNS = ("name", "email", "role")


def import_users(
    store: Store,
    actor: Actor | None,
    source: bytes | Path,
    file_name: str | None = None,
    *,
    lenient: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Add the users of a file with the columns name, email and role (rep, manager or admin).

    Strict by default: one bad row and nobody is added. An email that is already a user is left
    as it is (so a users file can be imported again) and said so in the report's notes."""
    actor = require(actor, Permission.MANAGE_USERS)
    name = file_name or (source.name if isinstance(source, Path) else "users file")
    frame = read_table_file(source, name)
    by_norm = {normalise_name(c): c for c in frame.columns if c != ROW}
    missing = [c for c in USER_COLUMNS if c not in by_norm]
    if missing:
        raise ValidationError(
            "file", f"has no column(s) {', '.join(missing)} (a users file has the columns name, email, role)"
        )
    with store.read() as session:
        known = rows.known_emails(session)
    text = {c: pl.col(by_norm[c]).cast(pl.String).str.strip_chars() for c in USER_COLUMNS}
    checked = frame.select(
        pl.col(ROW).alias("row"),
        text["name"].alias("name"),
        text["email"].str.to_lowercase().alias("email"),
        text["role"].str.to_lowercase().alias("role"),
    ).with_columns(
        pl.when(pl.col("name").is_null() | (pl.col("name") == ""))
        .then(pl.lit("is required"))
        .when(pl.col("name").str.len_chars() > 200)
        .then(pl.lit("is too long (at most 200 characters)"))
        .when(pl.col("name").str.contains(validation.FORBIDDEN_SINGLE_LINE))
        .then(pl.lit("contains control or text-direction characters"))
        .alias("_why_name"),
        pl.when(pl.col("email").is_null() | (pl.col("email") == ""))
        .then(pl.lit("is required"))
        .when(
            ~pl.col("email").str.contains(validation.EMAIL_RE.pattern)
            | (pl.col("email").str.len_chars() > 320)
        )
        .then(pl.lit("is not a valid email address"))
        .when(pl.col("row") != pl.col("row").min().over("email"))
        .then(pl.format("duplicate of row {} (same email)", pl.col("row").min().over("email")))
        .alias("_why_email"),
        pl.when(~pl.col("role").is_in(ROLES).fill_null(False))
        .then(pl.lit(f"is not one of: {', '.join(ROLES)}"))
        .alias("_why_role"),
    )
    problems = pl.concat(
        [
            checked.filter(pl.col(f"_why_{c}").is_not_null()).select(
                "row",
                pl.lit(by_norm[c]).alias("column"),
                pl.col(c).str.slice(0, 200).alias("value"),
                pl.col(f"_why_{c}").alias("reason"),
            )
            for c in USER_COLUMNS
        ]
    ).sort("row", maintain_order=True)
    bad_rows = problems["row"].unique().implode()
    accepted = checked.filter(~pl.col("row").is_in(bad_rows))
    existing = accepted.filter(pl.col("email").is_in(known))
    new = accepted.filter(~pl.col("email").is_in(known))
    rejected = problems["row"].n_unique()
    write = not dry_run and (lenient or rejected == 0)
    imported = new.height if (lenient or not rejected) else 0
    report = ImportReport(
        "users", name, lenient, dry_run, frame.height, imported, rejected,
        problems=problems.cast(PROBLEM_SCHEMA),  # type: ignore[arg-type]
        created={"users": new.height if write else 0},
        notes=[f"{e} is already a user (left as it is)" for e in existing["email"].to_list()[:50]],
    )  # fmt: skip
    if write and new.height:
        with UnitOfWork(store, actor) as uow:
            for row in new.select("name", "email", "role").to_dicts():
                user = User(
                    name=row["name"], email=row["email"], role=row["role"], active=True, created_at=utcnow()
                )
                uow.add(user)
                uow.flush()
                uow.record(
                    "user", user.id, "create", actor.id, to_state=row["role"],
                    note=f"{row['name']} <{row['email']}> (imported from {name[:150]})",
                )  # fmt: skip
            uow.commit()
        report.written = True
    return report
