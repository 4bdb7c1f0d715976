"""A Scoring scenario — every control of the Scoring page — and its share-link form.

A share link carries the whole scenario as query parameters, so whoever opens it sees the same
sliders, the same controls and therefore the same ranking:

    w       SCALE weights     0.30,0.20,0.30,0.20   (the only part of the first links; they still open)
    b       BANT weights      0.25,0.25,0.25,0.25
    t       thresholds        5,5                   (value, potential; 0–10 in 0.5 steps)
    n       top N             10, 20, 30 or 50
    closed  include won/lost  1 (absent: open opportunities only)
    q       search text       up to 100 characters (absent: no search)

A part that is missing comes from the fallback (the team's active weights, the default
thresholds, the top 20, open deals only, no search). A malformed part does too, and is reported
as a `LinkProblem` naming the parameter; the other parts of the link still apply.

Weights live on the sliders' grid (0–1 in 0.05 steps). A link's weights are put on that grid
the way a slider would show them: scaled down so the largest is at most 1 (same ratios), then
rounded to the nearest step. Thresholds are rounded to their 0.5 step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlencode

from crm_core import validation
from crm_core.errors import ValidationError
from crm_core.scoring.weights import DEFAULT_THRESHOLDS, BantWeights, Thresholds, Weights, format_weights

WEIGHT_STEP = 0.05
THRESHOLD_STEP = 0.5
TOP_N_CHOICES = (10, 20, 30, 50)
DEFAULT_TOP_N = 20
SEARCH_MAX = 100
SHOWN_MAX = 40  # how much of a bad parameter a notice quotes

SCALE_PARAM, BANT_PARAM, THRESHOLDS_PARAM, TOP_N_PARAM, CLOSED_PARAM, SEARCH_PARAM = (
    "w",
    "b",
    "t",
    "n",
    "closed",
    "q",
)
PARAMS = (SCALE_PARAM, BANT_PARAM, THRESHOLDS_PARAM, TOP_N_PARAM, CLOSED_PARAM, SEARCH_PARAM)
PART_NAMES = {
    SCALE_PARAM: "SCALE weights",
    BANT_PARAM: "BANT weights",
    THRESHOLDS_PARAM: "quadrant thresholds",
    TOP_N_PARAM: "top N",
    CLOSED_PARAM: "include closed",
    SEARCH_PARAM: "search",
}
EXAMPLES = {
    SCALE_PARAM: "0.30,0.20,0.30,0.20",
    BANT_PARAM: "0.25,0.25,0.25,0.25",
    THRESHOLDS_PARAM: "5,5",
    TOP_N_PARAM: "20",
    CLOSED_PARAM: "1",
    SEARCH_PARAM: "Northwind",
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}

W = TypeVar("W", Weights, BantWeights)


@dataclass(frozen=True)
class Scenario:
    """What the Scoring page's controls hold; the ranking is a function of it and the data."""

    weights: Weights
    bant: BantWeights
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    top_n: int = DEFAULT_TOP_N
    include_closed: bool = False
    search: str = ""

    def __post_init__(self) -> None:
        if self.top_n not in TOP_N_CHOICES:
            raise ValidationError("top N", f"must be one of {_choices()}, got {self.top_n!r}")
        object.__setattr__(self, "search", _clean_search(self.search))


@dataclass(frozen=True)
class LinkProblem:
    """One part of a share link that could not be used, and why."""

    param: str
    value: str
    reason: str

    @property
    def part(self) -> str:
        return PART_NAMES[self.param]

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= SHOWN_MAX else self.value[: SHOWN_MAX - 1] + "…"
        return (
            f"The link's {self.part} ({self.param}=“{shown}”) could not be used: {self.reason}. "
            f"Using the {_fallback_words(self.param)} instead; "
            f"it looks like {self.param}={EXAMPLES[self.param]}."
        )


@dataclass(frozen=True)
class OpenedLink:
    """The scenario a link opens, and the parts of it that fell back (empty when all were usable)."""

    scenario: Scenario
    problems: tuple[LinkProblem, ...]


def _choices() -> str:
    return ", ".join(str(n) for n in TOP_N_CHOICES)


def _fallback_words(param: str) -> str:
    return {
        SCALE_PARAM: "team's SCALE weights",
        BANT_PARAM: "team's BANT weights",
        THRESHOLDS_PARAM: "default thresholds",
        TOP_N_PARAM: f"top {DEFAULT_TOP_N}",
        CLOSED_PARAM: "open opportunities only",
        SEARCH_PARAM: "ranking without a search",
    }[param]


