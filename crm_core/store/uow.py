"""Unit of work: one transaction per use case, an event per change, the data version bumped on commit.

    with UnitOfWork(store) as uow:
        order = uow.get(Order, order_id, expected_version=version)
        ...
        uow.record("order", order.id, "audit", actor, from_state="entered", to_state="audited")
        uow.commit()

Rolls back unless `commit()` is called. A stale write (the row's version moved on since
it was read) becomes a `ConflictError`; a write lock that stays taken longer than the busy
timeout (a large import) a `DatabaseBusy`; a lost connection a `DatabaseUnavailable`.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_core.conflicts import last_change_sentence
from crm_core.errors import ConflictError, NotFound
from crm_core.permissions import Actor
from crm_core.store.changes import DATA_VERSION_KEY, commit_version
from crm_core.store.engine import Store, database_error
from crm_core.store.identities import confirm_acting_user
from crm_core.store.models import Event, Meta, User, utcnow

__all__ = ["DATA_VERSION_KEY", "UnitOfWork", "data_version"]
T = TypeVar("T")
_META = cast(Table, Meta.__table__)
# The events' name for a versioned table's records.
_ENTITY_TYPES = {"orders": "order", "opportunities": "opportunity", "customers": "customer"}


class UnitOfWork:
    """One write transaction. Given the acting user, it re-reads them first, inside the transaction,
    and refuses (PermissionDenied) if they were deactivated or given another role since the actor
    was read — a page or dialog opened before cannot act on a role its user no longer has."""

    def __init__(self, store: Store, actor: Actor | None = None) -> None:
        self.store = store
        self.actor = actor
        self._session: Session | None = None
        self._committed = False
        self.events: list[Event] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self.store.write_session()
        self._session.begin()
        self._committed = False
        if self.actor is not None:
            try:
                confirm_acting_user(self._session, self.actor)
            except BaseException as exc:
                self._session.rollback()
                self._session.close()
                self._session = None
                if isinstance(exc, OperationalError):  # the first statement waits for the write lock
                    raise database_error(self.store, exc) from None
                raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self._session, None
        assert session is not None
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()
        if isinstance(exc, StaleDataError):
            raise ConflictError() from None
        if isinstance(exc, OperationalError):  # busy (another write held the lock too long) or gone
            raise database_error(self.store, exc) from None

    def get(
        self,
        model: type[T],
        ident: Any,
        *,
        expected_version: int | None = None,
        what: str = "",
        now: datetime | None = None,
    ) -> T:
        """Load a row or raise NotFound; with `expected_version`, raise ConflictError if it moved on,
        naming who changed it, what they did and how long before `now` (the record's latest event).

        Versioned rows (orders, opportunities) are read with `SELECT … FOR UPDATE` on PostgreSQL,
        so a second writer of the same row waits here and then sees the new version (a conflict,
        before doing any work) instead of finding out at its own UPDATE. SQLite's write
        transaction (BEGIN IMMEDIATE) already holds the whole database."""
        versioned = hasattr(model, "version")
        obj = self.session.get(model, ident, with_for_update=versioned or None)
        label = what or model.__name__.lower()
        if obj is None:
            raise NotFound(f"No {label} with id {ident}.")
        if expected_version is not None and getattr(obj, "version", expected_version) != expected_version:
            entity = _ENTITY_TYPES.get(getattr(model, "__tablename__", ""), label)
            raise ConflictError(f"This {label}", last_change=self.last_change(entity, ident, now or utcnow()))
        return obj

    def last_change(self, entity_type: str, entity_id: Any, now: datetime) -> str | None:
        """`Maria Lindqvist recorded a payment 20 seconds ago`, from the record's latest event."""
        latest = self.session.execute(
            select(Event.action, Event.at, User.name)
            .outerjoin(User, User.id == Event.actor_id)
            .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        action, at, name = latest
        return last_change_sentence(name, entity_type, action, at, now)

    def record(
        self,
        entity_type: str,
        entity_id: int,
        action: str,
        actor_id: int | None,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Event:
        """Append an event to the audit trail (in this transaction)."""
        event = Event(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor_id,
            note=note,
            at=at or utcnow(),
        )
        self.session.add(event)
        self.events.append(event)
        return event

    def next_in_sequence(self, key: str) -> int:
        """The next number of a gap-free counter in `meta` (order numbers, invoice numbers per year).

        The counter row stays locked until this unit of work ends, so concurrent callers queue
        and a rolled-back transaction gives its number back."""
        dialect = self.session.bind.dialect.name if self.session.bind else ""
        insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect]
        self.session.execute(
            insert(_META).values(key=key, value=0).on_conflict_do_nothing(index_elements=["key"])
        )
        self.session.execute(update(_META).where(_META.c.key == key).values(value=_META.c.value + 1))
        return int(self.session.scalar(select(_META.c.value).where(_META.c.key == key)) or 0)

    def commit(self) -> None:
        """Flush, bump the data version (so every cache sees the change), stamp the rows written
        with it and commit: the version is claimed last, so on PostgreSQL writers queue for the
        `meta` row only for these few statements (`crm_core.store.changes`)."""
        try:
            self.session.flush()
            commit_version(self.session)
            self.session.commit()
        except StaleDataError:
            raise ConflictError() from None
        self._committed = True

    def rollback(self) -> None:
        self.session.rollback()

    def add(self, *rows: object) -> None:
        """Stage new rows in this transaction (written at the next flush or the commit)."""
        self.session.add_all(rows)

    def flush(self) -> None:
        """Write what is staged now (new rows get their ids)."""
        self.session.flush()

    def delete(self, row: object) -> None:
        """Delete a row in this transaction (at the next flush or the commit)."""
        self.session.delete(row)


def data_version(store: Store) -> int:
    """The number that changes on every committed write (one cheap query)."""
    with store.read() as session:
        value = session.scalar(select(Meta.value).where(Meta.key == DATA_VERSION_KEY))
    return int(value or 0)
