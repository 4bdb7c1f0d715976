"""Turning a won opportunity into an order: when it may, and when a second one needs asking for."""

from __future__ import annotations

import pytest

from crm_core.errors import InvalidTransition
from crm_core.opportunities import OPEN_STAGES, Stage, check_conversion


def test_a_won_opportunity_without_an_order_converts() -> None:
    check_conversion(Stage.WON, [], another_order=False)


@pytest.mark.parametrize("stage", [*OPEN_STAGES, Stage.LOST])
def test_only_a_won_opportunity_becomes_an_order(stage: Stage) -> None:
    with pytest.raises(
        InvalidTransition, match=f"Only a won opportunity can become an order; this one is {stage}"
    ):
        check_conversion(stage, [], another_order=True)


def test_a_second_order_is_refused_naming_the_first() -> None:
    with pytest.raises(InvalidTransition, match="An order already exists for this opportunity: SO-000123"):
        check_conversion(Stage.WON, ["SO-000123"], another_order=False)


def test_a_second_order_is_made_when_asked_for() -> None:
    check_conversion(Stage.WON, ["SO-000123"], another_order=True)
