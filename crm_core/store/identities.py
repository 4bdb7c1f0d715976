"""Users as sign-in and the acting user see them: by OIDC identity, by email, and re-read inside
a write transaction."""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from crm_core.access import UserRecord
from crm_core.errors import PermissionDenied
from crm_core.permissions import Actor
from crm_core.store.models import User

_COLUMNS = (User.id, User.name, User.email, User.active, User.oidc_issuer, User.oidc_subject)


def _record(db: Session | Connection, where: object, *, lock: bool = False) -> UserRecord | None:
    stmt = select(*_COLUMNS).where(where)  # type: ignore[arg-type]
    if lock:
        stmt = stmt.with_for_update()
    row = db.execute(stmt).first()
    return UserRecord(*row) if row else None


def user_by_identity(
    db: Session | Connection, issuer: str, subject: str, *, lock: bool = False
) -> UserRecord | None:
    return _record(db, (User.oidc_issuer == issuer) & (User.oidc_subject == subject), lock=lock)


def user_by_email(db: Session | Connection, email: str, *, lock: bool = False) -> UserRecord | None:
    return _record(db, func.lower(User.email) == email.strip().lower(), lock=lock)


def confirm_acting_user(db: Session | Connection, actor: Actor) -> None:
    """Re-read the acting user inside the write transaction that acts for them; refuse if they were
    deactivated or given another role since the actor was read (a page or dialog opened before).

    The row is read FOR SHARE on PostgreSQL, so a deactivation waits for this write to finish
    (SQLite's write transaction already holds the database)."""
    row = db.execute(
        select(User.active, User.role).where(User.id == actor.id).with_for_update(read=True)
    ).first()
    if row is None or not row.active:
        raise PermissionDenied(f"{actor.name} is no longer an active user, so nothing was changed.")
    if row.role != actor.role.value:
        raise PermissionDenied(
            f"{actor.name} is now {row.role}, no longer {actor.role.value}, so nothing was changed. "
            "Reload the page and try again."
        )
