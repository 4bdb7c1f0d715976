"""The Scoring page's session state: control keys, the share link, and the callbacks that move sliders.

Keys are prefixed `scoring_`. Sliders hold raw weights (0–1 in 0.05 steps); callbacks set their
keys *before* the widgets render (Apply a suggestion, load a preset, reset), which is the only
way Streamlit lets code move a slider. What a share link means — parsing and writing it — is
`crm_core.scoring.scenario`; this module only moves it between st.query_params and the controls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from crm_core.errors import ValidationError
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.scoring import (
    DEFAULT_BANT,
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
from crm_core.scoring.scenario import DEFAULT_TOP_N, PARAMS

STEP = 0.05
READY = "scoring_ready"
LINK_NOTICE = "scoring_link_notice"
LAST_VALID = "scoring_last_valid"
LAST_VALID_BANT = "scoring_last_valid_bant"
SUGGESTION = "scoring_suggestion"
PUBLISHED = "scoring_published"
SCALE_KEYS = {f: f"scoring_w_{f}" for f in SCALE_FACTORS}
BANT_KEYS = {f: f"scoring_b_{f}" for f in BANT_FACTORS}
THRESHOLD_KEYS = {"value": "scoring_t_value", "potential": "scoring_t_potential"}
TOP_N_KEY = "scoring_top_n"
CLOSED_KEY = "scoring_include_closed"
SEARCH_KEY = "scoring_search"
SCATTER = "scoring_scatter"  # the value × potential chart; its selection picks the dot to explain
# Suggest weights, presets
SUGGEST = "scoring_suggest"
APPLY = "scoring_apply"
PRESET_FORM = "scoring_preset"  # its messages: ui.form_errors
PRESET_CHOICE = "scoring_preset_choice"
PRESET_JUST_SAVED = "scoring_preset_just_saved"
PRESET_SEARCH = "scoring_preset_search"
PRESET_SAVE_FORM = "scoring_save_form"
PRESET_NAME_INPUT = "scoring_preset_name"
PRESET_LOAD = "scoring_load"
PRESET_PUBLISH = "scoring_publish"
PRESET_DELETE = "scoring_delete"
# Cold-start enrichment ("Derive scores from history"; its button on the Data page is `data_enrich`)
ENRICH_RULES = "scoring_enrich_rules"
ENRICH_UPLOAD = "scoring_enrich_upload"
ENRICH_UPLOADED = "scoring_enrich_uploaded"  # the id of the uploaded file already copied into the editor
ENRICH_PREVIEW = "scoring_enrich_preview"  # (rules text, data version, EnrichmentPreview)
ENRICH_RESET = "scoring_enrich_reset"
ENRICH_PREVIEW_BUTTON = "scoring_enrich_preview_button"
ENRICH_APPLY = "scoring_enrich_apply"
DATA_PAGE_ENRICH = "data_enrich"


def set_scale_sliders(weights: Weights) -> None:
    for key, value in zip(SCALE_KEYS.values(), on_grid(weights).as_tuple(), strict=True):
        st.session_state[key] = value


def set_bant_sliders(bant: BantWeights) -> None:
    for key, value in zip(BANT_KEYS.values(), on_grid(bant).as_tuple(), strict=True):
        st.session_state[key] = value


def set_controls(scenario: Scenario) -> None:
    """Every control of the page to what the scenario says (before the widgets render)."""
    set_scale_sliders(scenario.weights)
    set_bant_sliders(scenario.bant)
    st.session_state[THRESHOLD_KEYS["value"]] = scenario.thresholds.value
    st.session_state[THRESHOLD_KEYS["potential"]] = scenario.thresholds.potential
    st.session_state[TOP_N_KEY] = scenario.top_n
    st.session_state[CLOSED_KEY] = scenario.include_closed
    st.session_state[SEARCH_KEY] = scenario.search
    st.session_state[LAST_VALID] = scenario.weights.as_tuple()
    st.session_state[LAST_VALID_BANT] = scenario.bant.as_tuple()


def init_state(team: Weights, team_bant: BantWeights) -> None:
    """Once per session: the controls from the share link, part by part, else the team's scenario."""
    if st.session_state.get(READY):
        return
    opened = open_link({p: st.query_params.get(p) for p in PARAMS}, team_scenario(team, team_bant))
    set_controls(opened.scenario)
    st.session_state[LINK_NOTICE] = [str(problem) for problem in opened.problems]
    st.session_state[READY] = True


@dataclass(frozen=True)
class Current:
    """What the controls say, made valid: all-zero weight sets fall back to the last valid ones."""

    weights: Weights
    bant: BantWeights
    thresholds: Thresholds
    scale_all_zero: bool
    bant_all_zero: bool
    top_n: int = DEFAULT_TOP_N
    include_closed: bool = False
    search: str = ""

    @property
    def scenario(self) -> Scenario:
        """The share link's scenario; a search the link cannot carry (control characters) is left out."""
        try:
            return Scenario(
                self.weights, self.bant, self.thresholds, self.top_n, self.include_closed, self.search
            )
        except ValidationError:
            return Scenario(self.weights, self.bant, self.thresholds, self.top_n, self.include_closed)


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
    top_n = st.session_state.get(TOP_N_KEY)
    return Current(
        weights,
        bant,
        thresholds,
        scale_zero,
        bant_zero,
        top_n=top_n if top_n in TOP_N_CHOICES else DEFAULT_TOP_N,
        include_closed=bool(st.session_state.get(CLOSED_KEY, False)),
        search=str(st.session_state.get(SEARCH_KEY) or "").strip(),
    )


def sync_link(scenario: Scenario) -> None:
    """Keep the address bar's scenario parameters equal to the controls (writing only what changed)."""
    wanted = link_params(scenario)
    for param in PARAMS:
        if param in wanted:
            if st.query_params.get(param) != wanted[param]:
                st.query_params[param] = wanted[param]
        elif param in st.query_params:
            del st.query_params[param]


def share_url(scenario: Scenario) -> str:
    """The address of this page with the whole scenario, for copying into a chat or an invite."""
    base = ""
    try:
        base = str(st.context.url or "")
    except Exception:  # no browser context (tests, scripts): a relative link still works
        base = ""
    base = base.split("?", 1)[0].rstrip("/")
    if not base.endswith("/scoring"):
        base = f"{base}/scoring" if base else "/scoring"
    return f"{base}?{link_query(scenario)}"


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
