"""Integration figures (S, O, E, the flow, conversion) and rebuilt snapshots, on frames computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from crm_core import analytics

D = pl.Datetime("us")


def opportunities(*rows: tuple) -> pl.LazyFrame:
    """(id, stage, owner, industry, amount, created_at, closed_at)"""
    cols = ["id", "stage", "owner", "industry", "expected_amount_cents", "created_at", "closed_at"]
    schema = dict(zip(cols, [pl.Int64, pl.String, pl.String, pl.String, pl.Int64, D, D], strict=True))
    frame = pl.LazyFrame([dict(zip(cols, r, strict=True)) for r in rows], schema=schema)
    return frame.with_columns(pl.format("Deal {}", "id").alias("title"))


def orders(*rows: tuple) -> pl.LazyFrame:
    """(id, opportunity_id, status, held_from, industry, total, created_at, delivered_at, status_changed_at)"""  # noqa: E501
    cols = [
        "id", "opportunity_id", "status", "held_from", "industry", "total_cents",
        "created_at", "delivered_at", "status_changed_at",
    ]  # fmt: skip
    types = [pl.Int64, pl.Int64, pl.String, pl.String, pl.String, pl.Int64, D, D, D]
    return pl.LazyFrame(
        [dict(zip(cols, r, strict=True)) for r in rows], schema=dict(zip(cols, types, strict=True))
    )


JAN, FEB, MAR = datetime(2026, 1, 10), datetime(2026, 2, 10), datetime(2026, 3, 10)
OPPS = opportunities(
    (1, "won", "Ann", "Retail", 100, JAN, JAN),
    (2, "won", "Ann", "Retail", 100, JAN, FEB),
    (3, "won", "Bob", "Health", 100, JAN, MAR),
    (4, "lost", "Bob", "Health", 100, JAN, FEB),
    (5, "qualified", "Bob", "Retail", 100, JAN, None),
)
ORDERS = orders(
    (10, 1, "delivered", None, "Retail", 500, datetime(2026, 1, 12), datetime(2026, 1, 20), None),
    (11, 1, "cancelled", None, "Retail", 500, datetime(2026, 1, 13), None, datetime(2026, 1, 14)),
    (12, 2, "on_hold", "invoiced", "Retail", 700, datetime(2026, 2, 13), None, datetime(2026, 2, 20)),
    (13, None, "delivered", None, "Health", 900, datetime(2026, 1, 2), datetime(2026, 3, 2), None),
    (14, None, "invoiced", None, "Health", 300, datetime(2026, 3, 2), None, datetime(2026, 3, 3)),
)


def test_s_o_and_e_per_month_fill_empty_months_with_zero() -> None:
    got = analytics.integration_by_month(OPPS, ORDERS, start=date(2026, 1, 1), end=date(2026, 5, 1)).collect()
    # Jan: S=1 (opp 1), O=1 (order 10) → E = 1·1/2 = 0.5; Feb: S=1, O=0 → 0; Mar: S=1, O=1 → 0.5; Apr: none.
    expected = pl.DataFrame(
        {
            "month": [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
            "won": [1, 1, 1, 0],
            "delivered": [1, 0, 1, 0],
            "effectiveness": [0.5, 0.0, 0.5, 0.0],
        }
    )
    assert_frame_equal(got, expected)


def test_e_by_rep_counts_an_order_for_the_owner_of_its_opportunity() -> None:
    got = analytics.integration_by(OPPS, ORDERS, "owner").collect()
    # Ann: S=2, O=1 (order 10) → 2/3. Bob: S=1, O=0 → 0. Order 13 has no opportunity: S=0, O=1 → 0.
    expected = pl.DataFrame(
        {"owner": ["Ann", "Bob", "No opportunity"], "won": [2, 1, 0], "delivered": [1, 0, 1]},
    ).with_columns(effectiveness=pl.Series([2 / 3, 0.0, 0.0]))
    assert_frame_equal(got, expected)


def test_e_by_segment_uses_the_customers_industry_for_both_sides() -> None:
    got = analytics.integration_by(OPPS, ORDERS, "industry").collect()
    # Retail: S=2, O=1 → 2/3. Health: S=1, O=1 → 0.5.
    expected = pl.DataFrame(
        {"industry": ["Retail", "Health"], "won": [2, 1], "delivered": [1, 1], "effectiveness": [2 / 3, 0.5]}
    )
    assert_frame_equal(got, expected)


def test_the_flow_follows_each_opportunity_to_its_most_advanced_order() -> None:
    got = analytics.conversion_flow(OPPS, ORDERS).collect()
    # Opp 1: delivered (its cancelled order does not count against it). Opp 2: held while invoiced.
    # Opp 3: won, no order. Opp 4 lost, opp 5 open. Orders 13 (delivered) and 14 (invoiced) have no
    # opportunity: they are a source of their own, counted as orders.
    alone = "Orders without an opportunity"
    expected = pl.DataFrame(
        {
            "source": ["Opportunities", "Opportunities", "Opportunities", "Won", "Won", "Order", "Order",
                       "Paid", "Shipped", alone, alone],
            "target": ["Won", "Lost", "Still open", "Order", "No order yet", "Paid", "Invoiced, unpaid",
                       "Shipped", "Delivered", "Invoiced, unpaid", "Delivered"],
            "count": [3, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1],
        }
    )  # fmt: skip
    assert_frame_equal(got, expected)


def test_a_customer_without_an_industry_is_named_so_and_listed_last_whatever_its_e() -> None:
    opps = OPPS.with_columns(
        pl.when(pl.col("id") == 1).then(None).otherwise(pl.col("industry")).alias("industry")
    )
    # Opp 1 (won) and its delivered order 10 lose their industry: S=1, O=1 → E 0.5, yet listed last.
    expected = pl.DataFrame(
        {
            "industry": ["Health", "Retail", "No industry recorded"],
            "won": [1, 1, 1],
            "delivered": [1, 0, 1],
            "effectiveness": [0.5, 0.0, 0.5],
        }
    )
    orders_without = ORDERS.with_columns(
        pl.when(pl.col("id") == 10).then(None).otherwise(pl.col("industry")).alias("industry")
    )
    got = analytics.integration_by(opps, orders_without, "industry").collect()
    assert_frame_equal(got, expected)


def test_orders_blocked_by_payment_are_invoiced_or_held_while_invoiced() -> None:
    got = analytics.blocked_by_payment(ORDERS).collect()
    assert_frame_equal(got, pl.DataFrame({"orders": [2], "total_cents": [1_000]}))


def test_conversion_rate_and_lag_run_from_winning_to_the_first_order() -> None:
    lags = analytics.conversion_lags(OPPS, ORDERS).collect()
    # Opp 1 won Jan 10, first order Jan 12 → 2 days. Opp 2 won Feb 10, order Feb 13 → 3 days. Opp 3: none.
    assert lags["lag_days"].to_list() == [2.0, 3.0, None]
    assert lags["orders"].to_list() == [2, 1, 0]
    summary = analytics.conversion_summary(lags.lazy()).collect()
    assert_frame_equal(
        summary,
        pl.DataFrame(
            {
                "won": [3],
                "converted": [2],
                "median_lag_days": [2.5],
                "p90_lag_days": [2.9],
                "conversion_rate": [2 / 3],
            }
        ),
    )


def test_e_is_zero_when_nothing_was_won_or_delivered() -> None:
    got = analytics.integration_by_month(
        OPPS.filter(pl.lit(False)), ORDERS.filter(pl.lit(False)), start=date(2026, 1, 1), end=date(2026, 2, 1)
    ).collect()
    assert got.to_dicts() == [{"month": date(2026, 1, 1), "won": 0, "delivered": 0, "effectiveness": 0.0}]


def events(*rows: tuple) -> pl.LazyFrame:
    """(entity_type, entity_id, at, from_state, to_state)"""
    cols = ["entity_type", "entity_id", "at", "from_state", "to_state"]
    return pl.LazyFrame(
        [dict(zip(cols, r, strict=True)) for r in rows],
        schema={
            "entity_type": pl.String,
            "entity_id": pl.Int64,
            "at": D,
            "from_state": pl.String,
            "to_state": pl.String,
        },
    )


def test_past_pipeline_is_rebuilt_from_stage_events() -> None:
    opps = opportunities(
        (1, "won", "Ann", "R", 1_000, datetime(2026, 1, 1), datetime(2026, 3, 1)),
        (2, "qualified", "Ann", "R", 2_000, datetime(2026, 2, 1), None),
    )
    log = events(
        ("opportunity", 1, datetime(2026, 1, 1), None, "captured"),
        ("opportunity", 1, datetime(2026, 2, 15), "captured", "scheduled"),
        ("opportunity", 1, datetime(2026, 3, 1), "scheduled", "won"),
        ("order", 1, datetime(2026, 1, 5), None, "entered"),  # not an opportunity: ignored
    )  # opp 2 has no events: taken as qualified since it was created
    at = [datetime(2025, 12, 1), datetime(2026, 1, 15), datetime(2026, 2, 20), datetime(2026, 3, 2)]
    got = analytics.pipeline_history(opps, log, at).collect()
    # Jan 15: opp 1 captured (10 %) → 1,000 open, 100 weighted. Feb 20: opp 1 scheduled (70 %) and
    # opp 2 qualified (50 %) → 3,000 open, 700 + 1,000 weighted. Mar 2: opp 1 won → only opp 2.
    expected = pl.DataFrame(
        {
            "at": at,
            "open_pipeline_cents": [0, 1_000, 3_000, 2_000],
            "weighted_pipeline_cents": [0, 100, 1_700, 1_000],
            "open_opportunities": [0, 1, 2, 1],
        },
        schema_overrides={"at": D},
    )
    assert_frame_equal(got, expected)


def test_deals_imported_years_after_they_were_created_are_rebuilt_from_their_own_dates() -> None:
    opps = opportunities(
        (1, "won", "Ann", "R", 1_000, datetime(2012, 1, 10), datetime(2012, 4, 2)),
        (2, "scheduled", "Ann", "R", 2_000, datetime(2012, 3, 1), None),
    )
    imported = datetime(2026, 11, 21, 9)
    log = events(("opportunity", 1, imported, None, "won"), ("opportunity", 2, imported, None, "scheduled"))
    at = [datetime(2012, 1, 1), datetime(2012, 2, 1), datetime(2012, 3, 15), datetime(2012, 5, 1)]
    got = analytics.pipeline_history(opps, log, at).collect()
    # Opp 1 open (as captured, 10 %) from Jan 10 until it was won on Apr 2; opp 2 scheduled (70 %)
    # from Mar 1 on — not from the day of the import.
    expected = pl.DataFrame(
        {
            "at": at,
            "open_pipeline_cents": [0, 1_000, 3_000, 2_000],
            "weighted_pipeline_cents": [0, 100, 1_500, 1_400],
            "open_opportunities": [0, 1, 2, 1],
        },
        schema_overrides={"at": D},
    )
    assert_frame_equal(got, expected)


def test_orders_in_flight_leave_when_delivered_or_cancelled() -> None:
    at = [datetime(2026, 1, 11), datetime(2026, 1, 13, 12), datetime(2026, 2, 21), datetime(2026, 4, 1)]
    got = analytics.in_flight_history(ORDERS, at).collect()
    # Jan 11: order 13 (entered Jan 2). Jan 13 noon: 13, 10, 11. Feb 21: 13, 12 (10 delivered Jan 20,
    # 11 cancelled Jan 14). Apr 1: 12, 14 (13 delivered Mar 2).
    expected = pl.DataFrame({"at": at, "orders_in_flight": [1, 3, 2, 2]}, schema_overrides={"at": D})
    assert_frame_equal(got, expected)


def test_an_order_is_in_flight_from_the_moment_it_is_entered_to_the_moment_it_ends() -> None:
    # Moments in any order (Overview asks for "now" before "the same moment last month"); an order
    # entered at a moment counts at it, one delivered or cancelled at a moment no longer does.
    at = [datetime(2026, 1, 20), datetime(2026, 1, 12), datetime(2026, 1, 14), datetime(2026, 1, 13)]
    got = analytics.in_flight_history(ORDERS, at).collect()
    # Jan 20: 13 (10 delivered at that moment, 11 cancelled Jan 14). Jan 12: 13 and 10, entered then.
    # Jan 14: 13, 10 (11 cancelled then). Jan 13: 13, 10, 11 (entered then).
    expected = pl.DataFrame({"at": at, "orders_in_flight": [1, 2, 2, 3]}, schema_overrides={"at": D})
    assert_frame_equal(got, expected)


def test_months_are_half_open_a_deal_won_at_midnight_on_the_first_belongs_to_the_new_month() -> None:
    midnight, just_before = datetime(2026, 2, 1, 0, 0), datetime(2026, 1, 31, 23, 59, 59)
    opps = opportunities(
        (1, "won", "Ann", "Retail", 100, JAN, just_before),
        (2, "won", "Ann", "Retail", 100, JAN, midnight),
        (3, "won", "Ann", "Retail", 100, JAN, datetime(2026, 3, 1)),  # the end of [Jan, Mar): left out
    )
    delivered = orders(
        (10, 1, "delivered", None, "Retail", 500, JAN, midnight, None),
        (11, 2, "delivered", None, "Retail", 500, JAN, datetime(2026, 3, 1), None),
    )

    got = analytics.integration_by_month(
        opps, delivered, start=date(2026, 1, 1), end=date(2026, 3, 1)
    ).collect()

    assert got.select("month", "won", "delivered").rows() == [
        (date(2026, 1, 1), 1, 0),
        (date(2026, 2, 1), 1, 1),
    ]
    by_rep = analytics.integration_by(opps, delivered, "owner", start=date(2026, 1, 1), end=date(2026, 3, 1))
    assert by_rep.collect().select("owner", "won", "delivered").rows() == [("Ann", 2, 1)]
