"""Pipeline metrics: funnel, weighted forecast, stage conversion, velocity and aging.

LazyFrame in, LazyFrame out. `opportunities` has the columns of `store.frames.read_opportunities`
(id, stage, expected_amount_cents, expected_close_date, employees, updated_at, ...); `events` those
of `read_events` (entity_type, entity_id, from_state, to_state, at, id). Pass the opportunities
already filtered (owner, segment, dates); events are narrowed to them here.

Definitions (so the page and its captions agree):
- reached: an opportunity reached a stage if it is in it or a later one now, or an event moved it
  there; a lost one reached the stage it was lost from. The funnel counts, per stage, the
  opportunities (and their expected amount) that reached it; a deal lost without a stage history
  (imported as lost) is left out, as the stage it was lost from is not known.
- conversion from a stage: of the opportunities that reached it and left it, the share that moved
  on (the rest were lost there); those still in the stage are not counted yet, nor are deals
  without a stage history (imported in a later stage, won or lost: their path is not known).
- velocity: the median days an opportunity spent in a stage, from entering it (an event) to the
  next change of stage; stays still going are left out.
- forecast: open opportunities by the month of their expected close date, each amount weighted by
  its stage's probability; opportunities without a date are in a null month.
- aging: open opportunities by days since their last change (`updated_at`), in buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from crm_core import validation
from crm_core.analytics.overview import OPEN_STAGE_VALUES, stage_probability_expr
from crm_core.opportunities import Stage

STAGE_ORDER: list[str] = [s.value for s in Stage]
FUNNEL_STAGES: list[str] = [*OPEN_STAGE_VALUES, Stage.WON.value]
_RANK = {stage: rank for rank, stage in enumerate(FUNNEL_STAGES)}
SIZE_BANDS: tuple[str, ...] = ("1–49", "50–249", "250–999", "1,000+", "Unknown")
AGE_BUCKETS: tuple[tuple[str, int], ...] = (  # (label, last day in the bucket)
    ("0–7 days", 7),
    ("8–30 days", 30),
    ("31–90 days", 90),
    ("over 90 days", 10**9),
)
DAY_US = 86_400_000_000


def size_band_expr(column: str = "employees") -> pl.Expr:
    """Company size band from the number of employees (the 'segment by size' of the Pipeline page)."""
    n = pl.col(column)
    return (
        pl.when(n.is_null())
        .then(pl.lit("Unknown"))
        .when(n < 50)
        .then(pl.lit("1–49"))
        .when(n < 250)
        .then(pl.lit("50–249"))
        .when(n < 1000)
        .then(pl.lit("250–999"))
        .otherwise(pl.lit("1,000+"))
        .alias("size_band")
    )


def probabilities_from_percent(percent: Mapping[str, Any]) -> dict[str, float]:
    """Stage probabilities typed as percentages (0–100) → fractions; a bad one names its stage."""
    out = {}
    for stage in OPEN_STAGE_VALUES:
        field = f"{stage.capitalize()} probability %"
        value = validation.decimal(field, percent.get(stage), minimum=Decimal(0), maximum=Decimal(100))
        out[stage] = float(value) / 100
    return out


def _rank_of(column: str) -> pl.Expr:
    return pl.col(column).replace_strict(_RANK, default=None, return_dtype=pl.Int32)


def _stage_frame(stages: list[str]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"stage": stages, "rank": list(range(len(stages)))}, schema={"stage": pl.String, "rank": pl.Int32}
    )


def _their_events(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    ids = opportunities.select(pl.col("id").alias("entity_id"))
    return events.filter(pl.col("entity_type") == "opportunity").join(ids, on="entity_id", how="semi")


def stage_reach(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Per opportunity: id, stage, expected_amount_cents, `furthest` (0 captured … 4 won), `lost`, and
    `history`: its path is recorded — an event moved it from one stage to another, or it is still in
    the first stage. A deal imported in a later stage, won or lost has no history: which stages it
    went through and when, or where it was lost, is not known."""
    their = _their_events(opportunities, events)
    from_events = (
        their.filter(pl.col("to_state").is_in(FUNNEL_STAGES))
        .group_by("entity_id")
        .agg(_rank_of("to_state").max().alias("event_rank"))
    )
    moved = (
        their.filter(pl.col("from_state").is_not_null(), pl.col("from_state") != pl.col("to_state"))
        .select("entity_id")
        .unique()
        .with_columns(pl.lit(True).alias("moved"))
    )
    return (
        opportunities.select("id", "stage", "expected_amount_cents")
        .join(from_events, left_on="id", right_on="entity_id", how="left", maintain_order="left")
        .join(moved, left_on="id", right_on="entity_id", how="left", maintain_order="left")
        .with_columns(
            pl.max_horizontal(_rank_of("stage"), pl.col("event_rank")).fill_null(0).alias("furthest"),
            (pl.col("stage") == Stage.LOST).alias("lost"),
            ((pl.col("stage") == Stage.CAPTURED) | pl.col("moved").fill_null(False)).alias("history"),
        )
        .drop("event_rank", "moved")
    )


