"""One customer's card: contact, addresses, tax id, profile, credit and balance, its won → delivered
record, its opportunities, orders and open invoices, and its history."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.errors import NotFound
from crm_core.permissions import Actor
from crm_core.services import CustomerCard, customer_card
from crm_core.store import Store
from ui.customers.edit import edit_customer, merge_duplicate, run_pending_edit
from ui.orders.format import cents, day, plain
from ui.theme import label_expr, money


def _address(text: str | None, fallback: str) -> str:
    if not text:
        return fallback
    return "  \n".join(plain(line) for line in text.splitlines())


def _plural(n: int, one: str) -> str:
    return f"{n:,} {one if n == 1 else one + 's'}"


def _header(card: CustomerCard) -> None:
    title, badge = st.columns([4, 1], vertical_alignment="center")
    title.subheader(plain(card.name), anchor=False)
    with badge:
        if card.blocked:
            st.badge("Blocked", color="red", icon=":material/block:")
        else:
            st.badge("Active", color="green")
    if card.blocked:
        st.error(
            f"{plain(card.name)} is blocked: no new orders until a manager unblocks it.",
            icon=":material/block:",
        )


def _facts(card: CustomerCard) -> None:
    contact, billing, shipping = st.columns(3, gap="medium")
    with contact, st.container(border=True):
        st.markdown("**Contact**")
        st.markdown(
            "  \n".join([plain(card.contact_name), plain(card.contact_email), plain(card.contact_phone)])
        )
    with billing, st.container(border=True):
        st.markdown("**Billing address**")
        st.markdown(_address(card.billing_address, "—"))
    with shipping, st.container(border=True):
        st.markdown("**Shipping address**")
        st.markdown(_address(card.shipping_address, "Same as the billing address"))
    size = f"{card.employees:,} employees" if card.employees is not None else "—"
    st.markdown(
        f"**Tax id:** {plain(card.tax_id)} · **Industry:** {plain(card.industry)} · **Size:** {size} · "
        f"**Region:** {plain(card.region)} · **Customer since** {day(card.created_at.date())}"
    )
    record = card.record
    cols = st.columns(5)
    cols[0].metric("Credit limit", money(card.credit_limit_cents), help=cents(card.credit_limit_cents))
    cols[1].metric(
        "Balance",
        money(card.balance_cents),
        help=f"{cents(card.balance_cents)} in open unpaid invoices of orders that are not cancelled",
    )
    cols[2].metric(
        "Credit available", money(card.available_credit_cents), help="Credit limit less the balance"
    )
    cols[3].metric(
        "Won → delivered",
        f"{record.won} → {record.delivered}",
        help="Opportunities won, and orders delivered (of any origin)",
    )
    lag = record.median_days_won_to_delivered
    cols[4].metric(
        "Days won → delivered",
        "—" if lag is None else f"{lag:g}",
        help="Median days from a won deal to the delivery of its order",
    )
    st.caption(
        f"{record.won} won and {record.lost} lost opportunities; "
        f"{_plural(record.orders_from_won, 'order')} from won deals; "
        f"{_plural(record.delivered, 'order')} delivered worth {cents(record.delivered_cents)}."
    )


def _opportunities(card: CustomerCard) -> None:
    st.markdown(f"#### Opportunities ({len(card.opportunities)})")
    if not card.opportunities:
        st.caption("No opportunities yet.")
        return
    rows = pl.DataFrame(card.opportunities).select(
        "id",
        "title",
        "owner",
        label_expr("stage"),
        (pl.col("expected_amount_cents") / 100).alias("expected_amount"),
        "expected_close_date",
        "created_at",
    )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        placeholder="—",
        key="customers_card_opportunities",
        column_config={
            "id": st.column_config.NumberColumn("ID", format="%d", width="small"),
            "title": "Opportunity",
            "owner": "Owner",
            "stage": "Stage",
            "expected_amount": st.column_config.NumberColumn("Expected amount", format="dollar"),
            "expected_close_date": st.column_config.DateColumn("Expected close"),
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD"),
        },
    )


def _orders(card: CustomerCard) -> None:
    st.markdown(f"#### Orders ({len(card.orders)})")
    if not card.orders:
        st.caption("No orders yet.")
        return
    st.dataframe(
        pl.DataFrame(card.orders).select(
            "number",
            label_expr("status"),
            (pl.col("total_cents") / 100).alias("total"),
            "created_at",
            "delivered_at",
            "opportunity_id",
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
        key="customers_card_orders",
        column_config={
            "number": "Order",
            "status": "Status",
            "total": st.column_config.NumberColumn("Total", format="dollar"),
            "created_at": st.column_config.DatetimeColumn("Entered", format="YYYY-MM-DD"),
            "delivered_at": st.column_config.DatetimeColumn("Delivered", format="YYYY-MM-DD"),
            "opportunity_id": st.column_config.NumberColumn("From opportunity", format="%d"),
        },
    )


def _invoices(card: CustomerCard) -> None:
    st.markdown(f"#### Open invoices ({len(card.open_invoices)}) · balance {cents(card.balance_cents)}")
    if not card.open_invoices:
        st.caption("Nothing owed.")
        return
    st.dataframe(
        pl.DataFrame(card.open_invoices).select(
            "number", "order_number", "issued_at", "due_date", (pl.col("total_cents") / 100).alias("total")
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
        key="customers_card_invoices",
        column_config={
            "number": "Invoice",
            "order_number": "Order",
            "issued_at": st.column_config.DatetimeColumn("Issued", format="YYYY-MM-DD"),
            "due_date": st.column_config.DateColumn("Due"),
            "total": st.column_config.NumberColumn("Amount", format="dollar"),
        },
    )


def _history(card: CustomerCard) -> None:
    st.markdown("#### History")
    if not card.events:
        st.caption("No changes recorded.")
        return
    st.dataframe(
        pl.DataFrame(
            card.events,
            schema={
                "at": pl.Datetime("us", "UTC"),
                "action": pl.String,
                "note": pl.String,
                "actor": pl.String,
            },
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
        key="customers_card_history",
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "action": "What",
            "note": st.column_config.TextColumn("Change", width="large"),
            "actor": "Who",
        },
    )


def customer_card_view(
    store: Store, actor: Actor | None, customer_id: int, customers: pl.DataFrame
) -> CustomerCard | None:
    """Render the card (after carrying out an edit or merge asked for on the previous run)."""
    run_pending_edit(store, actor, customer_id)
    try:
        card = customer_card(store, customer_id)
    except NotFound as missing:
        st.warning(plain(str(missing)), icon=":material/search_off:")
        return None
    _header(card)
    _facts(card)
    edit_customer(card, actor)
    merge_duplicate(card, actor, customers)
    _opportunities(card)
    _orders(card)
    _invoices(card)
    _history(card)
    return card
