"""The workshop tools: back-test, suggested weights, rank shift, Kendall's tau and sensitivity."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS, SCALE_FACTORS
from crm_core.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    backtest,
    count_inversions,
    kendall_tau,
    rank_shift,
    score,
    sensitivity,
    simplex_grid,
    suggest_weights,
)
from crm_core.scoring.backtest import grid_auc

TRUE_WEIGHTS = (0.45, 0.10, 0.30, 0.15)


def closed_deals(n: int, *, seed: int = 1, true: tuple = TRUE_WEIGHTS, steps: int = 2) -> pl.DataFrame:
    """Closed deals whose outcome follows a logistic model of V under `true` weights.

    Factors are whole multiples of 1/steps on 0–10; closing times spread over a year."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 10 * steps + 1, (n, 8)) / steps
    value = x[:, :4] @ (np.array(true) / sum(true))
    won = rng.random(n) < 1 / (1 + np.exp(-1.2 * (value - 5)))
    start = datetime(2025, 1, 1)
    return pl.DataFrame(
        {
            "id": np.arange(1, n + 1),
            **{f: x[:, i] for i, f in enumerate(FACTORS)},
            "stage": np.where(won, "won", "lost"),
            "closed_at": [start + timedelta(minutes=int(m)) for m in rng.integers(0, 525_600, n)],
        }
    )


def brute_force_auc(scores: list[float], won: list[bool]) -> float:
    pairs = [
        (w, lo)
        for w, y1 in zip(scores, won, strict=True)
        if y1
        for lo, y0 in zip(scores, won, strict=True)
        if not y0
    ]
    return sum(1.0 if w > lo else 0.5 if w == lo else 0.0 for w, lo in pairs) / len(pairs)


# --- back-test -----------------------------------------------------------------------------------


def test_back_test_auc_matches_counting_every_won_lost_pair() -> None:
    deals = closed_deals(300, seed=3)
    result = backtest(deals, DEFAULT_WEIGHTS)
    values = score(deals, DEFAULT_WEIGHTS)
    expected = brute_force_auc(values["value"].to_list(), (values["stage"] == "won").to_list())
    assert result.auc == pytest.approx(expected, abs=1e-12)
    assert result.n_won + result.n_lost == 300
    assert result.n_won == int((deals["stage"] == "won").sum())


def test_back_test_counts_ties_as_half() -> None:
    deals = pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            **{f: [5.0, 5.0, 5.0, 1.0] for f in FACTORS},
            "stage": ["won", "lost", "won", "lost"],
        }
    )
    # won 5 vs lost 5: a tie (½) twice; won 5 vs lost 1: a win twice → (1 + 2) / 4
    assert backtest(deals, DEFAULT_WEIGHTS).auc == pytest.approx(0.75)


def test_win_rate_by_decile_puts_the_best_scores_first_and_lift_compares_with_the_average() -> None:
    result = backtest(closed_deals(2_000, seed=5), DEFAULT_WEIGHTS)
    deciles = result.win_rate_by_decile
    assert deciles["decile"].to_list() == list(range(1, 11))
    assert deciles["deals"].sum() == 2_000
    assert deciles["min_value"].is_sorted(descending=True)
    assert deciles["win_rate"][0] > deciles["win_rate"][-1]
    assert result.top_decile_lift == pytest.approx(deciles["win_rate"][0] / result.win_rate)


def test_open_and_unscored_deals_are_left_out_of_the_back_test() -> None:
    deals = closed_deals(200).with_columns(
        pl.when(pl.col("id") <= 10).then(pl.lit("qualified")).otherwise("stage").alias("stage"),
        pl.when(pl.col("id").is_between(11, 15)).then(None).otherwise(pl.col("need")).alias("need"),
    )
    result = backtest(deals, DEFAULT_WEIGHTS)
    assert result.n_won + result.n_lost == 185


def test_a_back_test_without_both_outcomes_says_what_is_missing() -> None:
    deals = closed_deals(50).with_columns(stage=pl.lit("won"))
    with pytest.raises(ValidationError, match=r"at least one won and one lost.*50 won and 0 lost"):
        backtest(deals, DEFAULT_WEIGHTS)
    with pytest.raises(ValidationError, match="Stage: missing column"):
        backtest(deals.drop("stage"), DEFAULT_WEIGHTS)


# --- suggested weights -----------------------------------------------------------------------------


