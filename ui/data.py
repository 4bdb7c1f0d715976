"""The store and cached loaders for pages.

The store (engine) is a cached resource per database URL. Frames are cached with
`st.cache_data` keyed by the data version — one cheap query per rerun — so a change
committed by any user is seen by everyone on their next rerun, and nothing is reloaded
when nothing changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import polars as pl
import streamlit as st
from sqlalchemy.engine import make_url

from crm_core.config import DatabaseTarget, resolve_database
from crm_core.errors import ConfigError
from crm_core.io.export import readable
from crm_core.store import Store, check_connection, data_version, init_db, make_store
from crm_core.store import frames as store_frames
from crm_core.store.readable import read_readable_table
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


@st.cache_resource(show_spinner="Preparing the database…", max_entries=4)
def _open_store(url: str, source: str) -> Store:
    store = make_store(DatabaseTarget(make_url(url), source))
    check_connection(store)
    init_db(store)
    return store


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


# The frames are resources, not data: Polars frames are immutable, so every session shares one
# object per (database, data version). st.cache_data would unpickle a private copy on every
# rerun, which at 1,000,000 orders costs more than the 300 ms a rerun may take and multiplies the
# memory by the number of sessions. Bounded: about one data version per frame is kept, older ones
# are evicted when a write moves the version on (and after an hour unused).
@st.cache_resource(max_entries=len(_LOADERS) + 4, ttl=3600, show_spinner=False)
def _load(name: str, _store: Store, key: str, version: int) -> pl.DataFrame:
    return _LOADERS[name](_store)


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
    version = current_version(store)
    try:
        if name in _LOADERS:
            return _load(name, store, store_key(store), version)
        return _load_table(name, store, store_key(store), version)
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run


T = TypeVar("T")


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _derived(what: str, key: str, version: int, params: str, _compute: Callable[[], T]) -> T:
    return _compute()


def derived(what: str, params: object, compute: Callable[[], T], store: Store | None = None) -> T:
    """A page's computed result (small frames, figures' data), cached per data version and `params`.

    `what` names the computation (page and purpose); `params` is everything else it depends on
    (filters, period, the day); the cache is bounded and never outlives the data it came from."""
    store = store or get_store()
    version = current_version(store)
    try:
        return _derived(what, store_key(store), version, repr(params), compute)
    except ConfigError as exc:
        _stop_on(exc)
        raise  # unreachable: st.stop() ends the script run


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
