"""Order-status metrics on tiny hand-made frames (LazyFrame in, LazyFrame out)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
from polars.testing import assert_frame_equal

from crm_core.analytics import (
    EXCEPTION_KINDS,
    order_aging,
    order_aging_summary,
    order_cycle_time_by_month,
    order_exception_counts,
    order_exceptions,
    order_status_segments,
    order_throughput_by_week,
    orders_by_status,
)

NOW = datetime(2026, 3, 20, 12, 0)


def make_orders(*rows: dict) -> pl.LazyFrame:
    defaults = {
        "customer": "Acme",
        "held_from": None,
        "hold_reason": None,
        "promised_date": None,
        "shipped_at": None,
        "delivered_at": None,
        "total_cents": 100_00,
    }
    full = [defaults | {"number": f"SO-{row['id']:06d}"} | row for row in rows]
    return pl.LazyFrame(
        full,
        schema={
            "id": pl.Int64,
            "number": pl.String,
            "customer": pl.String,
            "status": pl.String,
            "held_from": pl.String,
            "hold_reason": pl.String,
            "promised_date": pl.Date,
            "created_at": pl.Datetime("us"),
            "status_changed_at": pl.Datetime("us"),
            "shipped_at": pl.Datetime("us"),
            "delivered_at": pl.Datetime("us"),
            "total_cents": pl.Int64,
        },
    )


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_count_and_value_by_status_list_every_status_in_flow_order() -> None:
    orders = make_orders(
        {"id": 1, "status": "paid", "created_at": ago(3), "status_changed_at": ago(1)},
        {"id": 2, "status": "paid", "created_at": ago(3), "status_changed_at": ago(1), "total_cents": 50},
        {"id": 3, "status": "entered", "created_at": ago(1), "status_changed_at": ago(1)},
    )
    out = orders_by_status(orders).collect()
    assert out["status"].to_list()[:3] == ["entered", "audited", "allocated"]
    assert dict(zip(out["status"], out["count"], strict=True))["paid"] == 2
    assert dict(zip(out["status"], out["total_cents"], strict=True))["paid"] == 100_50
    assert out["count"].sum() == 3 and out.height == 9


def test_aging_buckets_open_orders_by_time_in_their_status() -> None:
    orders = make_orders(
        {"id": 1, "status": "invoiced", "created_at": ago(40), "status_changed_at": ago(0.5)},
        {"id": 2, "status": "invoiced", "created_at": ago(40), "status_changed_at": ago(20)},
        {"id": 3, "status": "invoiced", "created_at": ago(40), "status_changed_at": ago(35)},
        {"id": 4, "status": "delivered", "created_at": ago(40), "status_changed_at": ago(35)},
    )
    out = order_aging(orders, NOW).collect()
    assert out.select("status", "bucket", "count").rows() == [
        ("invoiced", "under 1 day", 1),
        ("invoiced", "2–4 weeks", 1),
        ("invoiced", "over 4 weeks", 1),
    ]
    summary = order_aging_summary(orders, NOW).collect()
    assert summary.select("status", "count", "median_days", "max_days").rows() == [
        ("invoiced", 3, 20.0, 35.0)
    ]


def test_cycle_time_is_entered_to_delivered_by_month_of_delivery() -> None:
    orders = make_orders(
        *(
            {
                "id": i,
                "status": "delivered",
                "created_at": datetime(2026, 2, 1),
                "status_changed_at": datetime(2026, 2, 1) + timedelta(days=d),
                "delivered_at": datetime(2026, 2, 1) + timedelta(days=d),
            }
            for i, d in enumerate([2, 4, 6, 8, 10], start=1)
        ),
        {"id": 9, "status": "shipped", "created_at": ago(5), "status_changed_at": ago(1)},
    )
    out = order_cycle_time_by_month(orders).collect()
    expected = pl.DataFrame(
        {"month": [date(2026, 2, 1)], "delivered": [5], "median_days": [6.0], "p90_days": [9.2]},
        schema={"month": pl.Date, "delivered": pl.Int64, "median_days": pl.Float64, "p90_days": pl.Float64},
    )
    assert_frame_equal(out, expected)


def test_throughput_counts_entered_shipped_and_delivered_per_week_with_empty_weeks() -> None:
    monday = datetime(2026, 3, 2, 9)
    orders = make_orders(
        {"id": 1, "status": "delivered", "created_at": monday, "status_changed_at": monday,
         "shipped_at": monday + timedelta(days=1), "delivered_at": monday + timedelta(days=15)},
        {"id": 2, "status": "entered", "created_at": monday + timedelta(days=2), "status_changed_at": monday},
    )  # fmt: skip
    out = order_throughput_by_week(orders).collect()
    assert out.rows() == [
        (date(2026, 3, 2), 2, 1, 0),
        (date(2026, 3, 9), 0, 0, 0),
        (date(2026, 3, 16), 0, 0, 1),
    ]


def test_exceptions_find_holds_late_unpaid_and_unshipped_orders() -> None:
    orders = make_orders(
        {"id": 1, "status": "on_hold", "held_from": "paid", "hold_reason": "Address check",
         "created_at": ago(30), "status_changed_at": ago(3)},
        {"id": 2, "status": "shipped", "promised_date": date(2026, 3, 18), "created_at": ago(30),
         "status_changed_at": ago(1)},
        {"id": 3, "status": "invoiced", "created_at": ago(30), "status_changed_at": ago(20)},
        {"id": 4, "status": "paid", "created_at": ago(30), "status_changed_at": ago(9)},
        {"id": 5, "status": "invoiced", "created_at": ago(30), "status_changed_at": ago(2)},
        {"id": 6, "status": "delivered", "promised_date": date(2026, 3, 1), "created_at": ago(30),
         "status_changed_at": ago(1)},
    )  # fmt: skip
    invoices = pl.LazyFrame(
        {
            "order_id": [3, 4, 5],
            "number": ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"],
            "issued_at": [ago(20), ago(12), ago(2)],
            "due_date": [date(2026, 3, 30)] * 3,
            "total_cents": [100_00] * 3,
        }
    )
    payments = pl.LazyFrame({"order_id": [4, 1], "paid_at": [ago(9), ago(10)]})

    out = order_exceptions(orders, invoices, payments, NOW).collect()

    assert out.select("kind", "number").rows() == [
        (EXCEPTION_KINDS[0], "SO-000001"),
        (EXCEPTION_KINDS[1], "SO-000002"),
        (EXCEPTION_KINDS[2], "SO-000003"),
        (EXCEPTION_KINDS[3], "SO-000001"),  # on hold after payment: still waiting to ship, 10 days
        (EXCEPTION_KINDS[3], "SO-000004"),  # longest waiting first
    ]
    assert out["detail"][0] == "Address check (held while paid)"
    assert out["days"][1] == 2.0
    counts = order_exception_counts(out.lazy()).collect()
    assert counts["count"].to_list() == [1, 1, 1, 2]


def test_an_orders_history_becomes_time_spent_per_state() -> None:
    events = pl.LazyFrame(
        {
            "at": [ago(5), ago(4), ago(4), ago(3), ago(1)],
            "from_state": [None, "entered", "entered", "audited", "on_hold"],
            "to_state": ["entered", "entered", "audited", "on_hold", "audited"],
        }
    )
    out = order_status_segments(events, NOW).collect()
    assert out["state"].to_list() == ["entered", "audited", "on_hold", "audited"]
    assert out["hours"].to_list() == [24.0, 24.0, 48.0, 24.0]  # the open state runs until now


def test_a_final_state_has_no_end() -> None:
    events = pl.LazyFrame(
        {"at": [ago(2), ago(1)], "from_state": [None, "entered"], "to_state": ["entered", "cancelled"]}
    )
    out = order_status_segments(events, NOW).collect()
    assert out["end"].to_list() == [ago(1), None]
