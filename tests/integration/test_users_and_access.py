"""Who may do what, through the real services, on SQLite and PostgreSQL: every role (and nobody
signed in) × every use case of docs/architecture.md §5. An allowed use case succeeds and its event names
the acting user; a denied one raises PermissionDenied and changes nothing (row counts, data version).

The table below is written from the design, not from `crm_core.permissions.GRANTS`, so a wrong
grant fails here. Admins own no opportunities (owners are reps or managers), so an admin's "own"
opportunity is one owned by a rep — allowed to an admin either way."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.errors import NotFound, PermissionDenied, ValidationError
from crm_core.orders import OrderStatus
from crm_core.permissions import Actor, Role
from crm_core.scoring import BantWeights, Weights
from crm_core.services import (
    add_user,
    all_users,
    allocate_order,
    audit_order,
    cancel_order,
    capture_opportunity,
    change_role,
    convert_to_order,
    deactivate_user,
    enrich_opportunity,
    export_table,
    hold_order,
    import_file,
    list_users,
    opportunity_detail,
    order_detail,
    publish_preset,
    record_payment,
    reset_sample_data,
    save_preset,
    table_counts,
)
from crm_core.store import Store, data_version
from crm_core.store.models import Event, User
from tests.conftest import SAMPLE_TODAY
from tests.integration.order_builders import ADMIN, MANAGER, NOW, OTHER_REP, REP, advance, make_order
from tests.integration.test_opportunity_services import ENRICHMENT, new_opportunity, walk

NOBODY = None
SERIAL = itertools.count(1)
ACTORS: dict[str, Actor | None] = {"rep": REP, "manager": MANAGER, "admin": ADMIN, "nobody": NOBODY}
EVERYONE = frozenset({"rep", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})


def owner_for(actor: Actor | None) -> Actor:
    """Whose opportunity counts as the actor's own."""
    return actor if actor is not None and actor.role in (Role.REP, Role.MANAGER) else REP


def captured_for(store: Store, owner: Actor) -> int:
    return capture_opportunity(store, MANAGER, new_opportunity(owner_id=owner.id), today=SAMPLE_TODAY)


def won_for(store: Store, owner: Actor) -> int:
    opportunity_id = captured_for(store, owner)
    walk(store, opportunity_id, "won", actor=MANAGER)
    return opportunity_id


def opp_version(store: Store, opportunity_id: int) -> int:
    return opportunity_detail(store, opportunity_id).version


def amount_due(store: Store, order_id: int) -> str:
    invoice = order_detail(store, order_id).invoice
    assert invoice is not None
    return f"{invoice.total_cents // 100}.{invoice.total_cents % 100:02d}"


def duplicate_orders(store: Store) -> int:
    """Two identical orders for one customer: auditing the second needs a manager to accept a warning."""
    make_order(store, actor=MANAGER)
    return make_order(store, actor=MANAGER)


@dataclass(frozen=True)
class UseCase:
    name: str
    allowed: frozenset[str]
    arrange: Callable[[Store, Actor | None], Any]
    act: Callable[[Store, Actor | None, Any], Any]
    writes_event: bool = True


def nothing(store: Store, actor: Actor | None) -> None:
    return None


