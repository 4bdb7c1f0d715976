"""Alembic environment. The app passes its own connection (config.attributes["connection"]);
run by hand, the URL comes from CRM_DATABASE_URL (else the embedded SQLite file)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from crm_core.config import resolve_database
from crm_core.store.engine import make_store
from crm_core.store.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    store = make_store(resolve_database())
    with store.engine.connect() as conn:
        run(conn)
        conn.commit()


if context.is_offline_mode():
    context.configure(url=resolve_database().url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
