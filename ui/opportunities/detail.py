"""One opportunity: where it stands, its facts, the next step it can take, its orders and history.

Which steps are offered comes from `crm_core.opportunities.next_actions`; the services check
everything again (a hidden button is not security)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.errors import NotFound
from crm_core.opportunities import (
    ACTION_TARGETS,
    STAGE_REQUIREMENTS,
    OpportunityAction,
    Stage,
    next_actions,
)
from crm_core.permissions import Actor
from crm_core.scoring import score_one
from crm_core.services import (
    OpportunityDetail,
    active_weights,
    list_users,
    may_work_on,
    opportunity_detail,
    opportunity_history,
)
from crm_core.store import Store
from ui.charts.pipeline import stage_timeline
from ui.data import frame
from ui.opportunities.actions import run_pending_step
from ui.opportunities.edit import changes_in_words, edit_section, reassign_outcome, run_pending_edit
from ui.opportunities.state import FLASH, open_order_button, timeline_chart
from ui.opportunities.steps import convert_form, enrich_form, lose_form, schedule_form, score_panel, win_panel
from ui.orders import state as orders_state
from ui.text import message, plain
from ui.theme import label, money

FUNNEL = [Stage.CAPTURED, Stage.ENRICHED, Stage.QUALIFIED, Stage.SCHEDULED, Stage.WON]
QUADRANT_HELP = {
    "pursue": "high value, high potential: work it now",
    "nurture": "high value, low potential: build the relationship",
    "quick win": "low value, high potential: close it fast",
    "disqualify": "low value, low potential: let it go",
}


def detail_view(store: Store, actor: Actor | None, opportunity_id: int | None, industries: list[str]) -> None:
    if opportunity_id is None:
        st.info(
            "Pick an opportunity in the list (click its row), or capture a new one.",
            icon=":material/touch_app:",
        )
        return
    run_pending_step(store, actor)
    run_pending_edit(store, actor)
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(message(flash), icon=":material/check_circle:")
    reassign_outcome("detail")
    try:
        detail = opportunity_detail(store, opportunity_id)
    except NotFound as exc:
        st.info(message(exc))
        return
    history = opportunity_history(store, opportunity_id)

    st.subheader(plain(detail.title))
    st.caption(
        f"Opportunity #{detail.id} · owner {plain(detail.owner)} · captured {detail.created_at:%Y-%m-%d} · "
        f"last change {detail.updated_at:%Y-%m-%d %H:%M} UTC"
    )
    st.markdown(_progress(detail, history))
    _facts(detail, store)

    _orders(detail)
    st.markdown("#### Next step")
    if may_work_on(actor, detail.owner_id):
        _next_step(detail, industries)
    elif actor is None:
        st.info("Sign in to work on opportunities.", icon=":material/lock:")
    else:
        st.info(
            f"Only the owner ({plain(detail.owner)}) or a manager can change this opportunity.",
            icon=":material/lock:",
        )
    edit_section(detail, actor, frame("products"), list_users(store))
    _history(detail, history)


def _progress(detail: OpportunityDetail, history: pl.DataFrame) -> str:
    """Captured ✓ → Enriched ✓ → **Qualified** → … ; a lost one ends where it was lost."""
    stage = Stage(detail.stage)
    if stage is Stage.LOST:
        lost_from = history.filter(pl.col("to_state") == Stage.LOST)["from_state"].drop_nulls()
        reached = FUNNEL.index(Stage(lost_from[-1])) if len(lost_from) else 0
        steps = [f":green[:material/check_circle:] {label(s)}" for s in FUNNEL[: reached + 1]]
        return "  →  ".join([*steps, ":red[:material/cancel:] **Lost**"])
    current = FUNNEL.index(stage)
    parts = []
    for i, s in enumerate(FUNNEL):
        if i < current or (i == current and stage is Stage.WON):
            parts.append(
                f":green[:material/check_circle:] {'**' + label(s) + '**' if i == current else label(s)}"
            )
        elif i == current:
            parts.append(f":blue[:material/radio_button_checked:] **{label(s)}**")
        else:
            parts.append(f":gray[:material/radio_button_unchecked: {label(s)}]")
    return "  →  ".join(parts)


def _line(name: str, value: object) -> str:
    return f"**{name}:** {plain(value)}  "


def _facts(d: OpportunityDetail, store: Store) -> None:
    left, right = st.columns(2)
    left.markdown(
        "\n".join(
            [
                _line("Customer", f"{d.customer} (#{d.customer_id})"),
                _line("Contact", d.contact_name),
                _line("Email", d.contact_email),
                _line("Phone", d.contact_phone),
            ]
        )
    )
    right.markdown(
        "\n".join(
            [
                _line("Product", f"{d.product} ({d.sku}) × {d.quantity:,}" if d.product else None),
                _line("Expected amount", money(d.expected_amount_cents)),
                _line("Closed on" if d.closed_at else "Expected close", _close_day(d)),
                _line("Owner", d.owner),
            ]
        )
    )
    if d.need_summary is not None:
        with st.container(border=True):
            st.markdown("**Enrichment**")
            a, b = st.columns(2)
            a.markdown(
                "\n".join(
                    [
                        _line("Industry", d.industry),
                        _line("Company size", f"{d.employees:,} employees" if d.employees else None),
                        _line("Budget", money(d.budget_cents)),
                    ]
                )
            )
            b.markdown(
                "\n".join([_line("Decision maker", d.decision_maker), _line("Timing", d.purchase_timeframe)])
            )
            st.markdown(_line("Need", d.need_summary))
    if d.is_scored:
        team = active_weights(store)
        vp = score_one(d.scores, team.weights, team.bant)
        cols = st.columns(3)
        cols[0].metric("Value (SCALE)", f"{vp['value']:.1f} / 10", border=True)
        cols[1].metric("Potential (BANT)", f"{vp['potential']:.1f} / 10", border=True)
        cols[2].metric("Quadrant", label(vp["quadrant"]), help=QUADRANT_HELP.get(vp["quadrant"]), border=True)
    for meeting in d.meetings:
        upcoming = "upcoming" if meeting.at > datetime.now(UTC) else "held"
        st.markdown(
            f":material/event: **{label(meeting.kind)}** on {meeting.at:%Y-%m-%d %H:%M} UTC ({upcoming})"
            + (f" — {plain(meeting.notes)}" if meeting.notes else "")
        )
    if d.stage == Stage.LOST:
        st.warning(f"**Lost:** {plain(d.lost_reason)}", icon=":material/cancel:")


def _close_day(d: OpportunityDetail) -> date | None:
    return d.closed_at.date() if d.closed_at else d.expected_close_date


def _next_step(d: OpportunityDetail, industries: list[str]) -> None:
    actions = next_actions(d.stage)
    if not actions:
        st.info("This opportunity is lost. Won and lost are final.", icon=":material/block:")
        return
    main = actions[0]
    if main in (OpportunityAction.ENRICH, OpportunityAction.QUALIFY, OpportunityAction.SCHEDULE):
        target = ACTION_TARGETS[main]
        st.caption(f"To move on to {label(target)} this needs {STAGE_REQUIREMENTS[target]}.")
    forms = {
        OpportunityAction.ENRICH: lambda: enrich_form(d, industries),
        OpportunityAction.QUALIFY: lambda: score_panel(d.id, d.version, d.scores),
        OpportunityAction.SCHEDULE: lambda: schedule_form(d),
        OpportunityAction.WIN: lambda: win_panel(d),
        OpportunityAction.CONVERT: lambda: convert_form(d),
    }
    forms[main]()
    if OpportunityAction.LOSE in actions:
        with st.expander("Mark lost", icon=":material/cancel:"):
            lose_form(d)


def _orders(d: OpportunityDetail) -> None:
    if not d.orders:
        return
    st.markdown("#### Orders from this opportunity")
    for order in d.orders:
        cols = st.columns([3, 1.2], vertical_alignment="center")
        cols[0].markdown(
            f"**{order.number}** · {label(order.status)} · {money(order.total_cents)} · "
            f"entered {order.created_at:%Y-%m-%d}"
        )
        if cols[1].button("Open on the Orders page", key=open_order_button(order.id), width="stretch"):
            st.session_state[orders_state.SELECTED] = order.id
            st.switch_page("pages/orders.py")


def _history(d: OpportunityDetail, history: pl.DataFrame) -> None:
    st.markdown("#### History")
    if history.is_empty():
        st.caption("No recorded events (imported without a history).")
        return
    events = history.with_columns(pl.lit("opportunity").alias("entity_type"), pl.lit(d.id).alias("entity_id"))
    stays = analytics.stage_stays(events.lazy(), as_of=datetime.now(UTC)).collect()
    if not stays.is_empty():
        st.plotly_chart(stage_timeline(stays, title="Time in each stage"), key=timeline_chart(d.id))
    changes_in_words(history)
    st.dataframe(
        history.select(
            pl.col("at").alias("when"),
            pl.col("action").replace_strict(_ACTION_NAMES, default=pl.col("action")).alias("what"),
            *(_stage_name(c).alias(alias) for c, alias in (("from_state", "from"), ("to_state", "to"))),
            pl.col("actor").alias("who"),
            "note",
        ).reverse(),
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            "when": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "what": "What",
            "from": "From",
            "to": "To",
            "who": "Who",
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )


_ACTION_NAMES = {
    "capture": "Captured",
    "enrich": "Enriched",
    "qualify": "Scored",
    "schedule": "Meeting booked",
    "win": "Won",
    "lose": "Lost",
    "convert": "Order created",
    "edit": "Edited",
    "reassign": "Reassigned",
}
_STAGE_NAMES = {s.value: label(s.value) for s in Stage}


def _stage_name(column: str) -> pl.Expr:
    """The stage in words; blank for an event that kept the stage (an edit, a new order)."""
    moved = pl.col("from_state").is_null() | (pl.col("from_state") != pl.col("to_state"))
    return pl.when(moved).then(pl.col(column).replace_strict(_STAGE_NAMES, default=pl.col(column)))
