"""Scoring whole frames: value V, potential P, priority, quadrant and rank, as Polars expressions.

Decisions:
- V = Σ wᵢ·xᵢ over the SCALE factors and P = Σ bᵢ·xᵢ over the BANT factors, both with
  normalised weights, so both are on 0–10. Priority = V·P/10, also on 0–10.
- V and P are rounded to 10 decimals so that deals whose factors give the same score tie
  exactly (float sums in a different order would otherwise split ties and nudge an AUC).
- A row with any of the eight factors missing is *not yet scored*: its V/P are null where
  their own factors are missing, priority and rank are null and its quadrant says so. Such
  rows stay in the frame (never dropped); `unscored_count` reports them.
- Rank 1 is the highest priority; equal priorities are ranked by id (lower id first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import polars as pl

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS, SCALE_FACTORS, Stage
from crm_core.scoring.weights import (
    DEFAULT_BANT,
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    BantWeights,
    Thresholds,
    Weights,
)

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

QUADRANTS: tuple[str, ...] = ("pursue", "nurture", "quick win", "disqualify")
NOT_SCORED = "not yet scored"
QUADRANT_HELP: dict[str, str] = {
    "pursue": "high value, high potential: work these first",
    "nurture": "high value, low potential for now: keep the relationship warm",
    "quick win": "lower value but ready to buy: close quickly and cheaply",
    "disqualify": "low value, low potential: spend no more time",
}
SCORE_DECIMALS = 10


def require_factors(frame: pl.DataFrame | pl.LazyFrame, factors: Iterable[str]) -> None:
    """Raise a ValidationError naming missing, non-numeric or out-of-range (0–10) factor columns.

    A LazyFrame is checked by collecting one small aggregate (its plan runs once for that)."""
    factors = list(factors)
    schema = frame.collect_schema()
    missing = [c for c in ("id", *factors) if c not in schema]
    if missing:
        raise ValidationError(", ".join(missing), f"missing column{'s' if len(missing) > 1 else ''}")
    not_numeric = [c for c in factors if not schema[c].is_numeric()]
    if not_numeric:
        raise ValidationError(", ".join(not_numeric), "factor scores must be numbers from 0 to 10")
    outside = frame.select(
        (pl.col(c).is_not_null() & ~pl.col(c).cast(pl.Float64).is_between(0, 10)).sum().alias(c)
        for c in factors
    )
    counts = (outside.collect() if isinstance(outside, pl.LazyFrame) else outside).row(0, named=True)
    bad = {c: n for c, n in counts.items() if n}
    if bad:
        detail = "; ".join(f"{c}: {n:,} value{'s' if n > 1 else ''}" for c, n in bad.items())
        raise ValidationError(", ".join(bad), f"factor scores must be from 0 to 10 ({detail} outside)")


def weighted_sum(weights: Weights | BantWeights) -> pl.Expr:
    """Σ wᵢ·colᵢ with normalised weights (null if any of its factors is null)."""
    normal = weights.normalized().as_dict()
    terms = [pl.col(name).cast(pl.Float64) * w for name, w in normal.items()]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total.round(SCORE_DECIMALS)


def rank_expr(priority: str = "priority", *, ids_in_order: bool = False) -> pl.Expr:
    """1 = highest priority, ties by lower id; null where the priority is null.

    Ordinal ranks number ties in row order. When the rows are already in id order that is the
    answer (`ids_in_order`, one single-key sort); otherwise the rank is taken inside a window
    ordered by id. Both avoid a two-key sort, several times slower at a million rows."""
    ordinal = pl.col(priority).rank("ordinal", descending=True)
    return (ordinal if ids_in_order else ordinal.over(order_by="id")).cast(pl.UInt32)


def ids_in_order(frame: pl.DataFrame | pl.LazyFrame) -> bool:
    """Whether an eager frame's rows are in increasing id order (a cheap check; lazy frames: unknown)."""
    return isinstance(frame, pl.DataFrame) and frame.get_column("id").is_sorted()


