"""SCALE value, BANT potential and the weight-tuning workshop (DESIGN.md §1.3).

Frames in, frames out, as Polars expressions (numpy where a matrix is natural); no row loops.
Split by concern: `weights` (weight sets, thresholds, share-link form), `frame` (score,
contributions), `backtest` (AUC, deciles, suggested weights), `compare` (rank shift, Kendall's
tau, sensitivity). Import from here.
"""

from crm_core.scoring.backtest import Backtest, Suggestion, backtest, simplex_grid, suggest_weights
from crm_core.scoring.compare import (
    RankShift,
    count_inversions,
    kendall_tau,
    rank_shift,
    sensitivity,
    shift_between,
)
from crm_core.scoring.frame import (
    NOT_SCORED,
    QUADRANT_HELP,
    QUADRANTS,
    contributions,
    is_scored,
    score,
    score_one,
    scoring_coverage,
    unscored_count,
)
from crm_core.scoring.weights import (
    DEFAULT_BANT,
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    FACTOR_LABELS,
    BantWeights,
    Thresholds,
    Weights,
    format_weights,
    parse_weights,
)

__all__ = [
    "DEFAULT_BANT",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_WEIGHTS",
    "FACTOR_LABELS",
    "NOT_SCORED",
    "QUADRANTS",
    "QUADRANT_HELP",
    "Backtest",
    "BantWeights",
    "RankShift",
    "Suggestion",
    "Thresholds",
    "Weights",
    "backtest",
    "contributions",
    "count_inversions",
    "format_weights",
    "is_scored",
    "kendall_tau",
    "parse_weights",
    "rank_shift",
    "score",
    "score_one",
    "scoring_coverage",
    "sensitivity",
    "shift_between",
    "simplex_grid",
    "suggest_weights",
    "unscored_count",
]
