"""The Pipeline page through AppTest: filters, changed probabilities, show-data tables."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.widgets import data_panel


@pytest.fixture
def page(app: AppTest) -> AppTest:
    return app.switch_page("pages/pipeline.py").run()


def metric(at: AppTest, label: str) -> str:
    [value] = [m.value for m in at.metric if m.label == label]
    return value


def test_the_pipeline_shows_its_figures_and_a_chart_for_each_view(page: AppTest) -> None:
    assert not page.exception
    assert [s.value for s in page.subheader] == [
        "Weighted forecast by expected close month",  # beside the probabilities, in their fragment
        "Funnel",
        "Stage conversion",
        "Velocity",
        "Aging of open opportunities",
    ]
    assert len(page.get("plotly_chart")) == 6
    assert len([e for e in page.expander if e.label == "Show data"]) == 5


def test_changed_stage_probabilities_change_the_weighted_pipeline_and_reset_restores_them(
    page: AppTest,
) -> None:
    before = metric(page, "Weighted pipeline")
    for stage in ("captured", "enriched", "qualified", "scheduled"):
        page.number_input(key=f"pipeline_prob_{stage}").set_value(100)
    page.run()
    assert not page.exception
    assert metric(page, "Weighted pipeline") == metric(page, "Open pipeline")  # everything counts in full
    assert metric(page, "Weighted pipeline") != before

    [reset] = [b for b in page.button if b.label == "Reset to defaults"]
    reset.click().run()
    assert metric(page, "Weighted pipeline") == before
    assert page.number_input(key="pipeline_prob_qualified").value == 50


def test_zero_probabilities_weigh_nothing(page: AppTest) -> None:
    for stage in ("captured", "enriched", "qualified", "scheduled"):
        page.number_input(key=f"pipeline_prob_{stage}").set_value(0)
    page.run()
    assert metric(page, "Weighted pipeline") == "$0"


def matching(at: AppTest) -> str:
    [caption] = [c.value for c in at.caption if "match the filters" in c.value]
    return caption


def test_filters_by_owner_and_company_size_narrow_the_selection(page: AppTest) -> None:
    everyone = matching(page)
    owner = page.multiselect(key="pipeline_owner").options[0]
    page.multiselect(key="pipeline_owner").set_value([owner]).run()
    page.segmented_control(key="pipeline_segment_by").set_value("Company size").run()
    page.multiselect(key="pipeline_size").set_value(["50–249"]).run()
    assert not page.exception
    narrowed = matching(page)
    assert narrowed != everyone
    assert int(narrowed.split(" of ")[0].replace(",", "")) > 0


def test_show_data_draws_its_table_and_downloads_only_once_opened(page: AppTest) -> None:
    tables, buttons = len(page.dataframe), len(page.get("download_button"))
    page.session_state[data_panel("pipeline_funnel")] = True  # what opening the expander does
    page.run()
    assert not page.exception, page.exception
    assert len(page.dataframe) == tables + 1
    assert len(page.get("download_button")) == buttons + 3  # CSV, Excel, Parquet
    assert page.dataframe[-1].value["stage"].tolist()[:2] == ["Captured", "Enriched"]
