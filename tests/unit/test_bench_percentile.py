"""The many-sessions bench reports percentiles of rerun times: pinned on small lists."""

from __future__ import annotations

import pytest

from bench.sessions import percentile


def test_the_95th_percentile_interpolates_between_the_closest_ranks() -> None:
    times = [float(t) for t in range(1, 21)]  # 1 … 20
    assert percentile(times, 95) == pytest.approx(19.05)
    assert percentile(times, 50) == pytest.approx(10.5)


def test_the_order_of_the_values_does_not_matter() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_the_ends_are_the_smallest_and_the_largest_value() -> None:
    assert percentile([0.2, 0.9, 0.4], 0) == 0.2
    assert percentile([0.2, 0.9, 0.4], 100) == 0.9


def test_one_value_is_every_percentile() -> None:
    assert percentile([0.31], 95) == 0.31


def test_no_values_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 95)
