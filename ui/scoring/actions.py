"""The Scoring page's actions: suggest weights (and apply them), presets (save, load, publish), share link."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.errors import DomainError
from crm_core.permissions import Actor, Permission
from crm_core.scoring import FACTOR_LABELS, BantWeights, Scenario, Weights, suggest_weights
from crm_core.services import (
    PRESETS_PER_USER,
    Preset,
    delete_preset,
    list_presets,
    publish_preset,
    save_preset,
)
from crm_core.services.scoring import OTHERS_SHOWN, PRESET_NAME, PRESETS, SEARCH_MAX
from crm_core.store import Store
from ui import form_errors
from ui.scoring.state import (
    APPLY,
    PRESET_CHOICE,
    PRESET_DELETE,
    PRESET_FORM,
    PRESET_JUST_SAVED,
    PRESET_LOAD,
    PRESET_NAME_INPUT,
    PRESET_PUBLISH,
    PRESET_SAVE_FORM,
    PRESET_SEARCH,
    PUBLISHED,
    SUGGEST,
    SUGGESTION,
    apply_suggestion,
    apply_weights,
    share_url,
)
from ui.text import message, plain
from ui.widgets import run_action

CHOICE, JUST_SAVED = PRESET_CHOICE, PRESET_JUST_SAVED


def _weights_text(weights: Weights | BantWeights) -> str:
    """'Segmentation **0.30** · Customer operating characteristics **0.20** · …' (Markdown)."""
    return " · ".join(f"{FACTOR_LABELS[factor]} **{w:.2f}**" for factor, w in weights.as_dict().items())


def published_confirmation(published: Preset) -> str:
    """What a manager reads after publishing: which weights the team now uses, and the new baseline."""
    return (
        f"Published **{plain(published.name)}**. The team's active weights are now SCALE: "
        f"{_weights_text(published.weights)}; BANT: {_weights_text(published.bant)}. "
        "They are the baseline from now on: the rank shift, the “Move” column and the back-test compare "
        "everyone's sliders with them, and new scores on the Opportunities page use them. "
        "Your sliders stay where they are."
    )


def suggest(opportunities: pl.DataFrame, current: Weights, data_version: int) -> None:
    """The `Suggest weights` button, and the last suggestion with an `Apply` button."""
    if st.button(
        "Suggest weights",
        icon=":material/auto_awesome:",
        key=SUGGEST,
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
        st.markdown(f"**Suggested weights:** {_weights_text(Weights(*shown['weights']))}")
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
            key=APPLY,
            type="primary",
            icon=":material/check:",
            on_click=apply_suggestion,
            disabled=applied,
            help="Move the sliders to the suggested weights.",
        )


def share(scenario: Scenario) -> None:
    st.markdown("**Share this scenario**")
    st.code(share_url(scenario), language=None, wrap_lines=True)
    st.caption(
        "Anyone opening this link sees every slider and control as they are now — SCALE and BANT "
        "weights, thresholds, top N, closed deals and the search — and so the same ranking."
    )


def presets(store: Store, actor: Actor | None, weights: Weights, bant: BantWeights) -> None:
    """Save the sliders under a name, load a preset, delete one, and (managers) publish one for the team.

    Only a bounded list is loaded (crm_core.services.list_presets): the team's, the viewer's own and
    the newest others; a search by name reaches the rest."""
    if confirmation := st.session_state.pop(PUBLISHED, None):
        st.success(confirmation, icon=":material/campaign:")
    save_col, load_col = st.columns(2)
    with load_col, st.container(border=True):
        st.markdown("**Load or publish a preset**")
        search = st.text_input(
            "Find a preset by name",
            key=PRESET_SEARCH,
            max_chars=SEARCH_MAX,
            placeholder="Part of its name",
            icon=":material/search:",
        ).strip()
        choice = run_action(lambda: list_presets(store, actor, name_contains=search))
        offered = choice.presets if choice else []
        mine = choice.mine if choice else 0
        viewer = actor.id if actor else None
        others = sum(1 for p in offered if not p.published and p.author_id != viewer)
        if search and others >= OTHERS_SHOWN:
            st.caption(
                f"The {OTHERS_SHOWN} newest matches of others: type more of the name to narrow it down."
            )
        elif not search and choice and choice.not_listed:
            st.caption(
                f"Listing the team's active weights, your own presets and the {OTHERS_SHOWN} newest "
                f"presets of others; {choice.not_listed:,} more are not listed — find one by name."
            )
        if offered:
            _load_or_publish(store, actor, offered)
        else:
            st.caption("No presets match that name." if search else "No presets yet.")
    with save_col, st.form(PRESET_SAVE_FORM, clear_on_submit=False, border=True):
        st.markdown("**Save the sliders as a preset**")
        name = st.text_input("Preset name", key=PRESET_NAME_INPUT, max_chars=100, placeholder="e.g. Q3 focus")
        form_errors.under(PRESET_FORM, PRESET_NAME)
        submitted = st.form_submit_button("Save preset", icon=":material/save:", disabled=actor is None)
        if actor is None:
            st.caption("Sign in to save presets.")
        else:
            st.caption(f"You keep {mine} of at most {PRESETS_PER_USER} presets.")
        form_errors.under(PRESET_FORM, PRESETS)  # at the cap: under the count it is about
        form_errors.general(PRESET_FORM)
        if submitted:
            saved = form_errors.submit(
                PRESET_FORM,
                lambda: save_preset(store, actor, name, weights, bant),
                fields=(PRESET_NAME, PRESETS),
                success="Preset saved",
                rerun=True,
            )
            if saved:
                st.session_state[JUST_SAVED] = saved.id  # chosen in the list on the next run
                st.rerun()


def _load_or_publish(store: Store, actor: Actor | None, offered: list[Preset]) -> None:
    by_id = {p.id: p for p in offered}
    if (just_saved := st.session_state.pop(JUST_SAVED, None)) in by_id:
        st.session_state[CHOICE] = just_saved
    chosen_id = st.selectbox(
        "Preset",
        options=list(by_id),
        format_func=lambda pid: (
            by_id[pid].name + ("  (team's active weights)" if by_id[pid].published else "")
        ),
        key=CHOICE,
    )
    chosen = by_id.get(chosen_id) or offered[0]
    st.caption(
        f"{_weights_text(chosen.weights)} — saved by {plain(chosen.author or 'unknown')} on "
        f"{chosen.created_at:%d %b %Y}"
        + (
            f"; published by {plain(chosen.published_by)} on {chosen.published_at:%d %b %Y}"
            if chosen.published_at
            else ""
        )
    )
    buttons = st.container(horizontal=True)
    buttons.button(
        "Load into sliders",
        key=PRESET_LOAD,
        icon=":material/download:",
        on_click=apply_weights,
        args=(chosen.weights.as_tuple(), chosen.bant.as_tuple()),
    )
    may_publish = actor is not None and actor.can(Permission.PUBLISH_WEIGHTS)
    if may_publish and buttons.button(
        "Publish for the team",
        key=PRESET_PUBLISH,
        icon=":material/campaign:",
        disabled=chosen.published,
        help="Make this preset the team's active weights: the baseline everyone compares with.",
    ):
        done = run_action(lambda: publish_preset(store, actor, chosen.id))
        if done:
            st.session_state[PUBLISHED] = published_confirmation(done)
            st.rerun()
    may_delete = actor is not None and (may_publish or chosen.author_id == actor.id)
    if may_delete and buttons.button(
        "Delete",
        key=PRESET_DELETE,
        icon=":material/delete:",
        disabled=chosen.published,
        help="The team's active weights cannot be deleted; publish another preset first."
        if chosen.published
        else "Delete this preset (it is not the team's active weights).",
    ):
        deleted = run_action(lambda: delete_preset(store, actor, chosen.id))
        if deleted:
            st.toast(f"Deleted {plain(deleted)}", icon=":material/delete:")
            st.rerun()
