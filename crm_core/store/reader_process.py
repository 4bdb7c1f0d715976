"""Large reads of a SQLite file in reader processes, into Arrow, ~3× faster than the standard
library's cursor.

The standard `sqlite3` cursor makes a Python object of every value: a million orders take ~4.5 s.
connectorx reads straight into Arrow columns, typed by the columns' declared types, in ~1.2 s
(two ranges of ids on two cores). But it brings its own copy of the SQLite library, and two SQLite
libraries in one process release each other's POSIX locks (a test saw "disk I/O error" right after
another connection wrote). So it runs in a process of its own (`reader_worker.py`) and sends the
result back as Arrow IPC over a pipe: two processes on one file is the ordinary, safe case.

`ReaderPool.read(sql)` hands a SELECT to an idle reader process, starting one (up to `size`) when
none is idle, so two large reads (a page's and the start-up warm-up's) do not queue. A reader that
has had nothing to do for `idle_seconds` ends itself and gives its memory back. Anything that goes
wrong with a reader (connectorx not installed, a process that died, an error from the driver, a
value that does not fit its column's type) returns None: the caller reads the rows in its own
process instead, which raises the usual error if the database itself is the problem. A reader that
cannot start at all disables the pool.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO

import polars as pl

WORKER = Path(__file__).with_name("reader_worker.py")
IDLE_SECONDS = 60.0
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux
PIPE_BYTES = 1 << 20  # the most an unprivileged process may ask for by default
# Below this size a database is read faster in the app's own process than a reader can start
# (~0.3 s): the sample data, the tests. `CRM_READER_PROCESSES`: "off", "on" (any size) or "auto".
LARGE_FILE_BYTES = 64 * 1024 * 1024
SETTING = "CRM_READER_PROCESSES"


class _Reader:
    """One reader process and its pipes; used by one thread at a time. A background reader runs
    at the lowest CPU priority, so that warming caches never slows a page someone is waiting for."""

    def __init__(self, database: Path, idle_seconds: float, *, background: bool) -> None:
        self.background = background
        self.process = subprocess.Popen(
            # -P: the script's folder (this package's modules) is not put on the reader's path.
            [sys.executable, "-P", str(WORKER), str(database), str(idle_seconds), str(int(background))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        with contextlib.suppress(OSError):  # a larger pipe: a few MB move per system call, not 64 KB
            fcntl.fcntl(self.process.stdout.fileno(), F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[union-attr]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def read(self, sql: str, partition_on: str | None, partitions: int) -> pl.DataFrame | None:
        """The rows of `sql`, or None when the reader could not give them (see the module doc)."""
        stdin, stdout = self._pipes()
        request = {"sql": sql, "partition_on": partition_on, "partitions": partitions}
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
            line = stdout.readline()
            if not line:  # the process ended (EOF): wait for it, so its exit status is known
                self.process.wait(timeout=30)
                return None
            status, _, size = line.partition(b" ")
            if status != b"ok":
                return None  # an error from the driver
            stream = stdout.read(int(size))
            if len(stream) != int(size):
                raise OSError("the reader ended mid-answer")
            # Polars copies the columns out of the message: a frame made on the message's memory
            # itself (pyarrow, zero-copy) would keep all of it alive for as long as the frame lives.
            return pl.read_ipc_stream(stream)
        except (OSError, ValueError, subprocess.TimeoutExpired, pl.exceptions.PolarsError):
            self.stop()  # the pipe broke mid-answer: this process cannot be trusted any more
            return None

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        for pipe in self._pipes():
            pipe.close()


_BACKGROUND: ContextVar[bool] = ContextVar("reader_background", default=False)


@contextmanager
def in_background() -> Iterator[None]:
    """Large reads made inside go to the pool's background reader (lowest CPU priority): for work
    nobody waits for, such as warming the caches at start-up."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class ReaderPool:
    """Reader processes on one SQLite file (see the module doc): up to `size` for the reads a
    page waits for, and one at the lowest priority for reads made `in_background()`."""

    def __init__(self, database: Path, size: int | None = None, idle_seconds: float = IDLE_SECONDS) -> None:
        self.database = database
        self.cores = os.cpu_count() or 1
        self.size = size or max(1, min(2, self.cores))
        self.idle_seconds = idle_seconds
        self.enabled = True
        self._idle: dict[bool, list[_Reader]] = {False: [], True: []}  # by background
        self._busy = {False: 0, True: 0}
        self._lock = threading.Condition()

    @classmethod
    def for_database(cls, database: str | None) -> ReaderPool | None:
        """A pool for the SQLite file `database` (a URL's database part), unless the setting is
        "off" or it is not a plain file (in memory, a `file:` URI)."""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        if setting() == "off":
            return None
        return cls(Path(database))

    def worth_it(self) -> bool:
        """Whether a large read should go to a reader: the pool works and the file is large (or
        the setting says "on")."""
        if not self.enabled:
            return False
        if setting() == "on":
            return True
        try:
            return self.database.stat().st_size >= LARGE_FILE_BYTES
        except OSError:
            return False

    def prestart(self, *, background: bool = False) -> None:
        """Start the readers ahead of the first large reads, so they have loaded their libraries
        (~0.3 s) by then; they end themselves if nothing comes within their idle time."""
        with self._lock:
            idle = self._idle[background]
            while self.worth_it() and len(idle) + self._busy[background] < self.size:
                try:
                    idle.append(_Reader(self.database, self.idle_seconds, background=background))
                except OSError:
                    return

    def read(self, sql: str, partition_on: str | None = None) -> pl.DataFrame | None:
        """The rows of `sql` as a frame (typed as read), read in a reader process; None when the caller
        should read them itself (the pool is disabled, or the reader failed). With `partition_on`
        (an integer column of the result) it is read in ranges of that column on every core: the
        rows of each range keep the statement's order, the caller restores it across ranges."""
        background = _BACKGROUND.get()
        for _attempt in range(2):  # twice: a reader may end on its idle time just as it is handed a read
            reader = self._take(background)
            if reader is None:
                return None
            try:
                table = reader.read(sql, partition_on, self.cores)
                if table is not None or reader.alive:
                    return table  # the rows, or an error from the driver (the caller reads instead)
                if reader.process.wait() != 0:
                    # It ended with an error before answering: the driver is missing or cannot open
                    # the file. No other reader would do better: read in the app's process from now on.
                    self.enabled = False
                    return None
            finally:
                self._give_back(reader)
        return None

    def _take(self, background: bool) -> _Reader | None:
        with self._lock:
            while self.enabled:
                idle = self._idle[background]
                while idle:
                    reader = idle.pop()
                    if reader.alive:
                        self._busy[background] += 1
                        return reader
                    reader.stop()  # it ended itself after its idle time
                if self._busy[background] < self.size:
                    self._busy[background] += 1
                    try:
                        return _Reader(self.database, self.idle_seconds, background=background)
                    except OSError:
                        self._busy[background] -= 1
                        self.enabled = False
                        return None
                self._lock.wait()
            return None

    def _give_back(self, reader: _Reader) -> None:
        with self._lock:
            self._busy[reader.background] -= 1
            if reader.alive and self.enabled:
                self._idle[reader.background].append(reader)
            else:
                reader.stop()
            self._lock.notify_all()

    def close(self) -> None:
        """End every idle reader (a busy one ends when its read is given back)."""
        with self._lock:
            self.enabled = False
            for idle in self._idle.values():
                for reader in idle:
                    reader.stop()
                idle.clear()
            self._lock.notify_all()


def setting() -> str:
    """`CRM_READER_PROCESSES`: \"on\", \"off\" or \"auto\" (anything else)."""
    value = os.environ.get(SETTING, "").strip().lower()
    return value if value in {"on", "off"} else "auto"
