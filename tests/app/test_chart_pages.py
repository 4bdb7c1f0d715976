"""The pages draw the running month from the one clock (CRM_TODAY pins it): partial, "so far"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP


def charts(at: AppTest) -> dict[str, dict]:
    return {el.proto.id: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def run_at(page: str | None, monkeypatch: pytest.MonkeyPatch, today: str) -> AppTest:
    monkeypatch.setenv("CRM_TODAY", today)
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_overview_trends_mark_the_month_the_clock_is_in(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_at(None, monkeypatch, "2026-11-03")
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    notes = [a["text"] for s in specs for a in s["layout"].get("annotations", [])]
    assert notes.count("Nov so far") == 3  # win rate, revenue and E: the sums of a month
    revenue = next(s for s in specs if s["data"][0]["type"] == "bar")
    assert revenue["data"][0]["marker"]["opacity"][-1] == 0.45
    assert "E = S·O/(S+O) · S won deals, O delivered orders" in [c.value for c in at.caption]


def test_integration_marks_the_running_month_so_far(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_at("pages/integration.py", monkeypatch, "2026-11-03")
    monthly = next(
        s for s in charts(at).values() if s["layout"].get("title", {}).get("text") == "S, O and E per month"
    )
    [note] = monthly["layout"]["annotations"]
    assert (note["text"], note["x"][:10]) == ("so far", "2026-11-15")
    assert monthly["data"][0]["marker"]["pattern"]["shape"][-1] == "/"


def test_the_data_page_previews_the_readable_export_and_the_raw_one_on_request(app_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = 11  # Elena Petrova, admin
    at.run()
    at.switch_page("pages/data.py").run()
    at.selectbox(key="data_export_table").set_value("opportunities").run()
    assert not at.exception, at.exception
    columns = [list(df.value.columns) for df in at.dataframe]
    readable = next(c for c in columns if "expected_amount" in c)
    assert {"customer", "owner", "sku", "product"} <= set(
        readable
    ) and "expected_amount_cents" not in readable
    at.toggle(key="data_export_raw").set_value(True).run()
    columns = [list(df.value.columns) for df in at.dataframe]
    assert any("expected_amount_cents" in c and "owner" not in c for c in columns)


def test_order_status_charts_the_orders_in_flight_and_counts_delivered_and_cancelled_apart(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_at("pages/order_status.py", monkeypatch, "2026-11-21")
    by_title = {s["layout"].get("title", {}).get("text"): s for s in charts(at).values()}
    statuses = by_title["Orders in flight by status"]["data"][0]["y"]
    assert "Delivered" not in statuses and "Cancelled" not in statuses and "Entered" in statuses
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Delivered"], tiles["Cancelled"]) == ("1,276", "158")  # the sample, all dates
    notes = [a["text"] for a in by_title["Throughput per week"]["layout"]["annotations"]]
    assert notes == ["this week so far"]
