"""The Order status page: where the orders are, how long they sit there, how fast they flow, and
what is stuck — for the orders the filter bar selects.

`OrderStatusFilters` is the filter bar's value: its `predicate()` selects the orders and the value
itself keys the cached metrics (`ui.data.derived`), with the minute (aging and "late" move with the
clock). At a million orders the exceptions and cycle-time aggregations take a few hundred
milliseconds: a rerun that changes nothing (a click in "show data", a chart hover) does not pay
that again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.analytics.orders import UNPAID_DAYS, UNSHIPPED_DAYS
from ui.charts import status_bars
from ui.charts.orders import aging_bars, cycle_time_lines, exception_bars, throughput_lines
from ui.data import by_content, columns_changed_at, derived, frame
from ui.figures import figure
from ui.filters import Choices, DateSpan, is_in, narrowed, picked_span, picked_values, selected_rows, within
from ui.orders.state import (
    SELECTED,
    STATUS_CREATED,
    STATUS_DELIVERY,
    STATUS_KINDS,
    STATUS_PAYMENT,
    STATUS_REGION,
    STATUS_TABLE_NONCE,
    status_exceptions_table,
)
from ui.theme import label, label_expr, money
from ui.widgets import arrow, show_data

THROUGHPUT_WEEKS = 52
MAX_EXCEPTION_ROWS = 1_000
Metrics = dict[str, pl.DataFrame]


@dataclass(frozen=True)
class OrderStatusFilters:
    """What the Order status filter bar selects: entry days, customer regions, delivery and payment
    methods. Empty means "all"."""

    created: DateSpan | None = None
    regions: tuple[str, ...] = ()
    delivery_methods: tuple[str, ...] = ()
    payment_methods: tuple[str, ...] = ()

    def predicate(self) -> pl.Expr:
        return (
            within("created_at", self.created)
            & is_in("region", self.regions)
            & is_in("delivery_method", self.delivery_methods)
            & is_in("payment_method", self.payment_methods)
        )


def filter_bar(orders: pl.DataFrame) -> OrderStatusFilters:
    """The filter widgets, in a bordered row; their values as one OrderStatusFilters."""
    choices = by_content(
        "order_status_choices",
        columns_changed_at("orders", FILTER_COLUMNS),
        lambda: Choices.of(orders, FILTER_COLUMNS[1:], FILTER_COLUMNS[:1]),
    )
    with st.container(border=True):
        cols = st.columns(4)
        with cols[0]:
            created = picked_span(choices, "created_at", "Orders entered between", key=STATUS_CREATED)
        with cols[1]:
            regions = picked_values(choices, "region", "Customer region", key=STATUS_REGION)
        with cols[2]:
            delivery = picked_values(
                choices, "delivery_method", "Delivery method", key=STATUS_DELIVERY, labels=True
            )
        with cols[3]:
            payment = picked_values(
                choices, "payment_method", "Payment method", key=STATUS_PAYMENT, labels=True
            )
    return OrderStatusFilters(narrowed(created, choices.spans["created_at"]), regions, delivery, payment)


# What the filter bar reads (the entry day first); and what the cycle time and the throughput read,
# besides the rows the filters select: a write that changes none of these (an order put on hold,
# paid, invoiced) leaves them as they were (`ui.data.columns_changed_at`).
FILTER_COLUMNS = ("created_at", "region", "delivery_method", "payment_method")
FLOW_COLUMNS = ("created_at", "shipped_at", "delivered_at")
STATUS_FRAMES = ("orders", "open_order_invoices", "open_order_payments")


def _compute(
    selected: pl.DataFrame, invoices: pl.DataFrame, payments: pl.DataFrame, now: datetime
) -> Metrics:
    """The figures that move with the orders' statuses and the clock. Aging and exceptions only look
    at the orders in flight (a few percent at a million): those are selected once, here."""
    in_flight = selected.filter(~pl.col("status").is_in(analytics.FINAL_STATUS_VALUES)).lazy()
    exceptions = analytics.order_exceptions(in_flight, invoices.lazy(), payments.lazy(), now)
    frames = pl.collect_all(
        [
            analytics.orders_by_status(selected.lazy()),
            exceptions,
            analytics.order_exception_counts(exceptions),
            analytics.order_aging(in_flight, now),
            analytics.order_aging_summary(in_flight, now),
        ]
    )
    names = ["by_status", "exceptions", "exception_counts", "aging", "aging_summary"]
    return dict(zip(names, frames, strict=True))


def _flow(selected: pl.DataFrame) -> Metrics:
    """Cycle time and throughput: from FLOW_COLUMNS only, whatever the clock."""
    lazy = selected.lazy()
    cycle, weekly = pl.collect_all(
        [analytics.order_cycle_time_by_month(lazy), analytics.order_throughput_by_week(lazy)]
    )
    return {"cycle": cycle, "weekly": weekly}


def order_status_metrics(orders: pl.DataFrame, filters: OrderStatusFilters, now: datetime) -> Metrics:
    """Every frame the page draws, for the orders `filters` selects: the status figures cached per
    version of the frames they read, filters and minute; cycle time and throughput per content of
    the dates they read (`ui.data.by_content`), so a change of status does not compute them again."""
    minute = now.replace(second=0, microsecond=0)
    selected = selected_rows(orders, filters)
    # the exceptions only look at orders in flight
    invoices, payments = frame("open_order_invoices"), frame("open_order_payments")
    metrics = derived(
        "order_status",
        (filters, minute),
        lambda: _compute(selected, invoices, payments, minute),
        frames=STATUS_FRAMES,
    )
    read = columns_changed_at("orders", FLOW_COLUMNS + FILTER_COLUMNS)
    return metrics | by_content("order_status_flow", (filters, read), lambda: _flow(selected))


def tiles(metrics_frames: Metrics) -> None:
    """The headline counts: in flight, and each kind of exception."""
    by_status, exception_counts = metrics_frames["by_status"], metrics_frames["exception_counts"]
    in_flight = by_status.filter(~pl.col("status").is_in(analytics.FINAL_STATUS_VALUES))
    counts = dict(zip(exception_counts["kind"].to_list(), exception_counts["count"].to_list(), strict=True))
    kinds = analytics.EXCEPTION_KINDS
    metrics = st.columns(5)
    metrics[0].metric(
        "Orders in flight",
        f"{in_flight['count'].sum():,}",
        help="Entered and not yet delivered or cancelled.",
        border=True,
    )
    metrics[1].metric(
        "On hold", f"{counts[kinds[0]]:,}", help="Waiting for a reason written on the order.", border=True
    )
    metrics[2].metric(
        "Late",
        f"{counts[kinds[1]]:,}",
        help="The promised date has passed and the order is not delivered.",
        border=True,
    )
    metrics[3].metric(
        f"Unpaid > {UNPAID_DAYS} days",
        f"{counts[kinds[2]]:,}",
        help="Invoiced more than 14 days ago, no payment.",
        border=True,
    )
    metrics[4].metric(
        f"Unshipped > {UNSHIPPED_DAYS} days",
        f"{counts[kinds[3]]:,}",
        help="Paid more than 7 days ago and still in the warehouse.",
        border=True,
    )
    flight_value = money(in_flight["total_cents"].sum(), compact=True)
    st.caption(f"In flight: {in_flight['count'].sum():,} orders worth {flight_value}. Times are UTC.")


def where_section(metrics_frames: Metrics) -> None:
    by_status = metrics_frames["by_status"]
    in_flight = by_status.filter(~pl.col("status").is_in(analytics.FINAL_STATUS_VALUES))
    finished = dict(
        zip(
            by_status["status"].to_list(),
            zip(by_status["count"].to_list(), by_status["total_cents"].to_list(), strict=True),
            strict=True,
        )
    )
    st.subheader("Where the orders are", anchor=False)
    st.caption(
        "Orders still in flight, by status. Delivered and cancelled orders are counted apart below: there "
        "are many more of them, and on one scale the statuses that need work would be slivers."
    )
    if in_flight["count"].sum() == 0:
        st.info(
            "No orders in flight: every order the filters select is delivered or cancelled (counted below).",
            icon=":material/info:",
        )
    else:
        left, right = st.columns(2)
        left.plotly_chart(
            figure(status_bars, by_status, value_col="count", title="Orders in flight by status"),
            key="order_status_n",
        )
        right.plotly_chart(
            figure(status_bars, by_status, value_col="total_cents", title="Value in flight by status"),
            key="order_status_v",
        )
    done_cols = st.columns(4)
    for col, status in zip(done_cols, ("delivered", "cancelled"), strict=False):
        count, cents = finished.get(status, (0, 0))
        col.metric(
            label(status),
            f"{count:,}",
            delta=money(cents, compact=True),
            delta_color="off",
            delta_arrow="off",
            help="Final: these orders have left the flow (of those the filters select). Below: their value.",
            border=True,
        )
    show_data(
        by_status.with_columns(label_expr("status"), (pl.col("total_cents") / 100).alias("total")).drop(
            "total_cents"
        ),
        key="order_status_by_status",
        file_name="orders_by_status.csv",
    )


def attention_section(metrics_frames: Metrics) -> None:
    exceptions, exception_counts = metrics_frames["exceptions"], metrics_frames["exception_counts"]
    kinds = analytics.EXCEPTION_KINDS
    st.subheader("What needs attention", anchor=False)
    left, right = st.columns([3, 2], gap="large")
    if exception_counts["count"].sum() == 0:
        left.info(
            "No exceptions: no order the filters select is on hold, late, unpaid or waiting to ship.",
            icon=":material/check_circle:",
        )
    else:
        left.plotly_chart(
            figure(exception_bars, exception_counts, title="Exceptions (orders · value)"),
            key="order_status_exceptions",
        )
    with right:
        st.markdown(
            f"- **On hold**: stopped by someone, with the reason they gave.\n"
            f"- **Late**: the promised delivery date has passed and the order is not delivered.\n"
            f"- **Unpaid > {UNPAID_DAYS} days**: invoiced more than {UNPAID_DAYS} days ago, no payment yet.\n"
            f"- **Paid, not shipped > {UNSHIPPED_DAYS} days**: the customer paid more than "
            f"{UNSHIPPED_DAYS} days ago and the goods are still in the warehouse.\n\n"
            "An order can be in more than one list (an order on hold can also be late)."
        )
    chosen = st.segmented_control(
        "Show",
        kinds,
        selection_mode="multi",
        default=kinds,
        key=STATUS_KINDS,
        label_visibility="collapsed",
    )
    matching = exceptions.filter(pl.col("kind").is_in(chosen or kinds))
    shown = matching.head(MAX_EXCEPTION_ROWS)  # longest waiting first; "Show data" has them all
    picked = st.dataframe(
        arrow(
            shown.select(
                "kind",
                "number",
                "customer",
                label_expr("status"),
                pl.col("days").round(1),
                "detail",
                (pl.col("total_cents") / 100).alias("total"),
            )
        ),
        hide_index=True,
        width="stretch",
        height=320,
        on_select="rerun",
        selection_mode="single-row",
        key=status_exceptions_table(st.session_state.get(STATUS_TABLE_NONCE, 0)),
        column_config={
            "kind": "Exception",
            "number": "Order",
            "customer": "Customer",
            "status": "Status",
            "days": st.column_config.NumberColumn(
                "Days", help="Days on hold, late, unpaid or waiting to ship"
            ),
            "detail": st.column_config.TextColumn("Detail", width="large"),
            "total": st.column_config.NumberColumn("Total", format="dollar"),
        },
    )
    more = (
        f" (the {MAX_EXCEPTION_ROWS:,} longest waiting per list order shown)"
        if matching.height > shown.height
        else ""
    )
    st.caption(f"{matching.height:,} rows{more} · select one to open the order on the Orders page.")
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.session_state[SELECTED] = int(shown["id"][rows[0]])
        # forget the pick, or coming back here would open the order again
        st.session_state[STATUS_TABLE_NONCE] = st.session_state.get(STATUS_TABLE_NONCE, 0) + 1
        st.switch_page("pages/orders.py")
    show_data(
        exceptions.with_columns((pl.col("total_cents") / 100).alias("total")).drop("total_cents", "id"),
        key="order_status_exceptions_data",
        file_name="order_exceptions.csv",
    )


def waiting_section(metrics_frames: Metrics) -> None:
    st.subheader("How long orders wait", anchor=False)
    aging, summary = metrics_frames["aging"], metrics_frames["aging_summary"]
    left, right = st.columns([3, 2])
    if aging.is_empty():
        left.info(
            "No open orders, so none is waiting: every order the filters select is delivered or cancelled.",
            icon=":material/info:",
        )
    else:
        left.plotly_chart(
            figure(aging_bars, aging, title="Open orders by time in their current status"),
            key="order_status_aging",
        )
    with right:
        st.dataframe(
            arrow(
                summary.select(
                    label_expr("status"), "count", pl.col("median_days").round(1), pl.col("max_days").round(1)
                )
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "status": "Status",
                "count": "Orders",
                "median_days": st.column_config.NumberColumn("Median days", help="Half wait less than this"),
                "max_days": st.column_config.NumberColumn("Longest (days)"),
            },
        )
    show_data(aging.drop("bucket_order"), key="order_status_aging_data", file_name="order_aging.csv")


def flow_section(metrics_frames: Metrics, now: datetime) -> None:
    st.subheader("How fast orders flow", anchor=False)
    cycle = metrics_frames["cycle"].with_columns(analytics.running_period("month", now.date()))
    weekly = metrics_frames["weekly"].with_columns(analytics.running_period("week", now.date(), "1w"))
    if weekly.height > THROUGHPUT_WEEKS:  # years of weeks are unreadable: the last year of the data
        weekly = weekly.tail(THROUGHPUT_WEEKS)
        st.caption(
            f"Throughput: the last {THROUGHPUT_WEEKS} weeks of the data, to the week of "
            f"{weekly['week'].max():%d %b %Y}."
        )
    left, right = st.columns(2)
    if cycle["delivered"].sum() == 0:
        left.info("No order delivered yet, so there is no cycle time to show.", icon=":material/info:")
    elif not cycle["p90_days"].max():
        left.info(
            "Every delivered order was delivered the moment it was entered — imported orders without a "
            "delivery date — so there is no cycle time to chart.",
            icon=":material/info:",
        )
    else:
        left.plotly_chart(
            figure(cycle_time_lines, cycle, title="Cycle time, entered → delivered (by month delivered)"),
            key="order_status_cycle",
        )
    if weekly.is_empty():
        right.info("No orders yet, so there is no throughput to show.", icon=":material/info:")
    else:
        right.plotly_chart(
            figure(throughput_lines, weekly, title="Throughput per week"), key="order_status_weekly"
        )
    if cycle["partial"].any() or weekly["partial"].any():
        st.caption("This month and this week are still running: drawn dotted and marked “so far”.")
    data_left, data_right = st.columns(2)
    with data_left:
        show_data(cycle.drop("partial"), key="order_status_cycle_data", file_name="order_cycle_time.csv")
    with data_right:
        show_data(weekly.drop("partial"), key="order_status_weekly_data", file_name="order_throughput.csv")
