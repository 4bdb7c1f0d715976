"""The order-transition benchmark runs end to end on tiny data (its numbers are for bench/, not tests)."""

from __future__ import annotations

from bench.core import REGISTRY, Options
from bench.orders import NAME


def test_the_order_transition_bench_takes_orders_to_delivered_on_tiny_data() -> None:
    result = REGISTRY[NAME](Options(repeat=1, size="tiny"))

    assert result.unit == "transitions/s"
    assert len(result.seconds) == 1 and result.seconds[0] > 0
    assert "entered → delivered" in result.note
