"""Exports people can read: names beside ids, currency units, plain times; the raw form one option
away; a formula quoted only where a spreadsheet opens the file; readable customers and products
import back into an empty database unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_core.__main__ import main
from crm_core.io import read_table_file
from crm_core.services import export_table, import_file
from crm_core.services.users import get_actor
from crm_core.store import Store
from crm_core.store.frames import read_table
from crm_core.store.migrate import migrate
from crm_core.store.models import User
from crm_core.store.uow import UnitOfWork

ADMIN_ID = 11  # Elena Petrova in the sample


def csv_rows(data: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def test_a_readable_export_names_every_id_and_shows_amounts_and_times_as_people_write_them(
    seeded_store: Store,
) -> None:
    admin = get_actor(seeded_store, ADMIN_ID)
    deal = csv_rows(export_table(seeded_store, admin, "opportunities", "csv")).row(0, named=True)
    assert {k: deal[k] for k in ("customer_id", "customer", "owner_id", "owner", "sku", "product")} == {
        "customer_id": "1",
        "customer": "Wolftop Provisions LLC",
        "owner_id": "2",
        "owner": "Daniel Okafor",
        "sku": "SW-1001",
        "product": "Edge Router ER-400",
    }
    assert (deal["expected_amount"], deal["budget"], deal["budget_score"]) == ("14800.00", "18000.00", "7.5")
    assert (deal["expected_close_date"], deal["created_at"]) == ("2025-08-11", "2025-05-21 09:19:00")
    assert "expected_amount_cents" not in deal
    line = csv_rows(export_table(seeded_store, admin, "order_lines", "csv")).row(0, named=True)
    assert (line["order"], line["unit_price"], line["discount"]) == ("SO-000001", "420.00", "0.00")
    payment = csv_rows(export_table(seeded_store, admin, "payments", "csv")).row(0, named=True)
    assert (payment["invoice"], payment["amount"], payment["recorded_by_name"]) == (
        "INV-2025-000001",
        "17563.60",
        "Maria Lindqvist",
    )


def test_the_raw_export_is_the_table_as_stored(seeded_store: Store) -> None:
    admin = get_actor(seeded_store, ADMIN_ID)
    deal = csv_rows(export_table(seeded_store, admin, "opportunities", "csv", raw=True)).row(0, named=True)
    assert (deal["expected_amount_cents"], deal["owner_id"], deal["created_at"]) == (
        "1480000",
        "2",
        "2025-05-21T09:19:00.000000",
    )
    assert "owner" not in deal and "expected_amount" not in deal


def test_the_command_line_exports_readable_unless_told_raw(
    seeded_sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = seeded_sqlite_store.target.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    assert main(["export", "customers", "--out", str(tmp_path / "readable.csv")]) == 0
    assert main(["export", "customers", "--raw", "--out", str(tmp_path / "raw.csv")]) == 0
    readable, raw = pl.read_csv(tmp_path / "readable.csv"), pl.read_csv(tmp_path / "raw.csv")
    assert readable["credit_limit"][0] == 360_000.0 and raw["credit_limit_cents"][0] == 36_000_000


def test_a_formula_is_quoted_in_csv_and_excel_and_left_as_typed_in_parquet(seeded_store: Store) -> None:
    admin = get_actor(seeded_store, ADMIN_ID)
    phones = {
        fmt: read_table_file(export_table(seeded_store, admin, "customers", fmt), f"c.{fmt}")[
            "contact_phone"
        ][0]
        for fmt in ("csv", "xlsx")
    }
    assert phones == {"csv": "'+1 212-555-0156", "xlsx": "'+1 212-555-0156"}
    parquet = pl.read_parquet(io.BytesIO(export_table(seeded_store, admin, "customers", "parquet")))
    assert parquet["contact_phone"][0] == "+1 212-555-0156"
    assert parquet.schema["credit_limit"] == pl.Decimal(38, 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_readable_customers_and_products_import_into_an_empty_database_unchanged(
    seeded_store: Store, store: Store, fmt: str
) -> None:
    with store.engine.begin() as conn:
        migrate(conn)
    with UnitOfWork(store) as uow:
        uow.session.add(User(id=1, name="Admin", email="admin@empty.example", role="admin", active=True))
        uow.commit()
    source_admin, target_admin = get_actor(seeded_store, ADMIN_ID), get_actor(store, 1)
    for table in ("customers", "products"):
        data = export_table(seeded_store, source_admin, table, fmt)
        report = import_file(store, target_admin, table, data, f"{table}.{fmt}")
        assert report.clean, report.to_text()
        content = pl.exclude("id", "created_at", "updated_at")
        assert_frame_equal(
            read_table(store, table).sort("name").select(content),
            read_table(seeded_store, table).sort("name").select(content),
        )
