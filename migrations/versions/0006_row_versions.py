"""rows carry the data version of their last write; deleted rows are recorded

Every table the analytics frames read, and `events`, gets `row_version` (indexed; 0 for the rows
already there), so a cached frame reads only the rows changed since its own version.
`deleted_rows` lists deletions (table, id, version) for the same purpose. `crm_core.store.migrate`
moves the frames' epoch after any migration, so frames cached before it are read in full (which
is why the existing rows need no version of their own).

Events stay append-only, with one exception: a new event's `row_version` is stamped once, from
pending (-1) to the version its write commits at; every other update is refused as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "users",
    "customers",
    "products",
    "opportunities",
    "orders",
    "order_lines",
    "invoices",
    "payments",
    "events",
)
MESSAGE = "events are append-only"
PURGE_KEY = "events_purge"
# SQLite: refuse any update but the one stamp (every other column unchanged).
_SQLITE_STAMP_ONLY = f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    WHEN NOT (OLD.row_version = -1 AND NEW.row_version >= 0
        AND NEW.id IS OLD.id AND NEW.entity_type IS OLD.entity_type AND NEW.entity_id IS OLD.entity_id
        AND NEW.action IS OLD.action AND NEW.from_state IS OLD.from_state
        AND NEW.to_state IS OLD.to_state AND NEW.actor_id IS OLD.actor_id AND NEW.at IS OLD.at
        AND NEW.note IS OLD.note)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: an event cannot be changed'); END"""
_SQLITE_NO_UPDATE = f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: an event cannot be changed'); END"""


def _postgres_function(stamp_allowed: bool) -> str:
    stamp = (
        """IF TG_OP = 'UPDATE' AND OLD.row_version = -1 AND NEW.row_version >= 0
            AND (to_jsonb(NEW) - 'row_version') = (to_jsonb(OLD) - 'row_version') THEN
            RETURN NEW;
        END IF;
        """
        if stamp_allowed
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {stamp}IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{MESSAGE}: an event cannot be changed';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM meta WHERE key = '{PURGE_KEY}') THEN
            RAISE EXCEPTION '{MESSAGE}: an event cannot be deleted';
        END IF;
        RETURN OLD;
    END $$"""


def _events_trigger(stamp_allowed: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(stamp_allowed))
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_SQLITE_STAMP_ONLY if stamp_allowed else _SQLITE_NO_UPDATE)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("row_version", sa.BigInteger(), nullable=False, server_default="0"))
        op.create_index(f"ix_{table}_row_version", table, ["row_version"])
    op.create_table(
        "deleted_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("row_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deleted_rows"),
    )
    op.create_index("ix_deleted_rows_row_version", "deleted_rows", ["row_version"])
    _events_trigger(stamp_allowed=True)


_SQLITE_NO_DELETE = f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '{PURGE_KEY}')
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: an event cannot be deleted'); END"""


def downgrade() -> None:
    op.drop_index("ix_deleted_rows_row_version", table_name="deleted_rows")
    op.drop_table("deleted_rows")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_row_version", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
    _events_trigger(stamp_allowed=False)
    if op.get_bind().dialect.name != "postgresql":  # a batch copy of the table may have dropped it
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
        op.execute(_SQLITE_NO_DELETE)
