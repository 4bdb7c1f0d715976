"""Opportunities: each one's walk through the stages, its meeting and its events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.opportunities import FACTORS, Stage
from crm_core.sample.events import _event_rows
from crm_core.sample.master import _Customers
from crm_core.sample.vectors import (
    _bdays,
    _Calendar,
    _dates,
    _pick,
    _skewed_quantity,
    _text,
    _times,
    _where,
    _work_minutes,
)
from crm_core.sample.vocab import (
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    LEAD_SOURCES,
    LOST,
    LOST_REASON_SHARE,
    LOST_REASONS,
    MEETING_KINDS,
    MEETING_NOTES,
    NEED_PURPOSES,
    PRODUCTS,
    REACH_ACTIONS,
    STAGES,
    TRUE_BANT_WEIGHTS,
    TRUE_SCALE_WEIGHTS,
    WON,
)


def _normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


@dataclass
class _Opportunities:
    customer: np.ndarray  # customer index
    owner: np.ndarray
    product: np.ndarray  # product index
    quantity: np.ndarray
    stage: np.ndarray  # index into STAGES
    close_work: np.ndarray  # the (possibly future) close on the working clock
    close_bday: np.ndarray
    created_at: np.ndarray
    frame: pl.DataFrame  # customer_id still holds the customer index
    meetings: pl.DataFrame
    events: list[pl.DataFrame]


def _opportunities(
    rng: np.random.Generator, cal: _Calendar, n: int, cust: _Customers, reps: np.ndarray
) -> _Opportunities:
    key = np.sort(cal.growing_bdays(rng, n) * 1440 + _work_minutes(rng, n))  # ids follow creation
    customer = rng.choice(cust.n, n, p=cust.weight / cust.weight.sum())
    owner = np.where(rng.random(n) < 0.85, cust.owner[customer], reps[rng.integers(0, len(reps), n)])
    active = np.flatnonzero([p[5] for p in PRODUCTS])
    popularity = np.array([PRODUCTS[i][4] for i in active], dtype=float)
    product = active[rng.choice(len(active), n, p=popularity / popularity.sum())]
    lo, hi, price = (np.array([p[k] for p in PRODUCTS])[product] for k in (2, 3, 1))
    quantity = _skewed_quantity(rng, lo, hi)

    # Scores on a 0-10 scale in half points, mildly correlated through a common "account quality".
    raw = 5.5 + 0.9 * rng.standard_normal(n)[:, None] + 2.1 * rng.standard_normal((n, 8))
    scores = np.clip(np.rint(raw * 2) / 2, 0, 10)
    value = scores[:, :4] @ _normalised(TRUE_SCALE_WEIGHTS)
    potential = scores[:, 4:] @ _normalised(TRUE_BANT_WEIGHTS)
    p_win = 1 / (1 + np.exp(-(0.9 * (value - 5.5) + 0.45 * (potential - 5.5))))

    # Destiny: the last open stage reached before the close, and whether the close is a win.
    u = rng.random(n)
    reach = np.where(u < 0.12, 0, np.where(u < 0.28, 1, 2))
    won = (reach == 2) & (rng.random(n) < p_win)
    reach = np.where(won | ((reach == 2) & (rng.random(n) >= 0.4)), 3, reach)

    # Business days of each stage, the meeting and the close; times are drawn within working hours.
    b_stage = np.empty((4, n), dtype=np.int64)
    b_stage[0] = key // 1440
    for k, median in ((1, 3), (2, 6), (3, 5)):
        b_stage[k] = b_stage[k - 1] + _bdays(rng, median, 0.7, n)
    b_meeting = b_stage[3] + rng.integers(1, 16, n)
    b_close = np.where(
        reach == 3,
        b_meeting + _bdays(rng, 8, 0.8, n),
        b_stage[reach, np.arange(n)] + _bdays(rng, 10, 0.9, n),
    )
    minutes = _work_minutes(rng, (5, n))
    minutes[0] = key % 1440
    t_stage = cal.at(b_stage, minutes[:4])
    t_close = cal.at(b_close, minutes[4])
    reached = (np.arange(4)[:, None] <= reach) & (t_stage <= cal.end_s)
    closed = t_close <= cal.end_s
    open_stage = reached.sum(axis=0) - 1
    stage = np.where(closed, np.where(won, WON, LOST), open_stage)
    updated = np.where(closed, t_close, t_stage[open_stage, np.arange(n)])

    enriched, scored, scheduled = reached[1], reached[2], reached[3]
    lost = stage == LOST
    lost_reason = _pick(LOST_REASONS, rng.choice(len(LOST_REASONS), n, p=LOST_REASON_SHARE))
    # Enrichment answers agree with the (still hidden) BANT scores: budget and timing.
    budget = (
        np.rint(quantity * price * (0.55 + 0.09 * scores[:, 4] + rng.normal(0, 0.1, n)) / 10_000) * 10_000
    )
    timeframe = np.digitize(scores[:, 7], [3, 5, 7, 8.5])
    timeframes = ("No fixed date", "Next fiscal year", "Within 6 months", "Next quarter", "This quarter")
    product_name = _pick([p[0] for p in PRODUCTS], product)
    first, last = (
        _pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n)),
        _pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n)),
    )
    decision_maker = _text(
        first, " ", last, " (", _pick(JOB_TITLES, rng.integers(0, len(JOB_TITLES), n)), ")"
    )
    need = _text("Needs ", quantity, " × ", product_name, " to ", _pick(NEED_PURPOSES, rng.integers(0, 6, n)))
    contact = cust.frame.select("name", "contact_name", "contact_email", "contact_phone")[customer]

    frame = pl.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "title": _text(contact["name"], " — ", product_name),
            "customer_id": customer,
            "owner_id": owner,
            "contact_name": contact["contact_name"],
            "contact_email": contact["contact_email"],
            "contact_phone": contact["contact_phone"],
            "product_id": product + 1,
            "quantity": quantity,
            "expected_amount_cents": quantity * price,
            "expected_close_date": _dates(cal.day(b_stage[0] + rng.integers(25, 70, n))),
            "stage": _pick(STAGES, stage),
            "need_summary": _where(enriched, need),
            "budget_cents": _where(enriched, np.maximum(10_000, budget).astype(np.int64)),
            "decision_maker": _where(enriched, decision_maker),
            "purchase_timeframe": _where(enriched, _pick(timeframes, timeframe)),
            **{f: _where(scored, scores[:, i]) for i, f in enumerate(FACTORS)},
            "lost_reason": _where(lost, lost_reason),
            "created_at": _times(t_stage[0]),
            "updated_at": _times(updated),
            "closed_at": _where(closed, _times(t_close)),
            "version": np.ones(n, dtype=np.int64),
        }
    )

    # One meeting per opportunity that reached `scheduled`; still-open ones meet after as_of.
    kind = rng.choice(len(MEETING_KINDS), n, p=(0.3, 0.3, 0.4))
    meeting_note = _pick(MEETING_NOTES, kind * 2 + rng.integers(0, 2, n))
    future = stage == STAGES.index(Stage.SCHEDULED)
    b_meet = np.where(future, cal.last_bday + rng.integers(1, 16, n), b_meeting)
    meet_at = cal.at(b_meet, 9 * 60 + 30 * rng.integers(0, 16, n))
    has_meeting = np.flatnonzero(scheduled)
    has_meeting = has_meeting[np.argsort(t_stage[3, has_meeting], kind="stable")]
    meetings = pl.DataFrame(
        {
            "id": np.arange(1, len(has_meeting) + 1),
            "opportunity_id": has_meeting + 1,
            "kind": _pick(MEETING_KINDS, kind[has_meeting]),
            "scheduled_at": _times(meet_at[has_meeting]),
            "notes": meeting_note.gather(has_meeting),
            "created_by": owner[has_meeting],
            "created_at": _times(t_stage[3, has_meeting]),
        }
    )

    booked = _text(
        _pick([k.capitalize() for k in MEETING_KINDS], kind),
        " booked for ",
        _times(meet_at).dt.strftime("%Y-%m-%d %H:%M"),
    )
    lead_source = _pick(LEAD_SOURCES, rng.integers(0, len(LEAD_SOURCES), n))
    notes = (lead_source, None, None, booked)
    events = [
        _event_rows(
            "opportunity",
            reached[k],
            REACH_ACTIONS[k],
            STAGES[k - 1] if k else None,
            STAGES[k],
            owner,
            t_stage[k],
            notes[k],
        )
        for k in range(4)
    ]
    events.append(_event_rows("opportunity", closed & won, "win", Stage.SCHEDULED, Stage.WON, owner, t_close))
    events.append(
        _event_rows(
            "opportunity",
            closed & ~won,
            "lose",
            reach,
            Stage.LOST,
            owner,
            t_close,
            lost_reason,
        )
    )
    return _Opportunities(
        customer,
        owner,
        product,
        quantity,
        stage,
        cal.work(b_close, minutes[4]),
        b_close,
        t_stage[0],
        frame,
        meetings,
        events,
    )
