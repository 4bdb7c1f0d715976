"""What happens to orders after they are entered: the walk through the order states (with holds
and cancellations), the lines, the totals and invoices, and the allocations and stock."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.money import line_total_expr
from crm_core.orders import FLOW, OrderStatus
from crm_core.sample.vectors import (
    DAY,
    _Calendar,
    _dates,
    _lognormal,
    _skewed_quantity,
    _text,
    _times,
    _work_span,
)
from crm_core.sample.vocab import CANCELLED, ON_HOLD, PRODUCTS, RESERVING, WAREHOUSES


@dataclass
class _Timeline:
    """How far each order got by the end of as_of, and when (epoch seconds)."""

    T: np.ndarray  # (len(FLOW), n): when the order reached (or would reach) FLOW[j]
    happened: np.ndarray  # (len(FLOW), n): whether it reached FLOW[j] by the end of as_of
    status: np.ndarray  # index into ORDER_STATES
    changed: np.ndarray  # the last status change
    hold_state: np.ndarray  # index into FLOW of the state a hold came from (0 if none)
    held: np.ndarray
    hold_at: np.ndarray
    resumed: np.ndarray
    resume_at: np.ndarray
    cancelled: np.ndarray
    cancel_at: np.ndarray
    cancel_from: np.ndarray  # index into ORDER_STATES


def _order_timeline(
    rng: np.random.Generator,
    cal: _Calendar,
    created: np.ndarray,
    card: np.ndarray,
    lead: np.ndarray,
    transit: np.ndarray,
) -> _Timeline:
    """Simulate every order's walk through the states on the working clock, then cut it at as_of."""
    n = len(created)
    steps = np.empty((len(FLOW), n), dtype=np.int64)
    steps[0] = created
    steps[1] = _work_span(_lognormal(rng, 1.5, 0.8, n))
    steps[2] = _work_span(_lognormal(rng, 1.0, 0.8, n))
    # After allocation the promise (crm_core.orders.promised_date) allows, in business days, the
    # payment clearing (1 for cards and PayPal, 10 for a bank transfer), the lead time and the transit:
    # most orders keep it; the slow payers and the holds are the ones that run late.
    steps[3] = _work_span(_lognormal(rng, 0.3, 0.8, n))
    steps[4] = np.where(
        card, _work_span(_lognormal(rng, 0.15, 0.8, n)), _work_span(_lognormal(rng, 5, 0.5, n))
    )
    steps[5] = _work_span(lead * rng.uniform(0.5, 1.0, n) + 0.1)
    steps[6] = _work_span(transit * rng.uniform(0.6, 1.0, n) + 0.2)
    T = np.cumsum(steps, axis=0)
    cols = np.arange(n)

    # Exceptions before shipping: a hold (resumed, or ended by a cancellation) and a cancellation.
    pre_shipment = FLOW.index(OrderStatus.SHIPPED)
    hold_state = np.where(
        rng.random(n) < 0.10, rng.choice(pre_shipment, n, p=(0.25, 0.25, 0.2, 0.2, 0.1)), -1
    )
    cancel_state = np.where(
        rng.random(n) < 0.07, rng.choice(pre_shipment, n, p=(0.3, 0.25, 0.2, 0.15, 0.1)), -1
    )
    hold_state = np.where((cancel_state >= 0) & (cancel_state < hold_state), -1, hold_state)
    has_hold = hold_state >= 0
    during_hold = has_hold & ((rng.random(n) < 0.3) | (cancel_state == hold_state))
    resumes = has_hold & ~during_hold
    hs = np.maximum(hold_state, 0)
    gap = T[hs + 1, cols] - T[hs, cols]
    hold_at = T[hs, cols] + np.maximum(1, rng.uniform(0.2, 0.8, n) * gap).astype(np.int64)
    hold_len = np.where(
        resumes, _work_span(_lognormal(rng, 3, 0.9, n), 600), _work_span(rng.uniform(15, 60, n))
    )
    T = T + np.where((np.arange(len(FLOW))[:, None] > hold_state) & resumes, hold_len, 0)  # a hold delays
    cs = np.maximum(cancel_state, 0)
    gap = T[cs + 1, cols] - T[cs, cols]
    cancel_at = np.where(
        during_hold,
        hold_at + hold_len,
        T[cs, cols] + np.maximum(1, rng.uniform(0.2, 0.8, n) * gap).astype(np.int64),
    )
    last_step = np.where(during_hold, hold_state, np.where(cancel_state >= 0, cancel_state, len(FLOW) - 1))

    happened = (np.arange(len(FLOW))[:, None] <= last_step) & (cal.work_end >= T)
    held = has_hold & (hold_at <= cal.work_end)
    resumed = resumes & (hold_at + hold_len <= cal.work_end)
    cancelled = (during_hold | (cancel_state >= 0)) & (cancel_at <= cal.work_end)
    status = happened.sum(axis=0) - 1
    status = np.where(held & ~resumed, ON_HOLD, status)
    status = np.where(cancelled, CANCELLED, status)
    changed = np.max(np.where(happened, T, 0), axis=0)
    changed = np.where(held, np.maximum(changed, hold_at), changed)
    changed = np.where(resumed, np.maximum(changed, hold_at + hold_len), changed)
    changed = np.where(cancelled, cancel_at, changed)
    return _Timeline(
        T=cal.from_work(T),
        happened=happened,
        status=status,
        changed=cal.from_work(changed),
        hold_state=hs,
        held=held,
        hold_at=cal.from_work(hold_at),
        resumed=resumed,
        resume_at=cal.from_work(hold_at + hold_len),
        cancelled=cancelled,
        cancel_at=cal.from_work(cancel_at),
        cancel_from=np.where(during_hold, ON_HOLD, cs),
    )


