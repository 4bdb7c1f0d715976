"""Many users at once: ten sessions on one app process at 1,000,000 orders, one writer making a
change a second, the others rerunning Pipeline, Order status, Integration and Overview.

One real `streamlit run app.py` process serves the sessions. Each session is a websocket client
in the bench process that speaks the browser's protocol: a `rerun_script` BackMsg naming the page,
then ForwardMsgs until `script_finished`. So the server does for each session what it does for a
browser: a script thread per session, one set of `st.cache_resource`/`st.cache_data` entries shared
by all of them, every element serialised and sent. A rerun's time is from sending the request to
`script_finished` arriving (the browser's own drawing is not in it); a session waits `think`
seconds (default 1 s) between reruns, as a person reading the page would.

Not AppTest in threads: `AppTest.run` installs and removes the process-wide `Runtime` singleton
around every run and its script runners share element-id bookkeeping, so concurrent runs in one
process fail ("Runtime hasn't been created!", duplicate widget keys: 30 of 50 runs when tried).

The writer is a thread of the bench process, so a second process, as a colleague on another
replica or the command line would be: once a second it puts an order on hold or resumes it through
`crm_core.services` as a manager. Each write moves the data version every session reads on its
next rerun. The order ends as it started; on PostgreSQL the run adds its events to the shared
bench schema, on SQLite it works on a copy of the bench file.

Phases: every session's first load, one after another (not in the figures: concurrent first loads
on a fresh server can catch a library that another script thread is half-way through importing);
`quiet` seconds of reruns with nobody
writing (the baseline column); `duration` seconds with the writer (the row). The peak RSS is the
server process's own high-water mark (VmHWM) over the whole run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.core import Options, Result, measurement, own_peak_rss_mb
from bench.data import SIZES, Size, postgres_store, postgres_url_with_schema, sqlite_url
from crm_core.config import PROJECT_ROOT, DatabaseTarget
from crm_core.orders import PRE_SHIPMENT, Action
from crm_core.permissions import Role
from crm_core.services import allowed_actions, hold_order, list_users, resume_order
from crm_core.store import Store, make_store
from crm_core.store.models import Order

# (title, url path): the pages the readers rerun, dealt round-robin over the sessions.
READ_PAGES = (
    ("Pipeline", "pipeline"),
    ("Order status", "order_status"),
    ("Integration", "integration"),
    ("Overview", ""),  # the default page: the app's root URL
)
SESSIONS = 10  # nine readers and the writer
P95_TARGET_S = 0.500
RSS_TARGET_MB = 1536
RERUN_TIMEOUT_S = 900  # a rerun that takes longer has hung: the bench fails rather than waits


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) of `values`, interpolated between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Rerun:
    page: str
    seconds: float
    busy: bool  # the writer was writing


@dataclass
class RunLog:
    reruns: list[Rerun] = field(default_factory=list)
    first_loads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)


# --- the app process --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_app(url: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "CRM_DATABASE_URL": url, "CRM_AUTH": "demo", "CRM_DEMO_ALLOW_PERSISTENT": "1"}
    # the child inherits the handle; closing ours does not close its copy
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within 120 s:\n{log.read_text()[-3000:]}")


def _stop_app(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- a session: the browser's side of the websocket -------------------------------------------


class Session:
    """One browser tab on one page: reruns it and reports each rerun's time."""

    def __init__(self, port: int, title: str, url_path: str) -> None:
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.title = title
        self.url_path = url_path
        self.page_hash = ""  # learnt from the first run's navigation message, then sent as the browser does
        self.connection: ClientConnection | None = None

    async def open(self) -> None:
        self.connection = await connect(self.url, subprotocols=[Subprotocol("streamlit")], max_size=None)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def rerun(self) -> float:
        """One rerun of the page, request to `script_finished`; raises if the page raised."""
        assert self.connection is not None
        request = BackMsg()
        request.rerun_script.page_name = self.url_path
        request.rerun_script.page_script_hash = self.page_hash
        start = time.perf_counter()
        await self.connection.send(request.SerializeToString())
        problems: list[str] = []
        while True:
            data = await asyncio.wait_for(self.connection.recv(), RERUN_TIMEOUT_S)
            msg = ForwardMsg.FromString(data if isinstance(data, bytes) else data.encode())
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                elapsed = time.perf_counter() - start
                break
            if kind == "navigation":
                self._check_page(msg.navigation)
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    problems.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "page_not_found":
                problems.append(f"page not found: /{self.url_path}")
        if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
            problems.append(f"the script finished with status {msg.script_finished}")
        if problems:
            raise RuntimeError(f"{self.title}: {'; '.join(problems)}")
        return elapsed

    def _check_page(self, navigation: Navigation) -> None:
        ran = next(
            (p for p in navigation.app_pages if p.page_script_hash == navigation.page_script_hash), None
        )
        if ran is None or ran.url_pathname != self.url_path:  # the default page's is ""
            raise RuntimeError(f"asked for /{self.url_path}, the app ran /{ran.url_pathname if ran else '?'}")
        self.page_hash = navigation.page_script_hash


