"""Live mode for a wall screen: Overview and Order status have a toggle, off by default; switched on,
a refresh with nothing written reads no frame, and one after a write shows it, reading only the
rows written since."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

import ui.data
from crm_core.config import DatabaseTarget
from crm_core.orders import LineInput
from crm_core.services import create_order
from crm_core.services.orders import NewOrder
from crm_core.store import Store, make_store
from tests.app.conftest import APP
from tests.integration.order_builders import REP, ROUTER, roomy_customer
from ui.live import LIVE_LABEL


def in_flight(at: AppTest) -> int:
    [value] = [m.value for m in at.metric if m.label == "Orders in flight"]
    return int(value.replace(",", ""))


@pytest.fixture
def reads(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts full reads of the orders frame and catch-ups of any frame, of this test's database
    (a warm-up another test started may still be reading its own)."""
    counts = {"full": 0, "catch_up": 0}
    full: Callable[..., pl.DataFrame] = ui.data._LOADERS["orders"]
    caught_up = ui.data.caught_up

    def ours(store: Store) -> bool:
        return Path(store.target.url.database or "") == app_db

    def counting_full(store: Store) -> pl.DataFrame:
        counts["full"] += ours(store)
        return full(store)

    def counting_catch_up(store: Store, *args: object) -> tuple[pl.DataFrame, frozenset[str]]:
        counts["catch_up"] += ours(store)
        return caught_up(store, *args)  # type: ignore[arg-type]

    monkeypatch.setitem(ui.data._LOADERS, "orders", counting_full)
    monkeypatch.setattr(ui.data, "caught_up", counting_catch_up)
    return counts


@pytest.mark.parametrize(
    ("page", "key"), [("overview", "overview_live"), ("order_status", "order_status_live")]
)
def test_both_wall_screen_pages_offer_live_mode_switched_off(app_db: Path, page: str, key: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert at.toggle(key=key).label == "Live (refresh every 30 s)" == LIVE_LABEL
    assert at.toggle(key=key).value is False


def test_live_order_status_refreshes_from_the_caches_and_shows_a_write_by_someone_else(
    app_db: Path, reads: dict[str, int]
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/order_status.py").run()
    at.toggle(key="order_status_live").set_value(True).run()
    assert not at.exception, at.exception
    before = in_flight(at)
    assert reads == {"full": 1, "catch_up": 0}

    at.run()  # a refresh with nothing written: no frame read, not even a catch-up
    assert in_flight(at) == before
    assert reads == {"full": 1, "catch_up": 0}

    other_user = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    try:
        customer = roomy_customer(other_user)
        create_order(other_user, REP, NewOrder(customer, [LineInput(ROUTER, 1)], "credit_card", "standard"))
    finally:
        other_user.dispose()

    at.run()
    assert not at.exception, at.exception
    assert in_flight(at) == before + 1
    assert reads["full"] == 1  # the orders frame caught up with the new order, not read again
    assert reads["catch_up"] >= 1


def test_the_frames_are_warmed_at_start_up_so_the_first_visitor_reads_none(
    app_db: Path, reads: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_WARM_FRAMES", "on")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # opens the store: the warm-up starts in the background
    assert not at.exception, at.exception
    for warming in [t for t in threading.enumerate() if t.name == ui.data.WARM_THREAD]:
        warming.join(timeout=60)  # (on the small test database it may be done already)
    same = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    key = ui.data.store_key(same)
    same.dispose()
    # Every warmed frame is held, the ones the landing page does not show (order lines) too.
    assert all(ui.data._slot(name, key).held is not None for name in ui.data.WARMED)
    assert reads == {"full": 1, "catch_up": 0}

    at.switch_page("pages/order_status.py").run()
    assert not at.exception, at.exception
    assert in_flight(at) > 0
    assert reads == {"full": 1, "catch_up": 0}  # the page found them current
