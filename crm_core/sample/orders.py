"""Orders: who orders what and when, and the order frames and events built from their timeline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.orders import (
    DELIVERY_METHODS,
    FLOW,
    PAYMENT_CLEARING_DAYS,
    PAYMENT_METHODS,
    Action,
    OrderStatus,
)
from crm_core.sample.events import _event_rows
from crm_core.sample.fulfilment import _allocations_and_stock, _order_lines, _order_timeline, _settlement
from crm_core.sample.master import _Customers
from crm_core.sample.opportunities import _Opportunities
from crm_core.sample.vectors import (
    DAY,
    WORK_DAY,
    _Calendar,
    _dates,
    _pick,
    _rank_order,
    _text,
    _times,
    _where,
    _work_minutes,
)
from crm_core.sample.vocab import (
    CANCEL_REASONS,
    CANCELLED,
    HOLD_REASONS,
    INDUSTRIES,
    ON_HOLD,
    ORDER_NOTES,
    ORDER_STATE_CODE,
    ORDER_STATES,
    REGION_TAX_BP,
    SHIPPING_DOLLARS,
    STEP_ACTIONS,
    TAX_EXEMPT_INDUSTRY,
    WAREHOUSES,
    WON,
)


@dataclass
class _Orders:
    customer: np.ndarray  # customer index
    created_at: np.ndarray  # epoch seconds
    audited_at: np.ndarray  # epoch seconds, 0 if not audited
    frames: dict[str, pl.DataFrame]  # orders (customer_id still the index), lines, allocations, ...
    events: list[pl.DataFrame]


def _promised_epoch_days(
    allocated_day: np.ndarray, payment: np.ndarray, lead: np.ndarray, transit: np.ndarray
) -> np.ndarray:
    """crm_core.orders.promised_date, vectorised: business days of payment clearing, lead and transit."""
    clearing = np.array([PAYMENT_CLEARING_DAYS[m] for m in PAYMENT_METHODS])[payment]
    start = allocated_day.astype("datetime64[D]")
    return np.busday_offset(start, clearing + lead + transit, roll="forward").astype(np.int64)


def _order_headers(
    rng: np.random.Generator, cal: _Calendar, opps: _Opportunities, cust: _Customers, target: int
) -> dict[str, np.ndarray]:
    """Who orders what and when (on the working clock): orders of won opportunities, then repeat
    orders up to `target`. A won deal is converted the same day or a few working days later."""
    won = np.flatnonzero(opps.stage == WON)
    lag = rng.choice(6, len(won), p=(0.55, 0.25, 0.08, 0.05, 0.04, 0.03)) * WORK_DAY
    first = opps.close_work[won] + lag + rng.integers(300, 3 * 3600, len(won))
    first = np.minimum(first, cal.work_end)  # won late on as_of: converted before the day ends
    second = cal.work(opps.close_bday[won] + rng.integers(10, 61, len(won)), _work_minutes(rng, len(won)))
    has_second = (rng.random(len(won)) < 0.15) & (second <= cal.work_end)
    second_qty = np.maximum(1, np.rint(opps.quantity[won] * rng.uniform(0.3, 1.0, len(won)))).astype(np.int64)
    from_won = np.concatenate([won, won[has_second]])
    n_repeat = max(0, target - len(from_won))
    repeat_customer = rng.choice(cust.n, n_repeat, p=cust.weight / cust.weight.sum())
    repeat_created = cal.work(cal.growing_bdays(rng, n_repeat), _work_minutes(rng, n_repeat))
    columns = {
        "customer": np.concatenate([opps.customer[from_won], repeat_customer]),
        "opportunity": np.concatenate([from_won + 1, np.zeros(n_repeat, dtype=np.int64)]),
        "created": np.concatenate([first, second[has_second], repeat_created]),
        "creator": np.concatenate([opps.owner[from_won], cust.owner[repeat_customer]]),
        "product": np.concatenate([opps.product[from_won], np.full(n_repeat, -1)]),
        "quantity": np.concatenate(
            [opps.quantity[won], second_qty[has_second], np.zeros(n_repeat, np.int64)]
        ),
    }
    order, _ = _rank_order(columns["created"])  # ids follow creation
    return {name: values[order] for name, values in columns.items()}


def _orders(
    rng: np.random.Generator,
    cal: _Calendar,
    opps: _Opportunities,
    cust: _Customers,
    target: int,
    managers: np.ndarray,
) -> _Orders:
    h = _order_headers(rng, cal, opps, cust, target)
    n, customer, creator = len(h["created"]), h["customer"], h["creator"]
    methods = tuple(DELIVERY_METHODS)
    payment = rng.choice(len(PAYMENT_METHODS), n, p=(0.40, 0.15, 0.45))
    delivery = rng.choice(len(methods), n, p=(0.55, 0.20, 0.10, 0.15))
    region = cust.region[customer]
    # Mostly from the warehouse in the customer's region (warehouses and regions share an index).
    warehouse = np.where(rng.random(n) < 0.85, region, rng.integers(0, len(WAREHOUSES), n))
    lead = np.array([w[3] for w in WAREHOUSES])[warehouse]
    transit = np.array([DELIVERY_METHODS[m] for m in methods])[delivery]
    discount = np.where(rng.random(n) < 0.22, rng.choice([500, 750, 1000, 1250, 1500], n), 0)
    ship_lo, ship_hi = (np.array([SHIPPING_DOLLARS[m][k] for m in methods])[delivery] for k in (0, 1))
    shipping = rng.integers(ship_lo, ship_hi + 1) * 100
    exempt = cust.industry[customer] == [i for i, _ in INDUSTRIES].index(TAX_EXEMPT_INDUSTRY)
    tax_rate = np.where(exempt, 0, np.array(REGION_TAX_BP)[region])
    manager = managers[rng.integers(0, len(managers), n)]
    card = payment != PAYMENT_METHODS.index("bank_transfer")

    tl = _order_timeline(rng, cal, h["created"], card, lead, transit)
    lines = _order_lines(rng, cal, h, tl, discount)
    total, invoices, invoice_of = _settlement(lines, tl, shipping, tax_rate)
    paid = np.flatnonzero(tl.happened[4])
    paid = paid[np.lexsort((paid, tl.T[4, paid]))]
    payments = pl.DataFrame(
        {
            "id": np.arange(1, len(paid) + 1),
            "order_id": paid + 1,
            "invoice_id": invoice_of[paid] + 1,
            "method": _pick(PAYMENT_METHODS, payment[paid]),
            "amount_cents": total[paid],
            "paid_at": _times(tl.T[4, paid]),
            "recorded_by": manager[paid],
        }
    )
    allocations, stock = _allocations_and_stock(rng, lines, tl, warehouse)

    status, T, happened = tl.status, tl.T, tl.happened
    ids = pl.Series(np.arange(1, n + 1))
    on_hold = status == ON_HOLD
    from_opportunity = h["opportunity"] > 0
    serial = ((ids * 7_919_311 + 104_729) % 10**10).cast(pl.Utf8).str.zfill(10)  # distinct for every id
    tracking = _text("1Z", _pick([w[0] for w in WAREHOUSES], warehouse), serial)
    hold_reason = _pick(HOLD_REASONS, rng.integers(0, len(HOLD_REASONS), n))
    cancel_reason = _pick(CANCEL_REASONS, rng.integers(0, len(CANCEL_REASONS), n))
    shipped, delivered = (
        happened[FLOW.index(OrderStatus.SHIPPED)],
        happened[FLOW.index(OrderStatus.DELIVERED)],
    )
    orders = pl.DataFrame(
        {
            "id": ids,
            "number": _text("SO-", ids.cast(pl.Utf8).str.zfill(6)),
            "customer_id": customer,
            "opportunity_id": _where(from_opportunity, h["opportunity"]),
            "status": _pick(ORDER_STATES, status),
            "held_from": _where(on_hold, _pick(ORDER_STATES, tl.hold_state)),
            "hold_reason": _where(on_hold, hold_reason),
            "cancel_reason": _where(status == CANCELLED, cancel_reason),
            "refund_due": (status == CANCELLED) & happened[4],
            "payment_method": _pick(PAYMENT_METHODS, payment),
            "delivery_method": _pick(methods, delivery),
            "requested_date": _dates(T[0] // DAY + rng.integers(7, 31, n)),
            "promised_date": _where(
                happened[2], _dates(_promised_epoch_days(T[2] // DAY, payment, lead, transit))
            ),
            "notes": _where(rng.random(n) < 0.15, _pick(ORDER_NOTES, rng.integers(0, len(ORDER_NOTES), n))),
            "shipping_cents": shipping,
            "tax_rate_bp": tax_rate,
            "total_cents": total,
            "warnings_accepted_by": _where(happened[1] & (discount >= 1250), manager),
            "tracking_number": _where(shipped, tracking),
            "created_by": creator,
            "created_at": _times(T[0]),
            "updated_at": _times(tl.changed),
            "status_changed_at": _times(tl.changed),
            "shipped_at": _where(shipped, _times(T[FLOW.index(OrderStatus.SHIPPED)])),
            "delivered_at": _where(delivered, _times(T[FLOW.index(OrderStatus.DELIVERED)])),
            "version": np.ones(n, dtype=np.int64),
        }
    )

    # Events: the happy-path steps, then holds, resumptions and cancellations.
    managed = {Action.RECORD_PAYMENT, Action.SHIP, Action.DELIVER}
    numbers = invoices["number"]
    step_notes = {
        Action.INVOICE: numbers.gather(np.maximum(invoice_of, 0)) if len(numbers) else None,
        Action.SHIP: tracking,
    }
    converted = _where(from_opportunity, _text("Created from opportunity #", h["opportunity"]))
    events = [
        _event_rows("order", happened[0], "create", None, OrderStatus.ENTERED, creator, T[0], converted)
    ]
    for j, action in enumerate(STEP_ACTIONS, start=1):
        actor = manager if action in managed else creator
        events.append(
            _event_rows(
                "order", happened[j], action, FLOW[j - 1], FLOW[j], actor, T[j], step_notes.get(action)
            )
        )
    state_held = ORDER_STATE_CODE + tl.hold_state
    events += [
        _event_rows(
            "order", tl.held, Action.HOLD, state_held, OrderStatus.ON_HOLD, creator, tl.hold_at, hold_reason
        ),
        _event_rows(
            "order", tl.resumed, Action.RESUME, OrderStatus.ON_HOLD, state_held, creator, tl.resume_at
        ),
        _event_rows(
            "order",
            tl.cancelled,
            Action.CANCEL,
            ORDER_STATE_CODE + tl.cancel_from,
            OrderStatus.CANCELLED,
            manager,
            tl.cancel_at,
            cancel_reason,
        ),
    ]
    frames = {
        "orders": orders,
        "order_lines": lines,
        "allocations": allocations,
        "invoices": invoices,
        "payments": payments,
        "stock": stock,
    }
    return _Orders(customer, T[0], np.where(happened[1], T[1], 0), frames, events)
