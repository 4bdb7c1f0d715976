"""Run a SQLAlchemy select into a typed Polars frame, column-wise, on SQLite and PostgreSQL.

Timestamps come back as naive UTC `Datetime("us")`, dates as `Date`, integers as `Int64`.
`read_select` is the fast path every loader uses; `read_select_rows` builds the same frame from
SQLAlchemy rows and is kept as the reference the tests compare with.
"""

from __future__ import annotations

import io
import os
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Connection, Date, Join, Select, Table, cast, extract, literal, text

from crm_core.store.engine import Store, guard_unavailable
from crm_core.store.models import UTCDateTime
from crm_core.store.reader_process import setting as _setting


def _schema_for(stmt: Select) -> dict[str, pl.DataType]:
    """Polars dtypes for a select's columns, so empty results and all-null columns keep their types."""
    mapping: dict[str, pl.DataType] = {}
    for col in stmt.selected_columns:
        kind = type(col.type).__name__
        assert col.key is not None, "every column a frame reads is named"
        if isinstance(col.type, UTCDateTime) or kind == "DateTime":
            mapping[col.key] = pl.Datetime("us")
        elif kind == "Date":
            mapping[col.key] = pl.Date()
        elif kind in {"Integer", "BigInteger"}:
            mapping[col.key] = pl.Int64()
        elif kind == "Float":
            mapping[col.key] = pl.Float64()
        elif kind == "Boolean":
            mapping[col.key] = pl.Boolean()
        else:
            mapping[col.key] = pl.String()
    return mapping


def read_select(store: Store, stmt: Select, *, large: bool = False, few: bool = False) -> pl.DataFrame:
    """Run a select and return its rows as a typed frame, read column-wise.

    PostgreSQL streams the result with `COPY (…) TO STDOUT` as CSV into `pl.read_csv`: no Python
    object per value. SQLite's rows come straight off the DBAPI cursor as plain tuples (no
    SQLAlchemy row objects, no per-value datetime parsing); timestamps and dates arrive as text
    and Polars parses them in one vectorised pass. Both are faster than building the frame from
    SQLAlchemy rows (`read_select_rows` below, the reference the tests compare with).

    `large`: a read of a whole table (a frame's first read). On a large SQLite file it runs in a
    reader process with connectorx, into Arrow, ~3× faster (`crm_core.store.reader_process`: that
    driver brings its own SQLite library, which must not share a process with the standard one);
    if the reader cannot answer, the rows are read here as above.

    `few`: a read of a few rows (a catch-up). On PostgreSQL they are fetched as rows: setting up a
    COPY costs more than the rows themselves (~4.5 ms against ~2 ms for a handful)."""
    if few and store.engine.dialect.name == "postgresql":
        return read_select_rows(store, stmt)
    schema = _schema_for(stmt)
    if large and (frame := _from_reader(store, stmt, schema)) is not None:
        return frame
    with guard_unavailable(store), store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            raw = _copy_out(conn, _numeric_times(stmt, schema), _postgres_csv_schema(schema))
        else:
            raw = _cursor_rows(conn, stmt, schema)
    # One chunk per column: Polars 2.1 panics in some string kernels over the many small chunks
    # that batch-wise readers hand over, and one chunk is faster to scan anyway.
    return raw.select(_typed(name, dtype, raw.schema[name]) for name, dtype in schema.items()).rechunk()


