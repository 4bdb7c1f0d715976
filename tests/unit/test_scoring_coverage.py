"""What the ranking and the back-test are based on: a deal is scored by its scores, never its stage."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from crm_core.opportunities import FACTORS
from crm_core.scoring import scoring_coverage


def deals(*rows: tuple[str, float | None]) -> pl.LazyFrame:
    """(stage, the score every factor gets — None: no scores, as an imported deal)"""
    return pl.LazyFrame(
        [{"stage": stage, **dict.fromkeys(FACTORS, score)} for stage, score in rows],
        schema={"stage": pl.String, **dict.fromkeys(FACTORS, pl.Float64)},
    )


def test_imported_won_and_lost_deals_without_scores_are_closed_and_not_scored() -> None:
    got = scoring_coverage(
        deals(("won", None), ("lost", None), ("won", 7.0), ("qualified", 5.0), ("captured", None))
    ).collect()
    expected = pl.DataFrame(
        {"open_scored": [1], "open_not_scored": [1], "closed_scored": [1], "closed_not_scored": [2]}
    )
    assert_frame_equal(got, expected)


def test_one_missing_factor_leaves_a_deal_not_scored() -> None:
    one_missing = deals(("lost", 6.0)).with_columns(pl.lit(None, dtype=pl.Float64).alias(FACTORS[0]))
    got = scoring_coverage(one_missing).collect()
    assert got.row(0, named=True) == {
        "open_scored": 0,
        "open_not_scored": 0,
        "closed_scored": 0,
        "closed_not_scored": 1,
    }
