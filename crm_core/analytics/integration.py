"""Integration of sales and orders (docs/architecture.md §1.5): LazyFrame in, LazyFrame out.

- S, O and E per month, per rep and per segment: S = opportunities won (by `closed_at`),
  O = orders delivered (by `delivered_at`), E = S·O/(S+O), 0 when both are 0. By rep, an order
  counts for the owner of the opportunity it came from; orders entered without an opportunity
  are shown as "No opportunity". By segment, both count for the customer's industry.
- The flow opportunity → won → order → paid → shipped → delivered counts *opportunities*, each
  once, following its most advanced order (an order on hold counts at the state it was held in;
  an opportunity whose every order is cancelled ends at "Cancelled"). At every step the ones that
  did not go on are a node of their own, so the losses are visible; "Invoiced, unpaid" is the
  step blocked by a missing payment. Orders entered without an opportunity (an ERP's history, a
  walk-in order) are part of O: in the flow they are a source of their own, "Orders without an
  opportunity", counted as orders and joining the same nodes by how far they got.
- By segment, a customer without an industry is "No industry recorded", always listed last.
- Conversion: the share of won opportunities with at least one order, and the lag in days from
  the won `closed_at` to the first order's `created_at`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from crm_core.analytics.overview import effectiveness
from crm_core.opportunities import Stage
from crm_core.orders import FLOW, OrderStatus

NO_OPPORTUNITY = "No opportunity"
UNKNOWN = "No industry recorded"
WITHOUT_OPPORTUNITY = "Orders without an opportunity"
RANK = {s.value: i for i, s in enumerate(FLOW)}
PAID_RANK, SHIPPED_RANK, DELIVERED_RANK = RANK["paid"], RANK["shipped"], RANK["delivered"]
INVOICED_RANK = RANK["invoiced"]
# Where an order without an opportunity stands, by its progress (-1 cancelled … 6 delivered).
_STANDALONE_TARGETS = (
    (pl.col("progress") == -1, "Cancelled"),
    (pl.col("progress").is_between(0, INVOICED_RANK - 1), "Not invoiced yet"),
    (pl.col("progress") == INVOICED_RANK, "Invoiced, unpaid"),
    (pl.col("progress") == PAID_RANK, "Paid, not shipped"),
    (pl.col("progress") == SHIPPED_RANK, "In transit"),
    (pl.col("progress") == DELIVERED_RANK, "Delivered"),
)


def _won(opportunities: pl.LazyFrame) -> pl.LazyFrame:
    return opportunities.filter((pl.col("stage") == Stage.WON) & pl.col("closed_at").is_not_null())


def _between(column: str, start: date | None, end: date | None) -> pl.Expr:
    day = pl.col(column).dt.date()
    keep = pl.lit(True)
    if start is not None:
        keep = keep & (day >= start)
    if end is not None:
        keep = keep & (day < end)
    return keep


def _with_e(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(pl.col("won", "delivered").fill_null(0).cast(pl.Int64)).with_columns(
        effectiveness(pl.col("won"), pl.col("delivered")).alias("effectiveness")
    )


def integration_by_month(
    opportunities: pl.LazyFrame, orders: pl.LazyFrame, *, start: date | None = None, end: date | None = None
) -> pl.LazyFrame:
    """month, won (S), delivered (O), effectiveness (E) for every month of [start, end), gaps as 0."""
    won = (
        _won(opportunities)
        .filter(_between("closed_at", start, end))
        .group_by(pl.col("closed_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(pl.len().alias("won"))
    )
    delivered = (
        orders.filter(pl.col("delivered_at").is_not_null() & _between("delivered_at", start, end))
        .group_by(pl.col("delivered_at").dt.truncate("1mo").dt.date().alias("month"))
        .agg(pl.len().alias("delivered"))
    )
    both = won.join(delivered, on="month", how="full", coalesce=True)
    bounds = both.select(pl.col("month").min().alias("lo"), pl.col("month").max().alias("hi"))
    if start is not None:
        bounds = bounds.with_columns(pl.lit(start).dt.truncate("1mo").alias("lo"))
    if end is not None:
        bounds = bounds.with_columns(pl.lit(end).dt.offset_by("-1d").dt.truncate("1mo").alias("hi"))
    months = bounds.select(pl.date_ranges("lo", "hi", interval="1mo").explode().alias("month")).filter(
        pl.col("month").is_not_null()
    )
    return _with_e(months.join(both, on="month", how="left", maintain_order="left")).sort("month")


def integration_by(
    opportunities: pl.LazyFrame,
    orders: pl.LazyFrame,
    by: str,
    *,
    start: date | None = None,
    end: date | None = None,
) -> pl.LazyFrame:
    """S, O, E per rep (`by="owner"`) or per segment (`by="industry"`), largest E first."""
    if by not in ("owner", "industry"):
        raise ValueError(f"integration by {by!r}: use 'owner' or 'industry'")
    won = (
        _won(opportunities)
        .filter(_between("closed_at", start, end))
        .group_by(pl.col(by).fill_null(UNKNOWN).alias(by))
        .agg(pl.len().alias("won"))
    )
    delivered = orders.filter(pl.col("delivered_at").is_not_null() & _between("delivered_at", start, end))
    if by == "owner":
        owners = opportunities.select(pl.col("id").alias("opportunity_id"), "owner")
        delivered = delivered.join(
            owners, on="opportunity_id", how="left", maintain_order="left"
        ).with_columns(pl.col("owner").fill_null(NO_OPPORTUNITY))
    delivered = delivered.group_by(pl.col(by).fill_null(UNKNOWN).alias(by)).agg(pl.len().alias("delivered"))
    return _with_e(won.join(delivered, on=by, how="full", coalesce=True)).sort(
        pl.col(by) == UNKNOWN, "effectiveness", "won", by, descending=[False, True, True, False]
    )


def order_progress(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Each order's position along the flow: 0 entered … 6 delivered, held orders where they were held,
    -1 cancelled."""
    state = (
        pl.when(pl.col("status") == OrderStatus.ON_HOLD).then(pl.col("held_from")).otherwise(pl.col("status"))
    )
    return orders.with_columns(
        pl.when(pl.col("status") == OrderStatus.CANCELLED)
        .then(pl.lit(-1))
        .otherwise(state.replace_strict(RANK, default=0, return_dtype=pl.Int32))
        .cast(pl.Int32)
        .alias("progress")
    )


