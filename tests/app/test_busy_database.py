"""A write while a long import holds SQLite's write lock: the page says the database is busy and
keeps what the user typed, instead of Streamlit's error page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_core.store import engine
from tests.app.test_scoring_page import DANIEL, open_scoring


def test_saving_a_preset_while_an_import_holds_the_database_says_busy_and_keeps_the_name(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)  # wait 0.2 s for the lock, not 15 s
    at = open_scoring(app_db, user=DANIEL)
    importer = sqlite3.connect(app_db, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # what a long import's transaction holds
    try:
        at.text_input(key="scoring_preset_name").input("Rep's idea")
        at.button(key="FormSubmitter:scoring_save_form-Save preset").click().run()
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "The database is busy (an import is running) — try again in a moment."
    ]
    assert at.text_input(key="scoring_preset_name").value == "Rep's idea"
    at.button(key="FormSubmitter:scoring_save_form-Save preset").click().run()  # a moment later
    assert not at.exception, at.exception
    assert any("Rep's idea" in str(o) for o in at.selectbox(key="scoring_preset_choice").options)
