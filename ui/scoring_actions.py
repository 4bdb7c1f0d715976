"""The Scoring page's actions: suggest weights (and apply them), presets (save, load, publish), share link."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.permissions import Actor, Permission
from crm_core.scoring import FACTOR_LABELS, BantWeights, Weights, suggest_weights
from crm_core.services import list_presets, publish_preset, save_preset
from crm_core.services.scoring import PRESET_NAME
from crm_core.store import Store
from ui import form_errors
from ui.scoring_state import SUGGESTION, apply_suggestion, apply_weights, share_url
from ui.text import message
from ui.widgets import run_action

PRESET_FORM = "scoring_preset"


def _weights_text(weights: tuple[float, ...]) -> str:
    labels = list(FACTOR_LABELS.values())[:4]
    return " · ".join(f"{label} **{w:.2f}**" for label, w in zip(labels, weights, strict=True))


def suggest(opportunities: pl.DataFrame, current: Weights, data_version: int) -> None:
    """The `Suggest weights` button, and the last suggestion with an `Apply` button."""
    if st.button(
        "Suggest weights",
        icon=":material/auto_awesome:",
        key="scoring_suggest",
        help="Search every weight combination in 0.05 steps for the one that best separates won from "
        "lost deals on older history, then check it on the newest 30 % of closed deals.",
    ):
        with st.spinner("Trying 1,771 weight combinations on your closed deals…"):
            try:
                found = suggest_weights(opportunities, baseline=current)
            except DomainError as exc:
                st.session_state[SUGGESTION] = None
                st.warning(f"No suggestion: {message(exc)}", icon=":material/info:")
                return
        st.session_state[SUGGESTION] = {
            "weights": found.weights.as_tuple(),
            "holdout_auc": found.holdout_auc,
            "baseline_holdout_auc": found.baseline_holdout_auc,
            "train_auc": found.train_auc,
            "baseline_train_auc": found.baseline_train_auc,
            "n_train": found.n_train,
            "n_holdout": found.n_holdout,
            "compared": current.as_tuple(),
            "version": data_version,
        }
    shown = st.session_state.get(SUGGESTION)
    if not shown:
        return
    with st.container(border=True):
        st.markdown(f"**Suggested weights:** {_weights_text(shown['weights'])}")
        better = shown["holdout_auc"] > shown["baseline_holdout_auc"]
        verdict = "better than" if better else "no better than"
        st.markdown(
            f"On the newest {shown['n_holdout']:,} closed deals (held out), the suggestion's AUC is "
            f"**{shown['holdout_auc']:.3f}** — {verdict} **{shown['baseline_holdout_auc']:.3f}** for your "
            f"sliders at the time ({', '.join(f'{w:.2f}' for w in shown['compared'])}). "
            f"Fitted on the {shown['n_train']:,} older deals (AUC {shown['train_auc']:.3f})."
        )
        if not better:
            st.caption(
                "History does not favour the suggestion on recent deals: keeping your weights is fine."
            )
        target = Weights(*shown["weights"]).normalized().as_tuple()
        applied = all(abs(a - b) < 1e-9 for a, b in zip(current.normalized().as_tuple(), target, strict=True))
        st.button(
            "Applied" if applied else "Apply",
            key="scoring_apply",
            type="primary",
            icon=":material/check:",
            on_click=apply_suggestion,
            disabled=applied,
            help="Move the sliders to the suggested weights.",
        )


def share(weights: Weights) -> None:
    st.markdown("**Share these weights**")
    st.code(share_url(weights), language=None, wrap_lines=True)
    st.caption("Anyone opening this link sees the sliders where they are now.")


def presets(store: Store, actor: Actor | None, weights: Weights, bant: BantWeights) -> None:
    """Save the sliders under a name, load any preset, and (managers) publish one for the team."""
    all_presets = list_presets(store)
    save_col, load_col = st.columns(2)
    with save_col, st.form("scoring_save_form", clear_on_submit=False, border=True):
        st.markdown("**Save the sliders as a preset**")
        name = st.text_input(
            "Preset name", key="scoring_preset_name", max_chars=100, placeholder="e.g. Q3 focus"
        )
        form_errors.under(PRESET_FORM, PRESET_NAME)
        submitted = st.form_submit_button("Save preset", icon=":material/save:", disabled=actor is None)
        if actor is None:
            st.caption("Sign in to save presets.")
        if submitted:
            saved = form_errors.submit(
                PRESET_FORM,
                lambda: save_preset(store, actor, name, weights, bant),
                fields=(PRESET_NAME,),
                success="Preset saved",
                rerun=True,
            )
            if saved:
                st.rerun()
    with load_col, st.container(border=True):
        st.markdown("**Load or publish a preset**")
        if not all_presets:
            st.caption("No presets yet.")
            return
        by_id = {p.id: p for p in all_presets}
        chosen_id = st.selectbox(
            "Preset",
            options=list(by_id),
            format_func=lambda pid: (
                by_id[pid].name + ("  (team's active weights)" if by_id[pid].published else "")
            ),
            key="scoring_preset_choice",
        )
        chosen = by_id[chosen_id]
        st.caption(
            f"{_weights_text(chosen.weights.as_tuple())} — saved by {chosen.author or 'unknown'} on "
            f"{chosen.created_at:%d %b %Y}"
            + (
                f"; published by {chosen.published_by} on {chosen.published_at:%d %b %Y}"
                if chosen.published_at
                else ""
            )
        )
        buttons = st.columns(2)
        buttons[0].button(
            "Load into sliders",
            key="scoring_load",
            icon=":material/download:",
            on_click=apply_weights,
            args=(chosen.weights.as_tuple(), chosen.bant.as_tuple()),
        )
        may_publish = actor is not None and actor.can(Permission.PUBLISH_WEIGHTS)
        if may_publish and buttons[1].button(
            "Publish for the team",
            key="scoring_publish",
            icon=":material/campaign:",
            disabled=chosen.published,
            help="Make this preset the team's active weights: the baseline everyone compares with.",
        ):
            done = run_action(
                lambda: publish_preset(store, actor, chosen_id), success=f"Published {chosen.name}"
            )
            if done:
                st.rerun()
