"""Every importable table exported (readable, as the Data page and the command line give it)
imports into a database started with `init` with equal contents: users, customers, products,
opportunities (owners and BANT scores included) and orders (one row per order line)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_core.permissions import Actor, Role
from crm_core.services import export_table, import_file, list_users
from crm_core.services.users import get_actor, import_users
from crm_core.store import Store
from crm_core.store.frames import read_table
from crm_core.store.seed import bootstrap_admin

ADMIN_ID = 11  # Elena Petrova in the sample


def names(store: Store, table: str, key: str = "id", name: str = "name") -> pl.DataFrame:
    return read_table(store, table).select(pl.col(key), pl.col(name))


def deals(store: Store) -> pl.DataFrame:
    users = read_table(store, "users").select(pl.col("id").alias("owner_id"), pl.col("name").alias("owner"))
    customers = read_table(store, "customers").select(
        pl.col("id").alias("customer_id"), pl.col("name").alias("customer")
    )
    products = read_table(store, "products").select(pl.col("id").alias("product_id"), "sku")
    return (
        read_table(store, "opportunities")
        .join(users, on="owner_id", how="left")
        .join(customers, on="customer_id", how="left")
        .join(products, on="product_id", how="left")
        .drop("id", "external_id", "owner_id", "customer_id", "product_id", "updated_at", "version")
        .sort("created_at", "title", "customer")
    )


def order_lines(store: Store) -> pl.DataFrame:
    orders = read_table(store, "orders").join(
        read_table(store, "customers").select(
            pl.col("id").alias("customer_id"), pl.col("name").alias("customer")
        ),
        on="customer_id",
    )
    lines = read_table(store, "order_lines").join(
        read_table(store, "products").select(pl.col("id").alias("product_id"), "sku"), on="product_id"
    )
    return (
        lines.join(orders.rename({"id": "order_id"}), on="order_id")
        .select(
            "customer", "status", "created_at", "payment_method", "delivery_method", "requested_date",
            "notes", "shipping_cents", "tax_rate_bp", "total_cents", "line_no", "sku", "quantity",
            "unit_price_cents", "discount_bp",
        )
        .sort("created_at", "customer", "line_no")
    )  # fmt: skip


@pytest.fixture
def moved(seeded_sqlite_store: Store, store: Store) -> tuple[Store, Store]:
    """The sample, exported table by table and imported in order into a database started empty."""
    bootstrap_admin(store, "Ada Lovelace", "ada@acme.example")
    source: Actor = get_actor(seeded_sqlite_store, ADMIN_ID)
    target = next(u for u in list_users(store) if u.role == Role.ADMIN)
    users = import_users(
        store, target, export_table(seeded_sqlite_store, source, "users", "csv"), "users.csv"
    )
    assert users.clean, users.to_text()
    for table in ("customers", "products", "opportunities", "orders"):
        report = import_file(
            store, target, table, export_table(seeded_sqlite_store, source, table, "csv"), f"{table}.csv"
        )
        assert report.clean, report.to_text()
    return seeded_sqlite_store, store


def test_customers_and_products_round_trip(moved: tuple[Store, Store]) -> None:
    source, target = moved
    for table, key in (("customers", "name"), ("products", "sku")):
        content = pl.exclude("id", "created_at", "updated_at")
        assert_frame_equal(
            read_table(target, table).sort(key).select(content),
            read_table(source, table).sort(key).select(content),
        )


def test_opportunities_round_trip_with_owners_amounts_and_scores(moved: tuple[Store, Store]) -> None:
    source, target = moved
    assert_frame_equal(deals(target), deals(source))


def test_orders_round_trip_line_by_line(moved: tuple[Store, Store]) -> None:
    source, target = moved
    assert_frame_equal(order_lines(target), order_lines(source))


def test_raw_customers_and_products_round_trip_from_cents(seeded_sqlite_store: Store, store: Store) -> None:
    """The raw export (`--raw`: cents and basis points under the stored names) reads back too."""
    bootstrap_admin(store, "Ada Lovelace", "ada@acme.example")
    source = get_actor(seeded_sqlite_store, ADMIN_ID)
    target = next(u for u in list_users(store) if u.role == Role.ADMIN)
    for table, key in (("customers", "name"), ("products", "sku")):
        data = export_table(seeded_sqlite_store, source, table, "csv", raw=True)
        assert b"_cents" in data.split(b"\n", 1)[0]
        report = import_file(store, target, table, data, f"{table}.csv")
        assert report.clean, report.to_text()
        content = pl.exclude("id", "created_at", "updated_at")
        assert_frame_equal(
            read_table(store, table).sort(key).select(content),
            read_table(seeded_sqlite_store, table).sort(key).select(content),
        )
