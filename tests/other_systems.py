"""A database built the way a team moving in builds it: from other systems' files, not the sample.

`move_in(store)` does what `python -m crm_core init --admin` does (migrate, the first admin), adds
the owners as users through `crm_core.services.users`, then imports customers → products →
opportunities (Salesforce, HubSpot, Pipedrive) → orders (an ERP's order lines) with the importer,
leniently where the files carry bad rows. The files and the script that writes them live in
`tests/data/other_systems/`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crm_core.io.plan import ImportOptions
from crm_core.io.report import ImportReport
from crm_core.permissions import Actor, Role
from crm_core.services.imports import import_file
from crm_core.services.users import add_user
from crm_core.store import Store
from crm_core.store.seed import bootstrap_admin

FILES = Path(__file__).resolve().parent / "data" / "other_systems"
ADMIN_EMAIL = "it.admin@northwind-trading.example"
# A day long after the newest file (the ERP's May 2019): the pages must follow the data, not today.
MOVED_IN_TODAY = date(2026, 11, 21)

SALESFORCE_MAPPING = """\
[columns]
external_id = "Opportunity ID"
title = "Opportunity Name"
created_at = "Created Date"

[values.stage]
"Negotiation/Review" = "scheduled"
"""
HUBSPOT_MAPPING = """\
[columns]
external_id = "Record ID"
title = "dealname"
owner = "Deal owner email"
customer = "Associated Company"
expected_close_date = "closedate"
created_at = "createdate"

[format]
date = "%Y-%m-%dT%H:%M:%S%.f"
"""
PIPEDRIVE_MAPPING = """\
[columns]
external_id = "ID"
title = "Title"
customer = "Organization"
expected_amount = "Value"
stage = "Status"
closed_at = "Won time"
created_at = "Deal created"
expected_close_date = "Expected close date"

[format]
date = "%d/%m/%Y"
"""
ERP_MAPPING = """\
[constants]
status = "delivered"

[format]
date = "%m/%d/%Y"
"""
ACCOUNTS_MAPPING = """\
[columns]
external_id = "Account ID"
"""


@dataclass(frozen=True)
class Step:
    kind: str
    file: str
    mapping: str | None
    lenient: bool = False
    create_missing: bool = False


STEPS = (
    Step("customers", "accounts.csv", ACCOUNTS_MAPPING),
    Step("products", "products.csv", None),
    Step("opportunities", "salesforce_opportunities.csv", SALESFORCE_MAPPING, lenient=True),
    Step("opportunities", "hubspot_deals.csv", HUBSPOT_MAPPING, lenient=True),
    Step("opportunities", "pipedrive_deals.csv", PIPEDRIVE_MAPPING, lenient=True),
    Step("orders", "erp_order_lines.csv", ERP_MAPPING, lenient=True, create_missing=True),
)


def first_admin(store: Store) -> Actor:
    """The one user an empty database needs before anyone can import: what `init --admin` does."""
    user_id = bootstrap_admin(store, "Northwind IT", ADMIN_EMAIL)
    return Actor(id=user_id, name="Northwind IT", email=ADMIN_EMAIL, role=Role.ADMIN)


def move_in(store: Store) -> dict[str, ImportReport]:
    """`init` (migrate, the first admin), add the owners, import every file; the reports by file name."""
    admin = first_admin(store)
    with (FILES / "users.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            add_user(store, admin, row["name"], row["email"], row["role"])
    return import_every_file(store, admin)


def import_every_file(store: Store, admin: Actor) -> dict[str, ImportReport]:
    """Import each file of the other systems in order (again, after `move_in`: a re-import)."""
    return {
        step.file: import_file(
            store,
            admin,
            step.kind,
            FILES / step.file,
            mapping_toml=step.mapping,
            options=ImportOptions(lenient=step.lenient, create_missing=step.create_missing),
        )
        for step in STEPS
    }
