"""Create and fill a database: migrate to head, then seed from `sample_data/` when empty.

The shipped sample was generated for a fixed date (its manifest's `as_of`, the last day
with activity); seeding shifts every date and time by whole days so that the data ends
yesterday (nothing in it lies later than now, except meetings planned for the coming
days), and re-numbers the invoices gap-free per year after the shift. A second `init_db`
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection, func, select, text

from crm_core import clock
from crm_core.config import PROJECT_ROOT
from crm_core.errors import ValidationError
from crm_core.permissions import Actor
from crm_core.store.bulk import bulk_insert
from crm_core.store.changes import commit_version, move_epoch
from crm_core.store.engine import WRITE_OPTION, Store, guard_unavailable
from crm_core.store.identities import confirm_acting_user
from crm_core.store.migrate import migrate
from crm_core.store.models import TABLE_ORDER, Base, DeletedRow, Event, Meta, User, utcnow
from crm_core.store.uow import DATA_VERSION_KEY

SAMPLE_DIR = PROJECT_ROOT / "sample_data"
ORDER_SEQUENCE_KEY = "order_seq"  # order numbers SO-000001, … (gap-free, like invoice numbers)
INIT_LOCK_ID = 7_270_301  # PostgreSQL advisory lock serialising concurrent first starts


@dataclass
class InitReport:
    migrated: bool = False
    seeded: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def init_db(store: Store, *, sample_dir: Path = SAMPLE_DIR, today: date | None = None) -> InitReport:
    """Migrate to head and, if the database has no users yet, seed it from the sample data.

    Runs in one transaction that takes the write lock first, so two app replicas starting
    together do not both seed."""
    report = InitReport()
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": INIT_LOCK_ID})
        report.migrated = migrate(conn)
        if is_empty(conn):
            frames = load_sample(sample_dir, today=today)
            report.counts = insert_frames(conn, frames)
            move_epoch(conn)  # the data version (1 on a new database) and the frames' epoch
            report.seeded = True
    return report


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(User)).scalar_one() == 0


def load_sample(sample_dir: Path = SAMPLE_DIR, *, today: date | None = None) -> dict[str, pl.DataFrame]:
    """Read the sample CSVs and move them in time so that their last day is the day before `today` (UTC)."""
    from crm_core.sample import read_sample  # the generator module also reads what it wrote

    frames, manifest = read_sample(sample_dir)
    as_of = date.fromisoformat(str(manifest["as_of"]))
    today = today or clock.today()
    return renumber_invoices(shift_in_time(frames, (today - timedelta(days=1) - as_of).days))


def shift_in_time(frames: dict[str, pl.DataFrame], days: int) -> dict[str, pl.DataFrame]:
    if days == 0:
        return frames
    delta = timedelta(days=days)
    shifted = {name: f.with_columns(pl.col(pl.Datetime, pl.Date) + delta) for name, f in frames.items()}
    if "events" in shifted:  # notes like "Call booked for 2025-06-18 10:30" move with their meeting
        shifted["events"] = shifted["events"].with_columns(shift_dates_in_text("note", delta))
    return shifted


def shift_dates_in_text(column: str, delta: timedelta) -> pl.Expr:
    """The first YYYY-MM-DD in each text cell moved by `delta` (other text untouched)."""
    pattern = r"\d{4}-\d{2}-\d{2}"
    found = pl.col(column).str.extract(f"({pattern})").str.to_date(strict=False)
    moved = (found + delta).dt.strftime("%Y-%m-%d")
    return (
        pl.when(found.is_not_null())
        .then(pl.col(column).str.replace(pattern, moved))
        .otherwise(pl.col(column))
        .alias(column)
    )


def renumber_invoices(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Invoice numbers carry their year (INV-2026-000001); after a time shift, re-sequence them."""
    invoices = frames.get("invoices")
    if invoices is None or invoices.is_empty():
        return frames
    year = pl.col("issued_at").dt.year()
    renumbered = (
        invoices.sort("issued_at", "id")
        .with_columns(
            pl.format(
                "INV-{}-{}",
                year,
                (pl.int_range(1, pl.len() + 1).over(year)).cast(pl.String).str.zfill(6),
            ).alias("number")
        )
        .sort("id")
    )
    out = {**frames, "invoices": renumbered}
    events = frames.get("events")
    if events is not None and not events.is_empty():
        # The invoice events carry the invoice number as their note: keep them in step.
        numbers = renumbered.select(pl.col("order_id").alias("entity_id"), pl.col("number").alias("_number"))
        is_invoice = (pl.col("entity_type") == "order") & (pl.col("action") == "invoice")
        out["events"] = (
            events.join(numbers, on="entity_id", how="left", maintain_order="left")
            .with_columns(pl.when(is_invoice).then(pl.col("_number")).otherwise(pl.col("note")).alias("note"))
            .drop("_number")
        )
    return out


