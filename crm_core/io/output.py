"""Writing a file the command line produces (an export, an import report) without harming another.

A path that is the database (or its `-wal`, `-shm`, `-journal` companions) or one of the
command's own inputs is refused even with `--force`; an existing file is replaced only with
`--force`. The bytes go to a temporary file in the same folder first and are renamed over the
target, so a crash leaves either the old file or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from crm_core.errors import ValidationError

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def database_files(sqlite_path: str | None) -> list[Path]:
    """The SQLite file and the files SQLite keeps beside it (none for another database)."""
    if not sqlite_path or sqlite_path == ":memory:" or sqlite_path.startswith("file:"):
        return []
    return [Path(sqlite_path + suffix) for suffix in SQLITE_COMPANIONS]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def check_output(
    option: str, out: Path, *, force: bool, database: Iterable[Path] = (), inputs: Iterable[Path] = ()
) -> None:
    """Refuse to write `out` over the database, an input, a folder, or (without force) any file."""
    for path in database:
        if _same_file(out, path):
            raise ValidationError(option, f"{out} is the database's own file; write somewhere else")
    for path in inputs:
        if _same_file(out, path):
            raise ValidationError(option, f"{out} is a file this command reads; write somewhere else")
    if out.is_dir():
        raise ValidationError(option, f"{out} is a folder; name a file")
    if out.is_file() and not force:
        raise ValidationError(option, f"{out} already exists; pass --force to replace it")


def write_atomically(out: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `out`, then rename it over `out` in one step.

    A target that exists but is not a regular file (`/dev/stdout`, a pipe) is written directly."""
    if out.exists() and not out.is_file():
        out.write_bytes(data)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
