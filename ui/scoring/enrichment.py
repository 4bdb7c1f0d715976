"""Cold-start scoring on the Scoring page ("Derive scores from history") and the Data page's button.

Nothing is computed until someone asks for a preview: reading every deal's history costs too
much for every rerun of the page. The preview is kept for the rules text and data version it was
made for; Apply is offered only while both still match, and the service checks the permission.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.opportunities import CLOSED_STAGES, FACTOR_LABELS, FACTORS
from crm_core.permissions import Actor, Permission
from crm_core.scoring import is_scored
from crm_core.scoring.enrichment import default_rules_text
from crm_core.services.enrichment import (
    DEFAULT_SOURCE,
    EnrichmentPreview,
    apply_enrichment,
    preview_enrichment,
)
from crm_core.store import Store
from ui.data import current_version, frame
from ui.scoring.state import (
    DATA_PAGE_ENRICH,
    ENRICH_APPLY,
    ENRICH_PREVIEW,
    ENRICH_PREVIEW_BUTTON,
    ENRICH_RESET,
    ENRICH_RULES,
    ENRICH_UPLOAD,
    ENRICH_UPLOADED,
)
from ui.text import message, plain
from ui.widgets import run_action

RULES_KEY, UPLOAD_KEY, UPLOADED_KEY, PREVIEW_KEY = (
    ENRICH_RULES,
    ENRICH_UPLOAD,
    ENRICH_UPLOADED,
    ENRICH_PREVIEW,
)
PAGE_SOURCE = "edited on the Scoring page"
CLOSED = [s.value for s in CLOSED_STAGES]
RULES_MAX_BYTES = 100_000  # the default file is ~3 KB; anything near this is not a rules file


def _reset_rules() -> None:
    st.session_state[RULES_KEY] = default_rules_text()
    st.session_state.pop(PREVIEW_KEY, None)


def _take_upload() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None or st.session_state.get(UPLOADED_KEY) == upload.file_id:
        return
    st.session_state[UPLOADED_KEY] = upload.file_id
    if upload.size > RULES_MAX_BYTES:
        st.error(
            f"{plain(upload.name)} has {upload.size:,} bytes; a rules file has at most {RULES_MAX_BYTES:,}. "
            "The rules were not changed."
        )
        return
    try:
        st.session_state[RULES_KEY] = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{plain(upload.name)} is not a UTF-8 text file; the rules were not changed.")


def closed_left_out_sentence() -> str:
    """How many closed deals the back-test leaves out today for a missing factor."""
    closed = frame("opportunities").filter(pl.col("stage").is_in(CLOSED))
    missing = closed.select((~is_scored()).sum()).item()
    if not missing:
        return f"All {closed.height:,} closed deals have all eight factors."
    return (
        f"{missing:,} of {closed.height:,} closed deals miss at least one factor score and are left out of "
        "the back-test."
    )


def distribution_table(preview: EnrichmentPreview) -> pl.DataFrame:
    """One row per factor: how many deals it is filled for, and how many get each score."""
    wide = preview.distribution.with_columns(
        pl.col("score").round(2).cast(pl.String).str.strip_suffix(".0").alias("score")
    ).pivot("score", index="factor", values="deals", sort_columns=False)
    scores = sorted((c for c in wide.columns if c != "factor"), key=float)
    order = pl.DataFrame({"factor": list(FACTORS)})
    return (
        order.join(wide, on="factor", how="left", maintain_order="left")
        .with_columns(
            pl.col("factor").replace_strict(FACTOR_LABELS).alias("Factor"),
            pl.col("factor")
            .replace_strict(preview.filled_by_factor, return_dtype=pl.Int64)
            .alias("Deals filled"),
            *(pl.col(s).fill_null(0) for s in scores),
        )
        .select("Factor", "Deals filled", *scores)
    )


def _show_preview(preview: EnrichmentPreview) -> None:
    left, middle, right = st.columns(3)
    left.metric("Deals that gain scores", f"{preview.deals_filled:,}", help=f"of {preview.deals:,} deals")
    middle.metric("Factor scores filled", f"{preview.factors_filled:,}")
    right.metric(
        "Closed deals the back-test can use",
        f"{preview.closed_scored_after:,}",
        delta=f"{preview.closed_scored_after - preview.closed_scored_before:+,}",
        help="Closed (won or lost) deals with all eight factors, after applying, and the change.",
    )
    if preview.deals_filled:
        st.caption("How many deals would get each score (a column per score given):")
        st.dataframe(distribution_table(preview), hide_index=True, width="stretch")


def _toast(done: EnrichmentPreview) -> None:
    written = done.deals_filled - done.changed_meanwhile
    text = f"Derived scores for {written:,} deals ({done.factors_filled:,} factor scores)"
    if done.changed_meanwhile:
        text += f"; {done.changed_meanwhile:,} changed meanwhile were left as they were — apply again"
    st.toast(message(text), icon=":material/check_circle:")


def section(store: Store, actor: Actor | None) -> None:
    """The Scoring page's "Derive scores from history" section."""
    st.subheader("Derive scores from history")
    st.caption(
        "Imported deals rarely carry SCALE or BANT scores. These rules derive the missing ones from what "
        "the database knows — industry, size, revenue, the customer's wins and orders before each deal "
        "was created, the owner's open deals then — and fill only factors nobody entered. "
        + closed_left_out_sentence()
    )
    if actor is None or not actor.can(Permission.DERIVE_SCORES):
        st.caption("A manager or an admin can derive missing scores here.")
        return
    st.session_state.setdefault(RULES_KEY, default_rules_text())
    with st.expander("Rules", icon=":material/rule:"):
        st.file_uploader("Upload a rules file (TOML)", type=["toml"], key=UPLOAD_KEY, on_change=_take_upload)
        st.text_area(
            "Rules (TOML)",
            key=RULES_KEY,
            height=420,
            help="Bands read 'from this value up, this score'; `unknown` scores deals without the data.",
        )
        st.button("Back to the default rules", key=ENRICH_RESET, on_click=_reset_rules)
    rules_text = st.session_state[RULES_KEY]
    version = current_version(store)
    if st.button("Preview", key=ENRICH_PREVIEW_BUTTON, icon=":material/preview:"):
        preview = run_action(lambda: preview_enrichment(store, actor, rules_text))
        if preview is not None:
            st.session_state[PREVIEW_KEY] = (rules_text, version, preview)
    kept = st.session_state.get(PREVIEW_KEY)
    if kept is None:
        return
    kept_text, kept_version, preview = kept
    if (kept_text, kept_version) != (rules_text, version):
        st.caption("The rules or the data changed since the preview: preview again before applying.")
        return
    _show_preview(preview)
    source = DEFAULT_SOURCE if rules_text == default_rules_text() else PAGE_SOURCE
    if st.button(
        f"Apply to {preview.deals_filled:,} deals",
        key=ENRICH_APPLY,
        type="primary",
        icon=":material/auto_fix_high:",
        disabled=not preview.deals_filled,
    ):
        done = run_action(lambda: apply_enrichment(store, actor, rules_text, source=source))
        if done is not None:
            st.session_state.pop(PREVIEW_KEY, None)
            _toast(done)
            st.rerun()


def data_page_button(store: Store, actor: Actor | None) -> None:
    """The Data page's one-click enrichment with the repository's default rules."""
    st.subheader("Derive missing scores")
    if actor is None or not actor.can(Permission.DERIVE_SCORES):
        st.caption("A manager or an admin can derive missing factor scores from history.")
        return
    st.caption(
        "Fill the SCALE and BANT factors imported deals lack, by the default rules (the Scoring page's "
        "*Derive scores from history* shows and edits them). Scores a person entered are kept. "
        + closed_left_out_sentence()
    )
    if st.button("Derive missing scores", key=DATA_PAGE_ENRICH, icon=":material/auto_fix_high:"):
        done = run_action(lambda: apply_enrichment(store, actor))
        if done is not None:
            _toast(done)
            if done.deals_filled:
                st.rerun()