def conversion_flow(opportunities: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """Sankey links `source`, `target`, `count` (opportunities; zero links left out)."""
    best = (
        order_progress(orders.filter(pl.col("opportunity_id").is_not_null()))
        .group_by(pl.col("opportunity_id").alias("id"))
        .agg(pl.col("progress").max().alias("best"))
    )
    p = pl.col("best")
    o = opportunities.join(best, on="id", how="left", maintain_order="left").select(
        (pl.col("stage") == Stage.WON).sum().alias("Opportunities→Won"),
        (pl.col("stage") == Stage.LOST).sum().alias("Opportunities→Lost"),
        (~pl.col("stage").is_in([Stage.WON, Stage.LOST])).sum().alias("Opportunities→Still open"),
        ((pl.col("stage") == Stage.WON) & p.is_not_null()).sum().alias("Won→Order"),
        ((pl.col("stage") == Stage.WON) & p.is_null()).sum().alias("Won→No order yet"),
        ((pl.col("stage") == Stage.WON) & (p >= PAID_RANK)).sum().alias("Order→Paid"),
        ((pl.col("stage") == Stage.WON) & (p == INVOICED_RANK)).sum().alias("Order→Invoiced, unpaid"),
        ((pl.col("stage") == Stage.WON) & p.is_between(0, INVOICED_RANK - 1))
        .sum()
        .alias("Order→Not invoiced yet"),
        ((pl.col("stage") == Stage.WON) & (p == -1)).sum().alias("Order→Cancelled"),
        ((pl.col("stage") == Stage.WON) & (p >= SHIPPED_RANK)).sum().alias("Paid→Shipped"),
        ((pl.col("stage") == Stage.WON) & (p == PAID_RANK)).sum().alias("Paid→Paid, not shipped"),
        ((pl.col("stage") == Stage.WON) & (p == DELIVERED_RANK)).sum().alias("Shipped→Delivered"),
        ((pl.col("stage") == Stage.WON) & (p == SHIPPED_RANK)).sum().alias("Shipped→In transit"),
    )
    # Most orders have no opportunity (an ERP's history): counted per state first, a handful of rows.
    standalone_states = (
        orders.filter(pl.col("opportunity_id").is_null())
        .group_by("status", "held_from")
        .agg(pl.len().alias("orders"))
    )
    standalone = order_progress(standalone_states).select(
        (pl.col("orders").filter(condition).sum().alias(f"{WITHOUT_OPPORTUNITY}→{target}"))
        for condition, target in _STANDALONE_TARGETS
    )
    return (
        pl.concat([o, standalone], how="horizontal")
        .unpivot(variable_name="link", value_name="count")
        .with_columns(pl.col("link").str.split_exact("→", 1).struct.rename_fields(["source", "target"]))
        .unnest("link")
        .with_columns(pl.col("count").cast(pl.Int64))
        .filter(pl.col("count") > 0)
    )


def blocked_by_payment(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Orders invoiced but not paid (including those held while invoiced): count and value."""
    # only these two statuses can be at the invoiced step: the others are left out before ranking
    maybe = orders.filter(pl.col("status").is_in([OrderStatus.INVOICED, OrderStatus.ON_HOLD]))
    return (
        order_progress(maybe)
        .filter(pl.col("progress") == INVOICED_RANK)
        .select(
            pl.len().cast(pl.Int64).alias("orders"),
            pl.col("total_cents").sum().cast(pl.Int64).alias("total_cents"),
        )
    )


def conversion_lags(opportunities: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """Per won opportunity: its first order's time and the lag in days from winning (null: no order)."""
    first = (
        orders.filter(pl.col("opportunity_id").is_not_null())
        .group_by(pl.col("opportunity_id").alias("id"))
        .agg(pl.col("created_at").min().alias("first_order_at"), pl.len().alias("orders"))
    )
    return (
        _won(opportunities)
        .select("id", "title", "owner", "industry", "closed_at")
        .join(first, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.col("orders").fill_null(0).cast(pl.Int64),
            ((pl.col("first_order_at") - pl.col("closed_at")).dt.total_seconds() / 86_400).alias("lag_days"),
        )
        .sort("id")
    )


def conversion_summary(lags: pl.LazyFrame) -> pl.LazyFrame:
    """won, converted, conversion_rate, median and 90th-percentile lag in days."""
    return lags.select(
        pl.len().cast(pl.Int64).alias("won"),
        pl.col("first_order_at").is_not_null().sum().cast(pl.Int64).alias("converted"),
        pl.col("lag_days").median().alias("median_lag_days"),
        pl.col("lag_days").quantile(0.9, interpolation="linear").alias("p90_lag_days"),
    ).with_columns(
        pl.when(pl.col("won") > 0)
        .then(pl.col("converted") / pl.col("won"))
        .otherwise(None)
        .alias("conversion_rate")
    )


def integration_totals(monthly: pl.LazyFrame) -> pl.LazyFrame:
    """One row: S and O over the whole period and the E of those totals (not a sum of monthly E)."""
    return _with_e(monthly.select(pl.col("won").sum(), pl.col("delivered").sum()))


def months_back(day: date, months: int) -> date:
    """The first day of the month `months - 1` months before `day`'s: the start of a window of `months`."""
    index = day.year * 12 + day.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)
