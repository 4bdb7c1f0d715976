"""Seeding moves the sample in time; invoice numbers are re-sequenced and their events follow."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from crm_core.store.seed import load_sample
from tests.conftest import SAMPLE_TODAY


def test_after_a_shift_across_new_year_invoice_events_name_the_renumbered_invoice() -> None:
    frames = load_sample(today=date(2026, 11, 30))  # some late-December invoices move into January

    invoice_events = frames["events"].filter(
        (pl.col("entity_type") == "order") & (pl.col("action") == "invoice")
    )
    numbers = frames["invoices"].select(pl.col("order_id").alias("entity_id"), "number")
    joined = invoice_events.join(numbers, on="entity_id", how="inner")

    assert joined.height == frames["invoices"].height
    assert (joined["note"] == joined["number"]).all()
    assert frames["events"]["id"].is_sorted()


def test_a_shifted_sample_moves_meeting_notes_with_their_meetings() -> None:
    frames = load_sample(today=SAMPLE_TODAY + timedelta(days=10))
    schedule = frames["events"].filter(pl.col("action") == "schedule")
    noted = schedule.select(
        "entity_id", pl.col("note").str.extract(r"(\d{4}-\d{2}-\d{2})").str.to_date().alias("noted")
    )
    meetings = (
        frames["meetings"].group_by("opportunity_id").agg(pl.col("scheduled_at").dt.date().alias("dates"))
    )
    joined = noted.join(meetings, left_on="entity_id", right_on="opportunity_id")
    assert joined.height == schedule.height > 0
    assert joined.select(pl.col("dates").list.contains(pl.col("noted")).all()).item()


def test_the_shift_is_whole_days_and_ends_the_data_yesterday() -> None:
    original, shifted = load_sample(today=SAMPLE_TODAY), load_sample(today=SAMPLE_TODAY + timedelta(days=3))
    gap = shifted["orders"]["created_at"] - original["orders"]["created_at"]
    assert gap.unique().to_list() == [timedelta(days=3)]
    last_event = shifted["events"]["at"].max()
    assert last_event.date() == SAMPLE_TODAY + timedelta(days=2)
