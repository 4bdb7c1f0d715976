"""Order-status metrics: LazyFrame in, LazyFrame out (the caller collects).

Inputs are the store's frames (`crm_core.store.frames`): orders (status, held_from, hold_reason,
created_at, status_changed_at, shipped_at, delivered_at, promised_date, total_cents, …),
invoices (order_id, number, issued_at, due_date, total_cents) and payments (order_id, paid_at).
Times are naive UTC; `now` is passed in so results are reproducible.

Definitions (shown on the Order status page):
- aging: time since the order entered its current status, for orders not delivered or cancelled;
- cycle time: entered → delivered, in days, by the month of delivery (median and 90th percentile);
- throughput: orders entered, shipped and delivered per ISO week (weeks start on Monday);
- exceptions: on hold (with the reason); late (the promised date has passed and the order is not
  delivered); invoiced and unpaid for more than 14 days; paid and not shipped for more than 7 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from crm_core.analytics.periods import every_month
from crm_core.orders import FINAL_STATUSES, OrderStatus

STATUS_ORDER = [s.value for s in OrderStatus]
FINAL = [s.value for s in FINAL_STATUSES]
UNPAID_DAYS = 14
UNSHIPPED_DAYS = 7
AGING_BREAKS = [1.0, 3.0, 7.0, 14.0, 30.0]
AGING_BUCKETS = ["under 1 day", "1–3 days", "3–7 days", "1–2 weeks", "2–4 weeks", "over 4 weeks"]
EXCEPTION_KINDS = [
    "On hold",
    "Late",
    f"Unpaid > {UNPAID_DAYS} days",
    f"Paid, not shipped > {UNSHIPPED_DAYS} days",
]


def _days(end: pl.Expr, start: pl.Expr) -> pl.Expr:
    return (end - start).dt.total_hours(fractional=True) / 24


def _status_rank(column: str = "status") -> pl.Expr:
    return pl.col(column).replace_strict(
        {s: i for i, s in enumerate(STATUS_ORDER)}, default=len(STATUS_ORDER), return_dtype=pl.Int32
    )


def _aging_bucket(days: pl.Expr) -> pl.Expr:
    """[0, 1) → "under 1 day", [1, 3) → "1–3 days", …, [30, ∞) → "over 4 weeks"."""
    bucket = pl.when(days < AGING_BREAKS[0]).then(pl.lit(AGING_BUCKETS[0]))
    for limit, name in zip(AGING_BREAKS[1:], AGING_BUCKETS[1:-1], strict=True):
        bucket = bucket.when(days < limit).then(pl.lit(name))
    return bucket.otherwise(pl.lit(AGING_BUCKETS[-1]))


def orders_by_status(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Count and value per status, every status present (zeros too), in flow order."""
    counts = orders.group_by("status").agg(
        pl.len().cast(pl.Int64).alias("count"),
        pl.col("total_cents").sum().cast(pl.Int64).alias("total_cents"),
    )
    return every_status(counts)


def every_status(counts: pl.LazyFrame) -> pl.LazyFrame:
    """Per-status `count` and `total_cents` (computed anywhere, e.g. by SQL) completed with zeros for
    the statuses that have none, in flow order."""
    counts = counts.select("status", pl.col("count", "total_cents").cast(pl.Int64))
    return (
        pl.LazyFrame({"status": STATUS_ORDER})
        .join(counts, on="status", how="left", maintain_order="left")
        .with_columns(pl.col("count", "total_cents").fill_null(0))
        .sort(_status_rank())
    )


def order_aging(orders: pl.LazyFrame, now: datetime) -> pl.LazyFrame:
    """Open orders per status and time-in-status bucket: count and value, buckets in order."""
    open_orders = orders.filter(~pl.col("status").is_in(FINAL)).with_columns(
        _days(pl.lit(now), pl.col("status_changed_at")).alias("days_in_status")
    )
    return (
        open_orders.with_columns(_aging_bucket(pl.col("days_in_status")).alias("bucket"))
        .group_by("status", "bucket")
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("total_cents").sum().alias("total_cents"))
        .with_columns(
            pl.col("bucket").replace_strict({b: i for i, b in enumerate(AGING_BUCKETS)}).alias("bucket_order")
        )
        .sort(_status_rank(), "bucket_order")
    )


