"""Moving in from another system: re-imports change only what the file gives, BANT scores have
names of their own, an unknown SKU is never another product, every rejection says why."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import select

from crm_core.io import ImportOptions
from crm_core.io.report import ImportReport
from crm_core.permissions import Actor, Role
from crm_core.services import import_file, list_users
from crm_core.store import Store
from crm_core.store.frames import read_table
from crm_core.store.models import Opportunity

DATA = Path(__file__).parent.parent / "data" / "imports"
LENIENT_CREATE = ImportOptions(lenient=True, create_missing=True)
CUSTOMERS = (
    b"id,name,country\n"
    b"C-4410,Harbour Gifts Ltd,United Kingdom\nC-4411,Maison Bougie,France\nC-4412,Kerzen Haus,Germany\n"
)
PRODUCTS = b"sku,name,list_price\n90037B,TINY CRYSTAL BRACELET GREEN,1.65\n84029G,ROSE SCENT CANDLE,2.10\n"


def admin_of(store: Store) -> Actor:
    return next(u for u in list_users(store) if u.role == Role.ADMIN)


def deal(store: Store, external_id: str) -> Opportunity:
    with store.read() as session:
        found = session.scalar(select(Opportunity).where(Opportunity.external_id == external_id))
        assert found is not None
        session.expunge(found)
        return found


def test_re_importing_a_deal_whose_file_leaves_amount_and_date_empty_keeps_them(seeded_store: Store) -> None:
    admin = admin_of(seeded_store)
    first = (
        b"opportunity_id,account,deal_stage,close_value,created_at\n"
        b"X1,Wolftop Provisions LLC,Engaging,1200,2025-03-04\n"
    )
    assert import_file(seeded_store, admin, "opportunities", first, "first.csv").clean
    again = b"opportunity_id,account,deal_stage,close_value\nX1,Wolftop Provisions LLC,Engaging,\n"
    for _ in range(2):
        report = import_file(seeded_store, admin, "opportunities", again, "again.csv")
        assert report.clean, report.to_text()
        assert report.updated == {"opportunities": 1}
    kept = deal(seeded_store, "X1")
    assert (kept.expected_amount_cents, kept.created_at.date().isoformat(), kept.stage) == (
        120_000,
        "2025-03-04",
        "enriched",
    )


def test_a_row_that_leaves_the_stage_empty_keeps_the_deals_stage(seeded_store: Store) -> None:
    admin = admin_of(seeded_store)
    won = b"id,customer,stage,amount,closed_at\nX2,Wolftop Provisions LLC,won,500,2025-06-01\n"
    assert import_file(seeded_store, admin, "opportunities", won, "won.csv").clean
    blank = b"id,customer,stage,amount\nX2,Wolftop Provisions LLC,,\n"
    assert import_file(seeded_store, admin, "opportunities", blank, "blank.csv").clean
    kept = deal(seeded_store, "X2")
    assert (kept.stage, kept.closed_at.date().isoformat(), kept.expected_amount_cents) == (
        "won",
        "2025-06-01",
        50_000,
    )


def test_a_budget_amount_and_a_budget_score_import_side_by_side(seeded_store: Store) -> None:
    report = import_file(
        seeded_store, admin_of(seeded_store), "opportunities", DATA / "hubspot_deals.csv", "hubspot.csv"
    )
    assert report.clean, report.to_text()
    assert report.mapping.columns["budget"] == "Budget"
    assert report.mapping.columns["budget_score"] == "Budget Score"
    racks = deal(seeded_store, "9001")
    assert (racks.budget_cents, racks.budget, racks.stage) == (3_000_000, 7.0, "scheduled")


def test_the_apps_own_opportunities_export_with_budget_columns_reads_without_a_duplicate(
    seeded_store: Store,
) -> None:
    from crm_core.services import export_table

    admin = admin_of(seeded_store)
    data = export_table(seeded_store, admin, "opportunities", "csv")
    report = import_file(
        seeded_store, admin, "opportunities", data, "opportunities.csv", options=ImportOptions(dry_run=True)
    )
    assert "budget_score" in report.mapping.columns
    assert report.mapping.columns["budget"] != report.mapping.columns["budget_score"]


def order_report(store: Store, options: ImportOptions) -> ImportReport:
    admin = admin_of(store)
    assert import_file(store, admin, "products", PRODUCTS, "products.csv").clean
    assert import_file(store, admin, "customers", CUSTOMERS, "customers.csv").clean
    return import_file(store, admin, "orders", DATA / "erp_order_lines.csv", "erp.csv", options=options)


def reasons(report: ImportReport) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for p in report.problems.to_dicts():
        out.setdefault(p["row"], []).append(f"{p['column']}: {p['reason']}")
    return out


def test_an_unknown_sku_is_a_new_product_never_a_product_of_a_similar_name(seeded_store: Store) -> None:
    report = order_report(seeded_store, LENIENT_CREATE)
    products = read_table(seeded_store, "products")
    lines = read_table(seeded_store, "order_lines").join(
        products.select(pl.col("id").alias("product_id"), "sku", "name"), on="product_id"
    )
    red = products.filter(pl.col("sku") == "90037A")
    assert red.select("name", "list_price_cents").rows() == [("TINY CRYSTAL BRACELET RED", 165)]
    assert lines.filter(pl.col("sku") == "90037A").height == 1
    ocean = products.filter(pl.col("name") == "OCEAN SCENT CANDLE")
    assert ocean["sku"].to_list() == ["IMP-OCEANSCENTCANDLE"]
    assert not any("loosely" in note for note in report.notes)


def test_without_create_missing_an_unknown_sku_is_rejected_by_its_sku(seeded_store: Store) -> None:
    report = order_report(seeded_store, ImportOptions(lenient=True))
    why = reasons(report)
    assert why[4] == [
        "Item Code: no product '90037A' in the product list "
        "(import products first, or create missing records)"
    ]
    assert why[5] == [
        "Item Description: no product 'OCEAN SCENT CANDLE' in the product list "
        "(import products first, or create missing records)"
    ]


def test_a_price_with_three_decimals_is_rejected_for_that_not_as_missing(seeded_store: Store) -> None:
    why = reasons(order_report(seeded_store, LENIENT_CREATE))
    assert why[6] == ["Unit Price: has more than two decimals"]
    assert why[7] == ["Unit Price: has more than two decimals"]
    assert why[9] == [
        "Qty: must be more than zero (a negative quantity is a return; returns are imported only as "
        "cancelled C-invoices)"
    ]
    assert why[10] == ["Customer No: customer is missing (the row names no account and no customer id)"]
    assert 8 not in why  # C7006: a cancellation, imported as a cancelled order