def history_coverage(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """One row: `with_history` (moved between stages here, or still captured) and `without_history`
    (imported in a later stage, won or lost, with no recorded stage change): what stage conversion
    is based on and what it leaves out."""
    reach = stage_reach(opportunities, events)
    return reach.select(
        pl.col("history").sum().cast(pl.Int64).alias("with_history"),
        (~pl.col("history")).sum().cast(pl.Int64).alias("without_history"),
        (~pl.col("history") & pl.col("lost")).sum().cast(pl.Int64).alias("lost_without_history"),
    )


def _per_furthest(
    opportunities: pl.LazyFrame, events: pl.LazyFrame, *, history_only: bool = False
) -> pl.LazyFrame:
    """Per funnel stage: how many got exactly that far, and how many of those are lost or still there.
    A deal lost without a stage history is always left out (it would count as lost at captured)."""
    reach = stage_reach(opportunities, events).filter(pl.col("history") | ~pl.col("lost"))
    if history_only:
        reach = reach.filter(pl.col("history"))
    per = reach.group_by("furthest").agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("expected_amount_cents").sum().alias("amount"),
        pl.col("lost").sum().cast(pl.Int64).alias("lost"),
    )
    return (
        _stage_frame(FUNNEL_STAGES)
        .join(per, left_on="rank", right_on="furthest", how="left", maintain_order="left")
        .with_columns(pl.col("n", "amount", "lost").fill_null(0))
        .sort("rank")
        .with_columns(
            pl.col("n").cum_sum(reverse=True).alias("reached"),
            pl.col("amount").cum_sum(reverse=True).alias("reached_cents"),
        )
    )


