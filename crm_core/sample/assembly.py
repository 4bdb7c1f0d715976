"""`generate`: the parts put together, customers numbered and finished, every table in its schema."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl

from crm_core.errors import ValidationError
from crm_core.sample.events import _event_frame
from crm_core.sample.master import _customer_addresses, _customers, _products, _users, _warehouses
from crm_core.sample.opportunities import _opportunities
from crm_core.sample.orders import _orders
from crm_core.sample.vectors import DAY, _Calendar, _frame, _rank_order, _times, _where, _work_minutes
from crm_core.sample.vocab import MIN_CUSTOMERS, USERS
from crm_core.store.models import TABLE_ORDER


def _weight_presets(cal: _Calendar) -> pl.DataFrame:
    start = cal.day(np.array([cal.first_bday]))[0] * DAY
    team_created = start + 2 * DAY + 10 * 3600
    return _frame(
        "weight_presets",
        {
            "id": [1, 2],
            "name": ["Team default", "Relationship first"],
            "segmentation": [0.3, 0.2],
            "customer_characteristics": [0.2, 0.1],
            "relationship_level": [0.3, 0.5],
            "account_resource": [0.2, 0.2],
            "budget": [0.25, 0.25],
            "authority": [0.25, 0.25],
            "need": [0.25, 0.25],
            "timing": [0.25, 0.25],
            "author_id": [1, 10],
            "created_at": _times(np.array([team_created, cal.end_s + 1 - 21 * DAY + 11 * 3600])),
            "published": [True, False],
            "published_at": _where(np.array([True, False]), _times(np.array([team_created + 3600] * 2))),
            "published_by": [1, None],
        },
    )


def _validate(n_opportunities: int, n_orders: int | None, as_of: date) -> None:
    if isinstance(n_opportunities, bool) or not isinstance(n_opportunities, int) or n_opportunities < 1:
        raise ValidationError("n_opportunities", "must be a whole number of at least 1")
    if n_orders is not None and (isinstance(n_orders, bool) or not isinstance(n_orders, int) or n_orders < 0):
        raise ValidationError("n_orders", "must be a whole number of at least 0")
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise ValidationError("as_of", "must be a date (YYYY-MM-DD)")


def generate(
    n_opportunities: int = 2000, *, seed: int = 7, as_of: date, n_orders: int | None = None
) -> dict[str, pl.DataFrame]:
    """One frame per table in TABLE_ORDER; identical for the same arguments.

    `n_orders` defaults to 0.75 × `n_opportunities`; every won opportunity gets its order(s) even
    if that is more. There are `max(20, n_opportunities // 6)` customers.
    """
    _validate(n_opportunities, n_orders, as_of)
    rng = np.random.default_rng(seed)
    cal = _Calendar.ending(as_of)
    roles = np.array([role for _, role in USERS])
    reps, managers = np.flatnonzero(roles == "rep") + 1, np.flatnonzero(roles == "manager") + 1
    cust = _customers(rng, max(MIN_CUSTOMERS, n_opportunities // 6), reps)
    opps = _opportunities(rng, cal, n_opportunities, cust, reps)
    target = round(0.75 * n_opportunities) if n_orders is None else n_orders
    orders = _orders(rng, cal, opps, cust, target, managers)

    # A customer record is created minutes before its first opportunity or order; ids follow that.
    first_seen = np.full(cust.n, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, opps.customer, opps.created_at)
    np.minimum.at(first_seen, orders.customer, orders.created_at)
    idle = cal.at(cal.growing_bdays(rng, cust.n), _work_minutes(rng, cust.n))
    never_seen = first_seen == np.iinfo(np.int64).max
    created = np.where(never_seen, idle, first_seen - rng.integers(60, 1800, cust.n))
    blocked = cust.frame["blocked"].to_numpy()
    # Credit limits cover twice a customer's largest order, except for a few kept tight on purpose.
    largest = np.zeros(cust.n, dtype=np.int64)
    np.maximum.at(largest, orders.customer, orders.frames["orders"]["total_cents"].to_numpy())
    headroom = -(-2 * largest // 500_000) * 500_000  # rounded up to $5,000
    tight = rng.random(cust.n) < 0.05
    credit = np.where(
        tight, cust.frame["credit_limit_cents"], np.maximum(cust.frame["credit_limit_cents"], headroom)
    )
    # A customer is blocked after the last audit of its orders (audits refuse blocked customers).
    last_audit = np.zeros(cust.n, dtype=np.int64)
    np.maximum.at(last_audit, orders.customer, orders.audited_at)
    blocked_at = cal.at(cal.last_bday - rng.integers(0, 60, cust.n), _work_minutes(rng, cust.n))
    blocked_at = np.maximum(blocked_at, last_audit + 3600)
    updated = np.where(blocked, np.maximum(created, blocked_at), created)
    order, new_position = _rank_order(created)
    addresses = _customer_addresses(np.random.default_rng([seed, 1]), cust.frame)
    customers = pl.concat([cust.frame, addresses], how="horizontal")
    customers = customers.with_columns(credit_limit_cents=credit)[order].with_columns(
        id=pl.Series(np.arange(1, cust.n + 1)),
        version=pl.lit(1),
        created_at=_times(created[order]),
        updated_at=_times(updated[order]),
    )

    users = _users(cal)
    frames = {
        "users": users,
        "customers": customers,
        "products": _products(),
        "warehouses": _warehouses(),
        "opportunities": opps.frame.with_columns(customer_id=pl.Series(new_position[opps.customer] + 1)),
        "meetings": opps.meetings,
        **orders.frames,
        "events": _event_frame(opps.events + orders.events),
        "weight_presets": _weight_presets(cal),
    }
    frames["orders"] = frames["orders"].with_columns(
        customer_id=pl.Series(new_position[orders.customer] + 1), prepayment=pl.lit(False)
    )
    return {name: _frame(name, frames[name].to_dict()) for name in TABLE_ORDER}
