"""One order on the Orders page: header, lines and money, audit findings, next step, stock,
invoice (PDF), payments and the history as a timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import polars as pl
import streamlit as st

from crm_core.analytics import order_status_segments
from crm_core.errors import NotFound
from crm_core.invoice_pdf import render_invoice_pdf
from crm_core.orders import ACTION_LABELS, DELIVERY_METHODS, Action, OrderStatus, status_label
from crm_core.permissions import Actor
from crm_core.services import OrderDetail, invoice_document, order_detail
from crm_core.store import Store
from ui.charts.orders import order_timeline
from ui.data import frame
from ui.orders.credit import CREDIT_CODE, credit_actions, run_credit_pending
from ui.orders.format import cents, day, method, pct, plain
from ui.orders.lines_edit import edit_lines
from ui.orders.state import INVOICE_PDF
from ui.orders.steps import next_step_panel, run_pending
from ui.theme import label

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
STATUS_BADGE: dict[str, BadgeColor] = {
    OrderStatus.DELIVERED: "green",
    OrderStatus.SHIPPED: "green",
    OrderStatus.CANCELLED: "red",
    OrderStatus.ON_HOLD: "orange",
}


def order_detail_view(store: Store, actor: Actor | None, order_id: int) -> OrderDetail | None:
    """Render the order (after carrying out any action requested on the previous run)."""
    run_pending(store, actor, order_id)
    run_credit_pending(store, actor, order_id)
    try:
        detail = order_detail(store, order_id)
    except NotFound:
        st.warning(f"Order #{order_id} does not exist (any more).", icon=":material/search_off:")
        return None
    _header(detail)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _facts(detail)
        _state(detail)
        if detail.awaiting_audit:
            _findings(detail, actor)
    with right, st.container(border=True):
        st.markdown("#### Next step")
        next_step_panel(detail, actor)
    _lines(detail)
    edit_lines(store, actor, detail, frame("products", store))
    stock, invoice = st.columns(2, gap="large")
    with stock:
        _stock(detail)
    with invoice:
        _invoice(store, detail)
    _history(detail)
    return detail


def _header(detail: OrderDetail) -> None:
    title, badge = st.columns([4, 1], vertical_alignment="center")
    title.subheader(f"{detail.number} · {plain(detail.customer)}", anchor=False)
    with badge:
        st.badge(label(detail.status), color=STATUS_BADGE.get(detail.status, "blue"))
    if detail.customer_blocked:
        st.error(f"{plain(detail.customer)} is blocked.", icon=":material/block:")


def _facts(detail: OrderDetail) -> None:
    transit = DELIVERY_METHODS.get(detail.delivery_method, 0)
    facts = [
        (
            "Entered",
            day(detail.created_at) + (f" by {plain(detail.created_by)}" if detail.created_by else ""),
        ),
        ("Payment", method(detail.payment_method) + (" · prepayment" if detail.prepayment else "")),
        (
            "Delivery",
            f"{method(detail.delivery_method)} ({transit} day{'s' if transit != 1 else ''} in transit)",
        ),
        ("Requested for", day(detail.requested_date)),
        ("Promised for", day(detail.promised_date)),
    ]
    if detail.tracking_number:
        facts.append(("Tracking", plain(detail.tracking_number)))
    if detail.opportunity_id:
        facts.append(("From", f"opportunity #{detail.opportunity_id}"))
    if detail.notes:
        facts.append(("Notes", plain(detail.notes)))
    st.markdown("  \n".join(f"**{name}:** {value}" for name, value in facts))


def _lines(detail: OrderDetail) -> None:
    st.markdown("#### Lines")
    lines = pl.DataFrame(
        detail.lines,
        schema={
            "line_no": pl.Int64,
            "sku": pl.String,
            "product": pl.String,
            "quantity": pl.Int64,
            "unit_price_cents": pl.Int64,
            "discount_bp": pl.Int64,
            "total_cents": pl.Int64,
        },
    )
    table, totals_box = st.columns([3, 1], gap="medium")
    with table:
        st.dataframe(
            lines.select(
                "line_no",
                "sku",
                "product",
                "quantity",
                (pl.col("unit_price_cents") / 100).alias("unit_price"),
                (pl.col("discount_bp") / 100).alias("discount"),
                (pl.col("total_cents") / 100).alias("line_total"),
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "line_no": st.column_config.NumberColumn("#", width=40),
                "sku": st.column_config.TextColumn("SKU", width=80),
                "product": "Product",
                "quantity": st.column_config.NumberColumn("Qty", format="localized", width=70),
                "unit_price": st.column_config.NumberColumn("Unit price", format="dollar"),
                "discount": st.column_config.NumberColumn("Discount", format="%g %%", width=80),
                "line_total": st.column_config.NumberColumn("Line total", format="dollar"),
            },
        )
        st.caption(
            "Each line is quantity × unit price less its discount, rounded half-up to the cent; "
            "tax is charged on the subtotal, not on shipping."
        )
    with totals_box:
        totals = detail.totals
        st.markdown(
            "| Totals | |\n|:--|--:|\n"
            f"| Subtotal | {cents(totals['subtotal'])} |\n"
            f"| Shipping | {cents(totals['shipping'])} |\n"
            f"| Tax {pct(detail.tax_rate_bp)} | {cents(totals['tax'])} |\n"
            f"| **Total** | **{cents(totals['total'])}** |"
        )


def _state(detail: OrderDetail) -> None:
    if detail.status == OrderStatus.ON_HOLD:
        st.warning(
            f"**On hold** since {day(detail.status_changed_at)} "
            f"(was {status_label(detail.held_from or '')}): {plain(detail.hold_reason)}",
            icon=":material/pause_circle:",
        )
    elif detail.status == OrderStatus.CANCELLED:
        st.error(
            f"**Cancelled** on {day(detail.status_changed_at)}: {plain(detail.cancel_reason)}",
            icon=":material/cancel:",
        )
    elif detail.status == OrderStatus.SHIPPED:
        st.info(
            f"**Shipped** {day(detail.shipped_at)}, tracking {plain(detail.tracking_number)}",
            icon=":material/local_shipping:",
        )
    elif detail.status == OrderStatus.DELIVERED:
        st.success(f"**Delivered** {day(detail.delivered_at)}", icon=":material/task_alt:")
    if detail.refund_due:
        paid = sum(p["amount_cents"] for p in detail.payments)
        st.warning(
            f"**Refund due**: the customer paid {cents(paid)} before the order was cancelled.",
            icon=":material/undo:",
        )
    if detail.warnings_accepted_by:
        st.caption(f"Audit warnings accepted by {plain(detail.warnings_accepted_by)}.")


def _findings(detail: OrderDetail, actor: Actor | None) -> None:
    st.markdown("#### Audit check")
    if detail.prepayment:
        st.caption("Prepayment order: paid before it ships, so the credit check does not apply.")
    if not detail.findings:
        st.success("No findings: ready to audit.", icon=":material/verified:")
        return
    for finding in detail.findings:
        if finding.is_error:
            st.error(f"**Error** · {plain(finding.message)}", icon=":material/error:")
        else:
            st.warning(f"**Warning** · {plain(finding.message)}", icon=":material/warning:")
        if finding.code == CREDIT_CODE:
            credit_actions(detail, actor)


def _stock(detail: OrderDetail) -> None:
    if not detail.allocations:
        return
    st.markdown("#### Stock")
    shipped = detail.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    rows = [
        {
            "warehouse": a["warehouse"],
            "sku": a["sku"],
            "quantity": a["quantity"],
            "state": "released" if a["released"] else "shipped" if shipped else "reserved",
        }
        for a in detail.allocations
    ]
    st.dataframe(
        pl.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"warehouse": "Warehouse", "sku": "SKU", "quantity": "Qty", "state": "Stock"},
    )


def _invoice(store: Store, detail: OrderDetail) -> None:
    invoice = detail.invoice
    if invoice is None:
        return
    st.markdown("#### Invoice")
    paid = detail.payments[0] if detail.payments else None
    status = (
        f"paid {day(paid['paid_at'])} by {method(paid['method'])}"
        + (f", recorded by {plain(paid['recorded_by'])}" if paid["recorded_by"] else "")
        if paid
        else f"**unpaid**, due {day(invoice.due_date)}"
    )
    st.markdown(
        f"**{invoice.number}** · issued {day(invoice.issued_at)} · {cents(invoice.total_cents)} · {status}"
    )
    st.download_button(
        "Download invoice (PDF)",
        data=lambda: render_invoice_pdf(invoice_document(store, detail.id)),
        file_name=f"{invoice.number}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        key=INVOICE_PDF,
        on_click="ignore",
    )


def _history(detail: OrderDetail) -> None:
    st.markdown("#### History")
    events = pl.DataFrame(
        [
            {
                "at": e["at"].astimezone(UTC).replace(tzinfo=None),
                "action": e["action"],
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "actor": e["actor"],
                "note": e["note"],
            }
            for e in detail.events
        ],
        schema={
            "at": pl.Datetime("us"),
            "action": pl.String,
            "from_state": pl.String,
            "to_state": pl.String,
            "actor": pl.String,
            "note": pl.String,
        },
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    segments = order_status_segments(events.lazy(), now).collect()
    if segments.height == 1 and (segments["hours"][0] or 0) < 1:
        st.caption("Just entered: the timeline fills in as the order moves along.")
    elif segments.height:
        st.plotly_chart(
            order_timeline(segments, title="Time spent in each state"), key="orders_timeline", width="stretch"
        )
    labels = {a.value: ACTION_LABELS[a] for a in Action} | {
        "create": "Entered",
        "update_lines": "Lines changed",
    }
    st.dataframe(
        events.select(
            "at",
            pl.col("action").replace_strict(labels, default=pl.col("action")).alias("action"),
            pl.format("{} → {}", pl.col("from_state").fill_null("—"), pl.col("to_state").fill_null("—"))
            .str.replace_all("_", " ")
            .alias("change"),
            "actor",
            pl.col("note").fill_null(""),
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "action": "What",
            "change": "Status",
            "actor": "Who",
            "note": "Note",
        },
    )
