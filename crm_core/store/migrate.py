"""Alembic migrations applied programmatically (the app migrates itself at start-up)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select

from crm_core.config import PROJECT_ROOT
from crm_core.store.changes import DATA_VERSION_KEY, move_epoch
from crm_core.store.engine import WRITE_OPTION, Store
from crm_core.store.models import Meta

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions is empty"
    return head


def migrate(conn: Connection) -> bool:
    """Upgrade to the newest schema on this connection (inside the caller's transaction).

    Returns True if anything was applied; then, in a database that has a data version already,
    the frames' epoch moves (cached frames from before the new schema are read in full, see
    `crm_core.store.changes`). A new database gets its data version from its first write."""
    if MigrationContext.configure(conn).get_current_revision() == head_revision():
        return False
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
    if conn.execute(select(Meta.value).where(Meta.key == DATA_VERSION_KEY)).first() is not None:
        move_epoch(conn)
    return True


def migrate_store(store: Store) -> bool:
    """Upgrade this store to the newest schema in one write transaction (the `migrate` command).

    Returns True if anything was applied."""
    with store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        return migrate(conn)