CASES = [
    UseCase(
        "capture an opportunity",
        EVERYONE,
        nothing,
        lambda s, a, _: capture_opportunity(
            s, a, new_opportunity(owner_id=owner_for(a).id), today=SAMPLE_TODAY
        ),
    ),
    UseCase(
        "work on own opportunity",
        EVERYONE,
        lambda s, a: captured_for(s, owner_for(a)),
        lambda s, a, o: enrich_opportunity(s, a, o, opp_version(s, o), ENRICHMENT),
    ),
    UseCase(
        "work on someone else's opportunity",
        MANAGERS,
        lambda s, a: captured_for(s, OTHER_REP),
        lambda s, a, o: enrich_opportunity(s, a, o, opp_version(s, o), ENRICHMENT),
    ),
    UseCase(
        "convert own won opportunity into an order",
        EVERYONE,
        lambda s, a: won_for(s, owner_for(a)),
        lambda s, a, o: convert_to_order(s, a, o, opp_version(s, o), today=SAMPLE_TODAY),
    ),
    UseCase("enter an order", EVERYONE, nothing, lambda s, a, _: make_order(s, actor=a)),  # type: ignore[arg-type]
    UseCase(
        "move an order along (allocate)",
        EVERYONE,
        lambda s, a: (o := make_order(s, actor=MANAGER), advance(s, o, OrderStatus.AUDITED))[0],
        lambda s, a, o: allocate_order(s, a, o, now=NOW),
    ),
    UseCase(
        "put an order on hold",
        EVERYONE,
        lambda s, a: make_order(s, actor=MANAGER),
        lambda s, a, o: hold_order(s, a, o, "Waiting for the customer's PO", now=NOW),
    ),
    UseCase(
        "approve audit warnings",
        MANAGERS,
        lambda s, a: duplicate_orders(s),
        lambda s, a, o: audit_order(s, a, o, accept_warnings=True, now=NOW),
    ),
    UseCase(
        "record a payment",
        MANAGERS,
        lambda s, a: (o := make_order(s, actor=MANAGER), advance(s, o, OrderStatus.INVOICED))[0],
        lambda s, a, o: record_payment(s, a, o, amount_due(s, o), now=NOW),
    ),
    UseCase(
        "cancel an order",
        MANAGERS,
        lambda s, a: make_order(s, actor=MANAGER),
        lambda s, a, o: cancel_order(s, a, o, "Customer withdrew", now=NOW),
    ),
    UseCase(
        "save own weight preset",
        EVERYONE,
        nothing,
        lambda s, a, _: save_preset(s, a, f"Workshop favourite {next(SERIAL)}", Weights(0.4, 0.2, 0.2, 0.2)),
    ),
    UseCase(
        "publish the team's active weights",
        MANAGERS,
        lambda s, a: (
            save_preset(
                s, REP, f"Rep's idea {next(SERIAL)}", Weights(0.1, 0.4, 0.4, 0.1), BantWeights(1, 1, 1, 1)
            ).id
        ),
        lambda s, a, p: publish_preset(s, a, p),
    ),
    UseCase(
        "export data",
        EVERYONE,
        nothing,
        lambda s, a, _: export_table(s, a, "customers", "csv"),
        writes_event=False,
    ),
    UseCase(
        "import data",
        ADMINS,
        nothing,
        lambda s, a, _: import_file(
            s, a, "products", b"sku,name,list_price\nTEST-1,Test cable,9.99\n", "p.csv"
        ),
    ),
    UseCase(
        "reset to sample data",
        ADMINS,
        nothing,
        lambda s, a, _: reset_sample_data(s, a),  # the sample's history, then the reset's own event
    ),
    UseCase(
        "add a user",
        ADMINS,
        nothing,
        lambda s, a, _: add_user(s, a, "Nora Newcomer", "nora.newcomer@scalewise.example", "rep"),
    ),
    UseCase(
        "change a user's role", ADMINS, nothing, lambda s, a, _: change_role(s, a, OTHER_REP.id, "manager")
    ),
    UseCase("deactivate a user", ADMINS, nothing, lambda s, a, _: deactivate_user(s, a, OTHER_REP.id)),
]


def newest_event_actor(store: Store) -> int | None:
    with store.read() as session:
        return session.scalar(select(Event.actor_id).order_by(Event.id.desc()).limit(1))


