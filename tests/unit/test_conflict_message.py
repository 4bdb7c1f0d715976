"""A refused stale write says who changed the record, what they did and how long ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_core.conflicts import action_words, ago, last_change_sentence
from crm_core.errors import ConflictError

THEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "said"),
    [
        (timedelta(0), "just now"),
        (timedelta(milliseconds=900), "just now"),
        (timedelta(seconds=-5), "just now"),  # a clock a little behind another
        (timedelta(seconds=1), "1 second ago"),
        (timedelta(seconds=20), "20 seconds ago"),
        (timedelta(seconds=59.9), "59 seconds ago"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=3, seconds=40), "3 minutes ago"),
        (timedelta(hours=2, minutes=59), "2 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=40), "40 days ago"),
    ],
)
def test_how_long_ago_reads_in_whole_units(elapsed: timedelta, said: str) -> None:
    assert ago(THEN, THEN + elapsed) == said


def test_each_kind_of_change_is_said_in_words() -> None:
    assert action_words("order", "record_payment") == "recorded a payment"
    assert action_words("order", "hold") == "put it on hold"
    assert action_words("opportunity", "enrich") == "enriched it"
    assert action_words("opportunity", "convert") == "created an order from it"


def test_a_change_without_words_of_its_own_is_named_as_written() -> None:
    assert action_words("opportunity", "reassign_owner") == "changed it (reassign owner)"


def test_the_sentence_names_the_person_the_change_and_the_time() -> None:
    said = last_change_sentence("Aisha Khan", "order", "record_payment", THEN, THEN + timedelta(seconds=20))
    assert said == "Aisha Khan recorded a payment 20 seconds ago"
    nobody = last_change_sentence(None, "order", "hold", THEN, THEN + timedelta(minutes=5))
    assert nobody == "Someone put it on hold 5 minutes ago"


def test_the_conflict_message_keeps_its_reload_advice_and_adds_who_and_what() -> None:
    told = ConflictError("This order", last_change="Aisha Khan recorded a payment 20 seconds ago")
    assert str(told) == (
        "This order was changed by someone else — reloaded: Aisha Khan recorded a payment "
        "20 seconds ago. Check it and try again."
    )
    assert told.last_change == "Aisha Khan recorded a payment 20 seconds ago"


def test_without_a_known_last_change_the_message_is_the_plain_one() -> None:
    assert str(ConflictError("This order")) == (
        "This order was changed by someone else — reloaded. Check it and try again."
    )
