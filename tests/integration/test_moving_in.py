"""A team moves in from other systems: an empty database, the admin and the owners, then customers,
products, three CRMs' deals and an ERP's order lines — every row read is imported or rejected with a
reason, on SQLite and on PostgreSQL."""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, select

from crm_core.services.data import table_counts
from crm_core.services.users import actor_for_email
from crm_core.store import Store
from crm_core.store.models import Customer, Opportunity, Order, User
from tests.other_systems import ADMIN_EMAIL, import_every_file, move_in

# file → (rows read, imported, rejected); the ERP's rejections are returns typed into normal invoices,
# lines of zero or 0.001 price, missing customer ids, and the other lines of an invoice so refused.
EXPECTED = {
    "accounts.csv": (60, 60, 0),
    "products.csv": (18, 18, 0),
    "salesforce_opportunities.csv": (180, 180, 0),
    "hubspot_deals.csv": (160, 160, 0),
    "pipedrive_deals.csv": (150, 150, 0),
    "erp_order_lines.csv": (423, 303, 120),
}


def test_every_file_of_the_other_systems_adds_up_to_what_was_read(store: Store) -> None:
    reports = move_in(store)
    got = {name: (r.rows_read, r.rows_imported, r.rows_rejected) for name, r in reports.items()}
    assert got == EXPECTED
    for name, report in reports.items():
        assert report.rows_read == report.rows_imported + report.rows_rejected, name
        assert report.problems.height >= report.rows_rejected, name  # every rejected row has a reason
        assert report.written, name


def test_the_erp_reports_each_rejection_with_its_reason(store: Store) -> None:
    erp = move_in(store)["erp_order_lines.csv"]
    by_column = dict(erp.problems.group_by("column").len().iter_rows())
    # Which columns are at fault; the missing customer ids are 22 lines of the file.
    assert set(by_column) == {"CustomerID", "InvoiceNo", "Quantity", "UnitPrice"}
    assert by_column["CustomerID"] == 22
    assert "10 C-numbered invoice(s) were imported as cancelled orders" in erp.notes


def test_the_moved_in_database_holds_the_imported_records_and_no_sample_data(store: Store) -> None:
    move_in(store)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 6  # the admin and five owners
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 490
        assert session.scalar(select(func.count()).select_from(Order)) == 115
        # 60 accounts plus the ERP's 38 customers, created from their ids
        assert session.scalar(select(func.count()).select_from(Customer)) == 98
        stages = dict(
            session.execute(select(Opportunity.stage, func.count()).group_by(Opportunity.stage)).all()
        )
    assert stages == {"captured": 47, "qualified": 36, "scheduled": 44, "won": 191, "lost": 172}
    assert pl.Series(list(stages.values())).sum() == 490


def test_importing_every_file_again_updates_and_duplicates_nothing(store: Store) -> None:
    move_in(store)
    before = table_counts(store)
    admin = actor_for_email(store, ADMIN_EMAIL)
    assert admin is not None

    again = import_every_file(store, admin)

    after = table_counts(store)
    assert {name: after[name] for name in ("customers", "products", "opportunities", "orders")} == {
        name: before[name] for name in ("customers", "products", "opportunities", "orders")
    }
    assert after["order_lines"] == before["order_lines"]
    # the same rows are read and the same ones refused; the rest are updates this time
    assert {name: (r.rows_read, r.rows_rejected) for name, r in again.items()} == {
        name: (read, rejected) for name, (read, _, rejected) in EXPECTED.items()
    }