def _order_lines(
    rng: np.random.Generator, cal: _Calendar, h: dict[str, np.ndarray], tl: _Timeline, discount: np.ndarray
) -> pl.DataFrame:
    """A won opportunity's order has its one line; repeat orders 1-4 distinct products, where
    discontinued products only appear in finished orders from long ago."""
    n = len(h["created"])
    n_lines = np.where(h["product"] >= 0, 1, rng.choice(4, n, p=(0.45, 0.30, 0.15, 0.10)) + 1)
    starts = np.cumsum(n_lines) - n_lines
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(len(line_order)) - starts[line_order]
    # Distinct products: each line steps 1-5 places further along the catalogue (at most 15 < 22).
    offset = np.cumsum(np.where(position == 0, 0, rng.integers(1, 6, len(line_order))))
    offset = offset - offset[starts][line_order] if len(offset) else offset
    everything = np.arange(len(PRODUCTS))
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    popularity = np.array([p[4] for p in PRODUCTS], dtype=float)
    start_all = rng.choice(len(everything), n, p=popularity / popularity.sum())
    start_active = rng.choice(len(active), n, p=popularity[active] / popularity[active].sum())
    created = tl.T[0]
    old_and_final = np.isin(tl.status, [len(FLOW) - 1, CANCELLED]) & (created < cal.end_s - 240 * DAY)
    product = np.where(
        old_and_final[line_order],
        everything[(start_all[line_order] + offset) % len(everything)],
        active[(start_active[line_order] + offset) % len(active)],
    )
    from_opportunity = h["product"][line_order] >= 0
    product = np.where(from_opportunity, h["product"][line_order], product)
    lo, hi, price = (np.array([p[k] for p in PRODUCTS])[product] for k in (2, 3, 1))
    quantity = np.where(from_opportunity, h["quantity"][line_order], _skewed_quantity(rng, lo, hi))
    return pl.DataFrame(
        {
            "id": np.arange(1, len(line_order) + 1),
            "order_id": line_order + 1,
            "line_no": position + 1,
            "product_id": product + 1,
            "quantity": quantity,
            "unit_price_cents": price,
            "discount_bp": discount[line_order],
        }
    )


