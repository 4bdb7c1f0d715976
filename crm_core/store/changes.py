"""Which rows changed since a data version: the write side of the incremental frames.

Every row a frame reads (events included) carries `row_version`, the data version of the write
that last changed it. A write marks the rows it inserts or updates as *pending* (`PENDING`, the
column's insert and update default, so the ORM's flush and SQLAlchemy Core statements alike set
it) and, in its last statements before COMMIT, claims the next data version
(`UPDATE meta … RETURNING value`) and stamps its pending rows with it (`commit_version`). On
PostgreSQL the claim locks the `meta` row, so only those few statements and the COMMIT run one
writer at a time, and versions are handed out in commit order: a reader that sees data version V
sees every row stamped ≤ V. Pending rows of other transactions are invisible (uncommitted), so a
writer's stamp touches only its own. SQLite's write transaction holds the whole database anyway.

A deleted row is written to `deleted_rows` (pending too, stamped the same way) so a cached frame
drops it. A change that cannot be described row by row (a reset to the sample, a migration) moves
the *epoch* (`meta` key `frames_epoch`) to its own data version: a cached frame older than the
epoch is read again in full.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, bindparam, event, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm_core.store.engine import Store
from crm_core.store.models import PENDING, Base, DeletedRow, Meta, RowVersioned

DATA_VERSION_KEY = "data_version"
FRAMES_EPOCH_KEY = "frames_epoch"
_META = cast(Table, Meta.__table__)
_DELETED = cast(Table, DeletedRow.__table__)
_CLAIM = (
    update(_META)
    .where(_META.c.key == DATA_VERSION_KEY)
    .values(value=_META.c.value + 1)
    .returning(_META.c.value)
)


def versioned_tables() -> list[Table]:
    """Every table whose rows carry `row_version` (and `deleted_rows`)."""
    return [t for t in Base.metadata.sorted_tables if "row_version" in t.c]


# One prepared UPDATE per table, built once: this runs on every commit.
_STAMPS = [
    update(t).where(t.c.row_version == PENDING).values(row_version=bindparam("v")) for t in versioned_tables()
]


def claim_version(conn: Connection | Session) -> int:
    """Move the data version on by one in this transaction and return it. On PostgreSQL this
    locks the `meta` row until the transaction ends: call it last (see `commit_version`)."""
    value = conn.execute(_CLAIM).scalar()
    if value is None:  # a database never seeded: the counter starts here
        conn.execute(insert(_META).values(key=DATA_VERSION_KEY, value=1))
        value = 1
    return int(value)


def stamp_pending(conn: Connection | Session, version: int) -> None:
    """Stamp this transaction's pending rows (and deletions) with `version`."""
    for stamp in _STAMPS:
        conn.execute(stamp, {"v": version})


def commit_version(conn: Connection | Session) -> int:
    """The last statements of every write before COMMIT: claim the next data version and stamp
    the rows this transaction wrote with it. Returns the version."""
    version = claim_version(conn)
    stamp_pending(conn, version)
    return version


@event.listens_for(Session, "before_flush")
def _record_deleted(session: Session, _context: Any, _instances: Any) -> None:
    """Rows the ORM deletes are listed in `deleted_rows`, pending like every other write."""
    deleted = [obj for obj in session.deleted if isinstance(obj, RowVersioned)]
    if deleted:
        session.execute(
            insert(_DELETED),
            [
                {"table_name": obj.__tablename__, "row_id": obj.id, "row_version": PENDING}  # type: ignore[attr-defined]
                for obj in deleted
            ],
        )


def record_deletions(conn: Connection | Session, name: str, where: ColumnElement[bool]) -> None:
    """Before deleting table `name`'s rows matching `where` in bulk: list them in `deleted_rows`."""
    table = Base.metadata.tables[name]
    conn.execute(
        insert(_DELETED).from_select(
            ["table_name", "row_id", "row_version"],
            select(literal(table.name), table.c.id, literal(PENDING)).where(where),
        )
    )


def move_epoch(conn: Connection) -> int:
    """Commit this transaction's writes at a new data version (`commit_version`) and make it the
    epoch: every cached frame older than it is read in full next. Returns the version."""
    version = commit_version(conn)
    dialect = {"postgresql": pg_insert, "sqlite": sqlite_insert}[conn.dialect.name]
    stmt = dialect(_META).values(key=FRAMES_EPOCH_KEY, value=version)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": version}))
    return version


def frame_versions(store: Store) -> tuple[int, int]:
    """(data version, epoch) in one query: what a cached frame is checked against."""
    # A Core connection, not an ORM session: every frame a page shows asks this on every rerun.
    with store.connect() as conn:
        rows = dict(conn.execute(_VERSIONS).tuples().all())
    return int(rows.get(DATA_VERSION_KEY) or 0), int(rows.get(FRAMES_EPOCH_KEY) or 0)


_VERSIONS = select(Meta.key, Meta.value).where(Meta.key.in_((DATA_VERSION_KEY, FRAMES_EPOCH_KEY)))
