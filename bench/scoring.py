"""Scoring benchmarks: score + rank against a Python loop and pandas, a slider change on the Scoring
page at 100,000 opportunities (AppTest, warm), and suggest_weights on 10,000 closed deals.

Factors are generated with numpy from a fixed seed (half points on 0–10, like the app's data). The
page measurement builds a SQLite database under var/bench/ once (crm_core.sample.generate) and
reuses it.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl

from bench.core import BENCH_DIR, Options, Result, measurement, peak_rss_mb, timed
from crm_core.opportunities import FACTORS
from crm_core.scoring import DEFAULT_BANT, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, score, suggest_weights

AS_OF = date(2026, 11, 20)


def factor_frame(n: int, *, seed: int = 42, closed: bool = False, continuous: bool = False) -> pl.DataFrame:
    """n opportunities with the eight factors on 0–10 (half points, or any value to 3 decimals);
    with `closed`, won or lost by a logistic model of V under known weights."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.random((n, 8)) * 10, 3) if continuous else rng.integers(0, 21, (n, 8)) / 2
    data: dict[str, object] = {"id": np.arange(1, n + 1), **{f: x[:, i] for i, f in enumerate(FACTORS)}}
    if closed:
        value = x[:, :4] @ np.array([0.5, 0.05, 0.35, 0.10])
        won = rng.random(n) < 1 / (1 + np.exp(-1.0 * (value - 5)))
        data["stage"] = np.where(won, "won", "lost")
        start = datetime(2025, 1, 1)
        data["closed_at"] = [start + timedelta(minutes=int(m)) for m in rng.integers(0, 525_600, n)]
    return pl.DataFrame(data)


# --- score + rank: Polars vs a per-row Python loop vs pandas --------------------------------------------


def python_loop(rows: list[tuple], w: tuple[float, ...], b: tuple[float, ...], tv: float, tp: float) -> list:
    """The same formula one row at a time: V, P, priority, quadrant, then rank by (−priority, id)."""
    out = []
    for row in rows:
        v = w[0] * row[1] + w[1] * row[2] + w[2] * row[3] + w[3] * row[4]
        p = b[0] * row[5] + b[1] * row[6] + b[2] * row[7] + b[3] * row[8]
        high_v, high_p = v >= tv, p >= tp
        quadrant = (
            "pursue"
            if high_v and high_p
            else "nurture"
            if high_v
            else "quick win"
            if high_p
            else "disqualify"
        )
        out.append([row[0], v, p, v * p / 10, quadrant, 0])
    out.sort(key=lambda r: (-r[3], r[0]))
    for rank, r in enumerate(out, start=1):
        r[5] = rank
    return out


def pandas_score(
    df: pd.DataFrame, w: tuple[float, ...], b: tuple[float, ...], tv: float, tp: float
) -> pd.DataFrame:
    out = df.copy()
    out["value"] = sum(wi * out[f] for wi, f in zip(w, FACTORS[:4], strict=True))
    out["potential"] = sum(bi * out[f] for bi, f in zip(b, FACTORS[4:], strict=True))
    out["priority"] = out["value"] * out["potential"] / 10
    high_v, high_p = out["value"] >= tv, out["potential"] >= tp
    out["quadrant"] = np.select(
        [high_v & high_p, high_v, high_p], ["pursue", "nurture", "quick win"], default="disqualify"
    )
    order = out.sort_values(["priority", "id"], ascending=[False, True]).index
    ranks = np.empty(len(out), dtype=np.int64)
    ranks[order] = np.arange(1, len(out) + 1)
    out["rank"] = ranks
    return out


def _score_inputs(options: Options) -> tuple[int, pl.DataFrame, tuple, tuple]:
    n = 20_000 if options.size == "tiny" else 1_000_000
    frame = factor_frame(n)
    return n, frame, DEFAULT_WEIGHTS.normalized().as_tuple(), DEFAULT_BANT.normalized().as_tuple()


@measurement("score 1M vs loop")
def score_vs_loop(options: Options) -> Result:
    n, frame, w, b = _score_inputs(options)
    rows = frame.rows()
    repeat = 1 if options.size == "tiny" else options.repeat
    polars_runs = timed(lambda: score(frame, DEFAULT_WEIGHTS), repeat, warmup=1)
    loop_runs = timed(lambda: python_loop(rows, w, b, 5.0, 5.0), max(1, min(repeat, 2)))
    result = Result(
        name=f"score + rank {n:,} opportunities (Polars)",
        seconds=polars_runs,
        target="≥ 20× faster than a Python loop",
        baseline_name="per-row Python loop",
        baseline_seconds=loop_runs,
        peak_rss_mb=peak_rss_mb(),
    )
    result.met = (result.ratio or 0) >= 20
    return result


