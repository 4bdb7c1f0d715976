"""The interim value/potential/quadrant expressions (DESIGN.md §1.3 with the default weights)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS, NOT_SCORED, value_potential, value_potential_exprs


def scores(*rows: tuple[float | None, ...]) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(FACTORS, r, strict=True)) for r in rows], schema=dict.fromkeys(FACTORS, pl.Float64)
    )


def test_value_potential_quadrant_and_priority_by_hand() -> None:
    frame = scores(
        (10, 0, 10, 0, 8, 8, 8, 8),  # V = 0.3·10 + 0.3·10 = 6, P = 8 → pursue
        (10, 0, 10, 0, 2, 2, 2, 2),  # V = 6, P = 2 → nurture
        (0, 10, 0, 10, 5, 5, 5, 5),  # V = 0.2·10 + 0.2·10 = 4, P = 5 (at the threshold) → quick win
        (1, 1, 1, 1, 1, 1, 1, 1),  # disqualify
        (5, 5, 5, None, 5, 5, 5, 5),  # a factor missing → not scored
    )
    expected = pl.DataFrame(
        {
            "value": [6.0, 6.0, 4.0, 1.0, None],
            "potential": [8.0, 2.0, 5.0, 1.0, None],
            "quadrant": ["pursue", "nurture", "quick win", "disqualify", NOT_SCORED],
            "priority": [4.8, 1.2, 2.0, 0.1, None],
        }
    )
    assert_frame_equal(frame.select(value_potential_exprs()), expected, abs_tol=1e-9)


def test_weights_are_normalised_before_use() -> None:
    frame = scores((10, 0, 0, 0, 10, 10, 0, 0))
    row = frame.select(value_potential_exprs((2, 0, 0, 2), (1, 1, 1, 1))).row(0, named=True)
    assert row["value"] == pytest.approx(5.0)
    assert row["potential"] == pytest.approx(5.0)


def test_one_set_of_scores_uses_the_same_expressions() -> None:
    result = value_potential(dict(zip(FACTORS, (10, 0, 10, 0, 8, 8, 8, 8), strict=True)))
    assert result["quadrant"] == "pursue"
    assert result["value"] == pytest.approx(6.0)


@pytest.mark.parametrize("weights", [(0, 0, 0, 0), (1, -1, 1, 1), (1, 1, 1)])
def test_weights_that_cannot_be_normalised_are_refused(weights: tuple) -> None:
    with pytest.raises(ValidationError, match="weights"):
        value_potential_exprs(weights)