def funnel(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """stage (captured … won), count and expected_amount_cents of the opportunities that reached it."""
    return _per_furthest(opportunities, events).select(
        "stage", pl.col("reached").alias("count"), pl.col("reached_cents").alias("expected_amount_cents")
    )


def stage_conversion(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Per open stage: reached, still_open, moved_on, lost and conversion_rate (moved on ÷ left), over
    the opportunities with a stage history (`history_coverage` counts those left out)."""
    per = _per_furthest(opportunities, events, history_only=True)
    return (
        per.with_columns(
            pl.col("stage").shift(-1).alias("to_stage"),
            pl.col("reached").shift(-1).alias("moved_on"),
            (pl.col("n") - pl.col("lost")).alias("still_open"),
        )
        .filter(pl.col("to_stage").is_not_null())
        .select(
            pl.col("stage").alias("from_stage"),
            "to_stage",
            "reached",
            "still_open",
            "moved_on",
            "lost",
            pl.when(pl.col("moved_on") + pl.col("lost") > 0)
            .then(pl.col("moved_on") / (pl.col("moved_on") + pl.col("lost")))
            .otherwise(None)
            .alias("conversion_rate"),
        )
    )


def stage_stays(events: pl.LazyFrame, *, as_of: datetime | None = None) -> pl.LazyFrame:
    """Each stay of an opportunity in a stage: entity_id, stage, entered_at, left_at, days, ongoing.

    A stay ends at the next event that changes the stage. With `as_of`, a stay still going in an
    open stage ends there (ongoing = true); a won or lost stay never ends (days null)."""
    stays = (
        events.filter(
            pl.col("entity_type") == "opportunity",
            pl.col("to_state").is_not_null(),
            pl.col("from_state").is_null() | (pl.col("from_state") != pl.col("to_state")),
        )
        .sort("entity_id", "at", "id")
        .select(
            "entity_id",
            pl.col("to_state").alias("stage"),
            pl.col("at").alias("entered_at"),
            # The next row's time if it is the same deal's (sorted by deal): a window over the deal
            # would group 800,000 rows again, for the same result.
            pl.when(pl.col("entity_id").shift(-1) == pl.col("entity_id"))
            .then(pl.col("at").shift(-1))
            .alias("left_at"),
        )
        .with_columns(
            (pl.col("left_at").is_null() & pl.col("stage").is_in(OPEN_STAGE_VALUES)).alias("ongoing")
        )
    )
    if as_of is not None:
        end = pl.lit(as_of.replace(tzinfo=None), dtype=pl.Datetime("us"))
        stays = stays.with_columns(
            pl.when(pl.col("ongoing")).then(end).otherwise(pl.col("left_at")).alias("left_at")
        )
    return stays.with_columns(
        ((pl.col("left_at") - pl.col("entered_at")).dt.total_microseconds() / DAY_US).alias("days")
    )


def velocity(opportunities: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Per open stage: how many finished stays there were and their median length in days."""
    per = (
        stage_stays(_their_events(opportunities, events))
        .filter(pl.col("stage").is_in(OPEN_STAGE_VALUES), pl.col("left_at").is_not_null())
        .group_by("stage")
        .agg(pl.len().cast(pl.Int64).alias("stays"), pl.col("days").median().alias("median_days"))
    )
    return (
        _stage_frame(OPEN_STAGE_VALUES)
        .join(per, on="stage", how="left", maintain_order="left")
        .with_columns(pl.col("stays").fill_null(0))
        .sort("rank")
        .drop("rank")
    )


def weighted_forecast(
    opportunities: pl.LazyFrame, probabilities: Mapping[str, float] | None = None
) -> pl.LazyFrame:
    """Open opportunities per expected close month and stage: count, amount and weighted amount."""
    return (
        opportunities.filter(pl.col("stage").is_in(OPEN_STAGE_VALUES))
        .with_columns(pl.col("expected_close_date").dt.truncate("1mo").alias("month"))
        .group_by("month", "stage")
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("expected_amount_cents").sum().alias("expected_amount_cents"),
            (pl.col("expected_amount_cents") * stage_probability_expr(probabilities)).sum().alias("weighted"),
        )
        .with_columns(pl.col("weighted").round(0).cast(pl.Int64).alias("weighted_cents"))
        .drop("weighted")
        .join(_stage_frame(STAGE_ORDER), on="stage", how="left", maintain_order="left")
        .sort("month", "rank", nulls_last=True)
        .drop("rank")
    )


def aging(opportunities: pl.LazyFrame, *, as_of: date) -> pl.LazyFrame:
    """Open opportunities per age bucket (days since their last change) and stage."""
    age = (pl.lit(as_of) - pl.col("updated_at").dt.date()).dt.total_days()
    bucket = pl.when(age <= AGE_BUCKETS[0][1]).then(pl.lit(AGE_BUCKETS[0][0]))
    for label, last_day in AGE_BUCKETS[1:]:
        bucket = bucket.when(age <= last_day).then(pl.lit(label))
    buckets = pl.LazyFrame(
        {"age_bucket": [b for b, _ in AGE_BUCKETS], "bucket_rank": list(range(len(AGE_BUCKETS)))},
        schema={"age_bucket": pl.String, "bucket_rank": pl.Int32},
    )
    return (
        opportunities.filter(pl.col("stage").is_in(OPEN_STAGE_VALUES))
        .with_columns(bucket.otherwise(pl.lit(AGE_BUCKETS[-1][0])).alias("age_bucket"))
        .group_by("age_bucket", "stage")
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("expected_amount_cents").sum().alias("expected_amount_cents"),
        )
        .join(buckets, on="age_bucket", how="left", maintain_order="left")
        .join(_stage_frame(STAGE_ORDER), on="stage", how="left", maintain_order="left")
        .sort("bucket_rank", "rank")
        .drop("bucket_rank", "rank")
    )


def pipeline_totals(
    opportunities: pl.LazyFrame, probabilities: Mapping[str, float] | None = None
) -> pl.LazyFrame:
    """One row: open count and amount, weighted amount, won and lost counts, win rate of the closed."""
    is_open = pl.col("stage").is_in(OPEN_STAGE_VALUES)
    won, lost = (pl.col("stage") == Stage.WON).sum(), (pl.col("stage") == Stage.LOST).sum()
    return opportunities.select(
        is_open.sum().cast(pl.Int64).alias("open_count"),
        pl.col("expected_amount_cents").filter(is_open).sum().alias("open_cents"),
        (pl.col("expected_amount_cents") * stage_probability_expr(probabilities))
        .filter(is_open)
        .sum()
        .round(0)
        .cast(pl.Int64)
        .alias("weighted_cents"),
        won.cast(pl.Int64).alias("won_count"),
        pl.col("expected_amount_cents").filter(pl.col("stage") == Stage.WON).sum().alias("won_cents"),
        lost.cast(pl.Int64).alias("lost_count"),
        pl.when(won + lost > 0).then(won / (won + lost)).otherwise(None).alias("win_rate"),
    )