def order_aging_summary(orders: pl.LazyFrame, now: datetime) -> pl.LazyFrame:
    """Per open status: how many, the median and the longest days in that status."""
    days = _days(pl.lit(now), pl.col("status_changed_at"))
    return (
        orders.filter(~pl.col("status").is_in(FINAL))
        .group_by("status")
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            days.median().alias("median_days"),
            days.max().alias("max_days"),
        )
        .sort(_status_rank())
    )


def order_cycle_time_by_month(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Entered → delivered in days, by month of delivery: orders delivered, median, 90th percentile.

    Every month from the first delivery to the last has a row; a month without deliveries has 0
    delivered and null days, so its line breaks there instead of bridging the gap."""
    days = _days(pl.col("delivered_at"), pl.col("created_at"))
    monthly = (
        orders.filter(pl.col("delivered_at").is_not_null())
        .group_by(pl.col("delivered_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(
            pl.len().cast(pl.Int64).alias("delivered"),
            days.median().alias("median_days"),
            days.quantile(0.9, interpolation="linear").alias("p90_days"),
        )
    )
    return every_month(monthly).with_columns(pl.col("delivered").fill_null(0))


def order_throughput_by_week(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Orders entered, shipped and delivered per week (Monday), every week in the range present."""

    def per_week(column: str, name: str) -> pl.LazyFrame:
        return (
            orders.filter(pl.col(column).is_not_null())
            .group_by(pl.col(column).dt.truncate("1w").dt.date().alias("week"))
            .agg(pl.len().cast(pl.Int64).alias(name))
        )

    counts = (
        per_week("created_at", "entered")
        .join(per_week("shipped_at", "shipped"), on="week", how="full", coalesce=True)
        .join(per_week("delivered_at", "delivered"), on="week", how="full", coalesce=True)
    )
    weeks = counts.select(pl.date_range(pl.col("week").min(), pl.col("week").max(), "1w").alias("week"))
    return (
        weeks.join(counts, on="week", how="left", maintain_order="left")
        .with_columns(pl.col("entered", "shipped", "delivered").fill_null(0))
        .sort("week")
    )


_EXCEPTION_COLUMNS = ["kind", "id", "number", "customer", "status", "since", "days", "detail", "total_cents"]


def _label(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all("_", " ")


def order_exceptions(
    orders: pl.LazyFrame, invoices: pl.LazyFrame, payments: pl.LazyFrame, now: datetime
) -> pl.LazyFrame:
    """Orders that need someone's attention, one row per order and reason, longest waiting first (then
    by order id)."""
    today = pl.lit(now.date())
    on_hold = orders.filter(pl.col("status") == OrderStatus.ON_HOLD).select(
        pl.lit(EXCEPTION_KINDS[0]).alias("kind"),
        "id",
        "number",
        "customer",
        "status",
        pl.col("status_changed_at").alias("since"),
        _days(pl.lit(now), pl.col("status_changed_at")).alias("days"),
        pl.format("{} (held while {})", pl.col("hold_reason").fill_null("no reason"), _label("held_from"))
        .alias("detail"),
        "total_cents",
    )  # fmt: skip
    late = orders.filter(
        pl.col("promised_date").is_not_null()
        & (pl.col("promised_date") < today)
        & ~pl.col("status").is_in(FINAL)
    ).select(
        pl.lit(EXCEPTION_KINDS[1]).alias("kind"),
        "id",
        "number",
        "customer",
        "status",
        pl.col("promised_date").cast(pl.Datetime("us")).alias("since"),
        (today - pl.col("promised_date")).dt.total_days().cast(pl.Float64).alias("days"),
        pl.format("promised {}, still {}", pl.col("promised_date"), _label("status")).alias("detail"),
        "total_cents",
    )
    # Only invoiced orders (or orders put on hold while invoiced) can have an unpaid invoice, and only
    # paid ones can wait to ship: filter the orders first, then join the few left (fast at 10^6 rows).
    paid_orders = payments.group_by("order_id").agg(pl.col("paid_at").min())
    unpaid = (
        orders.filter(pl.col("status").is_in([OrderStatus.INVOICED, OrderStatus.ON_HOLD]))
        .join(
            invoices.filter(pl.col("issued_at") < pl.lit(now - timedelta(days=UNPAID_DAYS))),
            left_on="id",
            right_on="order_id",
            how="inner",
            suffix="_invoice",
        )
        .join(paid_orders, left_on="id", right_on="order_id", how="anti")
        .select(
            pl.lit(EXCEPTION_KINDS[2]).alias("kind"),
            "id",
            "number",
            "customer",
            "status",
            pl.col("issued_at").alias("since"),
            _days(pl.lit(now), pl.col("issued_at")).alias("days"),
            pl.format("invoice {} due {}", pl.col("number_invoice"), pl.col("due_date")).alias("detail"),
            "total_cents",
        )
    )
    waiting_to_ship = (pl.col("status") == OrderStatus.PAID) | (
        (pl.col("status") == OrderStatus.ON_HOLD) & (pl.col("held_from") == OrderStatus.PAID)
    )
    unshipped = (
        orders.filter(waiting_to_ship)
        .join(paid_orders, left_on="id", right_on="order_id", how="inner")
        .filter(pl.col("paid_at") < pl.lit(now - timedelta(days=UNSHIPPED_DAYS)))
        .select(
            pl.lit(EXCEPTION_KINDS[3]).alias("kind"),
            "id",
            "number",
            "customer",
            "status",
            pl.col("paid_at").alias("since"),
            _days(pl.lit(now), pl.col("paid_at")).alias("days"),
            pl.format("paid {}", pl.col("paid_at").dt.date()).alias("detail"),
            "total_cents",
        )
    )
    kind_rank = pl.col("kind").replace_strict(
        {k: i for i, k in enumerate(EXCEPTION_KINDS)}, return_dtype=pl.Int32
    )
    return (
        pl.concat([on_hold, late, unpaid, unshipped], how="vertical_relaxed")
        .select(_EXCEPTION_COLUMNS)
        .sort(kind_rank, pl.col("days"), "id", descending=[False, True, False])  # ties: by order id
    )


def order_exception_counts(exception_rows: pl.LazyFrame) -> pl.LazyFrame:
    """How many orders and how much money per exception kind (every kind present)."""
    counts = exception_rows.group_by("kind").agg(
        pl.len().cast(pl.Int64).alias("count"),
        pl.col("total_cents").sum().cast(pl.Int64).alias("total_cents"),
    )
    return (
        pl.LazyFrame({"kind": EXCEPTION_KINDS})
        .join(counts, on="kind", how="left", maintain_order="left")
        .with_columns(pl.col("count", "total_cents").fill_null(0))
    )


def order_status_segments(events: pl.LazyFrame, now: datetime) -> pl.LazyFrame:
    """One order's history as time spent per state: state, start, end, hours (open state ends `now`).

    `events` are the order's events (at, from_state, to_state); events that do not change the
    state (such as a change of lines) are skipped. A final state (delivered, cancelled) has no end."""
    moves = events.filter(
        pl.col("to_state").is_not_null()
        & (pl.col("from_state").is_null() | (pl.col("from_state") != pl.col("to_state")))
    ).sort("at")
    end = pl.col("at").shift(-1)
    end = (
        pl.when(end.is_not_null())
        .then(end)
        .when(pl.col("to_state").is_in(FINAL))
        .then(None)
        .otherwise(pl.lit(now))
    )
    return moves.select(
        pl.col("to_state").alias("state"),
        pl.col("at").alias("start"),
        end.alias("end"),
    ).with_columns(
        ((pl.col("end") - pl.col("start")).dt.total_seconds(fractional=True) / 3600).alias("hours")
    )
