"""The opportunity stage machine: every step from every stage, table-driven."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.errors import InvalidTransition
from crm_core.opportunities import (
    CLOSED_STAGES,
    OPEN_STAGES,
    STAGE_MOVES,
    OpportunityAction,
    Stage,
    next_actions,
    target_stage,
)

A = OpportunityAction
MOVES = [A.ENRICH, A.QUALIFY, A.SCHEDULE, A.WIN, A.LOSE]

# (stage, action) → the stage it leads to; every pair missing here is refused.
ALLOWED: dict[tuple[Stage, OpportunityAction], Stage] = {
    (Stage.CAPTURED, A.ENRICH): Stage.ENRICHED,
    (Stage.ENRICHED, A.QUALIFY): Stage.QUALIFIED,
    (Stage.QUALIFIED, A.SCHEDULE): Stage.SCHEDULED,
    (Stage.SCHEDULED, A.WIN): Stage.WON,
    **{(stage, A.LOSE): Stage.LOST for stage in OPEN_STAGES},
    (Stage.WON, A.CONVERT): Stage.WON,
}
EVERY_PAIR = [(stage, action) for stage in Stage for action in [*MOVES, A.CONVERT]]


@pytest.mark.parametrize(("stage", "action"), [p for p in EVERY_PAIR if p in ALLOWED])
def test_an_allowed_step_leads_to_its_stage(stage: Stage, action: OpportunityAction) -> None:
    assert target_stage(stage, action) is ALLOWED[(stage, action)]


@pytest.mark.parametrize(("stage", "action"), [p for p in EVERY_PAIR if p not in ALLOWED])
def test_every_other_step_is_refused_with_a_readable_reason(stage: Stage, action: OpportunityAction) -> None:
    with pytest.raises(InvalidTransition) as caught:
        target_stage(stage, action)
    assert str(stage) in str(caught.value)


@pytest.mark.parametrize(
    ("stage", "action", "says"),
    [
        (Stage.CAPTURED, A.QUALIFY, "enrich it first (industry, company size, need, budget"),
        (Stage.CAPTURED, A.WIN, "enrich it first"),
        (Stage.ENRICHED, A.SCHEDULE, "score it first (the eight factor scores"),
        (Stage.QUALIFIED, A.WIN, "schedule a meeting for it first"),
        (Stage.SCHEDULED, A.ENRICH, "it is already scheduled"),
        (Stage.WON, A.LOSE, "won and lost are final"),
        (Stage.LOST, A.ENRICH, "won and lost are final"),
        (Stage.SCHEDULED, A.CONVERT, "Only a won opportunity can become an order"),
    ],
)
def test_a_refusal_says_which_step_or_stage_is_missing(
    stage: Stage, action: OpportunityAction, says: str
) -> None:
    with pytest.raises(InvalidTransition, match=says.replace("(", r"\(")):
        target_stage(stage, action)


def test_lost_is_reachable_from_every_open_stage_and_won_and_lost_are_final() -> None:
    assert all(Stage.LOST in STAGE_MOVES[stage] for stage in OPEN_STAGES)
    assert all(not STAGE_MOVES[stage] for stage in CLOSED_STAGES)


@pytest.mark.parametrize(
    ("stage", "offered"),
    [
        (Stage.CAPTURED, (A.ENRICH, A.LOSE)),
        (Stage.ENRICHED, (A.QUALIFY, A.LOSE)),
        (Stage.QUALIFIED, (A.SCHEDULE, A.LOSE)),
        (Stage.SCHEDULED, (A.WIN, A.LOSE)),
        (Stage.WON, (A.CONVERT,)),
        (Stage.LOST, ()),
    ],
)
def test_the_page_is_offered_only_the_valid_next_steps(stage: Stage, offered: tuple) -> None:
    assert next_actions(stage) == offered


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="not an opportunity stage"):
        next_actions("negotiating")


@given(st.lists(st.sampled_from([*MOVES, A.CONVERT]), max_size=12))
def test_any_sequence_of_steps_only_ever_walks_the_stage_table(actions: list[OpportunityAction]) -> None:
    stage = Stage.CAPTURED
    for action in actions:
        try:
            after = target_stage(stage, action)
        except InvalidTransition:
            assert action not in next_actions(stage)
            continue
        assert action in next_actions(stage)
        assert after == stage or after in STAGE_MOVES[stage]
        stage = after