def test_the_simplex_grid_at_five_percent_has_1771_points_summing_to_one() -> None:
    grid = simplex_grid(0.05)
    assert grid.shape == (1771, 4)
    assert (grid.sum(axis=1) == 20).all()
    assert len({tuple(row) for row in grid}) == 1771
    assert simplex_grid(0.25).shape == (35, 4)


@pytest.mark.parametrize("step", [0, -0.1, 0.03, 0.6, 0.001, "0.05"])
def test_a_step_that_does_not_divide_one_is_refused(step: object) -> None:
    with pytest.raises(ValidationError, match="Step"):
        simplex_grid(step)  # type: ignore[arg-type]


def test_suggest_weights_recovers_the_weights_the_outcomes_follow() -> None:
    suggestion = suggest_weights(closed_deals(20_000, seed=11))
    for found, true in zip(suggestion.weights.as_tuple(), TRUE_WEIGHTS, strict=True):
        assert abs(found - true) <= 0.1
    assert suggestion.points == 1771
    assert suggestion.holdout_auc > suggestion.baseline_holdout_auc
    assert suggestion.improves


def test_suggest_weights_is_deterministic_whatever_the_row_order() -> None:
    deals = closed_deals(3_000, seed=2)
    first = suggest_weights(deals)
    again = suggest_weights(deals.sample(fraction=1.0, shuffle=True, seed=9))
    assert first == again


def test_suggest_weights_holds_out_the_newest_closed_deals() -> None:
    deals = closed_deals(1_000, seed=4)
    suggestion = suggest_weights(deals, holdout=0.25)
    assert (suggestion.n_train, suggestion.n_holdout) == (750, 250)
    newest = deals.sort("closed_at").tail(250)
    expected = backtest(newest, suggestion.weights).auc
    assert suggestion.holdout_auc == pytest.approx(expected, abs=1e-12)
    assert suggestion.baseline_holdout_auc == pytest.approx(backtest(newest, DEFAULT_WEIGHTS).auc, abs=1e-12)


def test_equal_aucs_go_to_the_point_closest_to_the_baseline() -> None:
    # Every factor but segmentation is the same for all deals, so every grid point with some
    # segmentation weight ranks the deals alike: they all tie, and the baseline itself wins.
    deals = closed_deals(400, seed=6).with_columns(pl.lit(5.0).alias(f) for f in SCALE_FACTORS[1:])
    baseline = Weights(0.25, 0.25, 0.25, 0.25)
    suggestion = suggest_weights(deals, step=0.25, baseline=baseline)
    assert suggestion.weights == baseline


def test_grid_auc_counts_and_sorts_alike_and_both_match_brute_force() -> None:
    rng = np.random.default_rng(8)
    grid = simplex_grid(0.25)
    halves = rng.integers(0, 21, (60, 4)) / 2
    won = rng.random(60) < 0.5
    counted = grid_auc(grid, halves, won)  # half points: the counting path
    jittered = grid_auc(grid, halves + 1e-7 * np.arange(4), won)  # not on a coarse scale: the sorting path
    for i, point in enumerate(grid):
        expected = brute_force_auc(list(np.round(halves @ point, 9)), list(won))
        assert counted[i] == pytest.approx(expected, abs=1e-12)
    assert np.allclose(counted, jittered, atol=0.05)
    continuous = rng.random((60, 4)) * 10
    sorted_path = grid_auc(grid, continuous, won)
    for i, point in enumerate(grid):
        assert sorted_path[i] == pytest.approx(
            brute_force_auc(list(continuous @ point), list(won)), abs=1e-12
        )


def test_bad_hold_out_shares_and_too_few_closed_deals_are_refused() -> None:
    with pytest.raises(ValidationError, match="Holdout must be"):
        suggest_weights(closed_deals(100), holdout=1.0)
    with pytest.raises(ValidationError, match="closed_at"):
        suggest_weights(closed_deals(100).drop("closed_at"))
    few = closed_deals(100).with_columns(
        pl.when(pl.col("closed_at") >= pl.col("closed_at").quantile(0.5))
        .then(pl.lit("won"))
        .otherwise("stage")
        .alias("stage")
    )
    with pytest.raises(ValidationError, match="newest"):
        suggest_weights(few)


# --- rank shift and Kendall's tau ---------------------------------------------------------------------


def four_deals() -> pl.DataFrame:
    """Deals whose order depends on the weights: 1 is strong on segmentation, 2 on relationship."""
    rows = [
        {"segmentation": 10, "relationship_level": 0},
        {"segmentation": 0, "relationship_level": 10},
        {"segmentation": 5, "relationship_level": 5},
        {"segmentation": 1, "relationship_level": 1},
    ]
    data = [
        {"id": i + 1, **dict.fromkeys(FACTORS, 5.0), **{k: float(v) for k, v in r.items()}}
        for i, r in enumerate(rows)
    ]
    return pl.DataFrame(data)


