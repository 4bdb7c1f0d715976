"""Headline metrics against small frames computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from crm_core import analytics


def opportunities(*rows: tuple[str, int, datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "stage": [r[0] for r in rows],
            "expected_amount_cents": [r[1] for r in rows],
            "closed_at": [r[2] for r in rows],
        },
        schema={"stage": pl.String, "expected_amount_cents": pl.Int64, "closed_at": pl.Datetime("us")},
    )


def orders(*rows: tuple[str, datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"status": [r[0] for r in rows], "delivered_at": [r[1] for r in rows]},
        schema={"status": pl.String, "delivered_at": pl.Datetime("us")},
    )


def payments(*rows: tuple[int, datetime]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"amount_cents": [r[0] for r in rows], "paid_at": [r[1] for r in rows]},
        schema={"amount_cents": pl.Int64, "paid_at": pl.Datetime("us")},
    )


NOV = datetime(2026, 11, 5)
OCT = datetime(2026, 10, 31, 23, 59)


def test_period_kpis_follow_the_documented_definitions() -> None:
    opps = opportunities(
        ("captured", 10_000, None),  # 10 % → 1,000
        ("scheduled", 20_000, None),  # 70 % → 14,000
        ("won", 50_000, NOV),
        ("won", 70_000, NOV),
        ("lost", 30_000, NOV),
        ("won", 99_000, OCT),  # last month: not in November's win rate
    )
    ords = orders(
        ("paid", None), ("delivered", NOV), ("delivered", OCT), ("cancelled", None), ("entered", None)
    )
    pays = payments((1_000, NOV), (2_500, datetime(2026, 11, 30, 12)), (9_999, OCT))

    row = (
        analytics.period_kpis(opps, ords, pays, start=date(2026, 11, 1), end=date(2026, 12, 1))
        .collect()
        .row(0, named=True)
    )

    assert row["open_pipeline_cents"] == 30_000
    assert row["weighted_pipeline_cents"] == 15_000
    assert row["open_opportunities"] == 2
    assert (row["won"], row["lost"]) == (2, 1)
    assert row["win_rate"] == 2 / 3
    assert row["orders_in_flight"] == 2
    assert row["delivered"] == 1
    assert row["revenue_cents"] == 3_500
    assert row["effectiveness"] == 2 * 1 / (2 + 1)


def test_win_rate_is_empty_not_zero_when_nothing_closed() -> None:
    row = (
        analytics.period_kpis(
            opportunities(("captured", 1, None)),
            orders(),
            payments(),
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
        )
        .collect()
        .row(0, named=True)
    )
    assert row["win_rate"] is None
    assert row["effectiveness"] == 0.0
    assert row["revenue_cents"] == 0


def test_monthly_integration_counts_s_and_o_per_month_and_e_is_zero_when_both_are() -> None:
    opps = opportunities(
        ("won", 1, datetime(2026, 9, 3)), ("won", 1, datetime(2026, 9, 30)), ("lost", 1, NOV)
    )
    ords = orders(("delivered", datetime(2026, 9, 10)), ("delivered", NOV), ("paid", None))

    result = analytics.monthly_integration(opps, ords).collect()

    expected = pl.DataFrame(
        {
            "month": [date(2026, 9, 1), date(2026, 11, 1)],
            "won": [2, 0],
            "delivered": [1, 1],
            "effectiveness": [2 * 1 / 3, 0.0],
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)


def test_effectiveness_is_half_the_harmonic_mean() -> None:
    frame = pl.DataFrame({"s": [0, 4, 10, 3], "o": [0, 4, 0, 6]})
    result = frame.select(analytics.effectiveness(pl.col("s"), pl.col("o")).alias("e"))["e"].to_list()
    assert result == [0.0, 2.0, 0.0, 2.0]


def test_the_period_is_half_open_the_first_moment_counts_and_the_end_does_not() -> None:
    first, last, after = (
        datetime(2026, 11, 1, 0, 0),
        datetime(2026, 11, 30, 23, 59, 59),
        datetime(2026, 12, 1),
    )
    before = datetime(2026, 10, 31, 23, 59, 59)
    opps = opportunities(("won", 1, first), ("won", 1, last), ("won", 1, after), ("won", 1, before))
    ords = orders(("delivered", first), ("delivered", after), ("delivered", before))
    pays = payments((100, first), (200, last), (400, after), (800, before))

    row = (
        analytics.period_kpis(opps, ords, pays, start=date(2026, 11, 1), end=date(2026, 12, 1))
        .collect()
        .row(0, named=True)
    )

    assert (row["won"], row["delivered"], row["revenue_cents"]) == (2, 1, 300)