def _clean_search(text: object) -> str:
    if not isinstance(text, str):
        raise ValidationError("search", f"must be text, not {type(text).__name__}")
    return validation.text("search", text, required=False, max_length=SEARCH_MAX) or ""


def on_grid(weights: W) -> W:
    """The weights as the sliders show them, in 0.05 steps with the same ratios as far as the steps allow.

    A set whose largest weight is above 1 — or so small it would round to nothing — is first scaled
    so the largest is 1; then each weight is rounded to the nearest step."""
    values = weights.as_tuple()
    top = max(values)
    if top > 1 or top < WEIGHT_STEP / 2:
        values = tuple(v / top for v in values)
    return type(weights)(*(round(round(v / WEIGHT_STEP) * WEIGHT_STEP, 2) for v in values))


def _four_numbers(text: str, cls: type[W]) -> W:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError(f"expected four comma-separated numbers, got {len(parts)}")
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise ValueError(f"“{part[:20]}” is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"each weight must be a finite number of 0 or more, got “{part[:20]}”")
        numbers.append(number)
    if not any(numbers):
        raise ValueError("at least one weight must be above zero")
    return on_grid(cls(*numbers))


def _thresholds(text: str) -> Thresholds:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise ValueError(f"expected two comma-separated numbers (value, potential), got {len(parts)}")
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise ValueError(f"“{part[:20]}” is not a number") from None
        if not math.isfinite(number) or not 0 <= number <= 10:
            raise ValueError(f"each threshold must be from 0 to 10, got “{part[:20]}”")
        numbers.append(round(number / THRESHOLD_STEP) * THRESHOLD_STEP)
    return Thresholds(*numbers)


def _top_n(text: str) -> int:
    choices = {str(n): n for n in TOP_N_CHOICES}
    if text.strip() not in choices:
        raise ValueError(f"must be one of {_choices()}")
    return choices[text.strip()]


def _closed(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("must be 1 (include won and lost) or 0 (open only)")


def _search(text: str) -> str:
    try:
        return _clean_search(text)
    except ValidationError as exc:
        raise ValueError(str(exc).split(": ", 1)[-1]) from None


_FIELDS = {
    SCALE_PARAM: ("weights", lambda text: _four_numbers(text, Weights)),
    BANT_PARAM: ("bant", lambda text: _four_numbers(text, BantWeights)),
    THRESHOLDS_PARAM: ("thresholds", _thresholds),
    TOP_N_PARAM: ("top_n", _top_n),
    CLOSED_PARAM: ("include_closed", _closed),
    SEARCH_PARAM: ("search", _search),
}


def open_link(params: Mapping[str, str | None], fallback: Scenario) -> OpenedLink:
    """The scenario a share link's query parameters describe, part by part over `fallback`.

    Parameters other than the six are ignored (other features may add their own)."""
    changes: dict[str, object] = {}
    problems: list[LinkProblem] = []
    for param in PARAMS:
        raw = params.get(param)
        if raw is None:
            continue
        field, parse = _FIELDS[param]
        try:
            changes[field] = parse(str(raw))
        except ValueError as exc:
            problems.append(LinkProblem(param, str(raw), str(exc)))
    return OpenedLink(replace(fallback, **changes), tuple(problems))


def link_params(scenario: Scenario) -> dict[str, str]:
    """The query parameters of a scenario (`closed` and `q` only when set), in link order."""
    thresholds = scenario.thresholds
    params = {
        SCALE_PARAM: format_weights(scenario.weights),
        BANT_PARAM: format_weights(scenario.bant),
        THRESHOLDS_PARAM: f"{thresholds.value:g},{thresholds.potential:g}",
        TOP_N_PARAM: str(scenario.top_n),
    }
    if scenario.include_closed:
        params[CLOSED_PARAM] = "1"
    if scenario.search:
        params[SEARCH_PARAM] = scenario.search
    return params


def link_query(scenario: Scenario) -> str:
    """'w=0.30,0.20,0.30,0.20&b=…' — the query string of a share link (commas kept readable)."""
    return urlencode(link_params(scenario), safe=",")


def team_scenario(weights: Weights, bant: BantWeights) -> Scenario:
    """The scenario a page opens with when there is no link: the team's weights on the slider grid."""
    return Scenario(on_grid(weights), on_grid(bant))
