"""The pages' derived results after writes: what Order status and Integration keep from before a write
(cached while the columns they read are unchanged, `ui.data.columns_changed_at`) and what they compute again
(over the orders in flight only, or per state) equal the full computation over frames read in full
after the write, on the seeded store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from polars.testing import assert_frame_equal
from sqlalchemy import select

from crm_core import analytics
from crm_core.analytics.integration import RANK
from crm_core.orders import Action, LineInput, OrderStatus
from crm_core.permissions import Actor, Role
from crm_core.services import create_order, perform
from crm_core.services.orders import NewOrder
from crm_core.store import Store
from crm_core.store.changes import frame_versions
from crm_core.store.delta import caught_up, full_read
from crm_core.store.models import Customer, Order, Product
from tests.conftest import SAMPLE_TODAY
from ui.orders.status import FLOW_COLUMNS, _compute, _flow
from ui.reports.integration import CONVERSION_COLUMNS
from ui.reports.overview import DELIVERY_COLUMNS

MANAGER = Actor(1, "Maria Lindqvist", "maria.lindqvist@scalewise.example", Role.MANAGER)
NOW = datetime(2026, 11, 21, 10, 0)  # the pages' clock: naive UTC
WRITTEN = NOW.replace(tzinfo=UTC)
FRAMES = ("orders", "opportunities", "open_order_invoices", "open_order_payments")
START, END = date(2025, 12, 1), date(2026, 11, 22)


def _full_status(
    orders: pl.DataFrame, invoices: pl.DataFrame, payments: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The Order status figures as the page computed them before: every analytics call over all orders."""
    lazy = orders.lazy()
    exceptions = analytics.order_exceptions(lazy, invoices.lazy(), payments.lazy(), NOW)
    names = ["by_status", "exceptions", "exception_counts", "aging", "aging_summary", "cycle", "weekly"]
    frames = [
        analytics.orders_by_status(lazy),
        exceptions,
        analytics.order_exception_counts(exceptions),
        analytics.order_aging(lazy, NOW),
        analytics.order_aging_summary(lazy, NOW),
        analytics.order_cycle_time_by_month(lazy),
        analytics.order_throughput_by_week(lazy),
    ]
    return dict(zip(names, pl.collect_all(frames), strict=True))


def _conversions(opportunities: pl.DataFrame, orders: pl.DataFrame) -> list[pl.DataFrame]:
    """What Integration caches by `CONVERSION_COLUMNS`: S/O/E by month, rep and segment, and the lags."""
    opps, ords = opportunities.lazy(), orders.lazy()
    return pl.collect_all(
        [
            analytics.integration_by_month(opps, ords, start=START, end=END),
            analytics.conversion_lags(opps, ords),
            analytics.integration_by(opps, ords, "owner", start=START, end=END),
            analytics.integration_by(opps, ords, "industry", start=START, end=END),
        ]
    )


