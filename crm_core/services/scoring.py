"""Weight presets: save a named weight set, list them, publish one as the team's active weights.

Decisions:
- Names are trimmed, required, at most 100 characters and unique ignoring case ("Q3 push" and
  "q3 push" would confuse a room). Anyone who may save presets (reps too) can save; only a
  manager or admin publishes.
- Exactly one preset is published at a time: publishing locks the preset rows (PostgreSQL) or
  holds SQLite's write lock, unpublishes the others and stamps published_at/published_by.
- `active_weights` is the published preset, else the defaults (0.3, 0.2, 0.3, 0.2 and equal
  BANT). A published preset whose stored weights are no longer valid (say, all zero after an
  import) is skipped, so the app never fails to score.
- A person keeps at most PRESETS_PER_USER (50) presets: the next save is refused with a message
  naming the limit, and nothing is written; deleting one of theirs makes room. Saves by one person
  are serialised (their user row is locked on PostgreSQL; SQLite's write transaction is already
  exclusive), so two tabs saving at once cannot pass the limit. Presets imported or written
  before the limit count towards it but are not removed.
- The author deletes their own presets; a manager or admin deletes anyone's. The published preset
  cannot be deleted (publish another first). Each deletion is an event naming the preset.
- `list_presets` is bounded however many presets exist: the published one, the viewer's own, and
  the newest OTHERS_SHOWN (50) of everyone else's — or those whose name contains a search text —
  with the total, so the page can say how many it did not list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from crm_core import validation
from crm_core.errors import NotFound, PermissionDenied, ValidationError
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.permissions import Actor, Permission, require
from crm_core.scoring import DEFAULT_BANT, DEFAULT_WEIGHTS, BantWeights, Weights
from crm_core.store import Store, UnitOfWork
from crm_core.store import presets as queries
from crm_core.store.models import WeightPreset, utcnow

NAME_MAX = 100
PRESET_NAME = "preset name"  # the field, as the form labels it and messages name it
PRESETS = "presets"  # a person's kept presets, as a whole (the cap)
DEFAULT_NAME = "Default weights"
PRESETS_PER_USER = 50
OTHERS_SHOWN = 50
SEARCH_MAX = 100


@dataclass(frozen=True)
class Preset:
    id: int
    name: str
    weights: Weights
    bant: BantWeights
    author: str | None
    created_at: datetime
    published: bool
    published_at: datetime | None
    published_by: str | None
    author_id: int | None = None


@dataclass(frozen=True)
class PresetChoice:
    """The presets a page offers (published, the viewer's own, the newest others) and how many exist."""

    presets: list[Preset]
    total: int
    mine: int = 0  # how many the viewer keeps (towards PRESETS_PER_USER), whatever the search

    @property
    def not_listed(self) -> int:
        return max(0, self.total - len(self.presets))


@dataclass(frozen=True)
class ActiveWeights:
    """The team's weights: the published preset's, or the defaults (preset None)."""

    weights: Weights
    bant: BantWeights
    preset: Preset | None

    @property
    def name(self) -> str:
        return self.preset.name if self.preset else DEFAULT_NAME


def _clean_name(name: object) -> str:
    if name is not None and not isinstance(name, str):
        raise ValidationError(PRESET_NAME, f"must be text, not {type(name).__name__}")
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError(PRESET_NAME, "is required")
    validation.text(PRESET_NAME, text[:NAME_MAX])  # no control or text-direction characters
    if len(text) > NAME_MAX:
        raise ValidationError(PRESET_NAME, f"is too long ({len(text)} characters; at most {NAME_MAX})")
    return text


def _to_preset(row: WeightPreset, names: dict[int, str]) -> Preset:
    return Preset(
        id=row.id,
        name=row.name,
        weights=Weights(*(getattr(row, f) for f in SCALE_FACTORS)),
        bant=BantWeights(*(getattr(row, f) for f in BANT_FACTORS)),
        author=names.get(row.author_id) if row.author_id else None,
        created_at=row.created_at,
        published=bool(row.published),
        published_at=row.published_at,
        published_by=names.get(row.published_by) if row.published_by else None,
        author_id=row.author_id,
    )


def save_preset(
    store: Store, actor: Actor | None, name: str, weights: Weights, bant: BantWeights = DEFAULT_BANT
) -> Preset:
    """Save a named weight set (unpublished); the name must be new."""
    actor = require(actor, Permission.SAVE_PRESET)
    clean = _clean_name(name)
    if not isinstance(weights, Weights) or not isinstance(bant, BantWeights):
        raise ValidationError("weights", "expected SCALE and BANT weight sets")
    taken = ValidationError(PRESET_NAME, f"a preset called “{clean}” already exists — pick another name")
    with UnitOfWork(store, actor) as uow:
        queries.lock_author(uow.session, actor.id)
        kept = queries.count_by_author(uow.session, actor.id)
        if kept >= PRESETS_PER_USER:
            raise ValidationError(
                PRESETS,
                f"you already keep {kept:,} presets and the limit is {PRESETS_PER_USER} per person — "
                "delete one of yours to save this one",
            )
        if queries.name_taken(uow.session, clean):
            raise taken
        row = WeightPreset(
            name=clean,
            **weights.as_dict(),
            **bant.as_dict(),
            author_id=actor.id,
            created_at=utcnow(),
            published=False,
        )
        uow.add(row)
        try:
            uow.flush()
        except IntegrityError:  # saved by someone else a moment ago
            raise taken from None
        uow.record("preset", row.id, "save", actor.id, note=clean)
        uow.commit()
        preset_id = row.id
    return _get(store, preset_id)


def list_presets(
    store: Store, viewer: Actor | None = None, *, others: int = OTHERS_SHOWN, name_contains: str = ""
) -> PresetChoice:
    """The published preset first, then the viewer's own, then the newest `others` of everyone else's
    (of the unpublished ones, only those whose name contains `name_contains` when it is given)."""
    needle = validation.text("preset search", name_contains, required=False, max_length=SEARCH_MAX) or ""
    with store.read() as session:
        found = queries.visible_rows(
            session, viewer.id if viewer else None, own=PRESETS_PER_USER, others=others, name_contains=needle
        )
        presets = []
        for row in found.rows:
            try:
                presets.append(_to_preset(row, found.names))
            except ValidationError:
                continue  # invalid stored weights (e.g. an import): not offered for loading
        mine = queries.count_by_author(session, viewer.id) if viewer else 0
        return PresetChoice(presets, found.total, mine)


def _get(store: Store, preset_id: int) -> Preset:
    with store.read() as session:
        row = queries.find_preset(session, preset_id)
        if row is None:
            raise NotFound(f"No preset with id {preset_id}.")
        return _to_preset(row, queries.people_names(session, row.author_id, row.published_by))


def publish_preset(store: Store, actor: Actor | None, preset_id: int) -> Preset:
    """Make one preset the team's active weights (managers and admins); the others are unpublished."""
    actor = require(actor, Permission.PUBLISH_WEIGHTS)
    with UnitOfWork(store, actor) as uow:
        queries.lock_all(uow.session)  # first: two managers publishing at once end with one published
        preset = uow.get(WeightPreset, preset_id, what="preset")
        try:
            _to_preset(preset, {})
        except ValidationError as exc:
            raise ValidationError("preset", f"“{preset.name}” has invalid weights ({exc})") from None
        previous = queries.unpublish_others(uow.session, preset_id)
        preset.published = True
        preset.published_at = utcnow()
        preset.published_by = actor.id
        note = preset.name + (f" (replaces {', '.join(previous)})" if previous else "")
        uow.record("preset", preset.id, "publish", actor.id, to_state="published", note=note)
        uow.commit()
    return _get(store, preset_id)


def active_weights(store: Store) -> ActiveWeights:
    """The published preset's weights, else the defaults."""
    with store.read() as session:
        for row in queries.published_newest_first(session):
            try:
                preset = _to_preset(row, queries.people_names(session, row.author_id, row.published_by))
            except ValidationError:
                continue
            return ActiveWeights(preset.weights, preset.bant, preset)
    return ActiveWeights(DEFAULT_WEIGHTS, DEFAULT_BANT, None)


def delete_preset(store: Store, actor: Actor | None, preset_id: int) -> str:
    """Delete a preset: the author their own, a manager or admin anyone's; never the published one.

    Returns the deleted preset's name."""
    actor = require(actor, Permission.SAVE_PRESET)
    with UnitOfWork(store, actor) as uow:
        preset = queries.find_preset(uow.session, preset_id, lock=True)
        if preset is None:
            raise NotFound(f"No preset with id {preset_id} (deleted by someone else?).")
        if preset.author_id != actor.id and not actor.can(Permission.PUBLISH_WEIGHTS):
            raise PermissionDenied(f"{actor.name} ({actor.role.value}) may delete only their own presets.")
        if preset.published:
            raise ValidationError(
                "preset",
                f"“{preset.name}” is the team's active weights — publish another preset before deleting it",
            )
        name = preset.name
        uow.delete(preset)
        uow.record("preset", preset_id, "delete", actor.id, from_state="saved", note=name)
        uow.commit()
    return name
