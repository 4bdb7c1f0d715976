"""events are append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)

The one sanctioned way to remove events is resetting to the sample data
(`crm_core.store.seed.clear_all`): inside its own write transaction it inserts the `meta` row
`events_purge`, deletes, and removes the row again before committing. No other transaction can
see that row (SQLite has one writer at a time; PostgreSQL does not show uncommitted rows), so
every other UPDATE or DELETE of an event fails. Updates are refused always. The triggers guard
against the application and its bugs, not against the database's owner, who can drop them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURGE_KEY = "events_purge"
MESSAGE = "events are append-only"

_SQLITE = [
    f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: an event cannot be changed'); END""",
    f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '{PURGE_KEY}')
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: an event cannot be deleted'); END""",
]

_POSTGRES = [
    f"""CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{MESSAGE}: an event cannot be changed';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM meta WHERE key = '{PURGE_KEY}') THEN
            RAISE EXCEPTION '{MESSAGE}: an event cannot be deleted';
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
]


def upgrade() -> None:
    statements = _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_no_update_delete ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