def invoice_counters(invoices: pl.DataFrame) -> dict[str, int]:
    if invoices.is_empty():
        return {}
    per_year = invoices.group_by(pl.col("issued_at").dt.year().alias("year")).agg(pl.len().alias("n"))
    return {f"invoice_seq:{row['year']}": int(row["n"]) for row in per_year.to_dicts()}


def insert_frames(conn: Connection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Bulk-insert frames (ids included) in foreign-key order and set the meta counters. The rows
    carry version 0: the caller then moves the data version and the frames' epoch
    (`crm_core.store.changes.move_epoch`), so every cached frame is read again in full."""
    counts: dict[str, int] = {}
    for name in TABLE_ORDER:
        frame = frames.get(name)
        if frame is None or frame.is_empty():
            counts[name] = 0
            continue
        counts[name] = bulk_insert(conn, name, frame, row_version=0)
    _reset_sequences(conn)
    orders = frames.get("orders")
    meta = {
        ORDER_SEQUENCE_KEY: int(orders.select(pl.max("id")).item() or 0)
        if orders is not None and orders.height
        else 0,
        **invoice_counters(frames.get("invoices", pl.DataFrame())),
    }
    for key, value in meta.items():
        conn.execute(sa.delete(Meta).where(Meta.key == key))
        conn.execute(sa.insert(Meta).values(key=key, value=value))
    return counts


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for name in TABLE_ORDER:
        table = Base.metadata.tables[name]
        if "id" not in table.c:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


EVENTS_PURGE_KEY = "events_purge"  # see migrations/versions/0002_append_only_events.py


def clear_all(conn: Connection, *, keep_users: bool = False) -> None:
    """Delete every row (children first), the users too unless `keep_users`. The schema stays.

    Events are append-only: database triggers refuse to delete them unless the `meta` row
    `events_purge` exists. It is written here, inside the reset's own transaction, and deleted
    with the other counters before that transaction commits, so no other writer ever sees it."""
    conn.execute(sa.delete(Meta).where(Meta.key == EVENTS_PURGE_KEY))
    conn.execute(sa.insert(Meta).values(key=EVENTS_PURGE_KEY, value=1))
    for name in reversed(TABLE_ORDER):
        if not (keep_users and name == "users"):
            conn.execute(sa.delete(Base.metadata.tables[name]))
    conn.execute(sa.delete(DeletedRow))  # the reset moves the frames' epoch: nothing to track
    conn.execute(sa.delete(Meta).where(Meta.key != DATA_VERSION_KEY))


# Every column that holds a user id, per table (owners, authors, actors, …).
USER_COLUMNS: dict[str, list[str]] = {
    table.name: [
        c.name for c in table.columns if any(fk.column.table.name == "users" for fk in c.foreign_keys)
    ]
    for table in Base.metadata.sorted_tables
}


def onto_current_users(conn: Connection, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The sample re-pointed at the users the database already has.

    A sample user whose email (ignoring case) is a current user's becomes that user, who keeps
    their name, role, active flag and sign-in binding. Any other sample user is added as an
    inactive rep: their deals and orders need an owner, but nobody signs in or acts as them, and
    a reset never creates a manager or an admin. The `users` frame returned holds only those.
    A database without users takes the sample's users as they are."""
    current = pl.DataFrame(
        conn.execute(select(User.id, func.lower(User.email))).all(),
        schema={"current_id": pl.Int64, "email_key": pl.String},
        orient="row",
    )
    if current.is_empty():  # nobody to keep (a database never seeded): the sample's users as they are
        return frames
    sample = frames["users"].with_columns(pl.col("email").str.to_lowercase().alias("email_key"))
    matched = sample.join(current, on="email_key", how="left", maintain_order="left")
    next_id = int(current.select(pl.max("current_id")).item() or 0) + 1
    new_id = pl.col("current_id").is_null().cum_sum() + next_id - 1
    mapped = matched.with_columns(
        pl.when(pl.col("current_id").is_null()).then(new_id).otherwise(pl.col("current_id")).alias("new_id")
    )
    added = (
        mapped.filter(pl.col("current_id").is_null())
        .with_columns(
            pl.col("new_id").alias("id"), pl.lit("rep").alias("role"), pl.lit(False).alias("active")
        )
        .select(frames["users"].columns)
    )
    old_ids, new_ids = mapped["id"], mapped["new_id"]
    out = {name: frame for name, frame in frames.items() if name != "users"}
    for name, columns in USER_COLUMNS.items():
        if name in out and columns:
            out[name] = out[name].with_columns(pl.col(c).replace(old_ids, new_ids) for c in columns)
    out["users"] = added
    return out


def reset_to_sample(
    store: Store, *, actor: Actor | None = None, sample_dir: Path = SAMPLE_DIR, today: date | None = None
) -> dict[str, int]:
    """Replace all data but the users with the sample (one transaction); the data version keeps
    counting up. The users stay as they are (see `onto_current_users` for the sample's own).

    With `actor`, the acting user is re-read first inside the transaction (refused if they were
    deactivated or given another role since), and the reset is the first event of the new trail."""
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        migrate(conn)
        if actor is not None:
            confirm_acting_user(conn, actor)
        frames = onto_current_users(conn, load_sample(sample_dir, today=today))
        clear_all(conn, keep_users=True)
        counts = insert_frames(conn, frames)
        if actor is not None:
            conn.execute(
                sa.insert(Event).values(
                    entity_type="data",
                    entity_id=0,
                    action="reset",
                    actor_id=actor.id,
                    at=datetime.now(UTC),
                    note=f"users kept; {counts['users']} sample owners added as inactive reps",
                )
            )
        move_epoch(conn)  # last: the data version moves on, and every cached frame is read in full
    return counts


def data_counts(conn: Connection) -> dict[str, int]:
    """Rows per data table (users included), for telling an empty database from one in use."""
    return {
        name: conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar_one()
        for name in TABLE_ORDER
    }


def bootstrap_admin(store: Store, name: str, email: str) -> int:
    """Migrate an empty database and create its first admin, without sample data (`init`).

    The one write that has no acting user before it: the new admin is recorded as the actor of
    their own `create` event. Refused when any table already has rows (nothing is changed)."""
    with guard_unavailable(store), store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": INIT_LOCK_ID})
        migrate(conn)
        counts = {k: v for k, v in data_counts(conn).items() if v}
        if counts:
            held = ", ".join(f"{n:,} {table}" for table, n in counts.items())
            raise ValidationError(
                "database",
                f"already has data ({held}); init only starts an empty database. Add users with "
                "`users add`, or point CRM_DATABASE_URL at a new database",
            )
        now = utcnow()
        user_id = conn.execute(
            sa.insert(User)
            .values(name=name, email=email, role="admin", active=True, created_at=now)
            .returning(User.id)
        ).scalar_one()
        conn.execute(
            sa.insert(Event).values(
                entity_type="user",
                entity_id=user_id,
                action="create",
                from_state=None,
                to_state="admin",
                actor_id=user_id,
                at=now,
                note=f"{name} <{email}> (first admin, made by init)",
            )
        )
        commit_version(conn)
    return int(user_id)


MOVE_IN_TABLES = ("customers", "products", "opportunities", "orders")


def has_business_data(store: Store) -> bool:
    """Whether any customer, product, opportunity or order exists (one EXISTS per table)."""
    with store.read() as session:
        return any(
            session.scalar(select(sa.exists().where(sa.true()).select_from(Base.metadata.tables[t])))
            for t in MOVE_IN_TABLES
        )
