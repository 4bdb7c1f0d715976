"""Start-up: app.py opens the database in the background while the page libraries load, and the
warm-up reads the frames the first pages need — the first two at once, the others one by one, in
the app's own process only while no page is being drawn, so that it never takes the cores a page
computes on (on a large SQLite file its reader processes run at the lowest priority instead)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import ui.data
from crm_core.store import Store, reader_process
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at


def test_the_first_run_takes_the_store_its_background_opening_made(app_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    target = ui.data.database_target()
    url = target.url.render_as_string(hide_password=False)
    opened_in_background = ui.data._opening(url, target.source).result(timeout=60)
    assert ui.data.get_store() is opened_in_background


@pytest.fixture
def warm_store(app_db: Path) -> Iterator[Store]:
    store = sqlite_store_at(app_db)
    yield store
    store.dispose()


def _loads(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], set[str]]:
    """The frames the warm-up asks for, in order (nothing is read), and those it reads aside:
    without holding their slot (see `ui.data._load`)."""
    loaded: list[str] = []
    set_aside: set[str] = set()
    lock = threading.Lock()

    def load(name: str, *_versions: int, aside: bool = False) -> None:
        with lock:
            loaded.append(name)
            if aside:
                set_aside.add(name)

    monkeypatch.setattr(ui.data, "_load", load)
    return loaded, set_aside


FIRST = set(ui.data.WARMED[: ui.data.WARMED_TOGETHER])
REST = list(ui.data.WARMED[ui.data.WARMED_TOGETHER :])


def test_in_the_apps_process_the_warm_up_reads_no_more_while_a_page_is_drawn(
    warm_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded, aside = _loads(monkeypatch)
    assert warm_store.readers is None or not warm_store.readers.worth_it()  # a small file: read here
    waiting = threading.Event()
    pages_when_it_went_on: list[int] = []
    wait_until_idle = ui.data._PAGES.wait_until_idle

    def recorded(quiet: float, patience: float) -> None:
        waiting.set()
        wait_until_idle(quiet, patience)
        pages_when_it_went_on.append(ui.data._PAGES.count)

    monkeypatch.setattr(ui.data._PAGES, "wait_until_idle", recorded)
    warming = threading.Thread(target=ui.data.warm, args=(warm_store,), daemon=True)
    with ui.data.drawing_a_page():
        warming.start()
        assert waiting.wait(timeout=30)  # it has come to the next read while the page is drawn
        assert set(loaded) == FIRST  # the likely first page's frames, at once, page or no page
    warming.join(timeout=30)
    assert pages_when_it_went_on == [0] * len(REST)  # each next read only once no page was drawn
    assert not warming.is_alive()
    assert loaded[len(FIRST) :] == REST  # the page drawn, the others one after another
    assert not aside  # at the app's priority: a page that needs one waits for the same read


def test_with_reader_processes_at_low_priority_the_warm_up_does_not_wait_for_the_pages(
    warm_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(reader_process.SETTING, "on")
    warm_store.readers = reader_process.ReaderPool(Path(warm_store.engine.url.database or ""))
    loaded, aside = _loads(monkeypatch)
    warming = threading.Thread(target=ui.data.warm, args=(warm_store,), daemon=True)
    with ui.data.drawing_a_page():
        warming.start()
        warming.join(timeout=30)
        assert not warming.is_alive()
    assert set(loaded[: len(FIRST)]) == FIRST
    assert loaded[len(FIRST) :] == REST
    # The low-priority reads hold no slot: a page needing one of them reads it at its own priority.
    assert aside == set(REST)


def test_a_read_made_aside_starts_while_a_page_reads_the_same_frame_and_keeps_the_newer_one(
    warm_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = ui.data._slot("orders", ui.data.store_key(warm_store))
    slot.held = None
    version, epoch = ui.data.frame_versions(warm_store)
    reading = threading.Event()
    brought_up = ui.data._brought_up

    def recording(*args: object) -> object:
        reading.set()
        return brought_up(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ui.data, "_brought_up", recording)
    done: dict[str, pl.DataFrame] = {}
    aside = threading.Thread(
        target=lambda: done.update(frame=ui.data._load("orders", warm_store, version, epoch, aside=True))
    )
    with slot.lock:  # a page is bringing the orders up to date
        aside.start()
        assert reading.wait(timeout=30)  # the low-priority read did not wait for the page
        newer = pl.DataFrame({"id": [1]})
        slot.held = (version + 1, newer)  # the page kept a newer frame meanwhile
    aside.join(timeout=30)
    assert done["frame"] is newer and slot.held[1] is newer  # the older read is dropped
