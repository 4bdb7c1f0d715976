"""Engine and session factory: one `Store` per database.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys on every
connection, and write transactions start with BEGIN IMMEDIATE so two writers queue
on the busy timeout instead of failing when a read lock cannot be upgraded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crm_core.config import DatabaseTarget
from crm_core.errors import ConfigError, DatabaseBusy, DatabaseUnavailable
from crm_core.store.reader_process import ReaderPool

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "crm_write"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module (it would begin lazily).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        if dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Store:
    """A database: its target, engine, and session factories for reads and for writes."""

    target: DatabaseTarget
    engine: Engine
    schema: str | None = None
    # Reader processes for the large reads of a SQLite file (`crm_core.store.reader_process`).
    readers: ReaderPool | None = None
    _read: sessionmaker[Session] = field(init=False, repr=False)
    _write: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.target.is_sqlite

    def describe(self) -> str:
        where = self.target.describe()
        return f"{where}, schema '{self.schema}'" if self.schema else where

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with guard_unavailable(self), self._read() as session:
            yield session

    def write_session(self) -> Session:
        """A session whose transaction takes the write lock up front (use through UnitOfWork)."""
        return self._write()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with guard_unavailable(self), self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        if self.readers is not None:
            self.readers.close()
        self.engine.dispose()


@contextmanager
def guard_unavailable(store: Store) -> Iterator[None]:
    """Turn a lost connection into a message that names the database and what to do, and a write
    lock that did not come free within the busy timeout into `DatabaseBusy`."""
    try:
        yield
    except OperationalError as exc:
        raise database_error(store, exc) from None


def database_error(store: Store, exc: OperationalError) -> DatabaseBusy | DatabaseUnavailable:
    """The domain error for an OperationalError: busy (try again) or unavailable (check the setting)."""
    if _is_busy(exc):
        return DatabaseBusy()
    return DatabaseUnavailable(unavailable_message(store.target, exc))


def _is_busy(exc: DBAPIError) -> bool:
    """SQLite's 'database is locked' (SQLITE_BUSY after the busy timeout); PostgreSQL's lock timeout."""
    text_ = str(exc.orig).lower()
    return "locked" in text_ or "busy" in text_ or "lock timeout" in text_ or "could not obtain lock" in text_


def unavailable_message(target: DatabaseTarget, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    password = target.url.password
    if password:
        reason = reason.replace(str(password), "***")
    if target.is_sqlite:
        return (
            f"Cannot open the {target.describe()} ({reason}). Check that the file is a Scalewise "
            f"database and that its folder is writable, or set {target_setting(target)} to another database."
        )
    return (
        f"Cannot reach the {target.describe()} ({reason}). Check that the server is running and that "
        f"{target_setting(target)} is right, then try again."
    )


def target_setting(target: DatabaseTarget) -> str:
    return "CRM_DATABASE_URL" if target.source == "default" else target.source


def make_store(target: DatabaseTarget, *, schema: str | None = None, pool_size: int = 5) -> Store:
    """Create the engine for a target. Raises ConfigError for what cannot work at all."""
    url = target.url
    kwargs: dict[str, Any] = {"future": True}
    if target.is_sqlite:
        db = url.database
        if db and db != ":memory:" and not db.startswith("file:"):
            path = Path(db)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"Cannot create the folder {path.parent} for the SQLite database ({exc.strerror}). "
                    f"Set {target_setting(target)} to a writable location."
                ) from None
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=pool_size, max_overflow=10)
        connect_args: dict[str, Any] = {"connect_timeout": 5}
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        kwargs["connect_args"] = connect_args
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # a missing driver or a malformed option
        raise ConfigError(f"{target_setting(target)} cannot be used: {exc}") from None
    readers = None
    if target.is_sqlite:
        _sqlite_setup(engine)
        readers = ReaderPool.for_database(url.database)
    return Store(target=target, engine=engine, schema=schema, readers=readers)


def check_connection(store: Store) -> None:
    """Open a connection and run a trivial query, or raise ConfigError with a readable message."""
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (DBAPIError, OSError) as exc:
        raise DatabaseUnavailable(unavailable_message(store.target, exc)) from None
