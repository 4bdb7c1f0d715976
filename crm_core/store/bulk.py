"""Fast bulk loading of Polars frames into a table (seeding, imports, benchmarks).

SQLite: one prepared INSERT executed over all rows (timestamps rendered the way
SQLAlchemy's SQLite DateTime reads them back). PostgreSQL: COPY … FROM STDIN in CSV.
Both run on the caller's connection, inside the caller's transaction. Column names come
from the table's metadata, never from the frame, so nothing user-supplied reaches SQL.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from crm_core.store.models import Base, UTCDateTime

SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"  # what SQLAlchemy's SQLite DateTime stores and parses
CHUNK_ROWS = 50_000


def _columns(name: str, frame: pl.DataFrame) -> list[str]:
    table = Base.metadata.tables[name]
    unknown = [c for c in frame.columns if c not in table.c]
    if unknown:
        raise ValueError(f"{name}: the frame has columns the table lacks: {', '.join(unknown)}")
    return [c.name for c in table.columns if c.name in frame.columns]


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(pl.Datetime).dt.strftime(SQLITE_DATETIME),
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
        pl.col(pl.Boolean).cast(pl.Int8),
    )


def bulk_insert(
    conn: Connection,
    name: str,
    frame: pl.DataFrame,
    on_chunk: Callable[[int, int], None] | None = None,
    *,
    row_version: int | None = None,
) -> int:
    """Insert every row of `frame` into table `name`; returns the number of rows.

    `on_chunk(rows_done, rows_total)` is called after each chunk (progress for long imports).
    `row_version`: the data version the rows are written at, for tables that carry one (see
    `crm_core.store.changes`)."""
    done = on_chunk or (lambda _done, _total: None)
    if frame.is_empty():
        return 0
    if row_version is not None and "row_version" in Base.metadata.tables[name].c:
        frame = frame.with_columns(pl.lit(row_version, dtype=pl.Int64).alias("row_version"))
    columns = _columns(name, frame)
    frame = frame.select(columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        with dbapi.cursor() as cursor:  # type: ignore[attr-defined]
            for start in range(0, frame.height, CHUNK_ROWS):
                buffer = io.BytesIO()
                frame.slice(start, CHUNK_ROWS).write_csv(buffer, include_header=False, null_value="")
                with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as copy:
                    copy.write(buffer.getvalue())
                done(min(start + CHUNK_ROWS, frame.height), frame.height)
        return frame.height
    prepared = _for_sqlite(frame)
    placeholders = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{name}" ({quoted}) VALUES ({placeholders})'
    for start in range(0, prepared.height, CHUNK_ROWS):
        conn.exec_driver_sql(statement, prepared.slice(start, CHUNK_ROWS).rows())
        done(min(start + CHUNK_ROWS, prepared.height), prepared.height)
    return frame.height


def typed_table(name: str) -> sa.TableClause:
    """A stand-in for a table whose UTC columns take naive UTC datetimes (bulk statements)."""
    columns = [
        sa.column(c.name, sa.DateTime() if isinstance(c.type, UTCDateTime) else c.type)
        for c in Base.metadata.tables[name].columns
    ]
    return sa.table(name, *columns)
