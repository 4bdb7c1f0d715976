"""Incremental frames: bring a cached frame up to the current data version by reading only what
changed since its own (see `crm_core.store.changes` for how rows are stamped).

Every incremental frame is grouped: each of its rows belongs to a *group* — the record itself
(orders, opportunities) or the order it belongs to (lines, invoices, payments). Since version `c`,
the groups touched are found by one query over the `row_version` indexes: the frame's own rows
written after `c`, and the rows whose joined names (customer, owner, product) or whose filter
(an order leaving the open statuses) changed after `c`. Those groups are dropped from the cached
frame and read again whole, joins included; rows listed in `deleted_rows` after `c` are dropped.
The event frames are append-only: the events stamped after `c` and up to the version being
caught up to are appended (by version, not id: on PostgreSQL ids come from a sequence and do not
commit in id order, so a later commit can carry a smaller id than one already read). Past `MAX_GROUPS` touched
groups (a product renamed on 300,000 lines, a large import) a full read is cheaper, and is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import ColumnElement, Select, select, union
from sqlalchemy.orm import QueryableAttribute

from crm_core.orders import FINAL_STATUSES, OrderStatus
from crm_core.store import frames
from crm_core.store.changes import frame_versions
from crm_core.store.columnar import read_select
from crm_core.store.engine import Store
from crm_core.store.models import (
    Customer,
    DeletedRow,
    Event,
    Invoice,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    Product,
    User,
)

MAX_GROUPS = 20_000
FEW_GROUPS = 1_000  # up to this many groups touched, their rows are fetched as rows (columnar.read_select)
MAX_CHUNKS = 16


@dataclass(frozen=True)
class Grouped:
    """A frame re-read by group: `group` names the frame's column (and `key` the SQL column) that
    says which group a row is in; `touched(c)` selects the groups touched after version c (one
    column, `key`); `rows(where)` reads the frame's rows of those groups; `sort` is the frame's order."""

    full: Callable[[Store], pl.DataFrame]
    table: str
    group: str
    touched: Callable[[int], list[Select]]
    rows: Callable[[ColumnElement[bool]], Select]
    key: Callable[[], ColumnElement[int] | QueryableAttribute[int]]
    sort: tuple[str, ...]


@dataclass(frozen=True)
class Appended:
    """An append-only frame (events): the rows stamped in (since, upto] are read and appended."""

    whole: Callable[[], Select]  # every row of the frame, in id order, its `row_version` too
    since: Callable[[int, int], Select]
    keep: pl.Expr | None = None  # which of the new rows belong in the frame, if not all


def _changed(model: type, since: int) -> Select:
    return select(model.id).where(model.row_version > since)  # type: ignore[attr-defined]


def _open_order_ids() -> Select:
    in_flight = [status.value for status in OrderStatus if status not in FINAL_STATUSES]
    return select(Order.id).where(Order.status.in_(in_flight))


def _orders_touched(c: int) -> list[Select]:
    return [
        _changed(Order, c),
        select(Order.id).where(Order.customer_id.in_(_changed(Customer, c))),
    ]


def _opportunities_touched(c: int) -> list[Select]:
    return [
        _changed(Opportunity, c),
        select(Opportunity.id).where(Opportunity.customer_id.in_(_changed(Customer, c))),
        select(Opportunity.id).where(Opportunity.owner_id.in_(_changed(User, c))),
        select(Opportunity.id).where(Opportunity.product_id.in_(_changed(Product, c))),
    ]


def _lines_touched(c: int) -> list[Select]:
    return [
        select(OrderLine.order_id).where(OrderLine.row_version > c),
        select(OrderLine.order_id).where(OrderLine.product_id.in_(_changed(Product, c))),
    ]


def _by_order(model: type, *, open_only: bool) -> Callable[[int], list[Select]]:
    def touched(c: int) -> list[Select]:
        own = [select(model.order_id).where(model.row_version > c)]  # type: ignore[attr-defined]
        # An order moving on (delivered, cancelled) takes its rows out of the open-orders frame.
        return [*own, _changed(Order, c)] if open_only else own

    return touched


def _of(stmt: Select, model: type, open_only: bool) -> Callable[[ColumnElement[bool]], Select]:
    def rows(where: ColumnElement[bool]) -> Select:
        narrowed = stmt.where(model.order_id.in_(_open_order_ids())) if open_only else stmt  # type: ignore[attr-defined]
        return narrowed.where(where)

    return rows


GROUPED: dict[str, Grouped] = {
    "orders": Grouped(
        frames.read_orders,
        "orders",
        "id",
        _orders_touched,
        lambda where: frames.orders_select().where(where),
        lambda: Order.id,
        ("id",),
    ),
    "opportunities": Grouped(
        frames.read_opportunities,
        "opportunities",
        "id",
        _opportunities_touched,
        lambda where: frames.opportunities_select().where(where),
        lambda: Opportunity.id,
        ("id",),
    ),
    "order_lines": Grouped(
        frames.read_order_lines,
        "order_lines",
        "order_id",
        _lines_touched,
        lambda where: frames.order_lines_select().where(where),
        lambda: OrderLine.order_id,
        ("order_id", "line_no"),
    ),
    "invoices": Grouped(
        frames.read_invoices,
        "invoices",
        "order_id",
        _by_order(Invoice, open_only=False),
        _of(frames.invoices_select(), Invoice, False),
        lambda: Invoice.order_id,
        ("id",),
    ),
    "payments": Grouped(
        frames.read_payments,
        "payments",
        "order_id",
        _by_order(Payment, open_only=False),
        _of(frames.payments_select(), Payment, False),
        lambda: Payment.order_id,
        ("id",),
    ),
    "open_order_invoices": Grouped(
        lambda store: frames.read_invoices(store, open_orders_only=True),
        "invoices",
        "order_id",
        _by_order(Invoice, open_only=True),
        _of(frames.invoices_select(), Invoice, True),
        lambda: Invoice.order_id,
        ("id",),
    ),
    "open_order_payments": Grouped(
        lambda store: frames.read_payments(store, open_orders_only=True),
        "payments",
        "order_id",
        _by_order(Payment, open_only=True),
        _of(frames.payments_select(), Payment, True),
        lambda: Payment.order_id,
        ("id",),
    ),
}

APPENDED: dict[str, Appended] = {
    "events": Appended(
        lambda: frames.events_select().add_columns(Event.row_version).order_by(Event.id),
        lambda since, upto: frames.events_select().where(
            Event.row_version > since, Event.row_version <= upto
        ),
    ),
    "opportunity_events": Appended(
        # Off the (entity_type, entity_id) index, as frames.read_opportunity_stage_events reads it.
        lambda: frames.opportunity_stage_events_select().add_columns(Event.row_version),
        # By version alone (its index), filtered in Polars below: with the entity filter in SQL,
        # SQLite walks the (entity_type, entity_id) index over ~800,000 rows instead.
        lambda since, upto: select(*frames.opportunity_stage_events_select().selected_columns).where(
            Event.row_version > since, Event.row_version <= upto
        ),
        keep=(pl.col("entity_type") == "opportunity") & pl.col("to_state").is_not_null(),
    ),
}

# Whole-table aggregates: read again only when their table changed (the payments per day).
WHOLE: dict[str, tuple[Callable[[Store], pl.DataFrame], type]] = {
    "daily_payments": (frames.read_daily_payments, Payment),
}

INCREMENTAL = frozenset(GROUPED) | frozenset(APPENDED) | frozenset(WHOLE)


def full_read(store: Store, name: str, upto: int | None = None) -> pl.DataFrame:
    """The frame read whole (what the incremental merge must always equal). An event frame holds
    the events up to data version `upto` (default: the current one), exactly: a catch-up from
    `upto` appends the later ones."""
    if name in GROUPED:
        return GROUPED[name].full(store)
    if name in APPENDED:
        if upto is None:
            upto = frame_versions(store)[0]
        whole = read_select(store, APPENDED[name].whole(), large=True)
        return whole.filter(pl.col("row_version") <= upto).drop("row_version").sort("id")
    return WHOLE[name][0](store)


def _deleted(store: Store, table: str, since: int) -> pl.Series:
    return read_select(
        store,
        select(DeletedRow.row_id).where(DeletedRow.table_name == table, DeletedRow.row_version > since),
        few=True,
    )["row_id"]


def catch_up(store: Store, name: str, cached: pl.DataFrame, since: int, upto: int) -> pl.DataFrame:
    """`cached` (the frame `name` as it was at data version `since`, and not before the epoch)
    brought up to data version `upto` (read from `meta` before calling): the same rows, in the same
    order, as `full_read` at `upto`. Rows written after `upto` may show already (a later call reads
    them again); events are read exactly up to `upto`. Returns `cached` itself when nothing it
    shows changed."""
    return caught_up(store, name, cached, since, upto)[0]


def caught_up(
    store: Store, name: str, cached: pl.DataFrame, since: int, upto: int
) -> tuple[pl.DataFrame, frozenset[str]]:
    """`catch_up`, and the columns whose values it changed: none when nothing changed, the few a
    write changed when rows were updated in place (an order put on hold: its status, hold, version
    and time), every column when rows came or went. A result computed from some columns only is
    kept while none of them changed (`ui.data.columns_changed_at`)."""
    every = frozenset(cached.columns)
    if name in APPENDED:
        appended = APPENDED[name]
        fresh = read_select(store, appended.since(since, upto), few=True)
        if appended.keep is not None:
            fresh = fresh.filter(appended.keep)
        if fresh.is_empty():
            return cached, frozenset()
        fresh = fresh.sort("id")
        last = cached["id"].max() if cached.height else None
        if last is not None and int(fresh["id"].min()) < int(last):  # type: ignore[arg-type]
            # A transaction that took its ids earlier committed later (PostgreSQL): back in id order.
            return pl.concat([cached, fresh]).sort("id"), every
        merged = pl.concat([cached, fresh], rechunk=False)
        # A few chunks are cheap to append to; many small ones slow every scan (and see
        # columnar.read_select): copy into one now and then.
        return (merged.rechunk() if merged.n_chunks() > MAX_CHUNKS else merged), every
    if name in WHOLE:
        read, model = WHOLE[name]
        touched = read_select(store, _changed(model, since).limit(1), few=True)
        gone = _deleted(store, model.__tablename__, since)  # type: ignore[attr-defined]
        return (cached, frozenset()) if touched.is_empty() and gone.is_empty() else (read(store), every)
    spec = GROUPED[name]
    touched_sql = union(*spec.touched(since)).subquery()
    groups = read_select(store, select(touched_sql.c[0].label("key")), few=True)["key"].unique()
    gone = _deleted(store, spec.table, since)
    if groups.is_empty() and gone.is_empty():
        return cached, frozenset()
    if groups.len() > MAX_GROUPS:
        return spec.full(store), every
    fresh = None
    if not groups.is_empty():
        fresh = read_select(
            store, spec.rows(spec.key().in_(groups.to_list())), few=groups.len() <= FEW_GROUPS
        )
        fresh = fresh.select(cached.columns).cast(cached.schema)  # type: ignore[arg-type]
        if gone.is_empty() and spec.group == "id" and spec.sort == ("id",):
            patched = _patched(cached, fresh, groups)
            if patched is not None:
                return patched
    kept = cached.filter(~pl.col(spec.group).is_in(groups.implode()) & ~pl.col("id").is_in(gone.implode()))
    if fresh is None:
        return kept, every
    return pl.concat([kept, fresh], rechunk=False).sort(spec.sort).rechunk(), every


def _patched(
    cached: pl.DataFrame, fresh: pl.DataFrame, ids: pl.Series
) -> tuple[pl.DataFrame, frozenset[str]] | None:
    """`cached` (in id order) with its rows of `ids` replaced by `fresh`, in place of a filter,
    concat and sort of every row, and the columns that changed: when each id touched is still in
    the frame and already was (the usual write: an order or a deal changed). None otherwise (rows
    come or go)."""
    if fresh.height != ids.len() or fresh.is_empty():
        return None
    fresh = fresh.sort("id")
    at = cached["id"].search_sorted(fresh["id"])
    if int(at.max()) >= cached.height or not cached["id"].gather(at).equals(fresh["id"]):  # type: ignore[arg-type]
        return None
    # scatter writes into a copy of the column (the cached frame is shared and stays as it was):
    # only the columns the write changed are copied (an order put on hold: its status, hold,
    # version and time), the others are the cached frame's own, shared.
    before = cached.gather(at)
    changed = frozenset(c for c in cached.columns if not before[c].equals(fresh[c]))
    if not changed:
        return cached, changed
    columns = [cached[c].clone().scatter(at, fresh[c]) if c in changed else cached[c] for c in cached.columns]
    return pl.DataFrame(columns), changed
