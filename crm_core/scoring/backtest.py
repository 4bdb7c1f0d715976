"""Does history agree? Back-test a weight set on closed deals, and suggest better weights.

- AUC is the Mann–Whitney statistic: the chance that a won deal scores above a lost one,
  ties counting half — computed from average ranks.
- Deciles split the scored closed deals by V, best first (decile 1 = the top 10 %); deals
  with equal V are split by id so every decile has its share.
- `suggest_weights` searches every point of the weight simplex on a grid (1,771 points at step
  0.05). It fits on the older closed deals and judges on the newest ones (`closed_at`), the
  hold-out: the point with the best AUC on the older deals is suggested, and its AUC on the
  hold-out is set against the baseline's on the same deals. Choosing on the hold-out itself
  would make its AUC an optimistic, not an honest, estimate. Equal AUCs go to the point closest
  to the baseline, then the first in grid order: the same data always gives the same answer.
"""

from __future__ import annotations

import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS, SCALE_FACTORS, Stage
from crm_core.scoring.frame import (
    SCORE_DECIMALS,
    ids_in_order,
    is_scored,
    rank_expr,
    require_factors,
    value_and_potential,
)
from crm_core.scoring.weights import DEFAULT_BANT, DEFAULT_WEIGHTS, BantWeights, Weights

CLOSED = (Stage.WON.value, Stage.LOST.value)
CHUNK_CELLS = 2_000_000  # grid points × deals scored at once (bounds memory on big histories)


@dataclass(frozen=True)
class Backtest:
    auc: float  # of V
    priority_auc: float  # of V·P/10, the ranking the list uses
    top_decile_lift: float  # win rate of the top 10 % by V ÷ overall win rate
    win_rate: float
    win_rate_by_decile: pl.DataFrame  # decile (1 = best), deals, won, win_rate, lift
    n_won: int
    n_lost: int


@dataclass(frozen=True)
class Suggestion:
    weights: Weights
    train_auc: float
    holdout_auc: float
    baseline: Weights
    baseline_train_auc: float
    baseline_holdout_auc: float
    n_train: int
    n_holdout: int
    points: int  # grid points searched

    @property
    def improves(self) -> bool:
        """Whether the suggestion beats the baseline on the newest (hold-out) deals."""
        return self.holdout_auc > self.baseline_holdout_auc


def _closed_scored(frame: pl.DataFrame | pl.LazyFrame, columns: list[str]) -> pl.DataFrame:
    if "stage" not in frame.collect_schema():
        raise ValidationError("stage", "missing column (needed to tell won from lost deals)")
    closed = frame.filter(pl.col("stage").is_in(CLOSED) & is_scored()).select(columns)
    closed = closed.collect() if isinstance(closed, pl.LazyFrame) else closed
    n_won = int(closed.select((pl.col("stage") == Stage.WON.value).sum()).item())
    n_lost = closed.height - n_won
    if n_won == 0 or n_lost == 0:
        raise ValidationError(
            "stage",
            f"a back-test needs at least one won and one lost scored deal; found {n_won:,} won "
            f"and {n_lost:,} lost",
        )
    return closed


def auc(frame: pl.DataFrame, score_col: str, won: pl.Expr) -> float:
    """Mann–Whitney AUC of a score column against a boolean outcome, from ranks with ties averaged.

    Computed per distinct score: the deals sharing a score share the average of their ranks, so the
    won deals' rank sum is Σ won·(rows below + (rows at this score + 1)/2). One group-by over the
    distinct scores instead of ranking every row (several times faster on half-point scores)."""
    groups = (
        frame.group_by(score_col)
        .agg(won.sum().cast(pl.Float64).alias("won"), pl.len().cast(pl.Float64).alias("rows"))
        .sort(score_col)
    )
    average_rank = pl.col("rows").cum_sum() - pl.col("rows") + (pl.col("rows") + 1) / 2
    n1 = pl.col("won").sum()
    n0 = pl.col("rows").sum() - n1
    u = (pl.col("won") * average_rank).sum() - n1 * (n1 + 1) / 2
    return float(groups.select(u / (n1 * n0)).item())


