"""Which rows changed since a data version: the write side of the incremental frames.

Every row a frame reads carries `row_version`, the data version of its last write. Every writer
claims the next data version first thing in its transaction (`UnitOfWork.__enter__`, imports,
a reset): on PostgreSQL the `meta` row then stays locked until it commits, so versions follow
commit order, the ids of the rows it inserts come after every earlier commit's (the events are
read on from the last id), and all writers take their locks in one order (no deadlock). SQLite's
write transaction holds the whole database anyway. A flush stamps every new or changed row with
the claimed version.
A deleted row is written to `deleted_rows` with the version of the write that deleted it. The
bulk writers (imports, seed) claim the version first and stamp their rows and deletions the same
way.

A change that cannot be described row by row (a reset to the sample, a migration) moves the
*epoch* (`meta` key `frames_epoch`) to its own data version: a cached frame older than the epoch
is read again in full.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, event, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm_core.store.engine import Store
from crm_core.store.models import DeletedRow, Meta, RowVersioned

DATA_VERSION_KEY = "data_version"
FRAMES_EPOCH_KEY = "frames_epoch"
CLAIMED = "claimed_data_version"  # Session.info key: the version this transaction writes
_META = Meta.__table__
_DELETED = DeletedRow.__table__
_CLAIM = (
    update(_META)
    .where(_META.c.key == DATA_VERSION_KEY)
    .values(value=_META.c.value + 1)
    .returning(_META.c.value)
)


def claim_version(conn: Connection | Session) -> int:
    """Move the data version on by one in this transaction and return it (the version every row
    this transaction writes carries). Locks the `meta` row until the transaction ends."""
    value = conn.execute(_CLAIM).scalar()
    if value is None:  # a database never seeded: the counter starts here
        conn.execute(insert(_META).values(key=DATA_VERSION_KEY, value=1))
        value = 1
    return int(value)


def pending_version(session: Session) -> int:
    """The data version this session's transaction writes, claimed on first use."""
    version = session.info.get(CLAIMED)
    if version is None:
        version = session.info[CLAIMED] = claim_version(session)
    return int(version)


def has_claimed(session: Session) -> bool:
    return session.info.get(CLAIMED) is not None


@event.listens_for(Session, "before_flush")
def _stamp_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Stamp new and changed rows with the transaction's data version; record deleted ones."""
    if not (session.new or session.dirty or session.deleted):
        return
    changed = [obj for obj in session.new if isinstance(obj, RowVersioned)] + [
        obj for obj in session.dirty if isinstance(obj, RowVersioned) and session.is_modified(obj)
    ]
    deleted = [obj for obj in session.deleted if isinstance(obj, RowVersioned)]
    if not (changed or deleted or session.new):
        return
    version = pending_version(session)
    for obj in changed:
        obj.row_version = version
    if deleted:
        session.execute(
            insert(_DELETED),
            [
                {"table_name": obj.__tablename__, "row_id": obj.id, "row_version": version}  # type: ignore[attr-defined]
                for obj in deleted
            ],
        )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_claim(session: Session, *_args: Any) -> None:
    session.info.pop(CLAIMED, None)


def record_deletions(
    conn: Connection | Session, table: Table, where: ColumnElement[bool], version: int
) -> None:
    """Before deleting `table`'s rows matching `where` in bulk: write them to `deleted_rows`."""
    conn.execute(
        insert(_DELETED).from_select(
            ["table_name", "row_id", "row_version"],
            select(literal(table.name), table.c.id, literal(version)).where(where),
        )
    )


def move_epoch(conn: Connection, version: int | None = None) -> int:
    """Every cached frame older than `version` (default: a newly claimed one) is read in full next."""
    version = claim_version(conn) if version is None else version
    dialect = {"postgresql": pg_insert, "sqlite": sqlite_insert}[conn.dialect.name]
    stmt = dialect(_META).values(key=FRAMES_EPOCH_KEY, value=version)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": version}))
    return version


def frame_versions(store: Store) -> tuple[int, int]:
    """(data version, epoch) in one query: what a cached frame is checked against."""
    with store.read() as session:
        rows = dict(
            session.execute(
                select(Meta.key, Meta.value).where(Meta.key.in_((DATA_VERSION_KEY, FRAMES_EPOCH_KEY)))
            ).all()
        )
    return int(rows.get(DATA_VERSION_KEY) or 0), int(rows.get(FRAMES_EPOCH_KEY) or 0)