def _from_reader(store: Store, stmt: Select, schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
    """The frame read by connectorx — in a reader process on SQLite (`crm_core.store.reader_process`),
    here on PostgreSQL — or None to read it the usual way."""
    pool = store.readers
    postgres = store.engine.dialect.name == "postgresql"
    if not postgres and (pool is None or not pool.worth_it()):
        return None
    try:
        sql = str(stmt.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # a parameter that cannot be written inline: read it the usual way
        return None
    partition = _partition_column(stmt, schema)
    if postgres:
        return _arrow_frame(_postgres_arrow(store, stmt, sql, partition), stmt, schema, partition)
    assert pool is not None
    return _arrow_frame(pool.read(sql, partition), stmt, schema, partition)


def _arrow_frame(
    table: Any, stmt: Select, schema: dict[str, pl.DataType], partition: str | None
) -> pl.DataFrame | None:
    """connectorx's result (a reader's frame, or an Arrow table read here) as the typed frame, in
    the statement's order; None if it has not the columns or types the statement should give (the
    usual way then reads)."""
    if table is None:
        return None
    frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(pl.from_arrow(table))
    if frame.columns != list(schema):
        return None
    try:
        frame = frame.cast(schema).rechunk()  # type: ignore[arg-type]
    except pl.exceptions.PolarsError:
        return None  # a value of another type than its column's: the cursor's way handles it
    if partition is not None:
        # connectorx reads each range as `SELECT * FROM (<statement>) WHERE <range>` and returns the
        # ranges in the order they finish; PostgreSQL need not keep a subquery's order either. So
        # the statement's order is restored here: its sort keys (the id for a statement with none,
        # the order a table scan gives).
        keys = _sort_keys(stmt) or [partition]
        if len(keys) > 1 or not frame[partition].is_sorted():
            frame = frame.sort(keys, maintain_order=True)
    return frame


def _postgres_arrow(store: Store, stmt: Select, sql: str, partition: str | None) -> Any:
    """connectorx over PostgreSQL's binary protocol, in this process (it has no SQLite library to
    clash with here), on as many connections as cores, for a table of `LARGE_TABLE_ROWS` or more
    (by the planner's estimate; "on" in `CRM_READER_PROCESSES`: any size); None when it is not worth
    its own connections or cannot (the COPY way then reads, and raises the usual error if the
    database is the problem)."""
    if _setting() == "off" or (_setting() == "auto" and _estimated_rows(store, stmt) < LARGE_TABLE_ROWS):
        return None
    url = store.engine.url
    options = f"-csearch_path={store.schema}" if store.schema else url.query.get("options")
    query = {k: v for k, v in url.query.items() if k != "options"} | ({"options": options} if options else {})
    target = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    split = {"partition_on": partition, "partition_num": os.cpu_count() or 1} if partition else {}
    try:
        import connectorx

        return connectorx.read_sql(target, sql, return_type="arrow", **split)
    except Exception:  # not installed, or anything it cannot do
        return None


def _estimated_rows(store: Store, stmt: Select) -> float:
    """The planner's row estimate of the select's first table (-1 for a table never analysed)."""
    first = stmt.get_final_froms()[0] if stmt.get_final_froms() else None
    while isinstance(first, Join):
        first = first.left  # the table the others are joined to
    if not isinstance(first, Table):
        return -1
    with guard_unavailable(store), store.engine.connect() as conn:
        estimate = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"), {"name": first.name}
        ).scalar()
    return float(estimate) if estimate is not None else -1


LARGE_TABLE_ROWS = 100_000  # below it, COPY on a pooled connection is quicker than new connections


def _partition_column(stmt: Select, schema: dict[str, pl.DataType]) -> str | None:
    """The integer column a reader may split the rows by, so that the frame can be put back in the
    statement's order (`_arrow_frame`): its first sort key, when every sort key is one of its
    columns, ascending; `id` when it has no order; else None (read whole, in the database's order)."""
    keys = _sort_keys(stmt)
    first = keys[0] if keys else ("id" if keys == [] else None)
    return first if first is not None and schema.get(first) == pl.Int64 else None


def _sort_keys(stmt: Select) -> list[str] | None:
    """The statement's ORDER BY as columns of its result ([] for none), or None when it orders by
    anything else (an expression, a descending key, a column it does not return)."""
    names = {col.key: col for col in stmt.selected_columns}
    keys = []
    for clause in stmt._order_by_clauses:
        key = getattr(clause, "key", None)
        if not isinstance(key, str) or key not in names:
            return None
        if names[key] is not clause and not names[key].compare(clause):
            return None
        keys.append(key)
    return keys


def _cursor_rows(conn: Connection, stmt: Select, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # The DBAPI cursor: plain tuples, dates as text. Taken a block at a time so that the Python
    # objects of at most one block exist at once (all of 1,000,000 orders would be ~1 GB).
    cursor = conn.execute(stmt).cursor
    assert cursor is not None  # a SELECT has rows to fetch
    raw_schema = {name: _RAW_SQLITE.get(dtype, pl.String()) for name, dtype in schema.items()}
    blocks = [pl.DataFrame(schema=raw_schema)]
    while rows := cursor.fetchmany(CURSOR_BLOCK_ROWS):
        blocks.append(pl.DataFrame(rows, schema=raw_schema, orient="row", strict=False))
    return pl.concat(blocks, rechunk=True)


def _numeric_times(stmt: Select, schema: dict[str, pl.DataType]) -> Select:
    """The same select with timestamps as integer microseconds since 1970 and dates as days since
    1970, computed by PostgreSQL (exact: EXTRACT(EPOCH …) is numeric): integers cost less to
    print, send and read than ISO text, and Polars casts them where it would parse text."""
    columns = []
    for col, dtype in zip(stmt.selected_columns, schema.values(), strict=True):
        if dtype == pl.Datetime("us"):
            columns.append(cast(extract("epoch", col) * 1_000_000, BigInteger).label(col.key))
        elif dtype == pl.Date:
            columns.append((col - literal(EPOCH_DAY, Date)).label(col.key))
        else:
            columns.append(col)
    return stmt.with_only_columns(*columns, maintain_column_froms=True)


def _postgres_csv_schema(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """How each column is read from the CSV: numbers as numbers (times too, see _numeric_times)."""
    numeric = {pl.Int64(), pl.Float64(), pl.Datetime("us"), pl.Date()}
    return {
        name: (pl.Float64() if dtype == pl.Float64 else pl.Int64()) if dtype in numeric else pl.String()
        for name, dtype in schema.items()
    }


def _copy_out(conn: Connection, stmt: Select, csv_schema: dict[str, pl.DataType]) -> pl.DataFrame:
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    buffer = io.BytesIO()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    with (
        dbapi.cursor() as cursor,  # type: ignore[attr-defined]
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=csv_schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(csv_schema), schema=csv_schema)


_RAW_SQLITE: dict[pl.DataType, pl.DataType] = {
    pl.Int64(): pl.Int64(),
    pl.Float64(): pl.Float64(),
    pl.Boolean(): pl.Int64(),  # SQLite keeps booleans as 0/1
}
CURSOR_BLOCK_ROWS = 50_000
EPOCH_DAY = date(1970, 1, 1)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S%.f"  # SQLite's stored text and PostgreSQL's ISO output alike


def _typed(name: str, dtype: pl.DataType, raw: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == raw:
        return col
    if raw == pl.String and dtype == pl.Datetime("us"):
        return col.str.to_datetime(TIMESTAMP_FORMAT, time_unit="us")
    if raw == pl.String and dtype == pl.Date:
        return col.str.to_date("%Y-%m-%d")
    if raw == pl.String and dtype == pl.Boolean:
        return col == "t"  # PostgreSQL's CSV
    if raw.is_numeric() and dtype == pl.Boolean:
        return col != 0  # SQLite keeps booleans as 0/1
    if raw.is_integer() and dtype == pl.Date:
        return col.cast(pl.Int32).cast(pl.Date)  # days since 1970 (PostgreSQL, see _numeric_times)
    return col.cast(dtype)  # also integer microseconds since 1970 to Datetime("us")


def read_select_rows(store: Store, stmt: Select) -> pl.DataFrame:
    """The same frame built from SQLAlchemy rows: slow per row, so the reference for tests and the
    bench, and the way to read a few rows on PostgreSQL (`read_select(…, few=True)`)."""
    schema = _schema_for(stmt)
    with guard_unavailable(store), store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    columns = list(schema)
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    frame = pl.DataFrame(
        data,
        schema={k: (pl.Datetime("us", "UTC") if v == pl.Datetime("us") else v) for k, v in schema.items()},
        strict=False,
    )
    return frame.with_columns(pl.col(pl.Datetime("us", "UTC")).dt.replace_time_zone(None))