def _monthly(opportunities: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """What Overview caches by `DELIVERY_COLUMNS`: S, O and E per month."""
    return analytics.monthly_integration(opportunities.lazy(), orders.lazy()).collect()


def _hold(store: Store) -> None:
    with store.read() as s:
        order, version = s.execute(
            select(Order.id, Order.version).where(Order.status == OrderStatus.ENTERED).order_by(Order.id)
        ).first()  # type: ignore[misc]
    perform(
        store, MANAGER, order, Action.HOLD, expected_version=version, now=WRITTEN, reason="Customer asked"
    )


def _ship(store: Store) -> None:
    """Ship the oldest paid order: `shipped_at` changes, which throughput reads and S/O/E do not."""
    with store.read() as s:
        order, version = s.execute(
            select(Order.id, Order.version).where(Order.status == OrderStatus.PAID).order_by(Order.id)
        ).first()  # type: ignore[misc]
    perform(
        store,
        MANAGER,
        order,
        Action.SHIP,
        expected_version=version,
        now=WRITTEN,
        tracking_number=f"TRK{order}",
    )


def _create(store: Store) -> None:
    with store.read() as s:
        customer = s.scalar(select(Customer.id).order_by(Customer.id))
        sku = s.scalar(select(Product.sku).where(Product.active).order_by(Product.id))
    create_order(
        store, MANAGER, NewOrder(customer, [LineInput(sku, 1)], "credit_card", "standard"), today=SAMPLE_TODAY
    )


def test_kept_and_recomputed_results_equal_the_full_computation_after_writes(seeded_store: Store) -> None:
    version, _ = frame_versions(seeded_store)
    cached = {name: full_read(seeded_store, name, version) for name in FRAMES}
    flow = _flow(cached["orders"])
    conversions = _conversions(cached["opportunities"], cached["orders"])
    monthly = _monthly(cached["opportunities"], cached["orders"])

    # A hold changes no date: the page keeps its cycle time, throughput, S/O/E and lags. A shipment
    # changes a date that cycle time and throughput read (their key moves), a new order every key.
    for write, same_dates, same_conversions in (
        (_hold, True, True),
        (_ship, False, True),
        (_create, False, False),
    ):
        write(seeded_store)
        since, (version, _) = version, frame_versions(seeded_store)
        assert version > since
        caught = {name: caught_up(seeded_store, name, cached[name], since, version) for name in FRAMES}
        cached = {name: frame for name, (frame, _) in caught.items()}
        changed = caught["orders"][1]  # the columns of the orders the write changed
        full = {name: full_read(seeded_store, name) for name in FRAMES}
        expected = _full_status(full["orders"], full["open_order_invoices"], full["open_order_payments"])

        assert changed, write.__name__
        assert changed.isdisjoint(FLOW_COLUMNS) is same_dates, write.__name__
        if not same_dates:
            flow = _flow(cached["orders"])
        got = (
            _compute(cached["orders"], cached["open_order_invoices"], cached["open_order_payments"], NOW)
            | flow
        )
        assert got.keys() == expected.keys()
        for name, result in expected.items():
            assert_frame_equal(got[name], result, check_exact=True)

        assert changed.isdisjoint(CONVERSION_COLUMNS) is same_conversions, write.__name__
        if not same_conversions:
            conversions = _conversions(cached["opportunities"], cached["orders"])
        for kept, result in zip(
            conversions, _conversions(full["opportunities"], full["orders"]), strict=True
        ):
            assert_frame_equal(kept, result, check_exact=True)

        # Overview's monthly S/O/E reads the delivery dates: kept after a hold and a shipment.
        assert changed.isdisjoint(DELIVERY_COLUMNS) is same_conversions, write.__name__
        if not same_conversions:
            monthly = _monthly(cached["opportunities"], cached["orders"])
        assert_frame_equal(monthly, _monthly(full["opportunities"], full["orders"]), check_exact=True)


def test_the_flow_and_the_blocked_orders_count_each_order_once_by_its_state(seeded_store: Store) -> None:
    """`conversion_flow` counts the orders without an opportunity per state, `blocked_by_payment` ranks
    only invoiced and held orders: both equal ranking every order one by one."""
    _hold(seeded_store)
    opportunities, orders = full_read(seeded_store, "opportunities"), full_read(seeded_store, "orders")
    ranked = analytics.order_progress(orders.lazy()).collect()
    standalone = ranked.filter(pl.col("opportunity_id").is_null())["progress"]
    links = analytics.conversion_flow(opportunities.lazy(), orders.lazy()).collect()
    without = dict(
        links.filter(pl.col("source") == analytics.WITHOUT_OPPORTUNITY).select("target", "count").iter_rows()
    )
    rank = RANK
    assert without.get("Cancelled", 0) == (standalone == -1).sum()
    assert without.get("Delivered", 0) == (standalone == rank["delivered"]).sum()
    assert without.get("Invoiced, unpaid", 0) == (standalone == rank["invoiced"]).sum()
    assert sum(without.values()) == standalone.len()
    invoiced = ranked.filter(pl.col("progress") == rank["invoiced"])
    blocked = analytics.blocked_by_payment(orders.lazy()).collect().row(0, named=True)
    assert blocked == {"orders": invoiced.height, "total_cents": invoiced["total_cents"].sum()}
    assert invoiced.height > 0


def _in_chunks(frame: pl.DataFrame, chunks: int) -> pl.DataFrame:
    """The same rows in `chunks` chunks per column, as appends leave a frame before it is rechunked."""
    size = max(1, -(-frame.height // chunks))
    parts = [frame.slice(offset, size) for offset in range(0, frame.height, size)]
    return pl.concat(parts, rechunk=False)


def test_the_pages_compute_the_same_from_frames_in_many_chunks(seeded_store: Store) -> None:
    """An event frame is appended to in place up to MAX_CHUNKS chunks before it is copied into one
    (`crm_core.store.delta`); Polars 2.1 once panicked in a string kernel over many small chunks.
    The Pipeline's and Order status's computations give the same over the chunked frames."""
    from crm_core.store.delta import MAX_CHUNKS
    from ui.opportunities.pipeline import reach_and_flow

    version, _ = frame_versions(seeded_store)
    whole = {
        name: full_read(seeded_store, name, version)
        for name in (
            "orders",
            "opportunities",
            "opportunity_events",
            "open_order_invoices",
            "open_order_payments",
        )
    }
    chunked = {name: _in_chunks(frame, MAX_CHUNKS) for name, frame in whole.items()}
    assert chunked["opportunity_events"].n_chunks() == MAX_CHUNKS

    expected = reach_and_flow(whole["opportunities"], whole["opportunity_events"])
    got = reach_and_flow(chunked["opportunities"], chunked["opportunity_events"])
    for name, result in expected.items():
        assert_frame_equal(got[name], result, check_exact=True)

    status = _compute(whole["orders"], whole["open_order_invoices"], whole["open_order_payments"], NOW)
    chunked_status = _compute(
        chunked["orders"], chunked["open_order_invoices"], chunked["open_order_payments"], NOW
    )
    for name, result in status.items():
        assert_frame_equal(chunked_status[name], result, check_exact=True)
