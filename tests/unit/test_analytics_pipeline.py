"""Pipeline metrics against small frames computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_core import analytics
from crm_core.errors import ValidationError

OPP_SCHEMA = {
    "id": pl.Int64,
    "stage": pl.String,
    "expected_amount_cents": pl.Int64,
    "expected_close_date": pl.Date,
    "employees": pl.Int64,
    "updated_at": pl.Datetime("us"),
}
EVENT_SCHEMA = {
    "id": pl.Int64,
    "entity_type": pl.String,
    "entity_id": pl.Int64,
    "from_state": pl.String,
    "to_state": pl.String,
    "at": pl.Datetime("us"),
}


def opportunities(*rows: tuple) -> pl.LazyFrame:
    """(id, stage, amount, close date, employees, updated_at)"""
    return pl.LazyFrame([dict(zip(OPP_SCHEMA, r, strict=True)) for r in rows], schema=OPP_SCHEMA)


def events(*rows: tuple) -> pl.LazyFrame:
    """(entity_id, from, to, day of November 2026 [, hour]); ids follow the order given."""
    return pl.LazyFrame(
        [
            {
                "id": i,
                "entity_type": "opportunity",
                "entity_id": r[0],
                "from_state": r[1],
                "to_state": r[2],
                "at": datetime(2026, 11, r[3], r[4] if len(r) > 4 else 9),
            }
            for i, r in enumerate(rows, start=1)
        ],
        schema=EVENT_SCHEMA,
    )


D = datetime(2026, 11, 1)
OPPS = opportunities(
    (1, "captured", 100, date(2026, 12, 5), 10, D),
    (2, "enriched", 200, date(2026, 12, 20), 60, D),
    (3, "won", 300, None, 300, D),
    (4, "lost", 400, None, 5000, D),  # lost from qualified (its events say so)
    (5, "lost", 500, None, None, D),  # lost, no events: only known to have been captured
    (6, "scheduled", 600, date(2027, 1, 2), 20, D),
)
EVENTS = events(
    (1, None, "captured", 1),
    (2, None, "captured", 1),
    (2, "captured", "enriched", 3),
    (3, None, "captured", 1),
    (3, "captured", "enriched", 2),
    (3, "enriched", "qualified", 4),
    (3, "qualified", "scheduled", 8),
    (3, "scheduled", "won", 10),
    (3, "won", "won", 11),  # converted into an order: not a change of stage
    (4, None, "captured", 2),
    (4, "captured", "enriched", 6),
    (4, "enriched", "qualified", 7),
    (4, "qualified", "lost", 9),
    (6, None, "captured", 2),
    (6, "captured", "enriched", 3, 21),  # 1.5 days after capture
    (6, "enriched", "qualified", 5),
    (6, "qualified", "scheduled", 6),
    (99, None, "captured", 1),  # another opportunity (filtered out of this selection)
)


def test_the_funnel_counts_what_reached_each_stage() -> None:
    expected = pl.DataFrame(
        {
            "stage": ["captured", "enriched", "qualified", "scheduled", "won"],
            "count": [5, 4, 3, 2, 1],  # #5, lost without a history, is left out
            "expected_amount_cents": [1600, 1500, 1300, 900, 300],
        }
    )
    assert_frame_equal(analytics.funnel(OPPS, EVENTS).collect(), expected)


def test_conversion_counts_only_those_that_left_the_stage() -> None:
    # #5 was lost without a stage history: where it was lost is not known, so it is left out.
    expected = pl.DataFrame(
        {
            "from_stage": ["captured", "enriched", "qualified", "scheduled"],
            "to_stage": ["enriched", "qualified", "scheduled", "won"],
            "reached": [5, 4, 3, 2],
            "still_open": [1, 1, 0, 1],
            "moved_on": [4, 3, 2, 1],
            "lost": [0, 0, 1, 0],
            "conversion_rate": [1.0, 1.0, 2 / 3, 1.0],
        }
    )
    assert_frame_equal(analytics.stage_conversion(OPPS, EVENTS).collect(), expected)


def test_deals_imported_without_a_stage_history_are_not_lost_at_captured_but_counted_apart() -> None:
    imported = opportunities(
        (7, "won", 700, None, 10, D),
        (8, "lost", 800, None, 10, D),
        (9, "lost", 900, None, 10, D),
        (10, "qualified", 100, None, 10, D),
        (11, "captured", 100, None, 10, D),
    )
    # What an import writes: one event per deal, from nothing to the stage it is in.
    history = events(*((i, None, stage, 1) for i, stage in ((7, "won"), (8, "lost"), (9, "lost"),
                                                           (10, "qualified"), (11, "captured"))))  # fmt: skip
    conversion = analytics.stage_conversion(imported, history).collect()
    # Only #11, still in its first stage, has a known path: nobody left a stage, nothing converts.
    assert conversion["reached"].to_list() == [1, 0, 0, 0]
    assert conversion["lost"].to_list() == [0, 0, 0, 0]
    assert conversion["conversion_rate"].to_list() == [None, None, None, None]
    coverage = analytics.history_coverage(imported, history).collect()
    assert_frame_equal(
        coverage, pl.DataFrame({"with_history": [1], "without_history": [4], "lost_without_history": [2]})
    )
    # The funnel keeps the won one (it reached every stage) and the open ones, not the lost ones.
    funnel = analytics.funnel(imported, history).collect()
    assert funnel["count"].to_list() == [3, 2, 2, 1, 1]


def test_a_deal_lost_after_moving_between_stages_here_has_a_history() -> None:
    coverage = analytics.history_coverage(OPPS, EVENTS).collect()
    assert_frame_equal(
        coverage, pl.DataFrame({"with_history": [5], "without_history": [1], "lost_without_history": [1]})
    )


def test_velocity_is_the_median_of_finished_stays_per_stage() -> None:
    # captured: #2 2 d, #3 1 d, #4 4 d, #6 1.5 d → 1.75; enriched: #3 2, #4 1, #6 1.5 (21:00 → 09:00)
    # qualified: #3 4, #4 2 (lost), #6 1 → 2; scheduled: #3 2 (#6 still there)
    expected = pl.DataFrame(
        {
            "stage": ["captured", "enriched", "qualified", "scheduled"],
            "stays": [4, 3, 3, 1],
            "median_days": [1.75, 1.5, 2.0, 2.0],
        }
    )
    assert_frame_equal(analytics.velocity(OPPS, EVENTS).collect(), expected)


def test_a_stay_still_going_ends_at_as_of_and_a_final_stage_has_no_length() -> None:
    stays = analytics.stage_stays(
        EVENTS.filter(pl.col("entity_id") == 6), as_of=datetime(2026, 11, 9, 9)
    ).collect()
    assert stays["stage"].to_list() == ["captured", "enriched", "qualified", "scheduled"]
    assert stays["days"].to_list() == [1.5, 1.5, 1.0, 3.0]
    assert stays["ongoing"].to_list() == [False, False, False, True]
    won = analytics.stage_stays(
        EVENTS.filter(pl.col("entity_id") == 3), as_of=datetime(2026, 11, 20)
    ).collect()
    assert won.select("stage", "days").row(-1) == ("won", None)


def test_a_deals_last_stay_never_ends_at_the_next_deals_first_event() -> None:
    as_of = datetime(2026, 11, 9, 9)
    together = analytics.stage_stays(EVENTS, as_of=as_of).collect()
    ids = together["entity_id"].unique().sort().to_list()
    assert len(ids) > 2  # several deals, sorted next to each other
    alone = pl.concat(
        analytics.stage_stays(EVENTS.filter(pl.col("entity_id") == i), as_of=as_of).collect() for i in ids
    )
    assert_frame_equal(together, alone)
    last = together.group_by("entity_id", maintain_order=True).last()
    assert last.filter(~pl.col("ongoing"))["left_at"].null_count() == last.filter(~pl.col("ongoing")).height


def test_the_forecast_weights_open_amounts_by_stage_probability_per_close_month() -> None:
    expected = pl.DataFrame(
        {
            "month": [date(2026, 12, 1), date(2026, 12, 1), date(2027, 1, 1)],
            "stage": ["captured", "enriched", "scheduled"],
            "count": [1, 1, 1],
            "expected_amount_cents": [100, 200, 600],
            "weighted_cents": [10, 50, 420],  # 10 %, 25 %, 70 %
        }
    )
    assert_frame_equal(analytics.weighted_forecast(OPPS).collect(), expected)


def test_changed_probabilities_change_the_forecast() -> None:
    probabilities = analytics.probabilities_from_percent(
        {"captured": 50, "enriched": "0", "qualified": 50, "scheduled": 100}
    )
    forecast = analytics.weighted_forecast(OPPS, probabilities).collect()
    assert forecast["weighted_cents"].to_list() == [50, 0, 600]


@pytest.mark.parametrize("bad", [-1, 101, "lots", None])
def test_a_probability_outside_0_to_100_names_its_stage(bad: object) -> None:
    with pytest.raises(ValidationError, match="Qualified probability %"):
        analytics.probabilities_from_percent(
            {"captured": 10, "enriched": 25, "qualified": bad, "scheduled": 70}
        )


def test_aging_buckets_open_opportunities_by_days_since_their_last_change() -> None:
    opps = opportunities(
        (1, "captured", 100, None, None, datetime(2026, 11, 20, 23)),  # 0 days
        (2, "captured", 200, None, None, datetime(2026, 11, 13)),  # 7 days
        (3, "qualified", 300, None, None, datetime(2026, 11, 12)),  # 8 days
        (4, "scheduled", 400, None, None, datetime(2026, 8, 22)),  # 90 days
        (5, "enriched", 500, None, None, datetime(2026, 8, 21)),  # 91 days
        (6, "won", 600, None, None, datetime(2020, 1, 1)),  # closed: not aging
    )
    expected = pl.DataFrame(
        {
            "age_bucket": ["0–7 days", "8–30 days", "31–90 days", "over 90 days"],
            "stage": ["captured", "qualified", "scheduled", "enriched"],
            "count": [2, 1, 1, 1],
            "expected_amount_cents": [300, 300, 400, 500],
        }
    )
    assert_frame_equal(analytics.aging(opps, as_of=date(2026, 11, 20)).collect(), expected)


def test_size_bands_segment_companies_by_employees() -> None:
    bands = OPPS.select(analytics.size_band_expr()).collect()["size_band"].to_list()
    assert bands == ["1–49", "50–249", "250–999", "1,000+", "Unknown", "1–49"]


def test_pipeline_totals() -> None:
    row = analytics.pipeline_totals(OPPS).collect().row(0, named=True)
    assert row == {
        "open_count": 3,
        "open_cents": 900,
        "weighted_cents": 10 + 50 + 420,
        "won_count": 1,
        "won_cents": 300,
        "lost_count": 2,
        "win_rate": pytest.approx(1 / 3),
    }


def test_an_empty_selection_gives_zero_rows_not_errors() -> None:
    empty, no_events = opportunities(), events()
    assert analytics.funnel(empty, no_events).collect()["count"].to_list() == [0, 0, 0, 0, 0]
    assert analytics.stage_conversion(empty, no_events).collect()["conversion_rate"].null_count() == 4
    assert analytics.velocity(empty, no_events).collect()["stays"].to_list() == [0, 0, 0, 0]
    assert analytics.weighted_forecast(empty).collect().is_empty()
    assert analytics.aging(empty, as_of=date(2026, 11, 20)).collect().is_empty()
