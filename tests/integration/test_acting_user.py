"""The acting user is re-read on every write, a reset keeps the users, and OIDC sign-in binds a user
to one identity — on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from crm_core.errors import PermissionDenied, SignInRefused
from crm_core.permissions import Role
from crm_core.services import (
    add_user,
    all_users,
    cancel_order,
    change_role,
    deactivate_user,
    import_file,
    reset_sample_data,
    sign_in_oidc,
    table_counts,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Event, Opportunity, User
from crm_core.store.uow import UnitOfWork
from tests.integration.order_builders import ADMIN, MANAGER, NOW, REP, make_order

ISSUER = "https://id.scalewise.test"
SAMPLE_COUNTS = {"users": 11, "customers": 333, "opportunities": 2000, "orders": 1500, "events": 17940}


def unchanged(store: Store) -> tuple[dict[str, int], int]:
    return table_counts(store), data_version(store)


def test_a_deactivated_admin_cannot_reset_from_a_dialog_opened_before(seeded_store: Store) -> None:
    second = add_user(seeded_store, ADMIN, "Sam Second", "sam.second@scalewise.example", "admin")
    deactivate_user(seeded_store, ADMIN, second.id)
    before = unchanged(seeded_store)

    with pytest.raises(
        PermissionDenied, match="Sam Second is no longer an active user, so nothing was changed"
    ):
        reset_sample_data(seeded_store, second)  # the actor her dialog held
    assert unchanged(seeded_store) == before


def test_a_deactivated_admin_cannot_import_or_manage_users(seeded_store: Store) -> None:
    second = add_user(seeded_store, ADMIN, "Sam Second", "sam.second@scalewise.example", "admin")
    deactivate_user(seeded_store, ADMIN, second.id)
    before = unchanged(seeded_store)

    with pytest.raises(PermissionDenied, match="no longer an active user"):
        import_file(
            seeded_store, second, "products", b"sku,name,list_price\nTEST-1,Test cable,9.99\n", "p.csv"
        )
    with pytest.raises(PermissionDenied, match="no longer an active user"):
        add_user(seeded_store, second, "Mallory", "mallory@scalewise.example", "admin")
    assert unchanged(seeded_store) == before


def test_a_manager_made_a_rep_cannot_cancel_with_the_role_she_had(seeded_store: Store) -> None:
    order_id = make_order(seeded_store)
    change_role(seeded_store, ADMIN, MANAGER.id, "rep")
    before = unchanged(seeded_store)

    message = "Maria Lindqvist is now rep, no longer manager, so nothing was changed. Reload the page"
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        cancel_order(seeded_store, MANAGER, order_id, "Customer withdrew", now=NOW)
    assert unchanged(seeded_store) == before


def test_a_deactivated_rep_cannot_enter_an_order(seeded_store: Store) -> None:
    deactivate_user(seeded_store, ADMIN, REP.id)
    before = unchanged(seeded_store)
    with pytest.raises(PermissionDenied, match="Daniel Okafor is no longer an active user"):
        make_order(seeded_store, actor=REP)
    assert unchanged(seeded_store) == before


# --- a reset keeps the users -----------------------------------------------------------------------


def test_a_reset_keeps_every_user_as_they_are(seeded_store: Store) -> None:
    nora = add_user(seeded_store, ADMIN, "Nora Newcomer", "nora@scalewise.example", "manager")
    deactivate_user(seeded_store, ADMIN, MANAGER.id)
    change_role(seeded_store, ADMIN, REP.id, "manager")
    users = all_users(seeded_store)

    counts = reset_sample_data(seeded_store, ADMIN)

    assert all_users(seeded_store) == users  # nobody reactivated, re-roled, removed or added
    assert counts["users"] == 0
    after = table_counts(seeded_store)
    assert {k: after[k] for k in SAMPLE_COUNTS} == {**SAMPLE_COUNTS, "users": 12, "events": 17941}
    with seeded_store.read() as session:
        owners = set(session.scalars(select(Opportunity.owner_id).distinct()))
        reset_event = session.execute(
            select(Event.entity_type, Event.action, Event.actor_id).order_by(Event.id.desc()).limit(1)
        ).one()
    assert owners <= {u["id"] for u in users} and nora.id not in owners
    assert reset_event == ("data", "reset", ADMIN.id)


def test_sample_owners_who_are_no_current_user_come_back_as_inactive_reps(seeded_store: Store) -> None:
    with UnitOfWork(seeded_store) as uow:  # Daniel's address changed since the sample was loaded
        uow.session.execute(update(User).where(User.id == REP.id).values(email="daniel@elsewhere.example"))
        uow.commit()

    counts = reset_sample_data(seeded_store, ADMIN)

    assert counts["users"] == 1
    added = [u for u in all_users(seeded_store) if u["email"] == REP.email]
    assert [(u["name"], u["role"], u["active"]) for u in added] == [("Daniel Okafor", "rep", False)]
    with seeded_store.read() as session:
        kept = session.scalar(select(User.email).where(User.id == REP.id))
        deals_of_new = session.scalar(
            select(Opportunity.id).where(Opportunity.owner_id == added[0]["id"]).limit(1)
        )
    assert kept == "daniel@elsewhere.example" and deals_of_new is not None


# --- OIDC sign-in against the users table ----------------------------------------------------------


def claims(email: str = ADMIN.email, sub: str = "elena-1", verified: object = True) -> dict[str, object]:
    return {"iss": ISSUER, "sub": sub, "email": email, "email_verified": verified}


def test_the_first_sign_in_binds_the_user_and_writes_an_event(seeded_store: Store) -> None:
    actor = sign_in_oidc(seeded_store, claims(ADMIN.email.upper()), {ISSUER})

    assert (actor.id, actor.role) == (ADMIN.id, Role.ADMIN)
    with seeded_store.read() as session:
        bound = session.execute(select(User.oidc_issuer, User.oidc_subject).where(User.id == ADMIN.id)).one()
        event = session.execute(
            select(Event.entity_type, Event.entity_id, Event.action, Event.actor_id).order_by(Event.id.desc())
        ).first()
    assert bound == (ISSUER, "elena-1")
    assert event == ("user", ADMIN.id, "bind_sign_in", ADMIN.id)


def test_a_bound_user_signs_in_by_subject_even_after_the_email_changed(seeded_store: Store) -> None:
    sign_in_oidc(seeded_store, claims(), {ISSUER})
    version = data_version(seeded_store)

    actor = sign_in_oidc(seeded_store, claims("elena@new-provider-address.example", verified=False), {ISSUER})

    assert actor.id == ADMIN.id
    assert data_version(seeded_store) == version  # a later sign-in writes nothing


def test_another_subject_with_a_bound_users_email_is_refused(seeded_store: Store) -> None:
    sign_in_oidc(seeded_store, claims(), {ISSUER})
    with pytest.raises(SignInRefused, match="already linked to another sign-in account"):
        sign_in_oidc(seeded_store, claims(sub="intruder"), {ISSUER})


def test_an_unverified_admin_email_neither_signs_in_nor_binds(seeded_store: Store) -> None:
    with pytest.raises(SignInRefused, match="has not verified"):
        sign_in_oidc(seeded_store, claims(verified=False), {ISSUER})
    with seeded_store.read() as session:
        assert session.scalar(select(User.oidc_subject).where(User.id == ADMIN.id)) is None


def test_two_users_cannot_be_bound_to_one_identity(seeded_store: Store) -> None:
    sign_in_oidc(seeded_store, claims(), {ISSUER})
    actor = sign_in_oidc(seeded_store, claims(MANAGER.email), {ISSUER})  # same sub: it is Elena
    assert actor.id == ADMIN.id
