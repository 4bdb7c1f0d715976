"""Starting empty: `init` makes the schema and one admin and no sample data, refuses a database in
use, and users are added, listed and imported from the command line through the services."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crm_core.__main__ import main
from crm_core.errors import ValidationError
from crm_core.services import list_users
from crm_core.services.data import table_counts
from crm_core.store import Store, init_db
from crm_core.store.frames import read_events
from crm_core.store.seed import bootstrap_admin
from tests.conftest import sqlite_store_at


def test_init_makes_one_admin_with_an_event_and_the_app_then_seeds_nothing(store: Store) -> None:
    admin_id = bootstrap_admin(store, "Ada Lovelace", "ada@acme.example")
    assert [(u.name, u.email, u.role.value) for u in list_users(store)] == [
        ("Ada Lovelace", "ada@acme.example", "admin")
    ]
    events = read_events(store).select("entity_type", "entity_id", "action", "to_state", "actor_id")
    assert events.rows() == [("user", admin_id, "create", "admin", admin_id)]
    report = init_db(store)  # what the app does at start
    assert report.seeded is False
    assert {k: v for k, v in table_counts(store).items() if v} == {"users": 1, "events": 1}


def test_init_refuses_a_database_that_has_data_and_changes_nothing(store: Store) -> None:
    bootstrap_admin(store, "Ada Lovelace", "ada@acme.example")
    with pytest.raises(ValidationError, match=r"already has data \(1 users, 1 events\)"):
        bootstrap_admin(store, "Eve", "eve@acme.example")
    assert [u.email for u in list_users(store)] == ["ada@acme.example"]


@pytest.fixture
def empty_cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "new.sqlite"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_the_command_line_starts_empty_then_adds_lists_and_imports_users(
    empty_cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--admin", "grace.hopper@acme.example"]) == 0
    assert "one admin, Grace Hopper <grace.hopper@acme.example>; no sample data" in capsys.readouterr().out
    assert main(["init", "--admin", "eve@acme.example"]) == 1
    assert "already has data (1 users, 1 events)" in capsys.readouterr().err
    assert main(["users", "add", "alan@acme.example", "--name", "Alan Turing", "--role", "rep"]) == 0
    assert capsys.readouterr().out == "Added Alan Turing <alan@acme.example> as rep (by Grace Hopper).\n"
    users = tmp_path / "users.csv"
    users.write_text(
        "Name,Email,Role\nKatherine Johnson,katherine@acme.example,manager\nBad Row,not-an-email,rep\n"
        "Alan Turing,ALAN@acme.example,rep\n"
    )
    assert main(["users", "import", str(users)]) == 1
    assert "row 3, column 'Email' = 'not-an-email': is not a valid email address" in capsys.readouterr().out
    assert main(["users", "import", str(users), "--lenient"]) == 3
    out = capsys.readouterr().out
    assert "3 rows read, 1 imported, 1 rejected" in out
    assert "Note: alan@acme.example is already a user (left as it is)" in out
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "name               role     active  email",
        "Alan Turing        rep      yes     alan@acme.example",
        "Grace Hopper       admin    yes     grace.hopper@acme.example",
        "Katherine Johnson  manager  yes     katherine@acme.example",
    ]
    store = sqlite_store_at(empty_cli_db)
    created = read_events(store).filter(pl.col("entity_type") == "user")
    assert created["actor_id"].to_list() == [1, 1, 1]
    store.dispose()