def _settlement(
    lines: pl.DataFrame, tl: _Timeline, shipping: np.ndarray, tax_rate: np.ndarray
) -> tuple[np.ndarray, pl.DataFrame, np.ndarray]:
    """Order totals by the crm_core.money rules, and the invoices in issue order, numbered gap-free
    per year. Returns the totals, the invoices and each order's invoice position (-1 if none)."""
    n = len(shipping)
    line_total = lines.select(line_total_expr()).to_series().to_numpy()
    starts = np.searchsorted(lines["order_id"].to_numpy(), np.arange(1, n + 1))
    subtotal = np.add.reduceat(line_total, starts) if n else np.zeros(0, dtype=np.int64)
    tax = (2 * subtotal * tax_rate + 10_000) // 20_000  # crm_core.money.tax_cents, half-up
    total = subtotal + shipping + tax

    invoiced = np.flatnonzero(tl.happened[3])
    issued = tl.T[3, invoiced]
    invoiced, issued = invoiced[np.lexsort((invoiced, issued))], np.sort(issued, kind="stable")
    year = (issued // DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    seq = np.arange(len(invoiced)) - np.searchsorted(year, year) + 1
    invoice_of = np.full(n, -1)
    invoice_of[invoiced] = np.arange(len(invoiced))
    invoices = pl.DataFrame(
        {
            "id": np.arange(1, len(invoiced) + 1),
            "number": _text("INV-", year, "-", pl.Series(seq).cast(pl.Utf8).str.zfill(6)),
            "order_id": invoiced + 1,
            "issued_at": _times(issued),
            "due_date": _dates(issued // DAY + 30),
            "subtotal_cents": subtotal[invoiced],
            "shipping_cents": shipping[invoiced],
            "tax_cents": tax[invoiced],
            "total_cents": total[invoiced],
        }
    )
    return total, invoices, invoice_of


def _allocations_and_stock(
    rng: np.random.Generator, lines: pl.DataFrame, tl: _Timeline, warehouse: np.ndarray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One warehouse per order; cancelled orders released their stock; `reserved` is what open
    allocations hold, `on_hand` that plus what is free."""
    line_order = lines["order_id"].to_numpy() - 1
    product = lines["product_id"].to_numpy() - 1
    quantity = lines["quantity"].to_numpy()
    allocated = np.flatnonzero(tl.happened[2][line_order])
    order = line_order[allocated]
    allocations = pl.DataFrame(
        {
            "id": np.arange(1, len(allocated) + 1),
            "order_id": order + 1,
            "line_id": allocated + 1,
            "warehouse_id": warehouse[order] + 1,
            "product_id": product[allocated] + 1,
            "quantity": quantity[allocated],
            "released": tl.status[order] == CANCELLED,
        }
    )
    holds_stock = RESERVING[tl.status] | ((tl.status == ON_HOLD) & RESERVING[tl.hold_state])
    reserving = allocated[holds_stock[order]]
    cell = warehouse[line_order[reserving]] * len(PRODUCTS) + product[reserving]
    reserved = np.rint(np.bincount(cell, quantity[reserving], len(WAREHOUSES) * len(PRODUCTS)))
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    stock_wh, stock_product = (
        np.repeat(np.arange(len(WAREHOUSES)), len(active)),
        np.tile(active, len(WAREHOUSES)),
    )
    typical = np.array([p[3] for p in PRODUCTS])[stock_product]
    free = np.where(
        rng.random(len(stock_product)) < 0.08,  # running low
        rng.integers(0, typical // 2 + 1),
        rng.integers(2 * typical, 12 * typical + 1),
    )
    cell_reserved = reserved[stock_wh * len(PRODUCTS) + stock_product].astype(np.int64)
    stock = pl.DataFrame(
        {
            "warehouse_id": stock_wh + 1,
            "product_id": stock_product + 1,
            "on_hand": cell_reserved + free,
            "reserved": cell_reserved,
        }
    )
    return allocations, stock