async def _drive(port: int, sessions: int, plan: Plan, writer: Writer, log: RunLog) -> None:
    pages = [READ_PAGES[i % len(READ_PAGES)] for i in range(sessions - 1)]
    clients = [Session(port, title, path) for title, path in pages]
    for client in clients:
        await client.open()
    try:
        # One after another: concurrent first loads on a fresh server can catch a library half
        # imported by another script thread (plotly's lazy `import pandas`), a start-up race that
        # a server running for a while no longer has, and first loads are not in the figures.
        for client in clients:
            log.first_loads.append(await client.rerun())
        quiet_end = time.monotonic() + plan.quiet
        busy_end = quiet_end + plan.duration

        async def loop(client: Session) -> None:
            while (now := time.monotonic()) < busy_end:
                busy = now >= quiet_end
                seconds = await client.rerun()
                log.reruns.append(Rerun(client.title, seconds, busy))
                await asyncio.sleep(plan.think)

        async def write() -> None:
            await asyncio.sleep(max(0.0, quiet_end - time.monotonic()))
            await asyncio.to_thread(writer.run, busy_end, log)

        await asyncio.gather(write(), *(loop(c) for c in clients))
    finally:
        writer.stop.set()  # a session failed: the writer stops too, rather than write on to the end
        for client in clients:
            await client.close()


# --- the writer ---------------------------------------------------------------------------------


