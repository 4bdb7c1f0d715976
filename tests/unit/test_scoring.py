"""The SCALE/BANT scoring formula, its validation, quadrants and ranks (crm_core.scoring.frame, weights)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS
from crm_core.scoring import (
    DEFAULT_WEIGHTS,
    NOT_SCORED,
    BantWeights,
    Thresholds,
    Weights,
    contributions,
    format_weights,
    parse_weights,
    score,
    unscored_count,
)


def make_frame(*rows: dict[str, float | None], **columns: list) -> pl.DataFrame:
    """Opportunities with all eight factors at 5 unless a row says otherwise; ids 1, 2, 3..."""
    data = [{"id": i + 1, **dict.fromkeys(FACTORS, 5.0), **row} for i, row in enumerate(rows)]
    frame = pl.DataFrame(data, schema={"id": pl.Int64, **dict.fromkeys(FACTORS, pl.Float64)})
    return frame.with_columns(**{k: pl.Series(v) for k, v in columns.items()})


def scored_row(frame: pl.DataFrame, row_id: int, **kwargs: object) -> dict:
    return (
        score(frame, kwargs.pop("weights", DEFAULT_WEIGHTS), **kwargs)
        .filter(pl.col("id") == row_id)
        .row(0, named=True)
    )


# --- the formula ---------------------------------------------------------------------------------


def test_value_potential_and_priority_match_a_hand_computed_deal() -> None:
    deal = make_frame(
        {
            "segmentation": 8,
            "customer_characteristics": 6,
            "relationship_level": 4,
            "account_resource": 10,
            "budget": 6,
            "authority": 8,
            "need": 4,
            "timing": 2,
        }
    )
    row = scored_row(deal, 1)
    assert row["value"] == pytest.approx(0.3 * 8 + 0.2 * 6 + 0.3 * 4 + 0.2 * 10)  # 6.8
    assert row["potential"] == pytest.approx((6 + 8 + 4 + 2) / 4)  # 5.0
    assert row["priority"] == pytest.approx(6.8 * 5.0 / 10)
    assert row["quadrant"] == "pursue"
    assert row["rank"] == 1


def test_weights_are_normalised_so_scaling_them_changes_nothing() -> None:
    deals = make_frame({"segmentation": 9, "need": 1}, {"relationship_level": 2, "budget": 10}, {})
    assert_frame_equal(score(deals, Weights(3, 2, 3, 2)), score(deals, DEFAULT_WEIGHTS))
    assert sum(Weights(3, 2, 3, 2).normalized().as_tuple()) == pytest.approx(1)
    assert Weights(3, 2, 3, 2).normalized() == Weights(0.3, 0.2, 0.3, 0.2)


def test_weighted_bant_changes_the_potential() -> None:
    deal = make_frame({"budget": 10, "authority": 0, "need": 0, "timing": 0})
    assert scored_row(deal, 1)["potential"] == pytest.approx(2.5)
    assert scored_row(deal, 1, bant=BantWeights(1, 0, 0, 0))["potential"] == pytest.approx(10)


def test_a_single_nonzero_weight_makes_value_that_factor() -> None:
    deal = make_frame({"relationship_level": 7.5})
    assert scored_row(deal, 1, weights=Weights(0, 0, 0.4, 0))["value"] == pytest.approx(7.5)


def test_ranks_follow_priority_and_equal_priorities_go_to_the_lower_id() -> None:
    deals = make_frame({"segmentation": 4}, {"segmentation": 9}, {"segmentation": 4}, {"segmentation": 9})
    ranked = score(deals, DEFAULT_WEIGHTS).sort("rank")
    assert ranked["id"].to_list() == [2, 4, 1, 3]
    assert ranked["rank"].to_list() == [1, 2, 3, 4]


def test_a_lazy_frame_in_gives_a_lazy_frame_out() -> None:
    deals = make_frame({}, {"need": 9})
    lazy = score(deals.lazy(), DEFAULT_WEIGHTS)
    assert isinstance(lazy, pl.LazyFrame)
    assert_frame_equal(lazy.collect(), score(deals, DEFAULT_WEIGHTS))


def test_integer_factor_columns_are_scored_like_floats() -> None:
    deals = make_frame({"segmentation": 8}).with_columns(pl.col(list(FACTORS)).cast(pl.Int64))
    assert scored_row(deals, 1)["value"] == pytest.approx(0.3 * 8 + 0.7 * 5)


# --- quadrants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_factor", "potential_factor", "quadrant"),
    [
        (5.0, 5.0, "pursue"),  # exactly on both thresholds counts as high
        (5.0, 4.5, "nurture"),
        (4.5, 5.0, "quick win"),
        (4.5, 4.5, "disqualify"),
        (10.0, 0.0, "nurture"),
        (0.0, 10.0, "quick win"),
    ],
)
def test_quadrants_use_at_or_above_the_threshold_as_high(
    value_factor: float, potential_factor: float, quadrant: str
) -> None:
    scale = dict.fromkeys(FACTORS[:4], value_factor)
    bant = dict.fromkeys(FACTORS[4:], potential_factor)
    assert scored_row(make_frame({**scale, **bant}), 1)["quadrant"] == quadrant


def test_custom_thresholds_move_the_quadrant_lines() -> None:
    deal = make_frame(dict.fromkeys(FACTORS, 6.0))
    assert scored_row(deal, 1)["quadrant"] == "pursue"
    assert scored_row(deal, 1, thresholds=Thresholds(value=7, potential=5))["quadrant"] == "quick win"
    assert scored_row(deal, 1, thresholds=Thresholds(value=6, potential=6.5))["quadrant"] == "nurture"


def test_rows_with_a_missing_factor_are_kept_but_not_ranked() -> None:
    deals = make_frame({"segmentation": 9}, {"need": None}, {"segmentation": None, "budget": None})
    result = score(deals, DEFAULT_WEIGHTS).sort("id")
    assert result.height == 3
    assert result["rank"].to_list() == [1, None, None]
    assert result["quadrant"].to_list() == ["pursue", NOT_SCORED, NOT_SCORED]
    assert result["priority"].to_list()[1:] == [None, None]
    assert result["value"][1] is not None  # its SCALE factors are all there
    assert unscored_count(deals) == 2


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ((-0.1, 0.2, 0.3, 0.2), "segmentation", "0 or more"),
        ((0.3, math.nan, 0.3, 0.2), "customer_characteristics", "finite"),
        ((0.3, 0.2, math.inf, 0.2), "relationship_level", "finite"),
        ((0.3, 0.2, 0.3, "a lot"), "account_resource", "number"),
        ((0.3, 0.2, 0.3, True), "account_resource", "number"),
        ((0, 0, 0, 0), "segmentation, customer_characteristics", "above zero"),
    ],
)
def test_bad_weights_are_refused_with_a_message_naming_the_weight(
    values: tuple, field: str, words: str
) -> None:
    with pytest.raises(ValueError, match=words) as caught:
        Weights(*values)
    assert isinstance(caught.value, ValidationError)
    assert field in caught.value.field


def test_bad_bant_weights_and_thresholds_are_refused() -> None:
    with pytest.raises(ValidationError, match="Need: weight"):
        BantWeights(0.25, 0.25, -1, 0.25)
    with pytest.raises(ValidationError, match="0 to 10"):
        Thresholds(value=11)
    with pytest.raises(ValidationError, match="Potential threshold"):
        Thresholds(potential=math.nan)


def test_a_missing_factor_column_is_named() -> None:
    with pytest.raises(ValueError, match="Timing: missing column"):
        score(make_frame({}).drop("timing"), DEFAULT_WEIGHTS)
    with pytest.raises(ValueError, match="id"):
        score(make_frame({}).drop("id"), DEFAULT_WEIGHTS)


def test_factor_values_outside_zero_to_ten_are_counted_per_column() -> None:
    deals = make_frame({"need": 11}, {"need": -1}, {"budget": 10.5}, {"segmentation": math.nan}, {})
    with pytest.raises(ValueError) as caught:
        score(deals, DEFAULT_WEIGHTS)
    message = str(caught.value)
    assert "need: 2 values" in message
    assert "budget: 1 value" in message
    assert "segmentation: 1 value" in message
    assert "timing" not in message


def test_a_text_factor_column_is_refused() -> None:
    deals = make_frame({}).with_columns(pl.col("authority").cast(pl.String))
    with pytest.raises(ValueError, match="Authority: factor scores"):
        score(deals, DEFAULT_WEIGHTS)


# --- share links -----------------------------------------------------------------------------------


def test_share_link_weights_round_trip() -> None:
    assert format_weights(DEFAULT_WEIGHTS) == "0.30,0.20,0.30,0.20"
    assert parse_weights("0.30,0.20,0.30,0.20") == DEFAULT_WEIGHTS
    assert parse_weights(" 1, 0 ,0,0 ") == Weights(1, 0, 0, 0)


@pytest.mark.parametrize("text", ["", "0.3,0.2,0.3", "a,b,c,d", "0,0,0,0", "0.3,0.2,0.3,-1", "nan,1,1,1"])
def test_malformed_share_link_weights_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_weights(text)


# --- contributions ----------------------------------------------------------------------------------


def test_contributions_are_each_weight_times_its_factor() -> None:
    deal = make_frame({"segmentation": 8, "customer_characteristics": 6, "relationship_level": 4})
    row = contributions(deal, Weights(3, 2, 3, 2)).row(0, named=True)
    assert row["segmentation"] == pytest.approx(2.4)
    assert row["customer_characteristics"] == pytest.approx(1.2)
    assert row["relationship_level"] == pytest.approx(1.2)
    assert row["account_resource"] == pytest.approx(1.0)


# --- properties ----------------------------------------------------------------------------------

half_points = st.integers(0, 20).map(lambda v: v / 2)
weight = st.floats(0, 1, allow_nan=False)
weight_sets = st.tuples(weight, weight, weight, weight).filter(lambda w: sum(w) > 0)


@st.composite
def factor_frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 40))
    values = draw(
        st.lists(st.lists(st.one_of(half_points, st.none()), min_size=8, max_size=8), min_size=n, max_size=n)
    )
    ids = draw(st.permutations(list(range(1, n + 1))))
    data = {"id": ids, **{f: [row[i] for row in values] for i, f in enumerate(FACTORS)}}
    return pl.DataFrame(data, schema={"id": pl.Int64, **dict.fromkeys(FACTORS, pl.Float64)})


@settings(max_examples=60, deadline=None)
@given(frame=factor_frames(), raw=weight_sets, bant=weight_sets)
def test_value_potential_and_priority_stay_on_zero_to_ten(
    frame: pl.DataFrame, raw: tuple, bant: tuple
) -> None:
    result = score(frame, Weights(*raw), BantWeights(*bant))
    for column in ("value", "potential", "priority"):
        values = result[column].drop_nulls()
        assert values.is_empty() or (values.min() >= 0 and values.max() <= 10 + 1e-9)


@settings(max_examples=60, deadline=None)
@given(frame=factor_frames(), raw=weight_sets)
def test_ranks_are_a_permutation_of_the_scored_rows(frame: pl.DataFrame, raw: tuple) -> None:
    result = score(frame, Weights(*raw))
    ranks = result["rank"].drop_nulls().sort().to_list()
    assert ranks == list(range(1, frame.height - unscored_count(frame) + 1))
    by_rank = result.drop_nulls("rank").sort("rank")
    assert by_rank["priority"].is_sorted(descending=True)


@settings(max_examples=60, deadline=None)
@given(frame=factor_frames(), raw=weight_sets)
def test_contributions_add_up_to_the_value(frame: pl.DataFrame, raw: tuple) -> None:
    parts = contributions(frame, Weights(*raw)).drop_nulls()
    total = parts.select(pl.sum_horizontal(FACTORS[:4])).to_series().to_numpy()
    assert np.allclose(total, parts["value"].to_numpy(), atol=1e-8)


def test_ranks_do_not_depend_on_the_row_order() -> None:
    deals = make_frame(*({"segmentation": float(i % 3)} for i in range(30)))  # many equal priorities
    in_order = score(deals, DEFAULT_WEIGHTS).select("id", "rank")
    shuffled = score(deals.sample(fraction=1.0, shuffle=True, seed=3), DEFAULT_WEIGHTS).select("id", "rank")
    assert_frame_equal(in_order, shuffled.sort("id"))
    tied = in_order.join(score(deals, DEFAULT_WEIGHTS).select("id", "priority"), on="id").sort("rank")
    assert tied.filter(pl.col("priority") == tied["priority"][0])["id"].is_sorted()
