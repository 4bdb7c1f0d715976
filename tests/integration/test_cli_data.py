"""`python -m crm_core import/export`: the same report as the page, and exit statuses that scripts can use."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crm_core.__main__ import main
from crm_core.store import Store
from crm_core.store.frames import read_events
from tests.import_files import RETAIL_ORDER_LINES, SALESFORCE_MAPPING, SALESFORCE_OPPORTUNITIES


@pytest.fixture
def cli_db(seeded_sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(
        "CRM_DATABASE_URL", seeded_sqlite_store.target.url.render_as_string(hide_password=False)
    )
    return seeded_sqlite_store


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_clean_import_exits_0_and_records_the_first_admin_on_its_events(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "deals.csv", SALESFORCE_OPPORTUNITIES)
    mapping = write(tmp_path, "map.toml", SALESFORCE_MAPPING)
    status = main(["import", "opportunities", str(file), "--mapping", str(mapping), "--create-missing"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "4 rows read, 4 imported, 0 rejected" in out
    assert "Acting as Elena Petrova" in out
    imported = read_events(cli_db).filter(pl.col("action") == "import")
    assert set(imported["actor_id"]) == {11}  # the first admin of the sample data


def test_a_lenient_import_that_rejected_rows_exits_3_and_writes_the_report(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "retail.csv", RETAIL_ORDER_LINES)
    report = tmp_path / "report.csv"
    status = main(["import", "orders", str(file), "--lenient", "--create-missing", "--report", str(report)])
    out = capsys.readouterr().out
    assert status == 3
    assert "10 rows read, 5 imported, 5 rejected" in out
    assert "row 6, column 'Quantity' = '-24'" in out
    assert pl.read_csv(report)["row"].to_list() == [6, 7, 8, 10, 11]


def test_a_strict_import_with_bad_rows_exits_1_and_a_dry_run_writes_nothing(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "retail.csv", RETAIL_ORDER_LINES)
    assert main(["import", "orders", str(file), "--create-missing"]) == 1
    assert "Strict mode: nothing was imported" in capsys.readouterr().out
    before = read_events(cli_db).height
    assert main(["import", "orders", str(file), "--lenient", "--create-missing", "--dry-run"]) == 3
    assert read_events(cli_db).height == before


def test_bad_arguments_exit_2(cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "orders", str(tmp_path / "missing.csv")]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "invoices", "x.csv"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "customers", "--format", "pdf", "--out", "x"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_writes_the_table_in_the_chosen_format(cli_db: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"products.{fmt}"
    assert main(["export", "products", "--format", fmt, "--out", str(out)]) == 0
    reader = {"csv": pl.read_csv, "xlsx": pl.read_excel, "parquet": pl.read_parquet}[fmt]
    frame = reader(out)
    assert frame.height == 24  # the sample's products
    assert "sku" in frame.columns


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("import", "export", "seed", "migrate"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
    assert "order_key*" in capsys.readouterr().out


def test_export_refuses_to_write_over_the_database_or_its_companion_files(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = Path(str(cli_db.target.url.database))
    before = database.read_bytes()
    for target in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert main(["export", "users", "--out", str(target), "--force"]) == 2
        assert (
            f"--out: {target} is the database's own file; write somewhere else" in capsys.readouterr().err
        )
    assert database.read_bytes() == before
    link = tmp_path / "innocent.csv"
    link.symlink_to(database)
    assert main(["export", "users", "--out", str(link), "--force"]) == 2
    assert database.read_bytes() == before


def test_an_import_report_refuses_to_write_over_the_file_it_imports(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "retail.csv", RETAIL_ORDER_LINES)
    mapping = write(tmp_path, "map.toml", '[columns]\nsku = "StockCode"\n')
    before = read_events(cli_db).height
    for target in (file, mapping):
        argv = ["import", "orders", str(file), "--mapping", str(mapping), "--report", str(target), "--force"]
        assert main([*argv, "--lenient", "--create-missing"]) == 2
        assert "is a file this command reads; write somewhere else" in capsys.readouterr().err
    assert file.read_text() == RETAIL_ORDER_LINES
    assert read_events(cli_db).height == before  # refused before importing anything


def test_an_existing_file_is_replaced_only_with_force_and_never_left_half_written(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exports" / "products.csv"
    out.parent.mkdir()
    out.write_text("keep me\n")
    assert main(["export", "products", "--out", str(out)]) == 2
    assert f"--out: {out} already exists; pass --force to replace it" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert main(["export", "products", "--out", str(out), "--force"]) == 0
    assert pl.read_csv(out).height == 24
    assert [p.name for p in out.parent.iterdir()] == ["products.csv"]  # no temporary file left


def test_a_report_over_an_existing_file_needs_force(
    cli_db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "retail.csv", RETAIL_ORDER_LINES)
    report = write(tmp_path, "report.csv", "an older report\n")
    argv = [
        "import",
        "orders",
        str(file),
        "--lenient",
        "--create-missing",
        "--dry-run",
        "--report",
        str(report),
    ]
    assert main(argv) == 2
    assert "already exists; pass --force to replace it" in capsys.readouterr().err
    assert report.read_text() == "an older report\n"
    assert main([*argv, "--force"]) == 3
    assert pl.read_csv(report)["row"].to_list() == [6, 7, 8, 10, 11]
