"""The Pipeline page: funnel, weighted forecast, stage conversion, velocity and aging of the
opportunities the filters select; the stage probabilities of the forecast can be changed there.

`PipelineFilters` is the filter bar's value: its `predicate()` selects the opportunities and the value
itself keys every cached result computed from them (`ui.data.derived`)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from crm_core import analytics
from crm_core.analytics.pipeline import AGE_BUCKETS, SIZE_BANDS
from crm_core.errors import ValidationError
from crm_core.opportunities import DEFAULT_STAGE_PROBABILITY
from ui.charts import stage_funnel
from ui.charts.pipeline import aging_chart, conversion_chart, forecast_chart, forecast_months, velocity_chart
from ui.data import derived
from ui.dates import today
from ui.figures import figure
from ui.filters import Choices, DateSpan, is_in, narrowed, picked_span, picked_values, within
from ui.opportunities.state import (
    PIPELINE_CREATED,
    PIPELINE_INDUSTRY,
    PIPELINE_OWNER,
    PIPELINE_PROB_RESET,
    PIPELINE_PROBABILITIES,
    PIPELINE_SEGMENT_BY,
    PIPELINE_SIZE,
)
from ui.text import message
from ui.theme import label, label_expr, money, percent
from ui.widgets import show_data

BY_INDUSTRY, BY_SIZE = "Industry", "Company size"


@dataclass(frozen=True)
class PipelineFilters:
    """What the Pipeline's filter bar selects: owners, one segment (industries or size bands, as
    `segment_by` says) and the creation days. Empty means "all"."""

    owners: tuple[str, ...] = ()
    segment_by: str = BY_INDUSTRY
    industries: tuple[str, ...] = ()
    size_bands: tuple[str, ...] = ()
    created: DateSpan | None = None

    def predicate(self) -> pl.Expr:
        """The opportunities these filters select (the frame needs `size_band`: analytics.size_band_expr)."""
        segment = (
            is_in("size_band", self.size_bands)
            if self.segment_by == BY_SIZE
            else is_in("industry", self.industries)
        )
        return is_in("owner", self.owners) & segment & within("created_at", self.created)


# What the page's figures are computed from: a write to anything else (an order, a payment)
# leaves them cached (`ui.data.derived(frames=...)`).
PIPELINE_FRAMES = ("opportunities", "opportunity_events")


def filter_bar(opportunities: pl.DataFrame) -> PipelineFilters:
    """The filter widgets, in a bordered row; their values as one PipelineFilters."""
    choices = derived(
        "pipeline_choices",
        (),
        lambda: Choices.of(opportunities, ("owner", "industry"), ("created_at",)),
        frames=("opportunities",),
    )
    with st.container(border=True):
        cols = st.columns([1, 1.25, 1.25, 1.3])
        with cols[0]:
            owners = picked_values(choices, "owner", "Owner", key=PIPELINE_OWNER)
        with cols[1]:
            segment_by = st.segmented_control(
                "Segment by",
                [BY_INDUSTRY, BY_SIZE],
                default=BY_INDUSTRY,
                required=True,
                key=PIPELINE_SEGMENT_BY,
            )
        industries: tuple[str, ...] = ()
        bands: tuple[str, ...] = ()
        with cols[2]:
            if segment_by == BY_SIZE:
                bands = tuple(
                    st.multiselect(
                        "Company size (employees)", SIZE_BANDS, key=PIPELINE_SIZE, placeholder="All"
                    )
                )
            else:
                industries = picked_values(choices, "industry", "Industry", key=PIPELINE_INDUSTRY)
        with cols[3]:
            created = picked_span(choices, "created_at", "Created between", key=PIPELINE_CREATED)
    created = narrowed(created, choices.spans["created_at"])
    return PipelineFilters(owners, segment_by or BY_INDUSTRY, industries, bands, created)


def reset_probabilities() -> None:
    for stage, probability in DEFAULT_STAGE_PROBABILITY.items():
        st.session_state[PIPELINE_PROBABILITIES[stage.value]] = round(probability * 100)


def init_probabilities() -> None:
    for stage, probability in DEFAULT_STAGE_PROBABILITY.items():
        st.session_state.setdefault(PIPELINE_PROBABILITIES[stage.value], round(probability * 100))


def dollars(frame: pl.DataFrame) -> pl.DataFrame:
    """Every *_cents column as whole currency units, for tables and CSV downloads."""
    cents = [c for c in frame.columns if c.endswith("_cents")]
    return frame.with_columns((pl.col(c) / 100).alias(c.removesuffix("_cents")) for c in cents).drop(cents)


@st.fragment
def probabilities_and_forecast(selected: pl.DataFrame, filters: PipelineFilters) -> None:
    """The stage probabilities change only the KPIs and the forecast: only this part reruns."""
    with st.expander("Stage probabilities of the weighted forecast", icon=":material/percent:"):
        st.caption(
            "The chance that an open opportunity in each stage is won. Change them to see the forecast move."
        )
        prob_cols = st.columns([1, 1, 1, 1, 0.8], vertical_alignment="bottom")
        for col, (stage, key) in zip(prob_cols, PIPELINE_PROBABILITIES.items(), strict=False):
            col.number_input(f"{label(stage)} %", min_value=0, max_value=100, step=5, key=key)
        prob_cols[-1].button("Reset to defaults", on_click=reset_probabilities, key=PIPELINE_PROB_RESET)
    try:
        probabilities = analytics.probabilities_from_percent(
            {s: st.session_state[k] for s, k in PIPELINE_PROBABILITIES.items()}
        )
    except ValidationError as exc:
        st.error(message(exc), icon=":material/warning:")
        probabilities = {k.value: v for k, v in DEFAULT_STAGE_PROBABILITY.items()}
    totals, forecast = derived(
        "pipeline_forecast",
        (filters, probabilities),
        lambda: (
            analytics.pipeline_totals(selected.lazy(), probabilities).collect().row(0, named=True),
            analytics.weighted_forecast(selected.lazy(), probabilities).collect(),
        ),
        frames=PIPELINE_FRAMES,
    )
    kpis = st.columns(4)
    kpis[0].metric("Open opportunities", f"{totals['open_count']:,}", border=True)
    kpis[1].metric(
        "Open pipeline",
        money(totals["open_cents"], compact=True),
        help="Expected amount of the open opportunities (captured → scheduled).",
        border=True,
    )
    kpis[2].metric(
        "Weighted pipeline",
        money(totals["weighted_cents"], compact=True),
        help="Each open opportunity's expected amount × its stage probability ("
        + ", ".join(f"{label(s)} {p * 100:.0f} %" for s, p in probabilities.items())
        + ").",
        border=True,
    )
    kpis[3].metric(
        "Win rate",
        percent(totals["win_rate"]),
        help=f"Won ÷ (won + lost) of the closed ones: {totals['won_count']:,} won, "
        f"{totals['lost_count']:,} lost",
        border=True,
    )

    # --- forecast -----------------------------------------------------------------------------------
    st.subheader("Weighted forecast by expected close month")
    periods = forecast_months(forecast, this_month=today().replace(day=1))
    if periods.is_empty():
        st.info("No open opportunities match the filters.")
    elif periods["expected_amount_cents"].sum() == 0:
        st.info(
            f"The {int(periods['count'].sum()):,} open opportunities have no expected amount, so there is "
            "nothing to forecast: add amounts (or import them) to see it.",
            icon=":material/info:",
        )
    else:
        st.caption(
            f"Open opportunities by the month they are expected to close, weighted by stage probability: "
            f"{money(periods['weighted_cents'].sum(), compact=True)} of "
            f"{money(periods['expected_amount_cents'].sum(), compact=True)}. "
            "Overdue: the expected close date has passed and they are still open. This month shows only "
            "what is still open (“Rest of …”): the deals it already closed have left the forecast."
        )
        st.plotly_chart(figure(forecast_chart, periods), key="pipeline_forecast")
    show_data(
        dollars(periods.with_columns(label_expr("stage"))),
        key="pipeline_forecast",
        file_name="pipeline_forecast.csv",
    )


def reach_and_flow(selected: pl.DataFrame, events: pl.DataFrame) -> dict[str, pl.DataFrame]:
    lazy, lazy_events = selected.lazy(), events.lazy()
    # Collected together: Polars runs them in parallel and computes the parts they share once.
    names = ["funnel", "conversion", "velocity", "aging", "coverage"]
    frames = pl.collect_all(
        [
            analytics.funnel(lazy, lazy_events),
            analytics.stage_conversion(lazy, lazy_events),
            analytics.velocity(lazy, lazy_events),
            analytics.aging(lazy, as_of=today()),
            analytics.history_coverage(lazy, lazy_events),
        ]
    )
    return dict(zip(names, frames, strict=True))


def funnel_section(selected: pl.DataFrame, shown: dict[str, pl.DataFrame]) -> None:
    st.subheader("Funnel")
    st.caption(
        "How many opportunities reached each stage (they may have moved on or been lost since), "
        "and their expected amount."
    )
    by_stage = shown["funnel"]
    if selected.is_empty():
        st.info("No opportunities match the filters: widen them to see the funnel.")
    else:
        lost_unknown = shown["coverage"]["lost_without_history"].item()
        st.caption(
            f"Based on the {selected.height:,} opportunities the filters select"
            + (
                f", less {lost_unknown:,} lost without a stage history (imported as lost): the stage "
                "they were lost from is not known."
                if lost_unknown
                else "."
            )
        )
        left, right = st.columns(2)
        left.plotly_chart(
            figure(stage_funnel, by_stage, value_col="count", title="Opportunities reaching each stage"),
            key="pipeline_f1",
        )
        if by_stage["expected_amount_cents"].sum() > 0:
            right.plotly_chart(
                figure(
                    stage_funnel,
                    by_stage,
                    value_col="expected_amount_cents",
                    title="Expected amount reaching each stage",
                ),
                key="pipeline_f2",
            )
        else:
            right.info("None of these opportunities has an expected amount, so there is no amount to chart.")
    show_data(
        dollars(by_stage.with_columns(label_expr("stage"))),
        key="pipeline_funnel",
        file_name="pipeline_funnel.csv",
    )


def conversion_and_velocity(shown: dict[str, pl.DataFrame]) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Stage conversion")
        st.caption(
            "Of the opportunities that left a stage, the share that moved on to the next "
            "(the rest were lost)."
        )
        conversion = shown["conversion"]
        coverage = shown["coverage"].row(0, named=True)
        left_out = coverage["without_history"]
        st.caption(
            f"Based on {coverage['with_history']:,} opportunities whose path through the stages is recorded"
            + (
                f"; {left_out:,} imported in a later stage, won or lost, without a stage history are left "
                "out, as which stages they passed and where they were lost is not known."
                if left_out
                else "."
            )
        )
        if conversion.select(pl.col("moved_on").sum() + pl.col("lost").sum()).item() == 0:
            st.info(
                "No opportunity has left a stage yet, so there is no conversion to show: it appears once "
                "deals move from one stage to the next here.",
                icon=":material/info:",
            )
        else:
            st.plotly_chart(figure(conversion_chart, conversion), key="pipeline_conversion")
        show_data(
            conversion.with_columns(label_expr("from_stage"), label_expr("to_stage")),
            key="pipeline_conversion",
            file_name="pipeline_conversion.csv",
        )
    with right:
        st.subheader("Velocity")
        st.caption("Median days an opportunity spends in each stage before it moves on or is lost.")
        speed = shown["velocity"]
        stays = int(speed["stays"].sum())
        if stays == 0:
            st.info(
                "No finished stay in a stage yet: velocity needs opportunities that moved from one stage to "
                "another here. Imported deals carry only the stage they were in when they were exported.",
                icon=":material/info:",
            )
        else:
            st.caption(f"Based on {stays:,} finished stays in a stage.")
            st.plotly_chart(figure(velocity_chart, speed), key="pipeline_velocity")
        show_data(
            speed.with_columns(label_expr("stage")),
            key="pipeline_velocity",
            file_name="pipeline_velocity.csv",
        )


def aging_section(shown: dict[str, pl.DataFrame]) -> None:
    st.subheader("Aging of open opportunities")
    st.caption("Days since each open opportunity last changed. Old ones need a follow-up or a decision.")
    ages = shown["aging"]
    if ages.is_empty():
        st.info("No open opportunities match the filters.")
    else:
        st.caption(f"Based on the {int(ages['count'].sum()):,} open opportunities the filters select.")
        st.plotly_chart(figure(aging_chart, ages, [b for b, _ in AGE_BUCKETS]), key="pipeline_aging")
    show_data(
        dollars(ages.with_columns(label_expr("stage"))), key="pipeline_aging", file_name="pipeline_aging.csv"
    )
