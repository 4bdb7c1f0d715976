"""SCALE value, BANT potential and the weight-tuning workshop (docs/architecture.md §1.3).

Frames in, frames out, as Polars expressions (numpy where a matrix is natural); no row loops.
Split by concern: `weights` (weight sets, thresholds), `scenario` (the Scoring page's controls
and their share-link form), `frame` (score, contributions), `backtest` (AUC, deciles, suggested
weights), `compare` (rank shift, Kendall's tau, sensitivity). Import from here.
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
from crm_core.scoring.scenario import (
    TOP_N_CHOICES,
    LinkProblem,
    OpenedLink,
    Scenario,
    link_params,
    link_query,
    on_grid,
    open_link,
    team_scenario,
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
    "TOP_N_CHOICES",
    "Backtest",
    "BantWeights",
    "LinkProblem",
    "OpenedLink",
    "RankShift",
    "Scenario",
    "Suggestion",
    "Thresholds",
    "Weights",
    "backtest",
    "contributions",
    "count_inversions",
    "format_weights",
    "is_scored",
    "kendall_tau",
    "link_params",
    "link_query",
    "on_grid",
    "open_link",
    "parse_weights",
    "rank_shift",
    "score",
    "score_one",
    "scoring_coverage",
    "sensitivity",
    "shift_between",
    "simplex_grid",
    "suggest_weights",
    "team_scenario",
    "unscored_count",
]
