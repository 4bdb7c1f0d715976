"""Frames saved on disk (Arrow IPC), so a restarted process or a new replica starts from the
snapshot and catches up with the rows written since, instead of reading every row again.

One file per (database, frame, epoch, data version):
`<folder>/<database hash>/<frame>.e<epoch>.v<version>.arrow`.
Written under a unique temporary name and renamed into place (atomic on one file system), so a
reader in another process sees a whole file or none; older versions are removed after the new
one is in place (a reader that already opened one keeps reading it). A snapshot is used only if
it was taken in the current epoch (a reset or a migration since makes it useless) and is not
newer than the data version the caller asked for. A database restored from a backup and written
on again has a history the snapshots do not know: delete the folder (or move the epoch, e.g.
with a reset) after a restore.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from pathlib import Path

import polars as pl

from crm_core.config import PROJECT_ROOT

SNAPSHOT_DIR = PROJECT_ROOT / "var" / "frames"
_NAME = re.compile(r"^(?P<frame>[a-z_]+)\.e(?P<epoch>\d+)\.v(?P<version>\d+)\.arrow$")


def folder(database_key: str, root: Path = SNAPSHOT_DIR) -> Path:
    """The folder of one database's snapshots: named by a hash, never by the URL itself."""
    return root / hashlib.sha256(database_key.encode()).hexdigest()[:16]


def _versions(where: Path, name: str) -> list[tuple[int, int, Path]]:
    """(epoch, version, path) of every snapshot of `name`, oldest first."""
    if not where.is_dir():
        return []
    found = []
    for path in where.iterdir():
        match = _NAME.match(path.name)
        if match and match["frame"] == name:
            found.append((int(match["epoch"]), int(match["version"]), path))
    return sorted(found)


def save(where: Path, name: str, epoch: int, version: int, frame: pl.DataFrame) -> Path:
    """Write `frame` as the snapshot of `name` at `version`, then remove older snapshots of it."""
    where.mkdir(parents=True, exist_ok=True)
    target = where / f"{name}.e{epoch}.v{version}.arrow"
    partial = where / f".{name}.{os.getpid()}.{uuid.uuid4().hex}.partial"
    try:
        frame.write_ipc(partial, compression="uncompressed")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    for _epoch, older, path in _versions(where, name):
        if older < version:
            with contextlib.suppress(FileNotFoundError):  # another process removed it first
                path.unlink()
    return target


def load(where: Path, name: str, *, epoch: int, version: int) -> tuple[int, pl.DataFrame] | None:
    """The newest snapshot of `name` taken in `epoch`, at most at `version`, or None."""
    for taken_in, found, path in reversed(_versions(where, name)):
        if taken_in != epoch or found > version:
            continue
        try:
            # One chunk per column, as a read from the database gives: the IPC file holds record
            # batches, and every scan over a million orders in eight chunks took twice as long.
            return found, pl.read_ipc(path).rechunk()
        except (OSError, pl.exceptions.PolarsError):
            return None  # removed under us, or unreadable: read the database instead
    return None
