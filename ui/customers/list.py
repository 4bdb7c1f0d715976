"""The customer list: search and filters (industry, region, blocked), pick a row to open the card."""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from crm_core.customers import BLOCKED_CHOICES, customer_filter
from ui.customers.state import BLOCKED, INDUSTRY, REGION, SEARCH, SELECTED, list_table

MAX_ROWS = 2_000  # filters and search narrow a longer list


def _options(frame: pl.DataFrame, column: str) -> list[str]:
    return sorted(v for v in frame[column].unique().to_list() if v)


def _pick(table_key: str, ids: tuple[int, ...]) -> None:
    rows = st.session_state[table_key]["selection"]["rows"]
    if rows:
        st.session_state[SELECTED] = ids[rows[0]]


def customer_list(customers: pl.DataFrame) -> None:
    """Render the filters and the table; a picked row opens the customer's card (on rerun)."""
    with st.container(border=True):
        cols = st.columns([1.6, 1, 1, 0.8])
        search = cols[0].text_input("Search", key=SEARCH, placeholder="Name, contact, email or tax id")
        industries = cols[1].multiselect(
            "Industry", _options(customers, "industry"), key=INDUSTRY, placeholder="All"
        )
        regions = cols[2].multiselect("Region", _options(customers, "region"), key=REGION, placeholder="All")
        blocked = cols[3].selectbox("Blocked", BLOCKED_CHOICES, key=BLOCKED, format_func=str.capitalize)
    matching = customers.filter(
        customer_filter(search, industries=industries, regions=regions, blocked=blocked)
    )
    shown = matching.head(MAX_ROWS)
    more = f" (the first {MAX_ROWS:,} by name: narrow the filters)" if matching.height > MAX_ROWS else ""
    st.caption(f"{matching.height:,} of {customers.height:,} customers{more} · select a row to open its card")
    ids = tuple(shown["id"].to_list())
    table_key = list_table(ids)
    st.dataframe(
        shown.select(
            "name",
            "industry",
            "region",
            "contact_name",
            "contact_email",
            (pl.col("credit_limit_cents") / 100).alias("credit_limit"),
            (pl.col("balance_cents") / 100).alias("balance"),
            "opportunities",
            "orders",
            pl.when(pl.col("blocked")).then(pl.lit("blocked")).otherwise(pl.lit("")).alias("blocked"),
        ),
        hide_index=True,
        width="stretch",
        height=520,
        placeholder="—",
        key=table_key,
        on_select=partial(_pick, table_key, ids),
        selection_mode="single-row",
        column_config={
            "name": st.column_config.TextColumn("Customer", width="medium"),
            "industry": "Industry",
            "region": "Region",
            "contact_name": "Contact",
            "contact_email": st.column_config.TextColumn("Email", width="medium"),
            "credit_limit": st.column_config.NumberColumn("Credit limit", format="dollar"),
            "balance": st.column_config.NumberColumn(
                "Balance", format="dollar", help="Open unpaid invoices (orders not cancelled)"
            ),
            "opportunities": st.column_config.NumberColumn("Deals", format="%d", width="small"),
            "orders": st.column_config.NumberColumn("Orders", format="%d", width="small"),
            "blocked": "Blocked",
        },
    )
