"""Opportunity stages and the moves between them (DESIGN.md §1.2)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    CAPTURED = "captured"
    ENRICHED = "enriched"
    QUALIFIED = "qualified"
    SCHEDULED = "scheduled"
    WON = "won"
    LOST = "lost"


OPEN_STAGES: tuple[Stage, ...] = (Stage.CAPTURED, Stage.ENRICHED, Stage.QUALIFIED, Stage.SCHEDULED)
CLOSED_STAGES: tuple[Stage, ...] = (Stage.WON, Stage.LOST)

# The one table of allowed stage moves: forward one step, `lost` from every open stage,
# `won` only once a meeting or demo has been scheduled. Won and lost are final.
STAGE_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.CAPTURED: frozenset({Stage.ENRICHED, Stage.LOST}),
    Stage.ENRICHED: frozenset({Stage.QUALIFIED, Stage.LOST}),
    Stage.QUALIFIED: frozenset({Stage.SCHEDULED, Stage.LOST}),
    Stage.SCHEDULED: frozenset({Stage.WON, Stage.LOST}),
    Stage.WON: frozenset(),
    Stage.LOST: frozenset(),
}

# Default probability that an open opportunity in a stage closes as won (weighted pipeline).
DEFAULT_STAGE_PROBABILITY: dict[Stage, float] = {
    Stage.CAPTURED: 0.10,
    Stage.ENRICHED: 0.25,
    Stage.QUALIFIED: 0.50,
    Stage.SCHEDULED: 0.70,
}

SCALE_FACTORS: tuple[str, ...] = (
    "segmentation",
    "customer_characteristics",
    "relationship_level",
    "account_resource",
)
BANT_FACTORS: tuple[str, ...] = ("budget", "authority", "need", "timing")
FACTORS: tuple[str, ...] = SCALE_FACTORS + BANT_FACTORS
