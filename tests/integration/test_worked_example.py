"""The README's "Moving in from another system" example runs as written: its commands, read from
the README, through the command line's entry point, on a new SQLite database."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from crm_core.__main__ import main
from crm_core.config import PROJECT_ROOT
from crm_core.store.frames import read_table
from crm_core.store.models import Opportunity
from tests.conftest import sqlite_store_at


def readme_commands() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Moving in from another system", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("   #", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_example_moves_in_as_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tests").symlink_to(PROJECT_ROOT / "tests")  # the files, at the paths the README uses
    (tmp_path / "var").mkdir()
    monkeypatch.chdir(tmp_path)
    statuses = []
    for command in readme_commands():
        words = shlex.split(command)
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            monkeypatch.setenv(name, value)
            continue
        assert words[:3] == ["python", "-m", "crm_core"], command
        statuses.append(main(words[3:]))
    out = capsys.readouterr().out
    assert statuses == [0, 0, 0, 0, 0, 3, 0, 0]
    assert "1 owner(s) who were not users were added as reps: Versie Hillebrand" in out
    assert "Orders from erp_order_lines.csv (lenient): 9 rows read, 5 imported, 4 rejected." in out
    assert "Changes: 4 opportunities updated." in out
    store = sqlite_store_at(tmp_path / "var" / "acme.sqlite")
    with store.read() as session:
        assert len(session.scalars(select(Opportunity.id)).all()) == 4
    products = read_table(store, "products").sort("sku")
    assert products["sku"].to_list() == ["84029G", "90037A", "90037B", "GTX-PRO", "IMP-OCEANSCENTCANDLE"]
    orders = read_table(store, "orders").sort("external_id")
    assert orders.select("external_id", "status").rows() == [
        ("C7006", "cancelled"),
        ("SO-7001", "entered"),
        ("SO-7002", "entered"),
        ("SO-7003", "entered"),
    ]
    problems = pl.read_csv(tmp_path / "var" / "order-problems.csv")
    assert problems["row"].to_list() == [6, 7, 9, 10]
    store.dispose()
