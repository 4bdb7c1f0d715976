"""Weight presets in the store, on SQLite and PostgreSQL: save, publish, the team's active weights."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_core.errors import NotFound, PermissionDenied, ValidationError
from crm_core.permissions import Actor, Role
from crm_core.scoring import DEFAULT_BANT, DEFAULT_WEIGHTS, BantWeights, Weights
from crm_core.services import (
    PRESETS_PER_USER,
    active_weights,
    delete_preset,
    get_actor,
    list_presets,
    publish_preset,
    save_preset,
)
from crm_core.store import Store, data_version, init_db
from crm_core.store.models import Event, WeightPreset
from crm_core.store.seed import SAMPLE_DIR
from tests.integration.preset_builders import imported_presets

MANAGER_ID, REP_ID = 1, 2  # the sample's first manager and first rep


@pytest.fixture
def manager(seeded_store: Store) -> Actor:
    actor = get_actor(seeded_store, MANAGER_ID)
    assert actor.role is Role.MANAGER
    return actor


@pytest.fixture
def rep(seeded_store: Store) -> Actor:
    actor = get_actor(seeded_store, REP_ID)
    assert actor.role is Role.REP
    return actor


def published_names(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(WeightPreset.name).where(WeightPreset.published.is_(True))))


def preset_events(store: Store) -> list[tuple[str, int, str, int | None]]:
    with store.read() as session:
        rows = session.execute(
            select(Event.action, Event.entity_id, Event.note, Event.actor_id)
            .where(Event.entity_type == "preset")
            .order_by(Event.id)
        )
        return [tuple(r) for r in rows]


def test_a_rep_saves_a_preset_with_author_and_time_and_an_event(seeded_store: Store, rep: Actor) -> None:
    before = data_version(seeded_store)
    preset = save_preset(
        seeded_store, rep, "  Close the quarter  ", Weights(0.5, 0.1, 0.3, 0.1), BantWeights(1, 1, 2, 0)
    )
    assert preset.name == "Close the quarter"
    assert preset.weights == Weights(0.5, 0.1, 0.3, 0.1)
    assert preset.bant == BantWeights(1, 1, 2, 0)
    assert preset.author == rep.name
    assert not preset.published
    assert preset.created_at.tzinfo is not None
    assert ("save", preset.id, "Close the quarter", rep.id) in preset_events(seeded_store)
    assert data_version(seeded_store) > before
    assert "Close the quarter" in [p.name for p in list_presets(seeded_store, rep).presets]


def test_a_preset_name_is_required_short_and_unique(seeded_store: Store, rep: Actor) -> None:
    with pytest.raises(ValidationError, match="name"):
        save_preset(seeded_store, rep, "   ", DEFAULT_WEIGHTS)
    with pytest.raises(ValidationError, match="at most 100"):
        save_preset(seeded_store, rep, "x" * 101, DEFAULT_WEIGHTS)
    save_preset(seeded_store, rep, "x" * 100, DEFAULT_WEIGHTS)
    with pytest.raises(ValidationError, match="already exists"):
        save_preset(seeded_store, rep, "team DEFAULT", DEFAULT_WEIGHTS)  # the sample has "Team default"


def test_saving_without_a_user_is_refused_and_writes_nothing(seeded_store: Store) -> None:
    before = list_presets(seeded_store).total
    with pytest.raises(PermissionDenied, match="Sign in"):
        save_preset(seeded_store, None, "Mine", DEFAULT_WEIGHTS)
    assert list_presets(seeded_store).total == before


def test_the_sample_publishes_the_team_default_and_lists_it_first(seeded_store: Store) -> None:
    presets = list_presets(seeded_store).presets
    assert presets[0].name == "Team default" and presets[0].published
    active = active_weights(seeded_store)
    assert active.name == "Team default"
    assert active.weights == DEFAULT_WEIGHTS


def test_a_manager_publishes_a_preset_and_it_becomes_the_only_active_one(
    seeded_store: Store, manager: Actor, rep: Actor
) -> None:
    mine = save_preset(seeded_store, rep, "Relationships matter", Weights(0.1, 0.1, 0.7, 0.1))
    before = data_version(seeded_store)
    published = publish_preset(seeded_store, manager, mine.id)
    assert published.published and published.published_by == manager.name
    assert published.published_at is not None
    assert published_names(seeded_store) == ["Relationships matter"]
    active = active_weights(seeded_store)
    assert (active.name, active.weights) == ("Relationships matter", Weights(0.1, 0.1, 0.7, 0.1))
    action, entity_id, note, actor_id = preset_events(seeded_store)[-1]
    assert (action, entity_id, actor_id) == ("publish", mine.id, manager.id)
    assert "replaces Team default" in note
    assert data_version(seeded_store) > before


def test_publishing_again_keeps_exactly_one_published(seeded_store: Store, manager: Actor) -> None:
    ids = [p.id for p in list_presets(seeded_store).presets]
    for preset_id in [*ids, ids[0], ids[-1]]:
        publish_preset(seeded_store, manager, preset_id)
        assert len(published_names(seeded_store)) == 1
    with seeded_store.read() as session:
        assert session.scalar(select(func.count()).where(WeightPreset.published.is_(True))) == 1


def test_a_rep_may_not_publish_even_without_the_button(seeded_store: Store, rep: Actor) -> None:
    target = next(p for p in list_presets(seeded_store).presets if not p.published)
    events = len(preset_events(seeded_store))
    with pytest.raises(PermissionDenied, match="may not publish"):
        publish_preset(seeded_store, rep, target.id)
    assert published_names(seeded_store) == ["Team default"]
    assert len(preset_events(seeded_store)) == events


def test_publishing_a_missing_preset_says_so(seeded_store: Store, manager: Actor) -> None:
    with pytest.raises(NotFound, match="preset"):
        publish_preset(seeded_store, manager, 999_999)


def test_without_a_published_preset_the_defaults_are_active(store: Store, tmp_path: Path) -> None:
    for csv in SAMPLE_DIR.glob("*.csv"):  # the sample's tables with their headers and no rows
        (tmp_path / csv.name).write_text(csv.read_text().splitlines()[0] + "\n")
    (tmp_path / "manifest.json").write_text((SAMPLE_DIR / "manifest.json").read_text())
    init_db(store, sample_dir=tmp_path)
    active = active_weights(store)
    assert active.preset is None
    assert (active.weights, active.bant, active.name) == (DEFAULT_WEIGHTS, DEFAULT_BANT, "Default weights")


OTHER_REP_ID = 3


def preset_count(store: Store, author_id: int | None = None) -> int:
    with store.read() as session:
        query = select(func.count()).select_from(WeightPreset)
        if author_id is not None:
            query = query.where(WeightPreset.author_id == author_id)
        return int(session.scalar(query) or 0)


def save_many(store: Store, actor: Actor, count: int, prefix: str = "Idea") -> None:
    for n in range(count):
        save_preset(store, actor, f"{prefix} {n + 1}", Weights(0.1 + n % 5 / 10, 0.2, 0.3, 0.2))


def test_one_person_keeps_at_most_fifty_presets_and_the_next_is_refused_with_nothing_changed(
    seeded_store: Store, rep: Actor
) -> None:
    assert PRESETS_PER_USER == 50
    save_many(seeded_store, rep, 50)
    presets, events, version = (
        preset_count(seeded_store),
        len(preset_events(seeded_store)),
        data_version(seeded_store),
    )

    with pytest.raises(ValidationError, match="you already keep 50 presets and the limit is 50 per person"):
        save_preset(seeded_store, rep, "One more", DEFAULT_WEIGHTS)

    assert (preset_count(seeded_store), len(preset_events(seeded_store)), data_version(seeded_store)) == (
        presets,
        events,
        version,
    )
    assert "One more" not in [
        p.name for p in list_presets(seeded_store, rep, name_contains="one more").presets
    ]
    other = get_actor(seeded_store, OTHER_REP_ID)
    assert save_preset(seeded_store, other, "Someone else's", DEFAULT_WEIGHTS).author == other.name


def test_deleting_one_of_your_presets_makes_room_for_the_next(seeded_store: Store, rep: Actor) -> None:
    save_many(seeded_store, rep, 50)
    oldest = list_presets(seeded_store, rep, name_contains="Idea 1").presets[-1]
    assert oldest.name == "Idea 1"

    assert delete_preset(seeded_store, rep, oldest.id) == "Idea 1"

    assert preset_count(seeded_store, rep.id) == 49
    assert ("delete", oldest.id, "Idea 1", rep.id) in preset_events(seeded_store)
    save_preset(seeded_store, rep, "One more", DEFAULT_WEIGHTS)
    assert preset_count(seeded_store, rep.id) == 50


def test_two_saves_at_once_by_one_person_cannot_pass_the_limit(seeded_store: Store, rep: Actor) -> None:
    save_many(seeded_store, rep, 49)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(name: str) -> None:
        barrier.wait()
        try:
            save_preset(seeded_store, rep, name, DEFAULT_WEIGHTS)
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused" if "limit is 50" in str(exc) else str(exc))

    threads = [threading.Thread(target=save, args=(f"Tab {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert preset_count(seeded_store, rep.id) == 50


def test_a_rep_deletes_only_their_own_presets_and_nobody_deletes_the_published_one(
    seeded_store: Store, manager: Actor, rep: Actor
) -> None:
    theirs = save_preset(seeded_store, get_actor(seeded_store, OTHER_REP_ID), "Not yours", DEFAULT_WEIGHTS)
    team = active_weights(seeded_store).preset
    assert team is not None
    before = preset_count(seeded_store), len(preset_events(seeded_store))

    with pytest.raises(PermissionDenied, match="may delete only their own presets"):
        delete_preset(seeded_store, rep, theirs.id)
    with pytest.raises(ValidationError, match="is the team's active weights — publish another preset"):
        delete_preset(seeded_store, manager, team.id)
    assert (preset_count(seeded_store), len(preset_events(seeded_store))) == before

    assert delete_preset(seeded_store, manager, theirs.id) == "Not yours"
    with pytest.raises(NotFound, match="preset"):
        delete_preset(seeded_store, manager, theirs.id)


def test_the_list_holds_the_published_preset_your_own_and_the_newest_fifty_others(
    seeded_store: Store, rep: Actor
) -> None:
    imported_presets(seeded_store, OTHER_REP_ID, 300)
    save_many(seeded_store, rep, 3, prefix="Mine")

    choice = list_presets(seeded_store, rep)

    names = [p.name for p in choice.presets]
    assert names[:4] == ["Team default", "Mine 3", "Mine 2", "Mine 1"]
    assert names[4:7] == ["Imported 00299", "Imported 00298", "Imported 00297"]
    assert len(names) == 4 + 50
    assert (choice.total, choice.not_listed, choice.mine) == (2 + 300 + 3, 251, 3)
    assert "Relationship first" not in names  # older than the newest fifty of the others
    found = list_presets(seeded_store, rep, name_contains="relationship").presets
    assert [p.name for p in found] == ["Team default", "Relationship first"]
    assert list_presets(seeded_store, rep, name_contains="relationship").mine == 3


def test_a_name_search_is_literal_and_its_length_is_checked(seeded_store: Store, rep: Actor) -> None:
    save_preset(seeded_store, rep, "100% relationship_first", DEFAULT_WEIGHTS)
    other = get_actor(seeded_store, OTHER_REP_ID)
    save_preset(seeded_store, other, "1000 relationshipXfirst", DEFAULT_WEIGHTS)
    found = list_presets(seeded_store, other, name_contains="0% relationship_")
    assert [p.name for p in found.presets] == ["Team default", "100% relationship_first"]
    with pytest.raises(ValidationError, match=r"^Preset search is too long \(101 characters; at most 100\)$"):
        list_presets(seeded_store, rep, name_contains="x" * 101)