def quadrant_expr(thresholds: Thresholds) -> pl.Expr:
    high_v = pl.col("value") >= thresholds.value
    high_p = pl.col("potential") >= thresholds.potential
    return (
        pl.when(pl.col("priority").is_null())
        .then(pl.lit(NOT_SCORED))
        .when(high_v & high_p)
        .then(pl.lit("pursue"))
        .when(high_v)
        .then(pl.lit("nurture"))
        .when(high_p)
        .then(pl.lit("quick win"))
        .otherwise(pl.lit("disqualify"))
    )


def score(
    frame: FrameT,
    weights: Weights,
    bant: BantWeights = DEFAULT_BANT,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> FrameT:
    """Add `value`, `potential`, `priority`, `quadrant` and `rank` (see the module's decisions)."""
    require_factors(frame, FACTORS)
    scored = value_and_potential(frame, weights, bant)
    return scored.with_columns(
        quadrant_expr(thresholds).alias("quadrant"),
        rank_expr(ids_in_order=ids_in_order(frame)).alias("rank"),
    )


def value_and_potential(frame: FrameT, weights: Weights, bant: BantWeights = DEFAULT_BANT) -> FrameT:
    """Add `value`, `potential` and `priority` only (no checks, no quadrant or rank): the cheap part."""
    return frame.with_columns(
        weighted_sum(weights).alias("value"), weighted_sum(bant).alias("potential")
    ).with_columns((pl.col("value") * pl.col("potential") / 10).alias("priority"))


def score_one(
    scores: Mapping[str, float | None],
    weights: Weights = DEFAULT_WEIGHTS,
    bant: BantWeights = DEFAULT_BANT,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, Any]:
    """Value, potential, priority and quadrant of one set of factor scores, by the same expressions
    as whole frames (a missing factor gives quadrant NOT_SCORED and null numbers)."""
    row = pl.DataFrame(
        {"id": [0], **{f: [scores.get(f)] for f in FACTORS}},
        schema={"id": pl.Int64, **dict.fromkeys(FACTORS, pl.Float64)},
    )
    result = score(row, weights, bant, thresholds).row(0, named=True)
    return {k: result[k] for k in ("value", "potential", "priority", "quadrant")}


def is_scored() -> pl.Expr:
    """True where all eight factors are present (the row can be ranked)."""
    return pl.all_horizontal(pl.col(f).is_not_null() for f in FACTORS)


def unscored_count(frame: pl.DataFrame) -> int:
    """How many rows have a factor missing (kept in every result, never ranked)."""
    return int(frame.select((~is_scored()).sum()).item())


def scoring_coverage(frame: pl.LazyFrame) -> pl.LazyFrame:
    """One row: open and closed (won or lost) opportunities with all eight factor scores and
    without — what the ranking and the back-test are based on, and what they leave out. Whether a
    deal is scored depends on its scores only, never on its stage."""
    closed = pl.col("stage").is_in([Stage.WON.value, Stage.LOST.value])
    scored = is_scored()
    return frame.select(
        (~closed & scored).sum().cast(pl.Int64).alias("open_scored"),
        (~closed & ~scored).sum().cast(pl.Int64).alias("open_not_scored"),
        (closed & scored).sum().cast(pl.Int64).alias("closed_scored"),
        (closed & ~scored).sum().cast(pl.Int64).alias("closed_not_scored"),
    )


def contributions(frame: FrameT, weights: Weights) -> FrameT:
    """Per row: `id`, each SCALE factor's share wᵢ·xᵢ of V (normalised weights) and `value` itself.

    The four contributions add up to `value`."""
    require_factors(frame, SCALE_FACTORS)
    normal = weights.normalized().as_dict()
    return frame.select(
        "id",
        *(
            (pl.col(name).cast(pl.Float64) * w).round(SCORE_DECIMALS).alias(name)
            for name, w in normal.items()
        ),
        weighted_sum(weights).alias("value"),
    )
