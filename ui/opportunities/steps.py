"""The form for each step of an opportunity. Each queues its step with the version on screen
(see ui.opportunities.actions); nothing here decides whether a step is allowed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from crm_core.opportunities import (
    BANT_FACTORS,
    FACTOR_HELP,
    FACTOR_LABELS,
    FACTORS,
    SCALE_FACTORS,
)
from crm_core.opportunity_fields import COMMON_LOST_REASONS, MEETING_KINDS, TIMEFRAMES, meeting_bounds
from crm_core.orders import DELIVERY_METHODS, PAYMENT_METHODS
from crm_core.scoring import format_weights, score_one
from crm_core.services import OpportunityDetail, active_weights
from ui.data import get_store
from ui.opportunities.actions import (
    queue_convert,
    queue_enrich,
    queue_lose,
    queue_qualify,
    queue_schedule,
    queue_win,
    under,
)
from ui.opportunities.state import key
from ui.text import plain
from ui.theme import label


def enrich_form(d: OpportunityDetail, industries: list[str]) -> None:
    options = sorted(set(industries) | ({d.industry} if d.industry else set()))
    with st.form(key("enrich_form", d.id), border=True):
        st.caption("Industry and company size are kept on the customer record, shared with its other deals.")
        left, right = st.columns(2)
        with left:
            st.selectbox(
                "Industry *",
                options,
                index=options.index(d.industry) if d.industry in options else None,
                accept_new_options=True,
                placeholder="Pick or type an industry",
                key=key("industry", d.id),
            )
            under("enrich", d.id, "industry")
        with right:
            st.number_input(
                "Company size (employees) *",
                min_value=1,
                step=1,
                value=d.employees,
                key=key("employees", d.id),
            )
            under("enrich", d.id, "company size")
        st.text_area(
            "Need *",
            placeholder="What problem do they want solved, and why now?",
            key=key("need", d.id),
            height=90,
        )
        under("enrich", d.id, "need")
        left, middle, right = st.columns(3)
        with left:
            st.text_input(
                "Budget ($) *",
                placeholder="e.g. 25,000",
                key=key("budget", d.id),
                help="Digits, like 3000 or $3,000.00 (a point before the cents).",
            )
            under("enrich", d.id, "budget")
        with middle:
            st.text_input("Decision maker *", placeholder="Name (role)", key=key("dm", d.id))
            under("enrich", d.id, "decision maker")
        with right:
            st.selectbox(
                "Timing *", TIMEFRAMES, index=None, placeholder="When will they buy?", key=key("timing", d.id)
            )
            under("enrich", d.id, "timing")
        st.form_submit_button(
            "Save enrichment",
            type="primary",
            on_click=queue_enrich,
            args=(d.id, d.version),
            icon=":material/save:",
        )


@st.fragment
def score_panel(opportunity_id: int, version: int, saved: dict[str, float | None]) -> None:
    """Eight sliders with the value and potential they give, live (only this panel reruns)."""
    for factor in FACTORS:
        st.session_state.setdefault(key(f"score_{factor}", opportunity_id), float(saved.get(factor) or 5.0))
    with st.container(border=True):
        groups = (
            ("**SCALE — how valuable is this customer?**", SCALE_FACTORS),
            ("**BANT — how likely is this deal?**", BANT_FACTORS),
        )
        for column, (heading, factors) in zip(st.columns(2), groups, strict=True):
            column.markdown(heading)
            for factor in factors:
                column.slider(
                    FACTOR_LABELS[factor], 0.0, 10.0, step=0.5, format="%.1f", help=FACTOR_HELP[factor],
                    key=key(f"score_{factor}", opportunity_id),
                )  # fmt: skip
        team = active_weights(get_store())
        typed = {f: st.session_state[key(f"score_{f}", opportunity_id)] for f in FACTORS}
        live = score_one(typed, team.weights, team.bant)
        cols = st.columns(3)
        cols[0].metric(
            "Value V (SCALE)",
            f"{live['value']:.1f} / 10",
            help=f"With the team's active weights ({plain(team.name)}): {format_weights(team.weights)}.",
        )
        cols[1].metric(
            "Potential P (BANT)",
            f"{live['potential']:.1f} / 10",
            help=f"With the team's BANT weights: {format_weights(team.bant)}.",
        )
        cols[2].metric(
            "Quadrant",
            label(live["quadrant"]),
            help="Pursue, nurture, quick win or disqualify (thresholds 5 and 5).",
        )
        if st.button(
            "Save scores", type="primary", key=key("save_scores", opportunity_id), icon=":material/save:"
        ):
            queue_qualify(opportunity_id, version, FACTORS)
            st.rerun()  # the whole page: the step runs and the opportunity moves on


def schedule_form(d: OpportunityDetail) -> None:
    now = datetime.now(UTC)
    earliest, latest = meeting_bounds(now)  # the picker offers the days a meeting may be booked on
    tomorrow = (now + timedelta(days=1)).date()
    st.session_state.setdefault(key("meeting_day", d.id), tomorrow)
    st.session_state.setdefault(key("meeting_time", d.id), time(10, 0))
    with st.form(key("schedule_form", d.id), border=True):
        st.radio("Kind *", MEETING_KINDS, format_func=label, horizontal=True, key=key("meeting_kind", d.id))
        under("schedule", d.id, "meeting kind")
        left, right = st.columns(2)
        left.date_input(
            "Date *",
            min_value=earliest.date(),
            max_value=latest.date(),
            format="YYYY-MM-DD",
            key=key("meeting_day", d.id),
        )
        right.time_input("Time (UTC) *", step=timedelta(minutes=15), key=key("meeting_time", d.id))
        under("schedule", d.id, "meeting time")
        st.caption(
            f"Times are UTC — it is {now:%H:%M} UTC now. The meeting must be in the future, "
            f"at the latest on {latest:%Y-%m-%d}."
        )
        st.text_area("Notes", placeholder="Agenda, who attends", key=key("meeting_notes", d.id), height=80)
        under("schedule", d.id, "notes")
        st.form_submit_button(
            "Book meeting",
            type="primary",
            on_click=queue_schedule,
            args=(d.id, d.version),
            icon=":material/event:",
        )


def win_panel(d: OpportunityDetail) -> None:
    with st.form(key("win_form", d.id), border=True):
        st.markdown("Did the customer agree to buy? Mark it won — then create the order from it.")
        st.text_input("Note (optional)", placeholder="e.g. PO 4711 received", key=key("win_note", d.id))
        under("win", d.id, "note")
        st.caption("Won and lost are final.")
        st.form_submit_button(
            "Mark won",
            type="primary",
            on_click=queue_win,
            args=(d.id, d.version),
            icon=":material/emoji_events:",
        )


def convert_form(d: OpportunityDetail) -> None:
    with st.form(key("convert_form", d.id), border=True):
        if d.orders:
            st.markdown(
                f"This opportunity already led to {', '.join(o.number for o in d.orders)}. "
                "To create one more order from it, tick **Another order**."
            )
        st.markdown(
            f"Creates an order for **{plain(d.customer)}** with one line: {plain(d.product)} "
            f"× {d.quantity:,} at the list price. It opens on the Orders page, ready to audit."
        )
        left, right = st.columns(2)
        with left:
            st.selectbox(
                "Payment method",
                PAYMENT_METHODS,
                index=PAYMENT_METHODS.index("bank_transfer"),
                format_func=label,
                key=key("payment", d.id),
            )
            under("convert", d.id, "payment method")
        with right:
            st.selectbox(
                "Delivery method", list(DELIVERY_METHODS), format_func=label, key=key("delivery", d.id)
            )
            under("convert", d.id, "delivery method")
        if d.orders:
            st.checkbox(
                "Another order",
                key=key("another", d.id),
                help=f"This opportunity already led to {', '.join(o.number for o in d.orders)}.",
            )
        st.form_submit_button(
            "Create order",
            type="primary",
            on_click=queue_convert,
            args=(d.id, d.version),
            icon=":material/add_shopping_cart:",
        )


def lose_form(d: OpportunityDetail) -> None:
    with st.form(key("lose_form", d.id), border=False):
        st.selectbox(
            "Reason *",
            COMMON_LOST_REASONS,
            index=None,
            accept_new_options=True,
            placeholder="Pick or type a reason",
            key=key("lost_reason", d.id),
        )
        under("lose", d.id, "lost reason")
        st.form_submit_button(
            "Mark lost", on_click=queue_lose, args=(d.id, d.version), icon=":material/cancel:"
        )
