"""Imports of other systems' exports, checked row by row against the report, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import datetime

import polars as pl
import pytest
from sqlalchemy import func, select

from crm_core.errors import PermissionDenied
from crm_core.io import ImportOptions
from crm_core.permissions import Actor, Role
from crm_core.services import export_table, import_file, list_users
from crm_core.services.data import table_counts
from crm_core.store import Store, data_version
from crm_core.store.frames import read_events, read_opportunities, read_order_lines, read_orders
from crm_core.store.models import Customer, Product
from tests.import_files import (
    RETAIL_ORDER_LINES,
    SALESFORCE_MAPPING,
    SALESFORCE_OPPORTUNITIES,
    SALESFORCE_WITH_BAD_ROW,
)

LENIENT_CREATE = ImportOptions(lenient=True, create_missing=True)


def admin_of(store: Store) -> Actor:
    return next(u for u in list_users(store) if u.role == Role.ADMIN)


def rep_of(store: Store) -> Actor:
    return next(u for u in list_users(store) if u.role == Role.REP)


def problems_by_row(report) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for p in report.problems.to_dicts():
        out.setdefault(p["row"], []).append((p["column"], p["reason"]))
    return out


def test_a_salesforce_export_with_us_dates_and_their_stage_names_imports_row_by_row(
    seeded_store: Store,
) -> None:
    report = import_file(
        seeded_store,
        admin_of(seeded_store),
        "opportunities",
        SALESFORCE_OPPORTUNITIES.encode(),
        "salesforce.csv",
        mapping_toml=SALESFORCE_MAPPING,
        options=ImportOptions(create_missing=True),
    )
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 4, 0)
    assert (
        report.created == {"customers": 1, "products": 0, "opportunities": 4}
        or report.created["opportunities"] == 4
    )
    got = (
        read_opportunities(seeded_store)
        .filter(
            pl.col("title").is_in(
                ["Wolftop router refresh", "Sunstone switches", "New logo deal", "Lost to a competitor"]
            )
        )
        .sort("title")
    )
    rows = {r["title"]: r for r in got.to_dicts()}
    won = rows["Wolftop router refresh"]
    assert (won["stage"], won["owner"], won["customer"]) == ("won", "Daniel Okafor", "Wolftop Provisions LLC")
    assert won["expected_amount_cents"] == 1_250_000
    assert won["closed_at"] == datetime(2026, 3, 15) and won["created_at"] == datetime(2026, 1, 10)
    assert rows["Sunstone switches"]["stage"] == "scheduled"  # their stage name, mapped
    assert rows["Sunstone switches"]["owner"] == "Priya Raman"
    assert rows["Sunstone switches"]["closed_at"] is None
    assert rows["New logo deal"]["customer"] == "Brandnew Widgets Ltd"  # created from the file
    assert rows["New logo deal"]["stage"] == "captured"
    assert rows["Lost to a competitor"]["lost_reason"] == "Not recorded in the imported file"


def test_a_missing_account_is_rejected_by_row_and_column_without_create_missing(seeded_store: Store) -> None:
    before = table_counts(seeded_store)
    report = import_file(
        seeded_store,
        admin_of(seeded_store),
        "opportunities",
        SALESFORCE_OPPORTUNITIES.encode(),
        "salesforce.csv",
        mapping_toml=SALESFORCE_MAPPING,
    )
    assert problems_by_row(report) == {
        4: [("Account Name", "no customer 'Brandnew Widgets Ltd' in Scalewise (import customers first, "
                             "or create missing records)")]
    }  # fmt: skip
    assert (report.rows_imported, report.rows_rejected, report.written) == (0, 4, False)
    assert table_counts(seeded_store) == before


def test_strict_mode_leaves_the_database_unchanged_when_a_row_in_the_middle_is_bad(
    seeded_store: Store,
) -> None:
    before, version = table_counts(seeded_store), data_version(seeded_store)
    report = import_file(
        seeded_store,
        admin_of(seeded_store),
        "opportunities",
        SALESFORCE_WITH_BAD_ROW.encode(),
        "bad.csv",
        mapping_toml=SALESFORCE_MAPPING,
        options=ImportOptions(create_missing=True),
    )
    assert problems_by_row(report) == {
        3: [
            ("Amount", "'lots' is not an amount"),
            ("Close Date", "'31/31/2026' is not a date (in the mapping's format %m/%d/%Y)"),
        ]
    }
    assert report.rows_read == report.rows_imported + report.rows_rejected == 4
    assert table_counts(seeded_store) == before
    assert data_version(seeded_store) == version


def test_lenient_mode_imports_the_valid_rows_and_reports_the_others(seeded_store: Store) -> None:
    version = data_version(seeded_store)
    report = import_file(
        seeded_store,
        admin_of(seeded_store),
        "opportunities",
        SALESFORCE_WITH_BAD_ROW.encode(),
        "bad.csv",
        mapping_toml=SALESFORCE_MAPPING,
        options=LENIENT_CREATE,
    )
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 3, 1)
    assert data_version(seeded_store) == version + 1  # bumped once for the whole import
    titles = read_opportunities(seeded_store)["title"].to_list()
    assert "Wolftop router refresh" in titles and "Sunstone switches" not in titles


def test_retail_order_lines_are_treated_as_documented_row_by_row(seeded_store: Store) -> None:
    report = import_file(
        seeded_store, admin_of(seeded_store), "orders", RETAIL_ORDER_LINES.encode(), "retail.csv",
        options=LENIENT_CREATE,
    )  # fmt: skip
    negative = (
        "must be more than zero (a negative quantity is a return; returns are imported only as cancelled "
        "C-invoices)"
    )
    assert problems_by_row(report) == {
        6: [("Quantity", negative)],
        7: [("UnitPrice", "is zero: free or adjustment lines are not imported as sales")],
        8: [("CustomerID", "customer is missing (the row names no account and no customer id)")],
        10: [("InvoiceNo", "not imported: another line of order 536384 was rejected (row 11)")],
        11: [("Quantity", negative)],
    }
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (10, 5, 5)
    assert report.created == {"customers": 3, "products": 1, "orders": 4}
    assert any("Edge Routr ER400" in n and "Edge Router ER-400" in n for n in report.notes)
    orders = read_orders(seeded_store).filter(pl.col("customer").str.starts_with("Customer 1"))
    assert sorted(zip(orders["customer"], orders["status"], strict=True)) == [
        ("Customer 14527", "cancelled"),
        ("Customer 17809", "entered"),
        ("Customer 17850", "entered"),
        ("Customer 17850", "entered"),
    ]
    cancelled = orders.filter(pl.col("status") == "cancelled").row(0, named=True)
    assert cancelled["total_cents"] == 185_000  # the C-invoice's one router, taken as a positive quantity
    first = orders.filter(pl.col("created_at") == datetime(2025, 12, 1, 8, 26)).row(0, named=True)
    assert first["total_cents"] == 2 * 185_000 + 490_000
    lines = read_order_lines(seeded_store).filter(pl.col("order_id").is_in(orders["id"].implode()))
    assert lines.height == 5
    assert sorted(lines["sku"].to_list()) == ["85123A", "SW-1001", "SW-1001", "SW-1001", "SW-1002"]
    with seeded_store.read() as session:
        created = session.scalars(select(Product).where(Product.sku == "85123A")).one()
        assert (created.name, created.list_price_cents) == ("WHITE HANGING HEART T-LIGHT HOLDER", 255)
        region = session.scalar(select(Customer.region).where(Customer.external_id == "17850"))
        assert region == "United Kingdom"


def test_re_importing_the_same_external_ids_updates_instead_of_duplicating(seeded_store: Store) -> None:
    admin = admin_of(seeded_store)
    first = import_file(
        seeded_store, admin, "orders", RETAIL_ORDER_LINES.encode(), "retail.csv", options=LENIENT_CREATE
    )
    counts = table_counts(seeded_store)
    again = import_file(
        seeded_store, admin, "orders", RETAIL_ORDER_LINES.encode(), "retail.csv", options=LENIENT_CREATE
    )
    assert again.created == {"orders": 0}
    assert again.updated["orders"] == first.created["orders"]
    after = table_counts(seeded_store)
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in counts.items() if k != "events"
    }


def test_every_created_record_gets_one_import_event_by_the_importing_user(seeded_store: Store) -> None:
    admin = admin_of(seeded_store)
    before = read_events(seeded_store).height
    report = import_file(
        seeded_store, admin, "orders", RETAIL_ORDER_LINES.encode(), "retail.csv", options=LENIENT_CREATE
    )
    events = read_events(seeded_store).slice(before)
    assert events.height == sum(report.created.values())
    assert set(events["action"]) == {"import"} and set(events["actor_id"]) == {admin.id}
    assert (
        events.filter(pl.col("entity_type") == "order")["note"]
        .str.starts_with("created from retail.csv row ")
        .all()
    )


def test_a_dry_run_reports_the_same_but_writes_nothing(seeded_store: Store) -> None:
    before, version = table_counts(seeded_store), data_version(seeded_store)
    report = import_file(
        seeded_store,
        admin_of(seeded_store),
        "orders",
        RETAIL_ORDER_LINES.encode(),
        "retail.csv",
        options=ImportOptions(lenient=True, create_missing=True, dry_run=True),
    )
    assert (report.rows_imported, report.rows_rejected, report.created["orders"]) == (5, 5, 4)
    assert (table_counts(seeded_store), data_version(seeded_store)) == (before, version)


def test_only_an_admin_may_import_and_only_a_signed_in_user_may_export(seeded_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        import_file(seeded_store, rep_of(seeded_store), "orders", RETAIL_ORDER_LINES.encode(), "r.csv")
    with pytest.raises(PermissionDenied):
        export_table(seeded_store, None, "customers", "csv")
    assert export_table(seeded_store, rep_of(seeded_store), "customers", "csv").startswith(b"id,")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_an_exported_table_imports_back_as_updates(seeded_store: Store, fmt: str) -> None:
    admin = admin_of(seeded_store)
    data = export_table(seeded_store, admin, "customers", fmt)
    before = table_counts(seeded_store)["customers"]
    report = import_file(seeded_store, admin, "customers", data, f"customers.{fmt}")
    assert report.clean, report.to_text()
    assert report.updated["customers"] == before and report.created["customers"] == 0
    with seeded_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == before
        phones = session.scalars(
            select(Customer.contact_phone).where(Customer.contact_phone.is_not(None))
        ).all()
    assert all(p.startswith("+") for p in phones)  # '+1 …' was neutralised on export and restored on import


def test_products_from_excel_and_parquet_files_import_the_same(seeded_store: Store) -> None:
    frame = pl.DataFrame(
        {"Item Code": ["NEW-1", "SW-1001"], "Item Name": ["Cable tester", "Edge Router ER-400"],
         "Price": [49.5, 1900.0]}
    )  # fmt: skip
    admin = admin_of(seeded_store)
    xlsx, parquet = io.BytesIO(), io.BytesIO()
    frame.write_excel(xlsx)
    frame.write_parquet(parquet)
    first = import_file(seeded_store, admin, "products", xlsx.getvalue(), "products.xlsx")
    assert (first.created["products"], first.updated["products"]) == (1, 1)
    second = import_file(seeded_store, admin, "products", parquet.getvalue(), "products.parquet")
    assert (second.created["products"], second.updated["products"]) == (0, 2)
    with seeded_store.read() as session:
        assert session.scalar(select(Product.list_price_cents).where(Product.sku == "SW-1001")) == 190_000
        assert session.scalar(select(Product.list_price_cents).where(Product.sku == "NEW-1")) == 4_950
