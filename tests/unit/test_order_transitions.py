"""The order state machine: every (status, action) pair against the table, and the messages people read."""

from __future__ import annotations

import pytest

from crm_core.errors import InvalidTransition
from crm_core.orders import (
    ACTION_LABELS,
    TRANSITIONS,
    Action,
    OrderStatus,
    holds_stock,
    next_actions,
    replay,
    transition,
)

S, A = OrderStatus, Action
# Written out by hand from docs/architecture.md §1.4, independently of TRANSITIONS.
ALLOWED: dict[tuple[OrderStatus, Action], OrderStatus] = {
    (S.ENTERED, A.AUDIT): S.AUDITED,
    (S.AUDITED, A.ALLOCATE): S.ALLOCATED,
    (S.ALLOCATED, A.INVOICE): S.INVOICED,
    (S.INVOICED, A.RECORD_PAYMENT): S.PAID,
    (S.PAID, A.SHIP): S.SHIPPED,
    (S.SHIPPED, A.DELIVER): S.DELIVERED,
    **{(s, A.HOLD): S.ON_HOLD for s in (S.ENTERED, S.AUDITED, S.ALLOCATED, S.INVOICED, S.PAID)},
    **{
        (s, A.CANCEL): S.CANCELLED for s in (S.ENTERED, S.AUDITED, S.ALLOCATED, S.INVOICED, S.PAID, S.ON_HOLD)
    },
}
EVERY_PAIR = [(status, action) for status in OrderStatus for action in Action]


@pytest.mark.parametrize(("status", "action"), EVERY_PAIR, ids=[f"{s}-{a}" for s, a in EVERY_PAIR])
def test_every_status_and_action_pair_follows_the_table(status: OrderStatus, action: Action) -> None:
    held_from = S.INVOICED if status == S.ON_HOLD else None
    expected = S.INVOICED if (status, action) == (S.ON_HOLD, A.RESUME) else ALLOWED.get((status, action))

    if expected is None:
        with pytest.raises(InvalidTransition, match="Cannot"):
            transition(status, action, held_from, number="SO-000042")
        assert action not in next_actions(status)
    else:
        assert transition(status, action, held_from) == expected
        assert action in next_actions(status)


def test_the_table_is_exactly_the_designed_one() -> None:
    assert TRANSITIONS == ALLOWED


@pytest.mark.parametrize("held_from", [S.ENTERED, S.AUDITED, S.ALLOCATED, S.INVOICED, S.PAID])
def test_resume_returns_to_the_state_the_hold_came_from(held_from: OrderStatus) -> None:
    held = transition(held_from, A.HOLD)
    assert held == S.ON_HOLD
    assert transition(held, A.RESUME, held_from) == held_from


@pytest.mark.parametrize("held_from", [None, "shipped", "delivered"])
def test_resume_without_a_valid_origin_is_refused(held_from: str | None) -> None:
    with pytest.raises(InvalidTransition, match="which state"):
        transition(S.ON_HOLD, A.RESUME, held_from)


@pytest.mark.parametrize("status", [S.ENTERED, S.AUDITED, S.ALLOCATED, S.INVOICED])
def test_an_unpaid_order_cannot_ship_and_the_message_says_why(status: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as refused:
        transition(status, A.SHIP, number="SO-000123")
    assert str(refused.value) == "Cannot ship order SO-000123: it is not paid yet."


@pytest.mark.parametrize("final", [S.DELIVERED, S.CANCELLED])
@pytest.mark.parametrize("action", list(Action))
def test_final_orders_refuse_every_action(final: OrderStatus, action: Action) -> None:
    with pytest.raises(InvalidTransition, match="is final"):
        transition(final, action, number="SO-000001")
    assert next_actions(final) == ()


def test_messages_name_the_order_and_what_can_happen_instead() -> None:
    with pytest.raises(InvalidTransition, match=r"SO-000007: it is entered\. What can happen next: Audit"):
        transition(S.ENTERED, A.INVOICE, number="SO-000007")
    with pytest.raises(InvalidTransition, match="already shipped"):
        transition(S.SHIPPED, A.CANCEL, number="SO-000007")
    with pytest.raises(InvalidTransition, match=r"on hold\. Resume it first"):
        transition(S.ON_HOLD, A.SHIP, S.PAID)
    with pytest.raises(InvalidTransition, match="has not been invoiced yet"):
        transition(S.ALLOCATED, A.RECORD_PAYMENT)


def test_next_actions_put_the_step_forward_first_and_cancel_last() -> None:
    assert next_actions(S.PAID) == (A.SHIP, A.HOLD, A.CANCEL)
    assert next_actions(S.ON_HOLD) == (A.RESUME, A.CANCEL)
    assert [ACTION_LABELS[a] for a in next_actions(S.SHIPPED)] == ["Mark delivered"]


def test_every_action_has_the_button_label_of_the_design() -> None:
    assert set(ACTION_LABELS.values()) == {
        "Audit",
        "Allocate",
        "Invoice",
        "Record payment",
        "Ship",
        "Mark delivered",
        "Put on hold",
        "Resume",
        "Cancel order",
    }


def test_stock_is_held_from_allocation_until_shipping_including_while_on_hold() -> None:
    assert [s for s in OrderStatus if holds_stock(s)] == [S.ALLOCATED, S.INVOICED, S.PAID]
    assert holds_stock(S.ON_HOLD, S.PAID)
    assert not holds_stock(S.ON_HOLD, S.AUDITED)


def test_replaying_the_actions_of_a_history_gives_its_status() -> None:
    history = ["create", "audit", "allocate", "hold", "resume", "invoice", "update_lines", "record_payment"]
    assert replay(history) == S.PAID
    assert replay(["create", "hold", "cancel"]) == S.CANCELLED
    with pytest.raises(InvalidTransition):
        replay(["create", "ship"])
