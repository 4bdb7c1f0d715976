"""The Scoring page's session state: slider keys, the share link, and the callbacks that move sliders.

Keys are prefixed `scoring_`. Sliders hold raw weights (0–1 in 0.05 steps); callbacks set their
keys *before* the widgets render (Apply a suggestion, load a preset, reset), which is the only
way Streamlit lets code move a slider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from crm_core.errors import ValidationError
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.scoring import (
    DEFAULT_BANT,
    DEFAULT_THRESHOLDS,
    BantWeights,
    Thresholds,
    Weights,
    format_weights,
    parse_weights,
)

STEP = 0.05
LINK_PARAM = "w"
READY = "scoring_ready"
LINK_NOTICE = "scoring_link_notice"
LAST_VALID = "scoring_last_valid"
LAST_VALID_BANT = "scoring_last_valid_bant"
SUGGESTION = "scoring_suggestion"
SCALE_KEYS = {f: f"scoring_w_{f}" for f in SCALE_FACTORS}
BANT_KEYS = {f: f"scoring_b_{f}" for f in BANT_FACTORS}
THRESHOLD_KEYS = {"value": "scoring_t_value", "potential": "scoring_t_potential"}


def snap(value: float) -> float:
    """A weight on the slider grid: 0–1 in 0.05 steps."""
    return round(min(1.0, max(0.0, value)) / STEP) * STEP


def slider_values(weights: Weights | BantWeights) -> tuple[float, ...]:
    """Weights as slider positions; a set with a weight above 1 is scaled down first (same ratios)."""
    values = weights.as_tuple()
    top = max(values)
    if top > 1:
        values = tuple(v / top for v in values)
    return tuple(round(snap(v), 2) for v in values)


def set_scale_sliders(weights: Weights) -> None:
    for key, value in zip(SCALE_KEYS.values(), slider_values(weights), strict=True):
        st.session_state[key] = value


def set_bant_sliders(bant: BantWeights) -> None:
    for key, value in zip(BANT_KEYS.values(), slider_values(bant), strict=True):
        st.session_state[key] = value


def weights_from_link(raw: str | None, fallback: Weights) -> tuple[Weights, str | None]:
    """The weights a share link carries, or the fallback and a notice saying why not."""
    if raw is None:
        return fallback, None
    try:
        weights = parse_weights(raw)
        on_grid = slider_values(weights)
        if not any(on_grid):
            raise ValidationError("w", "the weights round to zero on the sliders")
        return Weights(*on_grid), None
    except ValidationError as exc:
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        return fallback, (
            f"The link's weights “{shown}” could not be used ({exc}). Showing the team's weights instead; "
            "a link looks like `?w=0.30,0.20,0.30,0.20`."
        )


def init_state(team: Weights, team_bant: BantWeights) -> None:
    """Once per session: sliders from the share link if there is one, else the team's weights."""
    if st.session_state.get(READY):
        return
    weights, notice = weights_from_link(st.query_params.get(LINK_PARAM), team)
    set_scale_sliders(weights)
    set_bant_sliders(team_bant)
    st.session_state[THRESHOLD_KEYS["value"]] = DEFAULT_THRESHOLDS.value
    st.session_state[THRESHOLD_KEYS["potential"]] = DEFAULT_THRESHOLDS.potential
    st.session_state[LAST_VALID] = weights.as_tuple()
    st.session_state[LAST_VALID_BANT] = team_bant.as_tuple()
    st.session_state[LINK_NOTICE] = notice
    st.session_state[READY] = True


@dataclass(frozen=True)
class Current:
    """What the sliders say, made valid: all-zero sets fall back to the last valid ones."""

    weights: Weights
    bant: BantWeights
    thresholds: Thresholds
    scale_all_zero: bool
    bant_all_zero: bool


def read_current() -> Current:
    raw = [float(st.session_state.get(k, 0.0)) for k in SCALE_KEYS.values()]
    raw_bant = [float(st.session_state.get(k, 0.0)) for k in BANT_KEYS.values()]
    scale_zero, bant_zero = not any(raw), not any(raw_bant)
    weights = Weights(*st.session_state[LAST_VALID]) if scale_zero else Weights(*raw)
    bant = (
        BantWeights(*st.session_state.get(LAST_VALID_BANT, DEFAULT_BANT.as_tuple()))
        if bant_zero
        else BantWeights(*raw_bant)
    )
    st.session_state[LAST_VALID] = weights.as_tuple()
    st.session_state[LAST_VALID_BANT] = bant.as_tuple()
    thresholds = Thresholds(
        value=float(st.session_state.get(THRESHOLD_KEYS["value"], 5.0)),
        potential=float(st.session_state.get(THRESHOLD_KEYS["potential"], 5.0)),
    )
    return Current(weights, bant, thresholds, scale_zero, bant_zero)


def sync_link(weights: Weights) -> None:
    """Keep `?w=` in the address bar equal to the sliders (only when it changed)."""
    text = format_weights(weights)
    if st.query_params.get(LINK_PARAM) != text:
        st.query_params[LINK_PARAM] = text


def share_url(weights: Weights) -> str:
    """The address of this page with the weights, for copying into a chat or an invite."""
    base = ""
    try:
        base = str(st.context.url or "")
    except Exception:  # no browser context (tests, scripts): a relative link still works
        base = ""
    base = base.split("?", 1)[0].rstrip("/")
    if not base.endswith("/scoring"):
        base = f"{base}/scoring" if base else "/scoring"
    return f"{base}?{LINK_PARAM}={format_weights(weights)}"


# --- callbacks (run before the widgets of the next run render) ---------------------------------------


def apply_suggestion() -> None:
    suggestion = st.session_state.get(SUGGESTION)
    if suggestion:
        set_scale_sliders(Weights(*suggestion["weights"]))


def apply_weights(weights: tuple[float, ...], bant: tuple[float, ...] | None = None) -> None:
    set_scale_sliders(Weights(*weights))
    if bant is not None:
        set_bant_sliders(BantWeights(*bant))


def normalised_shares(weights: Weights) -> list[str]:
    """'30 %' per weight, as shown beside the sliders."""
    return [f"{v * 100:.0f} %" if math.isfinite(v) else "—" for v in weights.normalized().as_tuple()]
