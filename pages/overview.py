"""Overview: the headline figures of this month against last month, and where to go next."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from crm_core import analytics
from ui.data import frame
from ui.dates import today
from ui.navigation import PAGES
from ui.theme import money, percent

st.title("Overview")
st.caption("Month to date, against the same days of last month. Pipeline and orders in flight are as of now.")

opportunities, orders, payments = frame("opportunities"), frame("orders"), frame("payments")
day = today()
this_start = analytics.month_start(day)
last_start = analytics.previous_month_start(day)
elapsed = day - this_start + timedelta(days=1)  # days of this month so far, today included


def kpis(start, end) -> dict:
    return (
        analytics.period_kpis(opportunities.lazy(), orders.lazy(), payments.lazy(), start=start, end=end)
        .collect()
        .row(0, named=True)
    )


now = kpis(this_start, day + timedelta(days=1))
before = kpis(last_start, min(last_start + elapsed, this_start))
monthly = analytics.monthly_integration(opportunities.lazy(), orders.lazy()).collect().tail(12)
revenue = analytics.monthly_revenue(payments.lazy()).collect().tail(12)


def delta(key: str, fmt) -> str | None:
    if now[key] is None or before[key] is None:
        return None
    change = now[key] - before[key]
    return fmt(change)


def signed_money(cents: int) -> str:
    return ("+" if cents >= 0 else "-") + money(abs(cents), compact=True)


row1 = st.columns(3)
row1[0].metric(
    "Open pipeline",
    money(now["open_pipeline_cents"], compact=True),
    help="Expected amount of every opportunity in an open stage (captured → scheduled).",
    border=True,
)
row1[1].metric(
    "Weighted pipeline",
    money(now["weighted_pipeline_cents"], compact=True),
    help="Open pipeline with each opportunity multiplied by its stage's win probability "
    "(captured 10 %, enriched 25 %, qualified 50 %, scheduled 70 %).",
    border=True,
)
row1[2].metric(
    "Win rate this month",
    percent(now["win_rate"]),
    delta=delta("win_rate", lambda d: f"{d * 100:+.0f} pts") if now["win_rate"] is not None else None,
    help="Won ÷ (won + lost) among opportunities closed this month; the change is against the same days "
    "of last month.",
    border=True,
)
row2 = st.columns(3)
row2[0].metric(
    "Orders in flight",
    f"{now['orders_in_flight']:,}",
    help="Orders neither delivered nor cancelled.",
    border=True,
)
row2[1].metric(
    "Revenue this month",
    money(now["revenue_cents"], compact=True),
    delta=delta("revenue_cents", signed_money),
    help="Payments received this month so far; the change is against the same days of last month. "
    "The bars are the last 12 months.",
    chart_data=(revenue["revenue_cents"] / 100).to_list() or None,
    chart_type="bar",
    border=True,
)
row2[2].metric(
    "Integration effectiveness E",
    f"{now['effectiveness']:.1f}",
    delta=delta("effectiveness", lambda d: f"{d:+.1f}"),
    help="E = S·O/(S+O): S = opportunities won this month, O = orders delivered this month. "
    "The line is the last 12 months.",
    chart_data=monthly["effectiveness"].round(2).to_list() or None,
    border=True,
)

st.caption(
    f"This month so far: {now['won']} won, {now['lost']} lost, {now['delivered']} orders delivered. "
    f"Same days last month: {before['won']} won, {before['lost']} lost, {before['delivered']} delivered."
)

st.subheader("Go to")
links = st.columns(4)
for i, info in enumerate(PAGES[1:]):
    links[i % 4].page_link(info.path, label=f"{info.title} — {info.blurb}", icon=info.icon)

if opportunities.is_empty() and orders.is_empty():
    st.info("The database is empty. An admin can load the sample data on the Data page.")
