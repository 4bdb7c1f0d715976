"""Owners on import: unknown owners become reps with create_missing (listed in the report), a file
without an owner column takes `--owner`, and a detected column can be left out in a mapping."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import select

from crm_core.errors import ValidationError
from crm_core.io import ImportOptions
from crm_core.permissions import Actor, Role
from crm_core.services import import_file, list_users
from crm_core.store import Store
from crm_core.store.frames import read_events
from crm_core.store.models import Opportunity, User

PIPEDRIVE = b"""\
Deal - ID,Deal - Title,Deal - Organization,Deal - Owner,Deal - Stage,Deal - Value
P-1,Wolftop shelving,Wolftop Provisions LLC,Rosalind Franklin,Qualified,4200
P-2,Sunstone lighting,Sunstone Stores Co.,kurt.goedel@oldcrm.example,Proposal Made,900
P-3,Wolftop labels,Wolftop Provisions LLC,Rosalind Franklin,Lead In,150
P-4,Sunstone tills,Sunstone Stores Co.,Daniel Okafor,Lead In,300
"""
MAPPING = """\
[columns]
external_id = "Deal - ID"
title = "Deal - Title"
customer = "Deal - Organization"
owner = "Deal - Owner"
stage = "Deal - Stage"
expected_amount = "Deal - Value"
"""


def admin_of(store: Store) -> Actor:
    return next(u for u in list_users(store) if u.role == Role.ADMIN)


def owners(store: Store) -> dict[str, str]:
    with store.read() as session:
        rows = session.execute(
            select(Opportunity.external_id, User.email).join(User, User.id == Opportunity.owner_id)
        ).all()
    return {ext: email for ext, email in rows if ext and ext.startswith("P-")}


def test_with_create_missing_an_owner_who_is_not_a_user_becomes_a_rep(seeded_store: Store) -> None:
    report = import_file(
        seeded_store, admin_of(seeded_store), "opportunities", PIPEDRIVE, "pipedrive.csv",
        mapping_toml=MAPPING, options=ImportOptions(create_missing=True),
    )  # fmt: skip
    assert report.clean, report.to_text()
    assert report.created["users"] == 2
    assert (
        "2 owner(s) who were not users were added as reps: "
        "Rosalind Franklin <rosalind.franklin@imported.invalid>, Kurt Goedel <kurt.goedel@oldcrm.example>"
    ) in report.notes
    assert owners(seeded_store) == {
        "P-1": "rosalind.franklin@imported.invalid",
        "P-2": "kurt.goedel@oldcrm.example",
        "P-3": "rosalind.franklin@imported.invalid",
        "P-4": "daniel.okafor@scalewise.example",
    }
    reps = {u.email: u.role for u in list_users(seeded_store)}
    assert reps["rosalind.franklin@imported.invalid"] == Role.REP
    created = read_events(seeded_store).filter(pl.col("entity_type") == "user", pl.col("action") == "import")
    assert created.height == 2


def test_without_create_missing_an_unknown_owner_is_rejected(seeded_store: Store) -> None:
    report = import_file(
        seeded_store, admin_of(seeded_store), "opportunities", PIPEDRIVE, "pipedrive.csv",
        mapping_toml=MAPPING, options=ImportOptions(lenient=True),
    )  # fmt: skip
    rejected = report.problems.filter(pl.col("column") == "Deal - Owner")
    assert rejected["row"].to_list() == [2, 3, 4]
    assert rejected["reason"][0].startswith("no user 'Rosalind Franklin' in Scalewise")
    assert "users" not in report.created


def test_owner_left_out_in_the_mapping_and_given_on_the_command_line(seeded_store: Store) -> None:
    mapping = MAPPING.replace('owner = "Deal - Owner"', 'owner = ""')
    report = import_file(
        seeded_store, admin_of(seeded_store), "opportunities", PIPEDRIVE, "pipedrive.csv",
        mapping_toml=mapping,
        options=ImportOptions(owner_email="Priya.Raman@scalewise.example"),
    )  # fmt: skip
    assert report.clean, report.to_text()
    assert "owner" not in report.mapping.columns
    assert set(owners(seeded_store).values()) == {"priya.raman@scalewise.example"}


def test_an_admin_or_a_stranger_cannot_be_the_owner_of_imported_deals(seeded_store: Store) -> None:
    admin = admin_of(seeded_store)
    for email, says in (
        (admin.email, "is an admin; deals are owned by reps and managers"),
        ("nobody@example.com", "no active user with email 'nobody@example.com'"),
    ):
        with pytest.raises(ValidationError, match=says):
            import_file(
                seeded_store,
                admin,
                "opportunities",
                PIPEDRIVE,
                "p.csv",
                options=ImportOptions(owner_email=email),
            )