def backtest(
    frame: pl.DataFrame | pl.LazyFrame, weights: Weights, bant: BantWeights = DEFAULT_BANT
) -> Backtest:
    """How well `weights` separate won from lost among the scored closed deals."""
    closed = _closed_scored(frame, ["id", "stage", *FACTORS])
    require_factors(closed, FACTORS)
    scored = value_and_potential(closed, weights, bant)
    won = pl.col("stage") == Stage.WON.value
    summary = scored.select(won.sum().alias("n_won"), won.mean().alias("win_rate")).row(0, named=True)
    n = scored.height
    position = rank_expr("value", ids_in_order=ids_in_order(scored)).cast(pl.Int64) - 1  # ties by id
    deciles = (
        scored.with_columns((position * 10 // n + 1).cast(pl.Int32).alias("decile"))
        .group_by("decile")
        .agg(pl.len().alias("deals"), won.sum().alias("won"), pl.col("value").min().alias("min_value"))
        .sort("decile")
        .with_columns((pl.col("won") / pl.col("deals")).alias("win_rate"))
        .with_columns((pl.col("win_rate") / summary["win_rate"]).alias("lift"))
    )
    return Backtest(
        auc=auc(scored, "value", won),
        priority_auc=auc(scored, "priority", won),
        top_decile_lift=float(deciles["lift"][0]),
        win_rate=float(summary["win_rate"]),
        win_rate_by_decile=deciles,
        n_won=int(summary["n_won"]),
        n_lost=n - int(summary["n_won"]),
    )


def simplex_grid(step: float) -> np.ndarray:
    """Every weight vector with 4 non-negative multiples of `step` adding up to 1, as integer counts.

    Returns an (n_points × 4) int array of counts out of K = 1/step (divide by K for weights)."""
    if isinstance(step, bool) or not isinstance(step, int | float) or not 0 < step <= 0.5:
        raise ValidationError("step", f"must be a number above 0 and at most 0.5, got {step!r}")
    k = round(1 / step)
    if not math.isclose(k * step, 1.0, rel_tol=1e-9, abs_tol=1e-9):
        raise ValidationError("step", f"1 must be a whole number of steps; {step} is not (try 0.05)")
    if k > 100:
        raise ValidationError("step", "must be at least 0.01 (finer grids take too long)")
    counts = [c for c in itertools.product(range(k + 1), repeat=3) if sum(c) <= k]
    grid = np.array([(*c, k - sum(c)) for c in counts], dtype=np.int64)
    return grid


def _auc_rows(scores: np.ndarray, won: np.ndarray) -> np.ndarray:
    """AUC of every row of `scores` (points × deals): won scores counted against sorted lost scores."""
    m = scores.shape[0]
    win = np.sort(scores[:, won], axis=1)
    lose = np.sort(scores[:, ~won], axis=1)
    n1, n0 = win.shape[1], lose.shape[1]
    # Lay the rows end to end on one axis (each row shifted past the previous) and search once.
    span = float(np.ceil(max(scores.max(), 0.0) - min(scores.min(), 0.0))) + 1.0
    offset = (np.arange(m, dtype=np.float64) * span)[:, None]
    flat_lose = (lose + offset).ravel()
    flat_win = (win + offset).ravel()
    base = (np.arange(m) * n0)[:, None]
    below = np.searchsorted(flat_lose, flat_win, "left").reshape(m, n1) - base
    at_or_below = np.searchsorted(flat_lose, flat_win, "right").reshape(m, n1) - base
    return (below.sum(axis=1) + 0.5 * (at_or_below - below).sum(axis=1)) / (n1 * n0)


def _auc_counted(keys: np.ndarray, won: np.ndarray, bins: int) -> np.ndarray:
    """AUC per row of small non-negative integer scores, by counting won and lost deals per score."""
    m = keys.shape[0]
    offset = (np.arange(m, dtype=np.int64) * bins)[:, None]
    wins = np.bincount((keys[:, won] + offset).ravel(), minlength=m * bins).reshape(m, bins)
    losses = np.bincount((keys[:, ~won] + offset).ravel(), minlength=m * bins).reshape(m, bins)
    lost_below = np.cumsum(losses, axis=1) - losses
    n1, n0 = int(won.sum()), int((~won).sum())
    return (wins * (lost_below + 0.5 * losses)).sum(axis=1) / (n1 * n0)


def _discrete_scale(factors: np.ndarray) -> int | None:
    """The smallest D (1, 2, 4, 10, 100) that makes every factor × D a whole number, if any."""
    for scale in (1, 2, 4, 10, 100):
        scaled = factors * scale
        if np.all(np.abs(scaled - np.rint(scaled)) < 1e-9):
            return scale
    return None


def grid_auc(grid: np.ndarray, factors: np.ndarray, won: np.ndarray) -> np.ndarray:
    """AUC of V for each grid point (rows of integer counts) over deals (factors: deals × 4).

    Factors on a coarse scale (whole, half, tenth points...) give whole-number scores, counted
    per score in O(deals) per point; any others are ranked by sorting. Both count ties as half."""
    n = factors.shape[0]
    k = int(grid[0].sum())
    scale = _discrete_scale(factors)
    bins = 10 * k * scale + 1 if scale else 0
    rows_per_chunk = max(1, CHUNK_CELLS // max(n, bins, 1))
    chunks = [grid[i : i + rows_per_chunk] for i in range(0, len(grid), rows_per_chunk)]
    whole = np.rint(factors * scale).astype(np.int64).T.copy() if scale else None

    def one(chunk: np.ndarray) -> np.ndarray:
        if whole is not None:
            return _auc_counted(chunk @ whole, won, bins)
        # Integer counts × factors, rounded: equal scores tie exactly however they were summed.
        return _auc_rows(np.round(chunk.astype(np.float64) @ factors.T, SCORE_DECIMALS - 2), won)

    workers = min(len(chunks), os.cpu_count() or 1, 4)
    if workers <= 1:
        return np.concatenate([one(c) for c in chunks])
    with ThreadPoolExecutor(workers) as pool:  # numpy's sorts and bincounts release the GIL
        return np.concatenate(list(pool.map(one, chunks)))


def suggest_weights(
    frame: pl.DataFrame | pl.LazyFrame,
    step: float = 0.05,
    holdout: float = 0.3,
    baseline: Weights = DEFAULT_WEIGHTS,
) -> Suggestion:
    """The grid point with the best AUC on the older closed deals, judged on the newest ones."""
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or not 0 < holdout < 1:
        raise ValidationError("holdout", f"must be a share between 0 and 1, got {holdout!r}")
    if "closed_at" not in frame.collect_schema():
        raise ValidationError("closed_at", "missing column (needed to hold out the newest deals)")
    grid = simplex_grid(step)
    closed = _closed_scored(frame, ["id", "stage", "closed_at", *SCALE_FACTORS])
    require_factors(closed, SCALE_FACTORS)
    closed = closed.sort("closed_at", "id", nulls_last=False)  # unknown close times count as oldest
    n_hold = round(closed.height * holdout)
    train, hold = closed.head(closed.height - n_hold), closed.tail(n_hold)
    for part, name in ((train, "older"), (hold, "newest (hold-out)")):
        n_won = int((part["stage"] == Stage.WON.value).sum())
        if n_won == 0 or n_won == part.height:
            raise ValidationError(
                "holdout",
                f"the {name} closed deals need at least one won and one lost; found {n_won:,} won "
                f"of {part.height:,} — more closed deals or another hold-out share will fix it",
            )
    train_x = train.select(SCALE_FACTORS).to_numpy().astype(np.float64)
    train_won = (train["stage"] == Stage.WON.value).to_numpy()
    aucs = grid_auc(grid, train_x, train_won)

    k = int(grid[0].sum())
    base = np.array(baseline.normalized().as_tuple())
    distance = np.round(np.abs(grid / k - base).sum(axis=1), 9)
    best_auc = aucs.max()
    candidates = np.flatnonzero(np.isclose(aucs, best_auc, rtol=0, atol=1e-12))
    best = int(candidates[np.lexsort((candidates, distance[candidates]))[0]])
    chosen = Weights(*(float(c) / k for c in grid[best]))

    hold_x = hold.select(SCALE_FACTORS).to_numpy().astype(np.float64)
    hold_won = (hold["stage"] == Stage.WON.value).to_numpy()
    pair = np.vstack([grid[best].astype(np.float64), base * k])  # both as counts out of k
    hold_auc = _auc_rows(np.round(pair @ hold_x.T, SCORE_DECIMALS - 2), hold_won)
    base_train = _auc_rows(np.round(pair[1:] @ train_x.T, SCORE_DECIMALS - 2), train_won)
    return Suggestion(
        weights=chosen,
        train_auc=float(aucs[best]),
        holdout_auc=float(hold_auc[0]),
        baseline=baseline,
        baseline_train_auc=float(base_train[0]),
        baseline_holdout_auc=float(hold_auc[1]),
        n_train=train.height,
        n_holdout=hold.height,
        points=len(grid),
    )