class Writer:
    """A manager putting orders on hold and resuming them, one action a second."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.stop = threading.Event()
        self.actor = next(u for u in list_users(store) if u.role == Role.MANAGER)
        with store.read() as session:
            open_orders = Order.status.in_([s.value for s in PRE_SHIPMENT])
            rows = session.execute(
                select(Order.id, Order.status).where(open_orders).order_by(Order.id).limit(20)
            ).all()
        holdable = [oid for oid, status in rows if Action.HOLD in allowed_actions(self.actor, status)]
        if not holdable:
            raise RuntimeError("no order the writer may put on hold")
        self.orders = holdable

    def run(self, until: float, log: RunLog) -> None:
        held: int | None = None
        turn = 0
        next_at = time.monotonic()
        while next_at < until and not self.stop.is_set():
            start = time.perf_counter()
            if held is None:
                held = self.orders[turn % len(self.orders)]
                hold_order(self.store, self.actor, held, "bench: many users at once")
            else:
                resume_order(self.store, self.actor, held)
                held, turn = None, turn + 1
            log.writes.append(time.perf_counter() - start)
            next_at += 1.0
            self.stop.wait(max(0.0, next_at - time.monotonic()))
        if held is not None:  # leave the order as it was found
            resume_order(self.store, self.actor, held)


# --- the measurement ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    quiet: float  # seconds of reruns with nobody writing, after the first loads
    duration: float  # seconds of reruns with the writer
    think: float  # seconds a session waits between reruns

    @classmethod
    def of(cls, options: Options) -> Plan:
        if options.size == "tiny":  # by default a quick check that the whole thing runs
            return cls(quiet=2.0, duration=options.duration or 4.0, think=options.think)
        return cls(quiet=15.0, duration=options.duration or 60.0, think=options.think)


def _run(url: str, store: Store, plan: Plan, workdir: Path) -> tuple[RunLog, float]:
    """Start the app on `url`, drive the sessions and the writer (writing through `store`), stop
    the app; the run's log and the app process's peak RSS in MB."""
    writer = Writer(store)
    log = RunLog()
    app_log = workdir / "streamlit.log"
    process, port = _start_app(url, app_log)
    try:
        try:
            asyncio.run(_drive(port, SESSIONS, plan, writer, log))
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- the app's log:\n{app_log.read_text()[-4000:]}") from exc
        rss = own_peak_rss_mb(process.pid)
    finally:
        _stop_app(process)
    if rss is None:
        raise RuntimeError("no VmHWM for the app process (/proc not available)")
    return log, rss


def _results(engine: str, size: Size, plan: Plan, log: RunLog, rss: float) -> list[Result]:
    busy = [r.seconds for r in log.reruns if r.busy]
    quiet = [r.seconds for r in log.reruns if not r.busy]
    if not busy or not quiet or not log.writes:
        raise RuntimeError(
            f"too little to report: {len(quiet)} quiet reruns, {len(busy)} with the writer, "
            f"{len(log.writes)} writes"
        )
    p95 = percentile(busy, 95)
    by_page = ", ".join(
        f"{title} {percentile(times, 95) * 1000:,.0f}"
        for title, _ in READ_PAGES
        if (times := [r.seconds for r in log.reruns if r.busy and r.page == title])
    )
    who = f"{SESSIONS} sessions, 1 writer at 1 write/s, {size.orders:,} orders, {engine}"
    rerun = Result(
        name=f"{who}: p95 rerun",
        seconds=[p95],
        target="≤ 500 ms",
        met=p95 <= P95_TARGET_S,
        baseline_name="p95 with no writer",
        baseline_seconds=[percentile(quiet, 95)],
        peak_rss_mb=rss,
        note=(
            f"p50 {statistics.median(busy) * 1000:,.0f} ms, max {max(busy) * 1000:,.0f} ms; "
            f"p95 by page (ms): {by_page}; {len(busy)} reruns by {SESSIONS - 1} sessions "
            f"(think {plan.think:g} s) and {len(log.writes)} writes "
            f"(median {statistics.median(log.writes) * 1000:,.0f} ms) in {plan.duration:g} s; "
            "real streamlit server, websocket clients"
        ),
    )
    memory = Result(
        name=f"{who}: peak RSS of the app process",
        seconds=[rss],
        target="≤ 1,536 MB",
        met=rss <= RSS_TARGET_MB,
        peak_rss_mb=rss,
        unit="MB",
        note=(
            f"VmHWM of the server over the first loads ({max(log.first_loads):,.1f} s the slowest), "
            "the quiet and the busy phase"
        ),
    )
    return [rerun, memory]


@measurement("10 sessions 1M")
def many_sessions(options: Options) -> list[Result]:
    size = SIZES["tiny" if options.size == "tiny" else "full"]
    plan = Plan.of(options)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(dir=PROJECT_ROOT / "var", prefix="bench-sessions-") as tmp:
        workdir = Path(tmp)
        # SQLite: a copy of the bench file, so the writes do not reach the data other benches use
        copy = workdir / "sessions.sqlite"
        source = sqlite_url(size).removeprefix("sqlite:///")
        # Other benches write to the bench file (holds and resumes): fold its write-ahead log in
        # first, or a copy of the main file alone can be a half-checkpointed, malformed database.
        with sqlite3.connect(source) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(source, copy)
        url = f"sqlite:///{copy}"
        store = make_store(DatabaseTarget(make_url(url), "bench"))
        try:
            log, rss = _run(url, store, plan, workdir)
        finally:
            store.dispose()
        results += _results("SQLite", size, plan, log, rss)
        pg = postgres_store(size)
        if pg is not None:
            try:
                log, rss = _run(postgres_url_with_schema(pg), pg, plan, workdir)
            finally:
                pg.dispose()
            results += _results("PostgreSQL", size, plan, log, rss)
    return results
