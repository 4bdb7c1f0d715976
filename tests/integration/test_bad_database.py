"""A database that cannot work gets one clear message naming the setting — in code and on the CLI."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from crm_core.config import PROJECT_ROOT, resolve_database
from crm_core.errors import ConfigError
from crm_core.store import check_connection, init_db, make_store


def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CRM_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "crm_core", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def test_a_corrupt_sqlite_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    corrupt = tmp_path / "crm.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    store = make_store(resolve_database(env={"CRM_DATABASE_URL": f"sqlite:///{corrupt}"}))

    with pytest.raises(ConfigError, match="not a database") as caught:
        check_connection(store)

    assert "CRM_DATABASE_URL" in str(caught.value)
    assert corrupt.read_bytes() == b"this is not a database" * 100


def test_a_read_only_sqlite_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as conn:  # a valid but empty database: migrating it must write
        conn.execute("CREATE TABLE unrelated (x INTEGER)")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    read_only = make_store(resolve_database(env={"CRM_DATABASE_URL": url}))

    with pytest.raises(ConfigError, match="CRM_DATABASE_URL") as caught:
        init_db(read_only)

    assert "readonly" in str(caught.value).replace("-", "").replace(" ", "").lower()


def test_an_unreachable_server_names_the_setting_and_hides_the_password() -> None:
    url = "postgresql+psycopg://crm:hunter2-secret@127.0.0.1:9/crm"
    store = make_store(resolve_database(env={"CRM_DATABASE_URL": url}))

    with pytest.raises(ConfigError) as caught:
        check_connection(store)

    message = str(caught.value)
    assert "CRM_DATABASE_URL" in message and "127.0.0.1:9" in message
    assert "hunter2-secret" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("definitely not a url", "not a valid database URL"),
        ("postgresql+psycopg://crm:hunter2-secret@127.0.0.1:9/crm", "Cannot reach"),
    ],
)
def test_the_command_line_exits_non_zero_with_the_same_message(url: str, expected: str) -> None:
    result = cli("seed", url=url)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2-secret" not in result.stderr + result.stdout


def test_a_sqlite_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    blocker.chmod(stat.S_IRUSR)
    with pytest.raises(ConfigError, match="Cannot create the folder"):
        make_store(resolve_database(env={"CRM_DATABASE_URL": f"sqlite:///{blocker}/sub/crm.sqlite"}))
