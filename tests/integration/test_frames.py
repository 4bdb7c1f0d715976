"""The column-wise readers and the SQL push-downs give exactly the frames of the slow, plain way."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from crm_core import analytics
from crm_core.store import Store, columnar
from crm_core.store import frames as store_frames
from crm_core.store.models import Event, Invoice, Order, OrderLine, Payment

SELECTS = {
    "opportunities": store_frames.opportunities_select,
    "orders": store_frames.orders_select,
    "daily payments": store_frames.daily_payments_select,
}


def _all_selects() -> dict[str, object]:
    from sqlalchemy import select

    return {
        **{name: make() for name, make in SELECTS.items()},
        "events": select(*Event.__table__.columns).order_by(Event.id),
        "payments": select(*Payment.__table__.columns).order_by(Payment.id),
        "invoices": select(*Invoice.__table__.columns).order_by(Invoice.id),
        "order lines": select(*OrderLine.__table__.columns).order_by(OrderLine.id),
    }


def test_every_frame_read_column_wise_equals_the_one_built_from_sqlalchemy_rows(seeded_store: Store) -> None:
    for name, stmt in _all_selects().items():
        fast = columnar.read_select(seeded_store, stmt)  # type: ignore[arg-type]
        slow = columnar.read_select_rows(seeded_store, stmt)  # type: ignore[arg-type]
        assert fast.height > 0, name
        assert_frame_equal(fast, slow, check_exact=True)


def test_an_empty_result_keeps_its_column_types(seeded_store: Store) -> None:
    stmt = store_frames.orders_select().where(Order.id < 0)
    fast = columnar.read_select(seeded_store, stmt)
    assert fast.is_empty()
    assert fast.schema == columnar.read_select_rows(seeded_store, stmt).schema


def test_the_stage_events_are_the_opportunity_events_that_change_a_stage(seeded_store: Store) -> None:
    every = store_frames.read_events(seeded_store, "opportunity")
    expected = every.filter(pl.col("to_state").is_not_null()).select(
        "id", "entity_type", "entity_id", "from_state", "to_state", "at"
    )
    assert_frame_equal(store_frames.read_opportunity_stage_events(seeded_store), expected)


def test_revenue_from_payments_summed_per_day_in_sql_equals_revenue_from_every_payment(
    seeded_store: Store,
) -> None:
    daily = store_frames.read_daily_payments(seeded_store).lazy()
    every = store_frames.read_payments(seeded_store).lazy()
    assert_frame_equal(analytics.monthly_revenue(daily).collect(), analytics.monthly_revenue(every).collect())
    opportunities = store_frames.read_opportunities(seeded_store).lazy()
    orders = store_frames.read_orders(seeded_store).lazy()
    for start, end in [(date(2026, 11, 1), date(2026, 11, 21)), (date(2025, 6, 3), date(2025, 9, 17))]:
        assert_frame_equal(
            analytics.period_kpis(opportunities, orders, daily, start=start, end=end).collect(),
            analytics.period_kpis(opportunities, orders, every, start=start, end=end).collect(),
        )
    assert store_frames.read_daily_payments(seeded_store)["payments"].sum() == every.collect().height


def test_orders_per_status_counted_in_sql_equal_those_counted_in_polars(seeded_store: Store) -> None:
    in_sql = analytics.every_status(store_frames.read_status_totals(seeded_store).lazy()).collect()
    in_polars = analytics.orders_by_status(store_frames.read_orders(seeded_store).lazy()).collect()
    assert_frame_equal(in_sql, in_polars)
    assert in_sql["count"].sum() == store_frames.read_orders(seeded_store).height


def test_the_order_exceptions_need_only_the_invoices_and_payments_of_orders_in_flight(
    seeded_store: Store,
) -> None:
    orders = store_frames.read_orders(seeded_store).lazy()
    now = datetime(2026, 11, 20, 12, 0)
    narrow = analytics.order_exceptions(
        orders,
        store_frames.read_invoices(seeded_store, open_orders_only=True).lazy(),
        store_frames.read_payments(seeded_store, open_orders_only=True).lazy(),
        now,
    ).collect()
    every = analytics.order_exceptions(
        orders,
        store_frames.read_invoices(seeded_store).lazy(),
        store_frames.read_payments(seeded_store).lazy(),
        now,
    ).collect()
    assert narrow.height > 0
    assert_frame_equal(narrow, every)
    assert store_frames.read_invoices(seeded_store, open_orders_only=True).height < (
        store_frames.read_invoices(seeded_store).height
    )


def test_timestamps_keep_their_microseconds_and_dates_before_1970_read_back(seeded_store: Store) -> None:
    from datetime import UTC

    from crm_core.store import UnitOfWork

    moments = [
        datetime(2026, 11, 20, 9, 15, 7, 123456, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
    ]
    with UnitOfWork(seeded_store) as uow:
        for at in moments:
            uow.record("order", 1, "note", None, note="a moment", at=at)
        uow.commit()
    stmt = _all_selects()["events"]
    fast = columnar.read_select(seeded_store, stmt)  # type: ignore[arg-type]
    assert_frame_equal(fast, columnar.read_select_rows(seeded_store, stmt), check_exact=True)  # type: ignore[arg-type]
    assert fast["at"].tail(2).to_list() == [m.replace(tzinfo=None) for m in moments]


def test_orders_and_opportunities_with_names_joined_in_polars_equal_the_sql_joins(
    seeded_store: Store,
) -> None:
    assert_frame_equal(
        store_frames.read_orders(seeded_store),
        columnar.read_select_rows(seeded_store, store_frames.orders_select()),
        check_exact=True,
    )
    assert_frame_equal(
        store_frames.read_opportunities(seeded_store),
        columnar.read_select_rows(seeded_store, store_frames.opportunities_select()),
        check_exact=True,
    )


def test_a_table_preview_reads_its_first_rows_and_counts_the_rest(seeded_store: Store) -> None:
    head, total = store_frames.read_table_head(seeded_store, "events", 200)
    every = store_frames.read_table(seeded_store, "events")
    assert total == every.height > 200
    assert_frame_equal(head, every.sort("id").head(200))
