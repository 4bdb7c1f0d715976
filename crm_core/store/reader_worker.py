"""The reader process of `crm_core.store.reader_process`: runs SELECTs on one SQLite file with
connectorx and sends each result back as an Arrow IPC stream.

Run by path (`python -P reader_worker.py <database file> <idle seconds> <background 0|1>`), it
imports nothing from the project and opens no other connection to the file: connectorx brings its
own SQLite library, which is safe here, in a process of its own (see `reader_process`). A
background reader lowers its own priority first (`os.nice(19)`).

One request at a time on stdin/stdout:
- request: one line of JSON, `{"sql": "<a SELECT, parameters inlined>", "partition_on": <an
  integer column of the result, or null>, "partitions": <n>}`; with a partition column the rows
  are read in `partitions` ranges of it on as many threads;
- reply: one line, `ok <bytes>` or `error <the message as a JSON string>`; after `ok`, that many
  bytes: the result as one Arrow IPC stream (schema, record batches, end of stream). The app
  reads them with plain file reads, then parses them in memory: no Arrow code calling back into
  Python, which a thread still reading when the app's interpreter shuts down would crash.
Columns are typed by their declared SQL types (DATETIME, DATE, BOOLEAN, INTEGER, VARCHAR …); a
stored value that does not fit its column's type is an error, and the app reads the rows itself.
The process ends when stdin closes or after the idle time.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote


def _answer(url: str, request: dict[str, Any], out: Any) -> None:
    import connectorx
    import pyarrow as pa

    partition = request.get("partition_on")
    options: dict[str, Any] = (
        {"partition_on": partition, "partition_num": request["partitions"]} if partition else {}
    )
    try:
        table = connectorx.read_sql(url, request["sql"], return_type="arrow", **options)
    except Exception as exc:  # the reply names it; the app reads the rows itself instead
        out.write(b"error " + json.dumps(f"{type(exc).__name__}: {exc}").encode() + b"\n")
        out.flush()
        return
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)  # in connectorx's batches: the app makes one chunk of each column
    del table  # the result twice at most (the table, then the message), never three times
    stream = sink.getvalue()
    out.write(b"ok %d\n" % stream.size)
    out.write(stream)
    out.flush()
    del stream, sink
    _give_memory_back(pa)


def _give_memory_back(pa: Any) -> None:
    """Return the freed result's memory to the system now, not when the process ends: Arrow's pool
    and the C allocator (connectorx) both keep freed memory for reuse."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: it goes back when the reader ends
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def serve(path: str, idle_seconds: float, background: bool) -> None:
    if background:
        os.nice(19)  # before connectorx starts its threads: they inherit it
    import connectorx  # noqa: F401  (a missing driver ends the process before the first answer)

    url = "sqlite://" + quote(str(Path(path).resolve()))
    source, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        ready, _, _ = select.select([source], [], [], idle_seconds)
        if not ready:
            return  # idle: give the memory back; the app starts another when it needs one
        line = source.readline()
        if not line:
            return  # the app closed the pipe (it ended, or it closed the store)
        _answer(url, json.loads(line), out)


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1")
