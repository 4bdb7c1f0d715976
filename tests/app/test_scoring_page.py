"""The Scoring page through the real app frame (AppTest on a seeded copy of the sample data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from crm_core.scoring import Weights
from crm_core.services import get_actor, publish_preset, save_preset
from crm_core.store.models import User
from tests.app.conftest import APP
from tests.conftest import sqlite_store_at
from tests.integration.preset_builders import imported_presets
from ui.opportunities.actions import DETAILS_TAB
from ui.opportunities.state import SELECTED

PAGE = "pages/scoring.py"
SLIDERS = {
    "Segmentation": "scoring_w_segmentation",
    "Customer operating characteristics": "scoring_w_customer_characteristics",
    "Level of relationship": "scoring_w_relationship_level",
    "Account management resource": "scoring_w_account_resource",
}


MARIA, DANIEL, OTHER_REP = 1, 2, 3  # the sample's first manager and first two reps (user ids)
RELATIONSHIP_FIRST = 2  # the sample's unpublished preset


BANT_SLIDERS = {f: f"scoring_b_{f}" for f in ("budget", "authority", "need", "timing")}
THRESHOLDS = ("scoring_t_value", "scoring_t_potential")
FULL_LINK = {  # every control away from its default
    "w": "0.50,0.05,0.35,0.10",
    "b": "0.60,0.00,0.25,0.15",
    "t": "4.5,6",
    "n": "30",
    "closed": "1",
    "q": "an",
}


def open_scoring(
    app_db: object, link: str | None = None, user: int | None = None, params: dict[str, str] | None = None
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if link is not None:
        at.query_params["w"] = link
    for name, value in (params or {}).items():
        at.query_params[name] = value
    if user is not None:
        at.session_state["auth_user_id"] = user  # the demo-mode picker's choice
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def slider_values(at: AppTest) -> tuple[float, ...]:
    return tuple(round(at.slider(key=key).value, 2) for key in SLIDERS.values())


def controls(at: AppTest) -> dict[str, object]:
    return {
        "scale": slider_values(at),
        "bant": tuple(round(at.slider(key=key).value, 2) for key in BANT_SLIDERS.values()),
        "thresholds": tuple(at.slider(key=key).value for key in THRESHOLDS),
        "top_n": at.segmented_control(key="scoring_top_n").value,
        "closed": at.toggle(key="scoring_include_closed").value,
        "search": at.text_input(key="scoring_search").value,
    }


def ranking(at: AppTest) -> list[tuple]:
    return at.dataframe[0].value.to_records(index=False).tolist()


def ranked_titles(at: AppTest) -> list[str]:
    return at.dataframe[0].value["title"].tolist()


def set_sliders(at: AppTest, *values: float) -> AppTest:
    for key, value in zip(SLIDERS.values(), values, strict=True):
        at.slider(key=key).set_value(value)
    return at.run()


def test_the_four_sliders_carry_the_contract_labels_and_start_at_the_team_weights(app_db: object) -> None:
    at = open_scoring(app_db)
    assert [at.slider(key=k).label for k in SLIDERS.values()] == list(SLIDERS)
    assert slider_values(at) == (0.3, 0.2, 0.3, 0.2)
    shares = [c.value for c in at.caption if "of value V" in c.value]
    assert shares[:4] == [
        "**30 %** of value V",
        "**20 %** of value V",
        "**30 %** of value V",
        "**20 %** of value V",
    ]
    assert "0.30,0.20,0.30,0.20" in str(at.query_params["w"])


def test_moving_sliders_changes_the_ranking_and_the_share_link(app_db: object) -> None:
    at = open_scoring(app_db)
    before = ranked_titles(at)
    set_sliders(at, 0.0, 1.0, 0.0, 0.0)
    assert not at.exception, at.exception
    after = ranked_titles(at)
    assert after != before
    assert "0.00,1.00,0.00,0.00" in str(at.query_params["w"])
    assert any("0.00,1.00,0.00,0.00" in c.value for c in at.code)


def test_a_share_link_restores_the_sliders(app_db: object) -> None:
    at = open_scoring(app_db, link="0.50,0.05,0.35,0.10")
    assert slider_values(at) == (0.5, 0.05, 0.35, 0.1)
    assert not at.warning


def test_a_full_share_link_restores_every_control_and_the_same_ranking_as_setting_them_by_hand(
    app_db: object,
) -> None:
    linked = open_scoring(app_db, params=FULL_LINK)
    assert not linked.warning
    assert controls(linked) == {
        "scale": (0.5, 0.05, 0.35, 0.1),
        "bant": (0.6, 0.0, 0.25, 0.15),
        "thresholds": (4.5, 6.0),
        "top_n": 30,
        "closed": True,
        "search": "an",
    }

    by_hand = open_scoring(app_db)
    set_sliders(by_hand, 0.5, 0.05, 0.35, 0.1)
    for key, value in zip(BANT_SLIDERS.values(), (0.6, 0.0, 0.25, 0.15), strict=True):
        by_hand.slider(key=key).set_value(value)
    by_hand.slider(key=THRESHOLDS[0]).set_value(4.5)
    by_hand.slider(key=THRESHOLDS[1]).set_value(6.0)
    by_hand.segmented_control(key="scoring_top_n").set_value(30)
    by_hand.toggle(key="scoring_include_closed").set_value(True)
    by_hand.text_input(key="scoring_search").input("an")
    by_hand.run()
    assert not by_hand.exception, by_hand.exception

    assert controls(by_hand) == controls(linked)
    assert len(ranking(linked)) == 30
    assert ranking(by_hand) == ranking(linked)
    assert {name: by_hand.query_params[name] for name in FULL_LINK} == FULL_LINK
    assert any(
        "?w=0.50,0.05,0.35,0.10&b=0.60,0.00,0.25,0.15&t=4.5,6&n=30&closed=1&q=an" in c.value
        for c in by_hand.code
    )


def test_an_old_weights_only_link_opens_with_the_team_bant_weights_and_shares_the_whole_scenario(
    app_db: object,
) -> None:
    at = open_scoring(app_db, link="0.50,0.05,0.35,0.10")
    assert not at.warning
    assert controls(at) == {
        "scale": (0.5, 0.05, 0.35, 0.1),
        "bant": (0.25, 0.25, 0.25, 0.25),
        "thresholds": (5.0, 5.0),
        "top_n": 20,
        "closed": False,
        "search": "",
    }
    assert len(ranking(at)) == 20
    assert any(c.value.endswith("?w=0.50,0.05,0.35,0.10&b=0.25,0.25,0.25,0.25&t=5,5&n=20") for c in at.code)


def test_a_malformed_part_is_named_and_only_that_part_falls_back(app_db: object) -> None:
    at = open_scoring(app_db, params={**FULL_LINK, "b": "0.6,lots,0.25,0.15", "n": "25"})
    assert controls(at) == {
        "scale": (0.5, 0.05, 0.35, 0.1),
        "bant": (0.25, 0.25, 0.25, 0.25),
        "thresholds": (4.5, 6.0),
        "top_n": 20,
        "closed": True,
        "search": "an",
    }
    (notice,) = at.warning
    assert "The link's BANT weights (b=“0.6,lots,0.25,0.15”) could not be used" in notice.value
    assert "Using the team's BANT weights instead" in notice.value
    assert "The link's top N (n=“25”) could not be used: must be one of 10, 20, 30, 50" in notice.value


@pytest.mark.parametrize("link", ["0.3,banana,0.3,0.2", "0,0,0,0", "0.3,0.2", "-1,0.2,0.3,0.2"])
def test_a_malformed_share_link_shows_a_notice_and_falls_back_to_the_team_weights(
    app_db: object, link: str
) -> None:
    at = open_scoring(app_db, link=link)
    assert slider_values(at) == (0.3, 0.2, 0.3, 0.2)
    assert any("could not be used" in w.value for w in at.warning)


def test_all_weights_at_zero_keep_the_last_ranking_and_say_why(app_db: object) -> None:
    at = open_scoring(app_db)
    set_sliders(at, 0.0, 0.0, 1.0, 0.0)
    last = ranked_titles(at)
    set_sliders(at, 0.0, 0.0, 0.0, 0.0)
    assert not at.exception, at.exception
    assert any("All four weights are zero" in w.value for w in at.warning)
    assert ranked_titles(at) == last


def test_apply_moves_the_sliders_to_the_suggested_weights(app_db: object) -> None:
    at = open_scoring(app_db)
    at.button(key="scoring_suggest").click().run()
    assert not at.exception, at.exception
    suggested = at.session_state["scoring_suggestion"]["weights"]
    assert any("Suggested weights" in m.value for m in at.markdown)
    at.button(key="scoring_apply").click().run()
    assert not at.exception, at.exception
    assert slider_values(at) == tuple(round(w, 2) for w in suggested)
    assert slider_values(at) != (0.3, 0.2, 0.3, 0.2)  # the sample's outcomes follow other weights


def test_a_rep_saves_a_preset_but_sees_no_publish_control(app_db: object) -> None:
    at = open_scoring(app_db, user=DANIEL)
    labels = [b.label for b in at.button]
    assert "Publish for the team" not in labels
    at.text_input(key="scoring_preset_name").input("Rep's idea")
    at.button(key="FormSubmitter:scoring_save_form-Save preset").click().run()
    assert not at.exception, at.exception
    assert any("Rep's idea" in str(o) for o in at.selectbox(key="scoring_preset_choice").options)
    assert (
        at.selectbox(key="scoring_preset_choice").format_func(at.selectbox(key="scoring_preset_choice").value)
        == "Rep's idea"
    )  # the new preset is the one chosen


def test_a_manager_publishes_a_preset_and_it_becomes_the_baseline(app_db: object) -> None:
    at = open_scoring(app_db, user=MARIA)
    at.selectbox(key="scoring_preset_choice").select(RELATIONSHIP_FIRST).run()
    at.button(key="scoring_publish").click().run()
    assert not at.exception, at.exception
    assert any("Rank shift against Relationship first" in h.value for h in at.subheader)
    (confirmation,) = at.success
    assert confirmation.value == (
        "Published **Relationship first**. The team's active weights are now SCALE: "
        "Segmentation **0.20** · Customer operating characteristics **0.10** · "
        "Level of relationship **0.50** · Account management resource **0.20**; "
        "BANT: Budget **0.25** · Authority **0.25** · Need **0.25** · Timing **0.25**. "
        "They are the baseline from now on: the rank shift, the “Move” column and the back-test compare "
        "everyone's sliders with them, and new scores on the Opportunities page use them. "
        "Your sliders stay where they are."
    )
    assert slider_values(at) == (0.3, 0.2, 0.3, 0.2)


HOSTILE_PRESET = "[x](javascript:alert(1)) ![i](http://127.0.0.1:9/a.png)"
ESCAPED_PRESET = (
    r"\[x\]\(javascript\:alert\(1\)\) \!\[i\]\(http" + "\u2060" + r"\:\/\/127\.0\.0\.1\:9\/a\.png\)"
)


ENRICHED = 1568  # a sample opportunity waiting for its scores


def publish_hostile_preset(app_db: Path) -> int:
    """Maria, renamed to a Markdown image, saves and publishes a preset named like a link and an image."""
    store = sqlite_store_at(app_db)
    with store.write_session() as session, session.begin():
        session.execute(update(User).where(User.id == MARIA).values(name="![me](http://127.0.0.1:9/me.png)"))
    maria = get_actor(store, MARIA)
    preset = save_preset(store, maria, HOSTILE_PRESET, Weights(0.4, 0.1, 0.4, 0.1))
    publish_preset(store, maria, preset.id)
    store.dispose()
    return preset.id


def test_a_hostile_preset_and_user_name_are_shown_as_text_on_the_scoring_page(app_db: Path) -> None:
    preset_id = publish_hostile_preset(app_db)
    at = open_scoring(app_db, user=MARIA)
    at.selectbox(key="scoring_preset_choice").select(preset_id).run()
    escaped_user = r"\!\[me\]\(http" + "\u2060" + r"\:\/\/127\.0\.0\.1\:9\/me\.png\)"
    (details,) = [c.value for c in at.caption if "saved by" in c.value]
    assert f"saved by {escaped_user} on" in details
    assert f"published by {escaped_user} on" in details
    assert any(
        f"The team's active weights: **{ESCAPED_PRESET}**, published by {escaped_user}" in c.value
        for c in at.caption
    )
    assert any(f"Rank shift against {ESCAPED_PRESET}" == h.value for h in at.subheader)
    assert HOSTILE_PRESET in at.selectbox(key="scoring_preset_choice").options[0]  # options are plain text


def test_the_published_preset_name_in_the_value_help_on_the_opportunities_page_is_text(app_db: Path) -> None:
    publish_hostile_preset(app_db)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["auth_user_id"] = MARIA
    at.run().switch_page("pages/opportunities.py").run()
    at.session_state[SELECTED] = ENRICHED
    at.session_state["opportunities_view"] = DETAILS_TAB
    at.run()
    assert not at.exception, at.exception
    (value,) = [m for m in at.metric if m.label == "Value V (SCALE)"]
    assert value.help == f"With the team's active weights ({ESCAPED_PRESET}): 0.40,0.10,0.40,0.10."


def test_the_preset_list_is_bounded_and_a_search_by_name_reaches_the_older_ones(app_db: Path) -> None:
    store = sqlite_store_at(app_db)
    imported_presets(store, OTHER_REP, 120)
    store.dispose()

    at = open_scoring(app_db, user=DANIEL)

    options = at.selectbox(key="scoring_preset_choice").options
    assert len(options) == 1 + 50
    assert options[:2] == ["Team default  (team's active weights)", "Imported 00119"]
    assert any(
        "the 50 newest presets of others; 71 more are not listed — find one by name." in c.value
        for c in at.caption
    )
    at.text_input(key="scoring_preset_search").input("relationship").run()
    assert at.selectbox(key="scoring_preset_choice").options == [
        "Team default  (team's active weights)",
        "Relationship first",
    ]
    at.text_input(key="scoring_preset_search").input("imported 0003").run()
    assert len(at.selectbox(key="scoring_preset_choice").options) == 1 + 10  # Imported 00030 … 00039
    at.text_input(key="scoring_preset_search").input("imported").run()
    assert any(
        c.value == "The 50 newest matches of others: type more of the name to narrow it down."
        for c in at.caption
    )


def test_a_rep_at_the_preset_limit_is_told_the_limit_and_keeps_what_she_typed(app_db: Path) -> None:
    store = sqlite_store_at(app_db)
    daniel = get_actor(store, DANIEL)
    for n in range(50):
        save_preset(store, daniel, f"Idea {n + 1}", Weights(0.3, 0.2, 0.3, 0.2))
    store.dispose()
    at = open_scoring(app_db, user=DANIEL)
    assert any(c.value == "You keep 50 of at most 50 presets." for c in at.caption)

    at.text_input(key="scoring_preset_name").input("Idea 51")
    at.button(key="FormSubmitter:scoring_save_form-Save preset").click().run()

    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Presets: you already keep 50 presets and the limit is 50 per person — "
        "delete one of yours to save this one"
    ]
    assert at.text_input(key="scoring_preset_name").value == "Idea 51"
    at.text_input(key="scoring_preset_search").input("Idea 1").run()
    choice = at.selectbox(key="scoring_preset_choice")
    assert choice.options[-1] == "Idea 1"  # the oldest of hers that match
    choice.select_index(len(choice.options) - 1).run()
    at.button(key="scoring_delete").click().run()
    assert not at.exception, at.exception
    assert any(c.value == "You keep 49 of at most 50 presets." for c in at.caption)
    at.button(key="FormSubmitter:scoring_save_form-Save preset").click().run()
    assert not at.error
    assert any(c.value == "You keep 50 of at most 50 presets." for c in at.caption)