@measurement("score 1M vs pandas")
def score_vs_pandas(options: Options) -> Result:
    n, frame, w, b = _score_inputs(options)
    df = frame.to_pandas()
    repeat = 1 if options.size == "tiny" else options.repeat
    polars_runs = timed(lambda: score(frame, DEFAULT_WEIGHTS), repeat, warmup=1)
    pandas_runs = timed(
        lambda: pandas_score(df, w, b, DEFAULT_THRESHOLDS.value, DEFAULT_THRESHOLDS.potential),
        repeat,
        warmup=1,
    )
    result = Result(
        name=f"score + rank {n:,} opportunities (Polars)",
        seconds=polars_runs,
        target="faster than pandas",
        baseline_name="pandas",
        baseline_seconds=pandas_runs,
        peak_rss_mb=peak_rss_mb(),
    )
    result.met = (result.ratio or 0) > 1
    return result


# --- suggest_weights -------------------------------------------------------------------------------------


def _suggest(options: Options, continuous: bool, label: str) -> Result:
    n = 1_000 if options.size == "tiny" else 10_000
    frame = factor_frame(n, closed=True, continuous=continuous, seed=7)
    repeat = 1 if options.size == "tiny" else options.repeat
    runs = timed(lambda: suggest_weights(frame), repeat, warmup=1)
    median = sorted(runs)[len(runs) // 2]
    found = suggest_weights(frame).weights.as_tuple()
    return Result(
        name=f"suggest_weights, {n:,} closed deals, 1,771 grid points ({label})",
        seconds=runs,
        target="≤ 2 s",
        met=median <= 2.0,
        peak_rss_mb=peak_rss_mb(),
        note=f"found {', '.join(f'{v:.2f}' for v in found)} (true 0.50, 0.05, 0.35, 0.10)",
    )


@measurement("suggest 10k")
def suggest_half_points(options: Options) -> Result:
    return _suggest(options, False, "half-point scores")


@measurement("suggest 10k continuous")
def suggest_continuous(options: Options) -> Result:
    return _suggest(options, True, "scores to 3 decimals: the sorting path")


# --- the Scoring page: a slider change at 100,000 opportunities -----------------------------------------


def bench_database(n: int) -> str:
    """A migrated SQLite database with `n` generated opportunities under var/bench (built once)."""
    from sqlalchemy.engine import make_url

    from crm_core.config import DatabaseTarget
    from crm_core.sample import generate
    from crm_core.store import make_store
    from crm_core.store.changes import move_epoch
    from crm_core.store.engine import WRITE_OPTION
    from crm_core.store.migrate import head_revision, migrate
    from crm_core.store.seed import insert_frames

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"scoring_{n}.r{head_revision()}.sqlite"  # rebuilt when the schema moves on
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{partial}"), "bench"))
    with store.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        migrate(conn)
        insert_frames(conn, generate(n, seed=7, as_of=AS_OF))
        move_epoch(conn)  # the data version and the frames' epoch
    store.dispose()
    partial.rename(path)
    return url


@measurement("scoring page 100k")
def scoring_page(options: Options) -> Result:
    from streamlit.testing.v1 import AppTest

    from crm_core.config import PROJECT_ROOT

    n = 2_000 if options.size == "tiny" else 100_000
    url = bench_database(n)
    previous = {k: os.environ.get(k) for k in ("CRM_DATABASE_URL", "CRM_AUTH", "CRM_DEMO_ALLOW_PERSISTENT")}
    os.environ.update(CRM_DATABASE_URL=url, CRM_AUTH="demo", CRM_DEMO_ALLOW_PERSISTENT="1")
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300).run()
        at.switch_page("pages/scoring.py").run()
        assert not at.exception, at.exception
        key = "scoring_w_segmentation"
        for v in (0.35, 0.4):  # warm: caches filled, code paths taken
            at.slider(key=key).set_value(v).run()
        repeat = 1 if options.size == "tiny" else max(options.repeat, 5)
        fresh = [
            round(0.45 + 0.05 * i, 2) for i in range(min(repeat, 12))
        ]  # never seen before: no cache hits
        runs = []
        for value in fresh:
            slider = at.slider(key=key).set_value(value)
            start = time.perf_counter()
            slider.run()
            runs.append(time.perf_counter() - start)
            assert not at.exception, at.exception
    finally:
        for k, v in previous.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    median = sorted(runs)[len(runs) // 2]
    return Result(
        name=f"Scoring page: slider change re-render, {n:,} opportunities (AppTest, warm, whole script)",
        seconds=runs,
        target="≤ 150 ms",
        met=median <= 0.150,
        baseline_name="empty-page rerun",
        baseline_seconds=_empty_page_reruns(len(runs)),
        peak_rss_mb=peak_rss_mb(),
        note="AppTest reruns the whole page; in a browser only the fragment reruns",
    )


def _empty_page_reruns(repeat: int) -> list[float]:
    """What AppTest itself costs per rerun: a page that draws one line (the floor under any page)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\nst.write('empty')", default_timeout=60).run()
    return timed(lambda: at.run(), repeat, warmup=2)
