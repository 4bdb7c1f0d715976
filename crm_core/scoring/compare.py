"""Comparing weight sets: rank shift (who enters and leaves the top N, Kendall's tau) and sensitivity.

Kendall's tau is over every scored row, not just the top N: rankings are permutations (ties
broken by id), so tau = 1 − 4·inversions / (n·(n − 1)); inversions are counted with a
vectorised bottom-up merge (numpy), O(n log² n).

Sensitivity moves one *raw* weight (a slider's value) with the other three held, and finds the
smallest move up and down that changes the top-N set by priority. Because priority
= V·P/10 and V = (A + δ·xᵢ)/(W + δ) share the denominator W + δ > 0, the order of the rows as
δ moves is the order of the straight lines P·(A + δ·xᵢ): the first crossing between a line in
the top N and one outside it is the answer, found exactly (no search over a grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.errors import ValidationError
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.scoring.frame import score
from crm_core.scoring.weights import DEFAULT_BANT, FACTOR_LABELS, BantWeights, Weights

PAIR_CELLS = 4_000_000  # top-N × other rows compared at once in `sensitivity`


@dataclass(frozen=True)
class RankShift:
    kendall_tau: float | None  # None with fewer than two scored rows
    entered: list[int]  # ids in b's top N but not a's, by rank under b
    left: list[int]  # ids in a's top N but not b's, by rank under a
    moves: pl.DataFrame  # id, rank_a, rank_b, delta (= rank_a − rank_b: positive moved up), by rank_b
    top_n: int


def _check_top_n(top_n: int) -> None:
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ValidationError("top_n", f"must be a whole number of at least 1, got {top_n!r}")


def count_inversions(values: np.ndarray) -> int:
    """Pairs i < j with values[i] > values[j], for distinct integers (vectorised merge counting)."""
    n = len(values)
    if n < 2:
        return 0
    size = 1 << (n - 1).bit_length()
    top = int(values.max()) + 1
    arr = np.concatenate([values.astype(np.int64), np.arange(top, top + size - n, dtype=np.int64)])
    span = top + size  # every value is below this, so row offsets keep rows apart
    total = 0
    width = 1
    while width < size:
        blocks = arr.reshape(-1, 2, width)
        rows = blocks.shape[0]
        offset = (np.arange(rows, dtype=np.int64) * span)[:, None]
        left = (blocks[:, 0, :] + offset).ravel()
        right = (blocks[:, 1, :] + offset).ravel()
        not_greater = np.searchsorted(left, right, "right") - np.repeat(np.arange(rows) * width, width)
        total += int((width - not_greater).sum())
        arr = np.sort(blocks.reshape(rows, 2 * width), axis=1).ravel()
        width *= 2
    return total


def kendall_tau(rank_a: np.ndarray, rank_b: np.ndarray) -> float | None:
    """Kendall's tau between two rankings without ties (permutations of the same rows)."""
    n = len(rank_a)
    if n < 2:
        return None
    in_a_order = np.asarray(rank_b)[np.argsort(np.asarray(rank_a), kind="stable")]
    inversions = count_inversions(in_a_order)
    return 1.0 - 4.0 * inversions / (n * (n - 1))


def rank_shift(
    frame: pl.DataFrame | pl.LazyFrame,
    a: Weights,
    b: Weights,
    top_n: int = 20,
    bant: BantWeights = DEFAULT_BANT,
) -> RankShift:
    """How the ranking moves from weights `a` (say, the baseline) to weights `b` (say, the sliders)."""
    _check_top_n(top_n)
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    return shift_between(score(frame, a, bant), score(frame, b, bant), top_n)


