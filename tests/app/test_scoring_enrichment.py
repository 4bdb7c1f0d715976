"""The Scoring page's "Derive scores from history" section and the Data page's button (AppTest on a
seeded copy of the sample data, whose 638 captured and enriched deals miss their factor scores)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from crm_core.config import DatabaseTarget
from crm_core.store import make_store
from crm_core.store.frames import read_events
from tests.app.conftest import APP

MARIA, DANIEL = 1, 2  # the sample's first manager and first rep (user ids)
TO_FILL = 638


def open_page(page: str, user: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["auth_user_id"] = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def derive_events(app_db: Path) -> pl.DataFrame:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    try:
        return read_events(store, "opportunity").filter(pl.col("action") == "derive_scores")
    finally:
        store.dispose()


def test_a_manager_previews_the_default_rules_and_applies_them(app_db: Path) -> None:
    at = open_page("pages/scoring.py", MARIA)
    assert at.button(key="scoring_enrich_preview_button")
    assert not [b for b in at.button if b.key == "scoring_enrich_apply"]

    at.button(key="scoring_enrich_preview_button").click().run()
    assert not at.exception, at.exception
    assert metric(at, "Deals that gain scores") == f"{TO_FILL:,}"
    assert metric(at, "Factor scores filled") == f"{8 * TO_FILL:,}"
    assert metric(at, "Closed deals the back-test can use") == "1,792"
    table = at.dataframe[-1].value
    assert table["Factor"].tolist()[0] == "Segmentation"
    assert table["Deals filled"].tolist() == [TO_FILL] * 8
    assert derive_events(app_db).is_empty()  # a preview writes nothing

    at.button(key="scoring_enrich_apply").click().run()
    assert not at.exception, at.exception
    assert derive_events(app_db).height == TO_FILL
    assert any("All 1,792 closed deals have all eight factors." in c.value for c in at.caption)


def test_a_rule_with_a_mistake_is_named_and_nothing_is_previewed(app_db: Path) -> None:
    at = open_page("pages/scoring.py", MARIA)
    at.text_area(key="scoring_enrich_rules").input("[need]\nrecorded = 12\n").run()
    at.button(key="scoring_enrich_preview_button").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["'need.recorded' must be a score from 0 to 10, not 12"]
    assert not [b for b in at.button if b.key == "scoring_enrich_apply"]


def test_a_rep_reads_what_the_section_does_but_gets_no_controls(app_db: Path) -> None:
    at = open_page("pages/scoring.py", DANIEL)
    assert any("A manager or an admin can derive missing scores here." in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "scoring_enrich_preview_button"]


def test_the_data_page_button_derives_with_the_default_rules(app_db: Path) -> None:
    at = open_page("pages/data.py", MARIA)
    at.button(key="data_enrich").click().run()
    assert not at.exception, at.exception
    events = derive_events(app_db)
    assert events.height == TO_FILL
    assert events.get_column("note").str.ends_with("(rules: enrichment_rules.toml)").all()


def test_an_uploaded_rules_file_replaces_the_rules_and_its_preview_follows_it(app_db: Path) -> None:
    at = open_page("pages/scoring.py", MARIA)
    rules = b"[segmentation]\nunknown = 4\nother = 6\n"  # only S: the other factors stay empty
    uploader = next(u for u in at.get("file_uploader") if u.key == "scoring_enrich_upload")
    uploader.set_value(("mine.toml", rules, "application/toml")).run()
    assert not at.exception, at.exception
    assert at.text_area(key="scoring_enrich_rules").value == rules.decode()

    at.button(key="scoring_enrich_preview_button").click().run()
    assert metric(at, "Deals that gain scores") == f"{TO_FILL:,}"
    assert metric(at, "Factor scores filled") == f"{TO_FILL:,}"
    assert (
        metric(at, "Closed deals the back-test can use") == "1,242"
    )  # nothing more: seven factors still empty
    assert at.dataframe[-1].value["Deals filled"].tolist() == [TO_FILL] + [0] * 7