def test_rank_shift_names_who_entered_and_left_the_top_n_and_how_far_each_moved() -> None:
    segmentation_first = Weights(1, 0, 0, 0)  # ids in rank order: 1, 3, 4, 2
    relationship_first = Weights(0, 0, 1, 0)  # ids in rank order: 2, 3, 4, 1
    shift = rank_shift(four_deals(), segmentation_first, relationship_first, top_n=2)
    assert shift.entered == [2]
    assert shift.left == [1]
    moves = {row["id"]: row for row in shift.moves.iter_rows(named=True)}
    assert (moves[1]["rank_a"], moves[1]["rank_b"], moves[1]["delta"]) == (1, 4, -3)
    assert (moves[2]["rank_a"], moves[2]["rank_b"], moves[2]["delta"]) == (4, 1, 3)
    assert shift.moves["rank_b"].to_list() == [1, 2, 3, 4]
    # In a's order (1, 3, 4, 2) the ranks under b are 4, 2, 3, 1: 5 of the 6 pairs are swapped.
    assert shift.kendall_tau == pytest.approx(1 - 2 * 5 / 6)


def test_the_same_weights_shift_nothing() -> None:
    shift = rank_shift(four_deals(), DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, top_n=2)
    assert shift.entered == shift.left == []
    assert shift.kendall_tau == pytest.approx(1.0)
    assert (shift.moves["delta"] == 0).all()


def test_rank_shift_refuses_a_top_n_below_one() -> None:
    with pytest.raises(ValidationError, match="top_n"):
        rank_shift(four_deals(), DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, top_n=0)


@settings(max_examples=80, deadline=None)
@given(st.permutations(list(range(1, 41))).flatmap(lambda p: st.just(p[: len(p) // 2 + 1])))
def test_inversions_are_counted_like_checking_every_pair(values: list[int]) -> None:
    expected = sum(1 for i, j in itertools.combinations(range(len(values)), 2) if values[i] > values[j])
    assert count_inversions(np.array(values)) == expected


def test_kendall_tau_is_one_for_the_same_order_and_minus_one_reversed() -> None:
    ranks = np.arange(1, 1001)
    assert kendall_tau(ranks, ranks) == pytest.approx(1.0)
    assert kendall_tau(ranks, ranks[::-1].copy()) == pytest.approx(-1.0)
    assert kendall_tau(np.array([1]), np.array([1])) is None


# --- sensitivity ------------------------------------------------------------------------------------


def top_set(frame: pl.DataFrame, weights: Weights, n: int) -> set[int]:
    return set(score(frame, weights).filter(pl.col("rank") <= n)["id"].to_list())


def test_sensitivity_finds_where_a_crafted_top_one_changes_hands() -> None:
    # Weights (0.6, 0, 0.4, 0): deal 1 (segmentation 10) leads with V = 6 over deal 3 (5) and deal 2 (4).
    # Segmentation down to 0.4 or relationship up to 0.6 lets deals 2 and 3 catch up: 0.2 either way.
    weights = Weights(0.6, 0, 0.4, 0)
    result = {row["factor"]: row for row in sensitivity(four_deals(), weights, top_n=1).iter_rows(named=True)}
    assert result["segmentation"]["down"] == pytest.approx(0.2)
    assert result["segmentation"]["up"] is None  # more segmentation only helps the leader
    assert result["relationship_level"]["up"] == pytest.approx(0.2)
    assert result["relationship_level"]["down"] is None
    assert result["segmentation"]["low"] == pytest.approx(0.4)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_top_n_holds_just_inside_the_sensitivity_range_and_changes_just_outside(seed: int) -> None:
    deals = closed_deals(300, seed=seed, steps=10)
    weights = Weights(0.3, 0.2, 0.3, 0.2)
    before = top_set(deals, weights, 10)
    for row in sensitivity(deals, weights, top_n=10).iter_rows(named=True):
        i = SCALE_FACTORS.index(row["factor"])
        for direction, sign in (("up", 1), ("down", -1)):
            move = row[direction]
            if move is None:
                continue
            for step, same in ((move * 0.99, True), (move * 1.01 + 1e-9, False)):
                moved = list(weights.as_tuple())
                moved[i] = max(0.0, moved[i] + sign * step)
                assert (top_set(deals, Weights(*moved), 10) == before) is same, (row["factor"], direction)