def shift_between(scored_a: pl.DataFrame, scored_b: pl.DataFrame, top_n: int = 20) -> RankShift:
    """`rank_shift` for the same rows already scored twice (by `score`, in the same row order)."""
    _check_top_n(top_n)
    ranks_a = scored_a.select("id", pl.col("rank").alias("rank_a"))
    ranks_b = scored_b.select(pl.col("rank").alias("rank_b"))
    moves = (
        pl.concat([ranks_a, ranks_b], how="horizontal")
        .drop_nulls(["rank_a"])
        .with_columns((pl.col("rank_a").cast(pl.Int64) - pl.col("rank_b").cast(pl.Int64)).alias("delta"))
        .sort("rank_b")
    )
    top_a, top_b = pl.col("rank_a") <= top_n, pl.col("rank_b") <= top_n
    entered = moves.filter(top_b & ~top_a)["id"].to_list()
    left = moves.filter(top_a & ~top_b).sort("rank_a")["id"].to_list()
    tau = kendall_tau(moves["rank_a"].to_numpy(), moves["rank_b"].to_numpy())
    return RankShift(kendall_tau=tau, entered=entered, left=left, moves=moves, top_n=top_n)


def _first_crossing(
    a_in: np.ndarray, b_in: np.ndarray, a_out: np.ndarray, b_out: np.ndarray, upward: bool
) -> float | None:
    """The δ closest to 0 (in one direction) where an outside line P·(A + δx) meets one inside."""
    best: float | None = None
    chunk = max(1, PAIR_CELLS // max(len(a_in), 1))
    for start in range(0, len(a_out), chunk):
        ao, bo = a_out[start : start + chunk][None, :], b_out[start : start + chunk][None, :]
        slope = bo - b_in[:, None]
        gains = slope > 0 if upward else slope < 0  # only these can overtake in this direction
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(gains, (a_in[:, None] - ao) / slope, np.nan)
        if np.isnan(delta).all():
            continue
        found = float(np.nanmin(delta) if upward else np.nanmax(delta))
        if best is None or (found < best if upward else found > best):
            best = found
    return best


def sensitivity(
    frame: pl.DataFrame | pl.LazyFrame,
    weights: Weights,
    top_n: int = 20,
    bant: BantWeights = DEFAULT_BANT,
    *,
    scored: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per SCALE weight: how far its raw value can move down / up before the top-N set changes.

    Columns: factor, label, weight, down, up (null: no change in that direction — down to 0, or
    up however far), low = weight − down, high = weight + up. Pass `scored` (this frame already
    scored with these weights) to skip scoring it again."""
    _check_top_n(top_n)
    if scored is None:
        scored = score(frame.collect() if isinstance(frame, pl.LazyFrame) else frame, weights, bant)
    scored = scored.filter(pl.col("rank").is_not_null())
    raw = weights.as_dict()
    total = sum(raw.values())
    x = scored.select(SCALE_FACTORS).to_numpy().astype(np.float64)
    potential = scored.select(BANT_FACTORS).to_numpy().astype(np.float64) @ np.array(
        bant.normalized().as_tuple()
    )
    base = x @ np.array(weights.as_tuple())  # A: the weighted sum before normalising
    inside = (scored["rank"] <= top_n).to_numpy()
    rows = []
    for i, name in enumerate(SCALE_FACTORS):
        a, b = potential * base, potential * x[:, i]
        up = down = None
        if inside.any() and (~inside).any():
            first_up = _first_crossing(a[inside], b[inside], a[~inside], b[~inside], upward=True)
            first_down = _first_crossing(a[inside], b[inside], a[~inside], b[~inside], upward=False)
            up = None if first_up is None else max(first_up, 0.0)
            if first_down is not None:
                floor = -raw[name]
                reachable = first_down > floor or (first_down == floor and total > raw[name])
                down = -min(first_down, 0.0) if reachable else None
        rows.append(
            {
                "factor": name,
                "label": FACTOR_LABELS[name],
                "weight": raw[name],
                "down": down,
                "up": up,
                "low": None if down is None else raw[name] - down,
                "high": None if up is None else raw[name] + up,
            }
        )
    schema = {
        "factor": pl.String,
        "label": pl.String,
        **dict.fromkeys(("weight", "down", "up", "low", "high"), pl.Float64),
    }
    return pl.DataFrame(rows, schema=schema)
