"""Seeding moves the sample in time; invoice numbers are re-sequenced and their events follow."""

from __future__ import annotations

from datetime import date

import polars as pl

from crm_core.store.seed import load_sample


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