def newest_event_id(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_role_may_do_exactly_what_the_design_grants(
    seeded_store: Store, case: UseCase, subtests: Any
) -> None:
    for role, actor in ACTORS.items():
        with subtests.test(role=role):
            arranged = case.arrange(seeded_store, actor)
            counts, version, last_event = (
                table_counts(seeded_store),
                data_version(seeded_store),
                newest_event_id(seeded_store),
            )
            if role in case.allowed:
                case.act(seeded_store, actor, arranged)
                if case.writes_event:
                    assert newest_event_id(seeded_store) > last_event
                    assert newest_event_actor(seeded_store) == actor.id  # type: ignore[union-attr]
            else:
                with pytest.raises(PermissionDenied):
                    case.act(seeded_store, actor, arranged)
                assert table_counts(seeded_store) == counts
                assert data_version(seeded_store) == version


def test_the_table_covers_every_use_case_and_role_of_the_design() -> None:
    assert len(CASES) == 18 and set(ACTORS) == {"rep", "manager", "admin", "nobody"}
    for case in CASES:
        assert "nobody" not in case.allowed


def test_events_name_the_acting_user_not_the_owner_typed_into_the_form(seeded_store: Store) -> None:
    opportunity_id = capture_opportunity(
        seeded_store, MANAGER, new_opportunity(owner_id=OTHER_REP.id), today=SAMPLE_TODAY
    )
    enrich_opportunity(
        seeded_store, MANAGER, opportunity_id, opp_version(seeded_store, opportunity_id), ENRICHMENT
    )
    with seeded_store.read() as session:
        actors = set(
            session.scalars(
                select(Event.actor_id).where(
                    Event.entity_type == "opportunity", Event.entity_id == opportunity_id
                )
            )
        )
    assert opportunity_detail(seeded_store, opportunity_id).owner_id == OTHER_REP.id
    assert actors == {MANAGER.id}


# --- managing users -------------------------------------------------------------------------------


def test_an_admin_adds_a_user_who_can_then_act_in_their_role(seeded_store: Store) -> None:
    nora = add_user(seeded_store, ADMIN, "  Nora Newcomer ", "Nora.Newcomer@Scalewise.example", "rep")

    assert (nora.name, nora.email, nora.role) == (
        "Nora Newcomer",
        "nora.newcomer@scalewise.example",
        Role.REP,
    )
    assert nora in list_users(seeded_store)
    make_order(seeded_store, actor=nora)
    assert newest_event_actor(seeded_store) == nora.id


@pytest.mark.parametrize(
    ("name", "email", "role", "field"),
    [
        ("", "someone@scalewise.example", "rep", "name"),
        ("Someone", "not-an-email", "rep", "email"),
        ("Someone", "", "rep", "email"),
        ("Someone", "DANIEL.OKAFOR@scalewise.example", "rep", "email"),  # taken, whatever the case
        ("Someone", "someone@scalewise.example", "superuser", "role"),
        ("Some\x00one", "someone@scalewise.example", "rep", "name"),
        ("x" * 201, "someone@scalewise.example", "rep", "name"),
        ("Someone", "someone@scalewise.example", None, "role"),
    ],
)
def test_a_bad_new_user_is_refused_naming_the_field_and_nothing_changes(
    seeded_store: Store, name: str, email: str, role: str, field: str
) -> None:
    counts, version = table_counts(seeded_store), data_version(seeded_store)
    with pytest.raises(ValidationError) as refused:
        add_user(seeded_store, ADMIN, name, email, role)
    assert refused.value.field == field and str(refused.value).startswith(field.capitalize())
    assert table_counts(seeded_store) == counts and data_version(seeded_store) == version


def test_changing_a_role_and_deactivating_write_events_and_take_effect(seeded_store: Store) -> None:
    promoted = change_role(seeded_store, ADMIN, OTHER_REP.id, "manager")
    deactivate_user(seeded_store, ADMIN, REP.id)

    assert promoted.role == Role.MANAGER
    rows = {u["id"]: u for u in all_users(seeded_store)}
    assert rows[OTHER_REP.id]["role"] == "manager" and rows[REP.id]["active"] is False
    assert REP.id not in {u.id for u in list_users(seeded_store)}
    with seeded_store.read() as session:
        events = session.execute(
            select(Event.action, Event.entity_id, Event.actor_id, Event.from_state, Event.to_state)
            .where(Event.entity_type == "user")
            .order_by(Event.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("change_role", OTHER_REP.id, ADMIN.id, "rep", "manager"),
        ("deactivate", REP.id, ADMIN.id, "active", "inactive"),
    ]


def test_the_last_active_admin_cannot_be_demoted_or_deactivated_and_nobody_deactivates_themselves(
    seeded_store: Store,
) -> None:
    version = data_version(seeded_store)
    with pytest.raises(ValidationError, match="last active admin"):
        change_role(seeded_store, ADMIN, ADMIN.id, "rep")
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        deactivate_user(seeded_store, ADMIN, ADMIN.id)
    assert data_version(seeded_store) == version

    other = add_user(seeded_store, ADMIN, "Second Admin", "second.admin@scalewise.example", "admin")
    change_role(seeded_store, other, ADMIN.id, "rep")  # allowed: another admin remains

    with pytest.raises(ValidationError, match="last active admin"):
        change_role(seeded_store, other, other.id, "manager")


def test_managing_an_unknown_user_says_so(seeded_store: Store) -> None:
    with pytest.raises(NotFound):
        change_role(seeded_store, ADMIN, 9999, "rep")
    with pytest.raises(ValidationError, match=r"^User: "):
        deactivate_user(seeded_store, ADMIN, "abc")
    with seeded_store.read() as session:
        assert session.get(User, 9999) is None
