"""Every page on a database moved in from other systems: history from 2011 to 2019 with gaps, deals
imported already won or lost (no stage history, no factor scores), orders without opportunities."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.opportunities import FACTORS
from tests.app.conftest import APP
from tests.app.test_pages import PAGES
from tests.other_systems import MOVED_IN_TODAY


@pytest.fixture
def moved_in(moved_in_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    path = tmp_path / "crm.sqlite"
    shutil.copy(moved_in_template, path)
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    monkeypatch.setenv("CRM_TODAY", MOVED_IN_TODAY.isoformat())
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    yield at


def page(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [c.value for c in at.caption] + [i.value for i in at.info] + [m.value for m in at.markdown]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_on_data_moved_in_from_other_systems(moved_in: AppTest, path: str) -> None:
    at = page(moved_in, path)
    assert PAGES[path] in [t.value for t in at.title]
    assert not at.error, [e.value for e in at.error]


def test_integration_periods_end_with_the_data_and_say_so(moved_in: AppTest) -> None:
    at = page(moved_in, "pages/integration.py")
    notes = [i.value for i in at.info]
    assert any("The data ends on 23 May 2019" in n and "12 months up to then" in n for n in notes), notes
    metrics = {m.label: m.value for m in at.metric}
    # June 2018 – 23 May 2019: the ERP's 2019 invoices delivered, Pipedrive's last deals won (to Jul 2018).
    assert metrics["Delivered (O)"] == "31"
    assert metrics["Won (S)"] == "6"


def test_integration_flow_has_the_orders_without_an_opportunity_as_their_own_source(
    moved_in: AppTest,
) -> None:
    at = page(moved_in, "pages/integration.py")
    assert "Orders without an opportunity" in texts(at)
    flow = next(c for c in at.get("plotly_chart") if c.key == "integration_flow")
    # The ERP's 115 invoices (105 delivered, 10 cancelled C-invoices), none from a deal.
    assert "Orders without an opportunity: 115" in flow.proto.spec
    assert "Delivered: 105" in flow.proto.spec


def test_pipeline_does_not_count_imported_closed_deals_as_lost_at_captured(moved_in: AppTest) -> None:
    at = page(moved_in, "pages/pipeline.py")
    shown = texts(at)
    # Only the 47 imported as captured have a known path (their first stage); nobody left a stage yet.
    assert "Based on 47 opportunities whose path through the stages is recorded; 443 imported" in shown
    assert "No opportunity has left a stage yet, so there is no conversion to show" in shown
    assert "velocity needs opportunities that moved from one stage to another" in shown
    assert "Based on the 490 opportunities the filters select, less 172 lost without a stage history" in shown


def test_scoring_says_the_imported_deals_have_no_scores_and_there_is_no_back_test(moved_in: AppTest) -> None:
    at = page(moved_in, "pages/scoring.py")
    notes = " ".join(i.value for i in at.info)
    assert "none of the 127 shown has all eight factor scores" in notes
    assert "The 363 closed deals have no scores either, so there is no back-test yet." in notes
    assert "captured or enriched" not in texts(at)


def test_order_status_says_why_it_draws_no_cycle_time_and_shows_the_last_year_of_throughput(
    moved_in: AppTest,
) -> None:
    at = page(moved_in, "pages/order_status.py")
    shown = texts(at)
    assert "No orders in flight: every order the filters select is delivered or cancelled" in shown
    assert "imported orders without a delivery date — so there is no cycle time to chart" in shown
    # The ERP's last invoice is 23 May 2019 (a Thursday): its week starts Monday 20 May 2019.
    assert "Throughput: the last 52 weeks of the data, to the week of 20 May 2019." in shown
    keys = [c.key for c in at.get("plotly_chart")]
    assert "order_status_weekly" in keys
    assert "order_status_cycle" not in keys
    assert "order_status_aging" not in keys


def test_overview_is_the_month_the_data_ends_in_against_the_month_before(moved_in: AppTest) -> None:
    at = page(moved_in, "pages/overview.py")
    assert any("The data ends on 23 May 2019" in i.value for i in at.info)
    shown = texts(at)
    assert "May 2019 up to the 23: 0 won, 0 lost, 9 orders delivered." in shown
    assert "Same days last month: 0 won, 0 lost, 8 delivered." in shown
    assert "No payments recorded yet" in shown
    keys = [c.key for c in at.get("plotly_chart")]
    assert "overview_trend_Revenue this month" not in keys


def test_integration_by_segment_names_customers_without_an_industry_and_lists_them_last(
    moved_in: AppTest,
) -> None:
    at = page(moved_in, "pages/integration.py")
    at.segmented_control(key="integration_by").set_value("Segment").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "industry" in d.value.columns)
    assert table["industry"].to_list()[-1] == "No industry recorded"
    assert "Unknown" not in table["industry"].to_list()


def test_a_forecast_without_amounts_says_so_instead_of_drawing_an_empty_axis(
    moved_in_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "no_amounts.sqlite"
    shutil.copy(moved_in_template, path)
    # Arrange a CRM export without amounts: every deal imported with the default amount, 0.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE opportunities SET expected_amount_cents = 0")
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    monkeypatch.setenv("CRM_TODAY", MOVED_IN_TODAY.isoformat())
    at = AppTest.from_file(APP, default_timeout=90).run()
    at = page(at, "pages/pipeline.py")
    notes = " ".join(i.value for i in at.info)
    assert "The 127 open opportunities have no expected amount, so there is nothing to forecast" in notes
    assert "None of these opportunities has an expected amount" in notes
    keys = [c.key for c in at.get("plotly_chart")]
    assert "pipeline_forecast" not in keys
    assert "pipeline_f2" not in keys


def test_the_back_test_runs_on_the_scored_closed_deals_and_says_how_many_it_leaves_out(
    moved_in_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "some_scores.sqlite"
    shutil.copy(moved_in_template, path)
    # Arrange a history where 40 of the 363 closed deals carry factor scores (won ones higher).
    factors = ", ".join(f"{f} = CASE stage WHEN 'won' THEN 7 ELSE 3 END + id % 3" for f in FACTORS)
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"UPDATE opportunities SET {factors} WHERE id IN "
            "(SELECT id FROM opportunities WHERE stage IN ('won', 'lost') ORDER BY id LIMIT 40)"
        )
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_AUTH", "demo")
    monkeypatch.setenv("CRM_TODAY", MOVED_IN_TODAY.isoformat())
    at = page(AppTest.from_file(APP, default_timeout=90).run(), "pages/scoring.py")
    notes = " ".join(i.value for i in at.info)
    assert "40 closed deals are scored: turn on “Include closed” to rank them" in notes
    shown = texts(at)
    assert "On 40 closed, scored deals" in shown
    assert "323 closed deals without all eight factor scores are left out" in shown
