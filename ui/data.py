"""The store and cached loaders for pages.

The store (engine) is a cached resource per database URL. Each frame is one shared copy per
database, held with the data version it shows; every rerun asks for the data version (one cheap
query), so a change committed by any user is seen by everyone on their next rerun. Nothing is
read when nothing changed, and after a write only the rows written since (see
`crm_core.store.delta`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import polars as pl
import streamlit as st
from sqlalchemy.engine import make_url

from crm_core.config import DatabaseTarget, resolve_database
from crm_core.errors import ConfigError
from crm_core.io.export import readable
from crm_core.store import Store, check_connection, data_version, init_db, make_store, snapshots
from crm_core.store import frames as store_frames
from crm_core.store.changes import frame_versions
from crm_core.store.delta import APPENDED, INCREMENTAL, caught_up, full_read
from crm_core.store.readable import read_readable_table
from crm_core.store.reader_process import in_background
from crm_core.store.reads import customers as customer_rows
from ui.text import message


def _secrets_url() -> str | None:
    """The URL in st.secrets["connections"]["crm"]["url"], if there is a secrets file with it."""
    try:
        return str(st.secrets["connections"]["crm"]["url"])
    except Exception:  # no secrets file, or no such key: both mean "not configured"
        return None


def database_target() -> DatabaseTarget:
    return resolve_database(secrets_url=_secrets_url())


def start_opening() -> None:
    """Start opening the store in the background (checked, migrated, its caches warming), so that
    it overlaps the imports of a process's first script run (app.py); `get_store()` then takes the
    store it opened, or waits for it. A failure is left for `get_store()` to report."""
    with contextlib.suppress(ConfigError):
        target = database_target()
        _opening(target.url.render_as_string(hide_password=False), target.source)


@st.cache_resource(show_spinner="Preparing the database…", max_entries=4)
def _open_store(url: str, source: str) -> Store:
    try:
        return _opening(url, source).result()
    except Exception:  # it failed in the background: open it here, where the failure is reported
        return _open(url, source)


@st.cache_resource(max_entries=4, show_spinner=False)
def _opening(url: str, source: str) -> Future[Store]:
    """The store being opened by a thread of its own (which calls no Streamlit function)."""
    opened: Future[Store] = Future()

    def run() -> None:
        try:
            opened.set_result(_open(url, source))
        except Exception as exc:
            opened.set_exception(exc)

    threading.Thread(target=run, name=OPEN_THREAD, daemon=True).start()
    return opened


OPEN_THREAD = "store-open"


def _open(url: str, source: str) -> Store:
    store = make_store(DatabaseTarget(make_url(url), source))
    warming = os.environ.get("CRM_WARM_FRAMES", "").strip().lower() != "off"
    if store.readers is not None:
        # The readers the first large reads will use (the warm-up's first, or a page's) load their
        # libraries while the database is checked and migrated.
        store.readers.prestart()
    check_connection(store)
    init_db(store)
    if warming:
        threading.Thread(target=warm, args=(store,), name=WARM_THREAD, daemon=True).start()
    return store


WARM_THREAD = "frame-warm-up"
# What the first pages a person opens read (Overview, Pipeline, Order status, Integration): loaded
# at start-up, from the snapshots when there are some, so the first visitor does not wait for them.
WARMED = (
    "opportunities",
    "opportunity_events",
    "orders",
    "daily_payments",
    "order_lines",
    "open_order_invoices",
    "open_order_payments",
)
WARMED_TOGETHER = 2


def warm(store: Store) -> None:
    """Bring the frames in WARMED up to date (`CRM_WARM_FRAMES=off`: not at start-up).

    The first `WARMED_TOGETHER` (the Overview's and the Pipeline's: the likely first page waits for
    them) are read at once, at the app's own priority; a page that asks for one meanwhile waits for
    the same read instead of starting its own. The others follow one after another, in the
    background: on a large SQLite file in reader processes at the lowest CPU priority
    (`crm_core.store.reader_process`), which give way to a page computing meanwhile — and a page
    that needs one of those frames sooner reads it itself at its own priority rather than waiting
    behind them (`_load`'s `aside`); elsewhere, in the app's process, each only once no page has
    been drawn for `WARM_QUIET_SECONDS` (`drawing_a_page`), so that the warm-up does not take the
    cores a page is computing on."""
    in_process = store.readers is None or not store.readers.worth_it()

    def load(name: str, *, first: bool) -> bool:
        if not first and in_process:
            _PAGES.wait_until_idle(WARM_QUIET_SECONDS, WARM_PATIENCE_SECONDS)
        if _STOPPING.is_set():
            return False
        with contextlib.nullcontext() if first else in_background():
            try:
                _load(name, store, *frame_versions(store), aside=not first and not in_process)
            except Exception:  # an optimisation only: the page reads it (and reports a failure) itself
                return False
        return True

    together = [
        threading.Thread(target=load, args=(name,), kwargs={"first": True}, name=WARM_THREAD, daemon=True)
        for name in WARMED[:WARMED_TOGETHER]
    ]
    for thread in together:
        thread.start()
    for thread in together:
        thread.join()
    for name in WARMED[WARMED_TOGETHER:]:
        if not load(name, first=False):
            return


# Set when the interpreter exits: the warm-up starts no further read. Threads still reading (Polars,
# connectorx, a reader's pipe) are waited for first: native code taking the interpreter back while
# it shuts down aborts the process ("Fatal Python error: PyGILState_Release").
_STOPPING = threading.Event()
STOP_PATIENCE_SECONDS = 30.0


@atexit.register
def _finish_background_work() -> None:
    _STOPPING.set()
    with _PAGES.changed:
        _PAGES.changed.notify_all()  # a warm-up waiting for a quiet moment stops waiting
    for thread in threading.enumerate():
        if thread.name in (OPEN_THREAD, WARM_THREAD, SNAPSHOT_THREAD):
            thread.join(timeout=STOP_PATIENCE_SECONDS)


class _PagesDrawn:
    """How many script runs are drawing a page in this process, and when the last one ended (see
    `drawing_a_page`)."""

    def __init__(self) -> None:
        self.count = 0
        self.last_end = 0.0
        self.changed = threading.Condition()

    def wait_until_idle(self, quiet: float, patience: float) -> None:
        """Until no page has been drawn for `quiet` seconds (people read what they opened; a burst
        of reruns is no time to read a million rows beside them), or `patience` has run out."""
        give_up = time.monotonic() + patience
        with self.changed:
            while (now := time.monotonic()) < give_up and not _STOPPING.is_set():
                if self.count == 0 and now - self.last_end >= quiet:
                    return
                self.changed.wait(timeout=max(0.0, min(give_up, self.last_end + quiet) - now) or quiet)


_PAGES = _PagesDrawn()  # process-wide, like the caches: a count and a time, no user's data
WARM_QUIET_SECONDS = 1.0  # the warm-up reads on after this long with no page drawn
WARM_PATIENCE_SECONDS = 30.0  # a warm-up step waits at most this long for such a moment


@contextlib.contextmanager
def drawing_a_page() -> Iterator[None]:
    """Mark a script run as drawing a page (app.py's `run_page`): the start-up warm-up waits for
    none to be drawn before its next read."""
    with _PAGES.changed:
        _PAGES.count += 1
    try:
        yield
    finally:
        with _PAGES.changed:
            _PAGES.count -= 1
            _PAGES.last_end = time.monotonic()
            _PAGES.changed.notify_all()


def get_store() -> Store:
    """The store for this app, migrated and seeded; on failure one clear message and stop."""
    try:
        target = database_target()
        return _open_store(target.url.render_as_string(hide_password=False), target.source)
    except ConfigError as exc:
        st.error(f"**The database is not available.** {message(exc)}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() ends the script run


def database_stopped(exc: ConfigError) -> None:
    """The database stopped answering: say so (no traceback, no password); the next rerun retries."""
    st.error(
        f"**The database stopped answering.** {message(exc)} The page recovers on its own once it "
        "answers again: click Rerun or reload the page.",
        icon=":material/error:",
    )


def _stop_on(exc: ConfigError) -> None:
    """Mid-rerun the database stopped answering: one message, then end this run."""
    database_stopped(exc)
    st.stop()


def current_version(store: Store) -> int:
    try:
        return data_version(store)
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run


def store_key(store: Store) -> str:
    return store.target.safe_url() + (f"#{store.schema}" if store.schema else "")


def is_streamlit_cloud() -> bool:
    """Streamlit Community Cloud runs apps from /mount/src as the user 'appuser'."""
    return Path.cwd().as_posix().startswith("/mount/src") or os.environ.get("HOME") == "/home/appuser"


_LOADERS = {
    "opportunities": store_frames.read_opportunities,
    "orders": store_frames.read_orders,
    "payments": store_frames.read_payments,
    "daily_payments": store_frames.read_daily_payments,
    "invoices": store_frames.read_invoices,
    "open_order_invoices": lambda store: store_frames.read_invoices(store, open_orders_only=True),
    "open_order_payments": lambda store: store_frames.read_payments(store, open_orders_only=True),
    "order_lines": store_frames.read_order_lines,
    "events": store_frames.read_events,
    "opportunity_events": store_frames.read_opportunity_stage_events,
    "customer_list": customer_rows.read_customer_list,
}


class _Slot:
    """The one cached copy of a frame for a database: (data version, frame), and the lock that
    lets one session at a time bring it up to date (the others wait, then find it current)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: tuple[int, pl.DataFrame] | None = None
        self.changed_at = 0  # the data version at which the frame last changed (see `derived`)
        self.columns_changed_at: dict[str, int] = {}  # the same per column (`columns_changed_at`)


# The frames are resources, not data: Polars frames are immutable, so every session shares one
# object. st.cache_data would unpickle a private copy on every rerun, which at 1,000,000 orders
# costs more than the 300 ms a rerun may take and multiplies the memory by the number of sessions.
# One slot per (database, frame): a newer data version replaces the frame in it (never two kept).
@st.cache_resource(max_entries=4 * (len(_LOADERS) + 4), show_spinner=False)
def _slot(name: str, key: str) -> _Slot:
    return _Slot()


def _load(name: str, store: Store, version: int, epoch: int, *, aside: bool = False) -> pl.DataFrame:
    """The frame `name` at data version `version` (or newer): from the slot if it is current; else
    the slot's frame caught up with the rows written since (`crm_core.store.delta`); read in full
    the first time, or when the epoch moved past it (a reset, a migration).

    One session at a time brings a slot up to date, the others wait for it. `aside` (the start-up
    warm-up's low-priority reads) works without holding the slot: a page that needs the frame
    meanwhile reads it at its own priority rather than waiting behind a read that gives way to
    everything else; whichever is newer is kept."""
    slot = _slot(name, store_key(store))
    held = slot.held
    if held is not None and held[0] >= version:
        return held[1]
    if aside:
        frame, changed = _brought_up(name, store, version, epoch, held)
        with slot.lock:
            if slot.held is not None and slot.held[0] >= version:
                return slot.held[1]  # a page was quicker
            _hold(slot, version, frame, changed if slot.held is held else None)
            return frame
    with slot.lock:
        held = slot.held
        if held is not None and held[0] >= version:
            return held[1]
        frame, changed = _brought_up(name, store, version, epoch, held)
        _hold(slot, version, frame, changed)
        return frame


def _brought_up(
    name: str, store: Store, version: int, epoch: int, held: tuple[int, pl.DataFrame] | None
) -> tuple[pl.DataFrame, frozenset[str] | None]:
    """The frame at `version` from `held` (the slot's), and the columns that changed (None: the
    frame is new, every column changed)."""
    root = snapshot_dir()
    where = snapshots.folder(store_key(store), root) if root is not None else None
    if held is None and where is not None and name in INCREMENTAL:
        held = snapshots.load(where, name, epoch=epoch, version=version)  # a restart: from disk
        if held is not None:
            return caught_up(store, name, held[1], held[0], version)[0], None
    if held is None or held[0] < epoch or name not in INCREMENTAL:
        # An event frame holds exactly the events up to `version` (the next catch-up appends on).
        frame = full_read(store, name, version) if name in APPENDED else _LOADERS[name](store)
        if where is not None and name in INCREMENTAL:
            # In the background: the frame is immutable, and this rerun need not wait for it.
            args = (where, name, epoch, version, frame)
            threading.Thread(target=_save_quietly, args=args, name=SNAPSHOT_THREAD, daemon=True).start()
        return frame, None
    return caught_up(store, name, held[1], held[0], version)


def _hold(slot: _Slot, version: int, frame: pl.DataFrame, changed: frozenset[str] | None) -> None:
    """Put the frame in the slot, noting the version at which it (and each column) last changed."""
    if slot.held is None or frame is not slot.held[1]:
        slot.changed_at = version
        for column in frame.columns if changed is None or slot.held is None else changed:
            slot.columns_changed_at[column] = version
    slot.held = (version, frame)


SNAPSHOT_THREAD = "frame-snapshot"


def snapshot_dir() -> Path | None:
    """Where frames are saved for the next process (`CRM_FRAME_SNAPSHOTS`; "off" saves none)."""
    setting = os.environ.get("CRM_FRAME_SNAPSHOTS", "").strip()
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else snapshots.SNAPSHOT_DIR


def _save_quietly(where: Path, name: str, epoch: int, version: int, frame: pl.DataFrame) -> None:
    # A snapshot is an optimisation: a full disk or a read-only folder costs the next process a
    # full read, never this one an error.
    with contextlib.suppress(OSError):
        snapshots.save(where, name, epoch, version, frame)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _load_table(name: str, _store: Store, key: str, version: int) -> pl.DataFrame:
    return store_frames.read_table(_store, name)


def table_preview(
    name: str, rows: int = 200, store: Store | None = None, *, raw: bool = True
) -> tuple[pl.DataFrame, int]:
    """The first `rows` rows of a table and its row count, at the current data version: as stored
    (`raw`), or as the readable export shows them (names beside ids, currency units)."""
    store = store or get_store()

    def compute() -> tuple[pl.DataFrame, int]:
        head, count = store_frames.read_table_head(store, name, rows if raw else 0)
        return (head, count) if raw else (readable(read_readable_table(store, name, rows)), count)

    return derived(f"preview:{name}:{'raw' if raw else 'readable'}", rows, compute, store)


def frame(name: str, store: Store | None = None) -> pl.DataFrame:
    """A named frame (opportunities, orders, payments, ...) at the current data version."""
    store = store or get_store()
    try:
        if name in _LOADERS:
            version, epoch = frame_versions(store)
            return _load(name, store, version, epoch)
        return _load_table(name, store, store_key(store), current_version(store))
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run


T = TypeVar("T")


# Results are shared like the frames (st.cache_resource): every session gets the same immutable
# object, not a private unpickled copy per rerun — ten sessions on Order status would otherwise each
# unpickle its exceptions list on every rerun. Pages only read them.
@st.cache_resource(max_entries=64, ttl=600, show_spinner=False)
def _derived(what: str, key: str, version: int, params: str, _compute: Callable[[], T]) -> T:
    return _compute()


def derived(
    what: str,
    params: object,
    compute: Callable[[], T],
    store: Store | None = None,
    *,
    frames: tuple[str, ...] = (),
) -> T:
    """A page's computed result (small frames, figures' data), cached per data version and `params`.

    `what` names the computation (page and purpose); `params` is everything else it depends on
    (filters, period, the day); the cache is bounded and never outlives the data it came from.
    With `frames` — every frame `compute` reads, and nothing else from the database — the result
    is cached per the versions at which those frames last changed instead: a write elsewhere (an
    order put on hold, for the Pipeline) computes nothing again."""
    store = store or get_store()
    try:
        if frames:
            for name in frames:
                frame(name, store)  # brought up to date first
            key = store_key(store)
            version = hash(tuple(_slot(name, key).changed_at for name in frames))
        else:
            version = current_version(store)
        return _derived(what, store_key(store), version, repr(params), compute)
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run


def changed_at(name: str, store: Store | None = None) -> int:
    """The data version at which the frame `name` last changed, after bringing it up to date: a key
    for a result computed from that frame (see `derived`'s `frames`)."""
    store = store or get_store()
    frame(name, store)
    return _slot(name, store_key(store)).changed_at


def columns_changed_at(name: str, columns: Sequence[str], store: Store | None = None) -> tuple[int, ...]:
    """The data versions at which `columns` of the frame `name` last changed, after bringing it up
    to date: a key for a result computed from those columns only (see `by_content`). A write that
    changes none of them (an order put on hold, for its dates) leaves it as it was; rows added or
    removed change every column."""
    store = store or get_store()
    frame(name, store)
    slot = _slot(name, store_key(store))
    return tuple(slot.columns_changed_at.get(c, slot.changed_at) for c in columns)


@st.cache_resource(max_entries=64, ttl=600, show_spinner=False)
def _by_content(what: str, key: str, params: str, _compute: Callable[[], T]) -> T:
    return _compute()


def by_content(what: str, params: object, compute: Callable[[], T], store: Store | None = None) -> T:
    """Like `derived`, cached per `params` alone, with no data version: `params` must hold the key of
    all the data `compute` reads (`columns_changed_at` of the columns it reads, `changed_at` of the
    frames it reads whole). A write that changes none of it computes nothing again."""
    store = store or get_store()
    return _by_content(what, store_key(store), repr(params), compute)


SCORING_COLUMNS = (
    "id",
    "title",
    "customer",
    "owner",
    "stage",
    "closed_at",
    "segmentation",
    "customer_characteristics",
    "relationship_level",
    "account_resource",
    "budget",
    "authority",
    "need",
    "timing",
)


def scoring_opportunities(store: Store | None = None) -> pl.DataFrame:
    """Opportunities with the columns the Scoring page needs, at the current data version.

    A column selection of the shared opportunities frame: no copy of the data, nothing unpickled
    (a slider move on the Scoring page cannot afford ~150 ms of st.cache_data at 100,000 rows)."""
    return frame("opportunities", store).select(SCORING_COLUMNS)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def _shared(what: str, key: str, version: int, params: str, _compute: Callable[[], T]) -> T:
    return _compute()


def shared(what: str, params: object, compute: Callable[[], T], store: Store | None = None) -> T:
    """Like `derived`, for large immutable results (Polars frames) every session may share as they
    are: kept as one object, never copied or unpickled per rerun (see `_load`)."""
    store = store or get_store()
    version = current_version(store)
    try:
        return _shared(what, store_key(store), version, repr(params), compute)
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run
