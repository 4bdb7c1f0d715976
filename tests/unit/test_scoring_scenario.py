"""A share link carries the whole Scoring scenario, and opens it again exactly (crm_core.scoring.scenario)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.errors import ValidationError
from crm_core.scoring import (
    DEFAULT_BANT,
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    TOP_N_CHOICES,
    BantWeights,
    Scenario,
    Thresholds,
    Weights,
    link_params,
    link_query,
    on_grid,
    open_link,
    team_scenario,
)

TEAM = team_scenario(Weights(0.1, 0.1, 0.7, 0.1), BantWeights(0.4, 0.2, 0.2, 0.2))
FULL = Scenario(
    Weights(0.5, 0.05, 0.35, 0.1),
    BantWeights(0.6, 0.0, 0.25, 0.15),
    Thresholds(4.5, 6.0),
    top_n=30,
    include_closed=True,
    search="Northwind & co",
)


def opened_from(query: str) -> Scenario:
    link = open_link(dict(parse_qsl(query)), TEAM)
    assert link.problems == ()
    return link.scenario


def slider_weight() -> st.SearchStrategy[float]:
    return st.integers(0, 20).map(lambda k: round(k * 0.05, 2))


def four_weights(cls: type) -> st.SearchStrategy:
    return st.tuples(*[slider_weight()] * 4).filter(any).map(lambda values: cls(*values))


scenarios = st.builds(
    Scenario,
    weights=four_weights(Weights),
    bant=four_weights(BantWeights),
    thresholds=st.builds(
        Thresholds, st.integers(0, 20).map(lambda k: k / 2), st.integers(0, 20).map(lambda k: k / 2)
    ),
    top_n=st.sampled_from(TOP_N_CHOICES),
    include_closed=st.booleans(),
    search=st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=100).map(
        lambda text: " ".join(text.split())
    ),
)


@given(scenarios)
def test_every_scenario_the_page_can_hold_survives_a_share_link_unchanged(scenario: Scenario) -> None:
    assert opened_from(link_query(scenario)) == scenario


def test_a_full_link_names_every_part_of_the_scenario() -> None:
    assert (
        link_query(FULL)
        == "w=0.50,0.05,0.35,0.10&b=0.60,0.00,0.25,0.15&t=4.5,6&n=30&closed=1&q=Northwind+%26+co"
    )
    assert opened_from(link_query(FULL)) == FULL


def test_a_link_with_the_defaults_leaves_out_closed_and_search() -> None:
    assert link_params(Scenario(DEFAULT_WEIGHTS, DEFAULT_BANT)) == {
        "w": "0.30,0.20,0.30,0.20",
        "b": "0.25,0.25,0.25,0.25",
        "t": "5,5",
        "n": "20",
    }


def test_an_old_weights_only_link_keeps_the_team_bant_weights_and_the_default_controls() -> None:
    assert opened_from("w=0.50,0.05,0.35,0.10") == Scenario(
        Weights(0.5, 0.05, 0.35, 0.1), TEAM.bant, DEFAULT_THRESHOLDS, 20, False, ""
    )


def test_no_link_opens_the_team_scenario() -> None:
    assert opened_from("") == TEAM


def test_weights_above_one_keep_their_ratios_on_the_slider_grid() -> None:
    assert opened_from("w=3,2,3,2").weights == Weights(1.0, 0.65, 1.0, 0.65)
    assert opened_from("w=0.33,0.17,0.3,0.2").weights == Weights(0.35, 0.15, 0.3, 0.2)
    assert on_grid(Weights(0.01, 0.005, 0, 0)) == Weights(1.0, 0.5, 0.0, 0.0)


@pytest.mark.parametrize(
    ("query", "param", "reason"),
    [
        ("w=0.3,banana,0.3,0.2", "w", "“banana” is not a number"),
        ("w=0,0,0,0", "w", "at least one weight must be above zero"),
        ("w=0.3,0.2", "w", "expected four comma-separated numbers, got 2"),
        ("w=-1,0.2,0.3,0.2", "w", "finite number of 0 or more"),
        ("w=inf,0.2,0.3,0.2", "w", "finite number of 0 or more"),
        ("b=0.25,0.25,0.25", "b", "expected four comma-separated numbers, got 3"),
        ("t=5", "t", "expected two comma-separated numbers (value, potential), got 1"),
        ("t=11,5", "t", "each threshold must be from 0 to 10, got “11”"),
        ("n=25", "n", "must be one of 10, 20, 30, 50"),
        ("closed=maybe", "closed", "must be 1 (include won and lost) or 0 (open only)"),
        ("q=" + "x" * 101, "q", "is too long (101 characters; at most 100)"),
        ("q=a%00b", "q", "contains control or text-direction characters"),
    ],
)
def test_a_malformed_part_is_named_and_falls_back_for_that_part_only(
    query: str, param: str, reason: str
) -> None:
    full = dict(parse_qsl(link_query(FULL)))
    full.update(parse_qsl(query))
    link = open_link(full, TEAM)
    assert [p.param for p in link.problems] == [param]
    assert reason in link.problems[0].reason
    field = {
        "w": "weights",
        "b": "bant",
        "t": "thresholds",
        "n": "top_n",
        "closed": "include_closed",
        "q": "search",
    }
    for name in field.values():
        expected = getattr(TEAM if name == field[param] else FULL, name)
        assert getattr(link.scenario, name) == expected, name


def test_a_notice_names_the_part_quotes_the_value_and_says_what_is_used_instead() -> None:
    (problem,) = open_link({"b": "1,2,three,4"}, TEAM).problems
    assert str(problem) == (
        "The link's BANT weights (b=“1,2,three,4”) could not be used: “three” is not a number. "
        "Using the team's BANT weights instead; it looks like b=0.25,0.25,0.25,0.25."
    )
    (long,) = open_link({"n": "9" * 500}, TEAM).problems
    assert f"n=“{'9' * 39}…”" in str(long)


def test_parameters_of_other_features_are_left_alone() -> None:
    assert open_link({"order": "SO-1", "w": "1,0,0,0"}, TEAM).scenario.weights == Weights(1, 0, 0, 0)


def test_a_scenario_refuses_a_top_n_the_page_does_not_offer() -> None:
    with pytest.raises(ValidationError, match=r"^Top N must be one of 10, 20, 30, 50, got 25$"):
        Scenario(DEFAULT_WEIGHTS, DEFAULT_BANT, top_n=25)
