"""One opportunity's value, potential and quadrant come from the same formula as whole frames."""

from __future__ import annotations

import pytest

from crm_core.opportunities import FACTORS
from crm_core.scoring import NOT_SCORED, BantWeights, Weights, score_one


def scores(*values: float | None) -> dict[str, float | None]:
    return dict(zip(FACTORS, values, strict=True))


@pytest.mark.parametrize(
    ("values", "value", "potential", "quadrant", "priority"),
    [
        ((10, 0, 10, 0, 8, 8, 8, 8), 6.0, 8.0, "pursue", 4.8),  # V = 0.3·10 + 0.3·10
        ((10, 0, 10, 0, 2, 2, 2, 2), 6.0, 2.0, "nurture", 1.2),
        ((0, 10, 0, 10, 5, 5, 5, 5), 4.0, 5.0, "quick win", 2.0),  # P at the threshold counts as high
        ((1, 1, 1, 1, 1, 1, 1, 1), 1.0, 1.0, "disqualify", 0.1),
    ],
)
def test_one_opportunity_by_hand(
    values: tuple, value: float, potential: float, quadrant: str, priority: float
) -> None:
    result = score_one(scores(*values))
    assert result["value"] == pytest.approx(value)
    assert result["potential"] == pytest.approx(potential)
    assert result["quadrant"] == quadrant
    assert result["priority"] == pytest.approx(priority)


def test_a_missing_factor_is_not_yet_scored() -> None:
    result = score_one(scores(5, 5, 5, None, 5, 5, 5, 5))
    assert result["quadrant"] == NOT_SCORED
    assert result["value"] is None or result["priority"] is None


def test_the_teams_weights_are_used_when_given() -> None:
    result = score_one(scores(10, 0, 0, 0, 10, 10, 0, 0), Weights(2, 0, 0, 2), BantWeights(1, 1, 1, 1))
    assert result["value"] == pytest.approx(5.0)
    assert result["potential"] == pytest.approx(5.0)
