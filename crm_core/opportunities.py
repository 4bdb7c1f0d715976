"""Opportunity stages, what each step requires, and the rules for turning a won one into an order
(docs/architecture.md §1.2). Pure: no database, no Streamlit.

The life of an opportunity is `captured → enriched → qualified → scheduled → won | lost`. Each step
is an `OpportunityAction` that moves it one stage on, and each needs its fields (`STAGE_REQUIREMENTS`;
the validators are in `crm_core.opportunity_fields`). `target_stage` refuses a move the stage table
does not allow with `InvalidTransition`, saying which step comes first. Won and lost are final; a
won opportunity can be converted into orders (`check_conversion`).

Decisions where the contract is silent:
- Each step happens once, in order; correcting enrichment or scores after the step is not offered.
- The deal itself can be changed after capture (`check_edit`, `check_reassign`). While it is open,
  its owner or a manager edits the expected amount, expected close date, product, quantity and
  contact (`OPEN_EDITABLE`), and a manager reassigns it to another rep or manager. Won and lost
  stay final: no edit changes the stage, so nothing reopens a deal silently. A manager may correct
  a closed deal's amount and close date — the day it was won or lost, which the reports count it
  in (`CLOSED_CORRECTABLE`) — but not its product, quantity or contact (a won deal's order was made
  from them) nor its owner (whoever closed it keeps the credit). Reps do not change closed deals.
- Value, potential and the quadrant of an opportunity come from `crm_core.scoring` (one formula
  for the whole product).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from crm_core.errors import InvalidTransition


class Stage(StrEnum):
    CAPTURED = "captured"
    ENRICHED = "enriched"
    QUALIFIED = "qualified"
    SCHEDULED = "scheduled"
    WON = "won"
    LOST = "lost"


OPEN_STAGES: tuple[Stage, ...] = (Stage.CAPTURED, Stage.ENRICHED, Stage.QUALIFIED, Stage.SCHEDULED)
CLOSED_STAGES: tuple[Stage, ...] = (Stage.WON, Stage.LOST)

# The one table of allowed stage moves: forward one step, `lost` from every open stage,
# `won` only once a meeting or demo has been scheduled. Won and lost are final.
STAGE_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.CAPTURED: frozenset({Stage.ENRICHED, Stage.LOST}),
    Stage.ENRICHED: frozenset({Stage.QUALIFIED, Stage.LOST}),
    Stage.QUALIFIED: frozenset({Stage.SCHEDULED, Stage.LOST}),
    Stage.SCHEDULED: frozenset({Stage.WON, Stage.LOST}),
    Stage.WON: frozenset(),
    Stage.LOST: frozenset(),
}

# Default probability that an open opportunity in a stage closes as won (weighted pipeline).
DEFAULT_STAGE_PROBABILITY: dict[Stage, float] = {
    Stage.CAPTURED: 0.10,
    Stage.ENRICHED: 0.25,
    Stage.QUALIFIED: 0.50,
    Stage.SCHEDULED: 0.70,
}

SCALE_FACTORS: tuple[str, ...] = (
    "segmentation",
    "customer_characteristics",
    "relationship_level",
    "account_resource",
)
BANT_FACTORS: tuple[str, ...] = ("budget", "authority", "need", "timing")
FACTORS: tuple[str, ...] = SCALE_FACTORS + BANT_FACTORS
FACTOR_LABELS: dict[str, str] = {
    "segmentation": "Segmentation",
    "customer_characteristics": "Customer operating characteristics",
    "relationship_level": "Level of relationship",
    "account_resource": "Account management resource",
    "budget": "Budget",
    "authority": "Authority",
    "need": "Need",
    "timing": "Timing",
}
FACTOR_HELP: dict[str, str] = {
    "segmentation": "How well the company fits the segments we serve best (industry, size, region).",
    "customer_characteristics": "How healthy and easy to serve the company is: growth, payment record.",
    "relationship_level": "How well we know them: 0 a cold lead, 10 a long-standing, trusted account.",
    "account_resource": "How much of our sales and service time this account can get.",
    "budget": "Is money set aside for this? 0 none, 10 approved and sufficient.",
    "authority": "Are we talking to the person who signs? 0 no access, 10 the decision maker.",
    "need": "How pressing is the problem we solve? 0 nice to have, 10 urgent.",
    "timing": "How soon will they buy? 0 no date, 10 this month.",
}


class OpportunityAction(StrEnum):
    CAPTURE = "capture"
    ENRICH = "enrich"
    QUALIFY = "qualify"
    SCHEDULE = "schedule"
    WIN = "win"
    LOSE = "lose"
    CONVERT = "convert"


# The stage each step leads to (capture creates, convert keeps the opportunity won).
ACTION_TARGETS: dict[OpportunityAction, Stage] = {
    OpportunityAction.ENRICH: Stage.ENRICHED,
    OpportunityAction.QUALIFY: Stage.QUALIFIED,
    OpportunityAction.SCHEDULE: Stage.SCHEDULED,
    OpportunityAction.WIN: Stage.WON,
    OpportunityAction.LOSE: Stage.LOST,
}
_VERBS: dict[OpportunityAction, str] = {
    OpportunityAction.ENRICH: "enrich",
    OpportunityAction.QUALIFY: "score",
    OpportunityAction.SCHEDULE: "schedule a meeting for",
    OpportunityAction.WIN: "mark as won",
    OpportunityAction.LOSE: "mark as lost",
    OpportunityAction.CONVERT: "create an order from",
}
# What reaching each stage needs, in words a sales manager reads.
STAGE_REQUIREMENTS: dict[Stage, str] = {
    Stage.CAPTURED: "company, contact name, email and product interest",
    Stage.ENRICHED: "industry, company size, need, budget, decision maker and timing",
    Stage.QUALIFIED: "the eight factor scores, each 0–10",
    Stage.SCHEDULED: "a call, meeting or demo booked in the future",
    Stage.WON: "a scheduled call, meeting or demo",
    Stage.LOST: "a reason",
}


def as_stage(value: Any) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidTransition(f"'{str(value)[:40]}' is not an opportunity stage.") from None


def _forward_action(stage: Stage) -> OpportunityAction | None:
    return next(
        (a for a, t in ACTION_TARGETS.items() if a is not OpportunityAction.LOSE and t in STAGE_MOVES[stage]),
        None,
    )


def next_actions(stage: Any) -> tuple[OpportunityAction, ...]:
    """The steps a person can take next from this stage, main step first (what the page offers)."""
    stage = as_stage(stage)
    if stage is Stage.WON:
        return (OpportunityAction.CONVERT,)
    forward = _forward_action(stage)
    return (forward, OpportunityAction.LOSE) if forward else ()


def target_stage(stage: Any, action: OpportunityAction) -> Stage:
    """The stage `action` leads to from `stage`, or InvalidTransition saying what has to come first."""
    stage = as_stage(stage)
    action = OpportunityAction(action)
    if action is OpportunityAction.CONVERT:
        if stage is not Stage.WON:
            raise InvalidTransition(f"Only a won opportunity can become an order; this one is {stage}.")
        return Stage.WON
    if action is OpportunityAction.CAPTURE:
        raise InvalidTransition("This opportunity has already been captured.")
    target = ACTION_TARGETS[action]
    if target in STAGE_MOVES[stage]:
        return target
    verb = _VERBS[action]
    if stage in CLOSED_STAGES:
        raise InvalidTransition(f"Cannot {verb} this opportunity: it is {stage}, and won and lost are final.")
    order = list(Stage)
    if order.index(target) <= order.index(stage):
        raise InvalidTransition(f"Cannot {verb} this opportunity: it is already {stage}.")
    first = _forward_action(stage)
    assert first is not None  # every open stage has a forward step
    needs = STAGE_REQUIREMENTS[ACTION_TARGETS[first]]
    raise InvalidTransition(
        f"Cannot {verb} an opportunity that is {stage}: {_VERBS[first]} it first ({needs})."
    )


# --- conversion into an order -------------------------------------------------------------------


def check_conversion(stage: Any, existing_orders: Sequence[str], *, another_order: bool) -> None:
    """A won opportunity becomes an order; a second one only when asked for explicitly."""
    target_stage(stage, OpportunityAction.CONVERT)
    if existing_orders and not another_order:
        numbers = ", ".join(existing_orders)
        raise InvalidTransition(
            f"An order already exists for this opportunity: {numbers}. "
            "Tick 'Another order' to create one more."
        )


# --- changes after capture -----------------------------------------------------------------------

# Events of changes that are not steps: they keep the stage (from and to are the same stage).
EDIT_EVENT = "edit"
REASSIGN_EVENT = "reassign"


class DealField(StrEnum):
    """The fields of a deal that can change after capture, named as the edit form labels them."""

    AMOUNT = "expected amount"
    CLOSE_DATE = "expected close date"
    CLOSED_ON = "close date"  # of a won or lost deal: the day it closed
    PRODUCT = "product"
    QUANTITY = "quantity"
    CONTACT_NAME = "contact name"
    EMAIL = "email"
    PHONE = "phone"
    TITLE = "title"  # follows the product when it was the generated "Company — Product"
    OWNER = "owner"


OPEN_EDITABLE: tuple[DealField, ...] = (
    DealField.AMOUNT,
    DealField.CLOSE_DATE,
    DealField.PRODUCT,
    DealField.QUANTITY,
    DealField.CONTACT_NAME,
    DealField.EMAIL,
    DealField.PHONE,
)
CLOSED_CORRECTABLE: tuple[DealField, ...] = (DealField.AMOUNT, DealField.CLOSED_ON)


def editable_fields(stage: Any) -> tuple[DealField, ...]:
    """What an edit may change at this stage (who may edit is the services' business)."""
    return CLOSED_CORRECTABLE if as_stage(stage) in CLOSED_STAGES else OPEN_EDITABLE


def check_edit(stage: Any, changed: Iterable[DealField]) -> None:
    """Refuse changing a field this stage keeps: a won or lost deal only has its amount and close
    date corrected. The title is derived from the product, so it follows wherever that may change."""
    stage = as_stage(stage)
    allowed = {*editable_fields(stage), DealField.TITLE}
    kept = [DealField(f).value for f in changed if f not in allowed]
    if kept:
        named = kept[0] if len(kept) == 1 else f"{', '.join(kept[:-1])} or {kept[-1]}"
        raise InvalidTransition(
            f"This opportunity is {stage}: only its amount and close date can be corrected, "
            f"not its {named}. Won and lost are final."
        )


def check_reassign(stages: Mapping[int, Any]) -> None:
    """Only open deals change hands (opportunity id → stage): whoever won or lost a deal keeps it,
    and the credit. Names the closed ones so they can be left out."""
    closed = [i for i, stage in stages.items() if as_stage(stage) in CLOSED_STAGES]
    if not closed:
        return
    if len(closed) == 1:
        which = f"Opportunity #{closed[0]} is"
    else:
        more = f" and {len(closed) - 10} more" if len(closed) > 10 else ""
        which = f"Opportunities {', '.join(f'#{i}' for i in closed[:10])}{more} are"
    raise InvalidTransition(
        f"{which} won or lost: a closed deal keeps the owner who closed it. Reassign open ones only."
    )


def describe_change(field: DealField, before: str, after: str) -> str:
    """One change in words for the history: 'quantity 5 → 6'."""
    return f"{DealField(field).value} {before} → {after}"
