"""What a refused stale write tells the person: who changed the record, what they did, how long ago.

    "Maria Lindqvist recorded a payment 20 seconds ago"

Built from the record's latest event (the store reads it); the words here are pure.
"""

from __future__ import annotations

from datetime import datetime

# The past tense of each event action, as a person says it; "it" is the record in the conflict.
ACTION_WORDS: dict[tuple[str, str], str] = {
    ("order", "create"): "entered it",
    ("order", "audit"): "audited it",
    ("order", "allocate"): "allocated it",
    ("order", "invoice"): "invoiced it",
    ("order", "record_payment"): "recorded a payment",
    ("order", "ship"): "shipped it",
    ("order", "deliver"): "marked it delivered",
    ("order", "hold"): "put it on hold",
    ("order", "resume"): "resumed it",
    ("order", "cancel"): "cancelled it",
    ("order", "update_lines"): "changed its lines",
    ("opportunity", "capture"): "captured it",
    ("opportunity", "enrich"): "enriched it",
    ("opportunity", "qualify"): "scored it",
    ("opportunity", "schedule"): "booked a meeting",
    ("opportunity", "win"): "marked it won",
    ("opportunity", "lose"): "marked it lost",
    ("opportunity", "convert"): "created an order from it",
    ("customer", "create"): "created it",
    ("customer", "update"): "edited it",
    ("customer", "credit_limit"): "raised its credit limit",
    ("customer", "merge"): "merged a duplicate into it",
    ("order", "require_prepayment"): "required prepayment for it",
}
_UNITS = ((86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second"))


def action_words(entity_type: str, action: str) -> str:
    """`recorded a payment`; an action without words of its own is named as written."""
    known = ACTION_WORDS.get((entity_type, action))
    return known if known is not None else f"changed it ({action.replace('_', ' ')})"


def ago(then: datetime, now: datetime) -> str:
    """`20 seconds ago`, `1 minute ago`, `3 days ago`; `just now` under a second (or a clock behind)."""
    seconds = int((now - then).total_seconds())
    for size, unit in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def last_change_sentence(
    actor_name: str | None, entity_type: str, action: str, at: datetime, now: datetime
) -> str:
    """`Maria Lindqvist recorded a payment 20 seconds ago` (`Someone` when no user is on record)."""
    who = actor_name or "Someone"
    return f"{who} {action_words(entity_type, action)} {ago(at, now)}"
