"""The new-order form: customer, lines in an editable table, payment and delivery, live totals.

The lines live in `orders_new_lines` (plain dicts) and are edited with `st.data_editor`. When a
row gets a SKU but no unit price, the editor's change callback fills in the list price and
re-mounts the editor (a new key), so the price shows up at once; otherwise the editor keeps its
own edits and nothing is re-mounted.
"""

from __future__ import annotations

from typing import Any, cast

import polars as pl
import streamlit as st

from crm_core import validation
from crm_core.errors import DomainError, ValidationError
from crm_core.money import format_money
from crm_core.orders import (
    DELIVERY_METHODS,
    PAYMENT_METHODS,
    LineInput,
    ProductRef,
    requested_date_bounds,
    totals_cents,
    validate_lines,
)
from crm_core.permissions import Actor, Permission
from crm_core.services import NewOrder, create_order, customer_credit
from crm_core.store import Store
from ui import form_errors
from ui.dates import today
from ui.orders.format import cents, method, pct
from ui.orders.state import (
    NEW_CREATE,
    NEW_CUSTOMER,
    NEW_DELIVERY,
    NEW_FORM,
    NEW_LINES,
    NEW_NONCE,
    NEW_NOTES,
    NEW_PAYMENT,
    NEW_PREFIX,
    NEW_REQUESTED,
    NEW_SHIPPING,
    new_editor,
    new_tax,
)
from ui.text import message

FORM = NEW_FORM
FIELDS = (
    "customer",
    form_errors.LINES,
    "payment method",
    "delivery method",
    "requested date",
    "shipping",
    "tax rate %",
    "notes",
)
LINES, NONCE = NEW_LINES, NEW_NONCE
SCHEMA = {"sku": pl.String, "quantity": pl.Int64, "unit_price": pl.Float64, "discount_pct": pl.Float64}
EDITOR_WIDTHS = {
    "sku": 420,
    "quantity": 110,
    "unit_price": 140,
    "discount_pct": 120,
}  # px; tests click by them
BLANK_LINE: dict[str, Any] = {"sku": None, "quantity": 1, "unit_price": None, "discount_pct": 0.0}
# The number columns of both lines editors. No min/max here: what the order accepts is crm_core's
# to say, and the editor would only outline a refused cell in red (its reason in a hover) and
# drop the value; a value that reaches the server gets its message under the table.
LINE_NUMBER_COLUMNS = {
    "quantity": st.column_config.NumberColumn(
        "Quantity", step=1, default=1, required=True, width=EDITOR_WIDTHS["quantity"]
    ),
    "unit_price": st.column_config.NumberColumn(
        "Unit price ($)",
        step=0.01,
        format="%.2f",
        help="Empty = the list price",
        width=EDITOR_WIDTHS["unit_price"],
    ),
    "discount_pct": st.column_config.NumberColumn(
        "Discount %",
        step=0.5,
        default=0.0,
        format="%g",
        width=EDITOR_WIDTHS["discount_pct"],
        help="Over 10 % needs a manager's approval at the audit; over 50 % is refused.",
    ),
}


def _editor_key() -> str:
    return new_editor(st.session_state.get(NONCE, 0))


def _apply_edits(rows: list[dict[str, Any]], state: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows after the editor's recorded edits (Streamlit's edited/added/deleted rows)."""
    edited = {int(k): v for k, v in state.get("edited_rows", {}).items()}
    deleted = {int(i) for i in state.get("deleted_rows", [])}
    out = [{**row, **edited.get(i, {})} for i, row in enumerate(rows) if i not in deleted]
    out += [{**BLANK_LINE, **added} for added in state.get("added_rows", [])]
    return out


def _fill_list_prices(list_prices: dict[str, float]) -> None:
    """Editor on_change: a row with a SKU and no price gets the list price (and the editor re-mounts)."""
    key = _editor_key()
    rows = _apply_edits(st.session_state.get(LINES, [dict(BLANK_LINE)]), st.session_state.get(key, {}))
    missing = [r for r in rows if r.get("sku") and r.get("unit_price") is None and r["sku"] in list_prices]
    if not missing:
        return
    for row in missing:
        row["unit_price"] = list_prices[row["sku"]]
    st.session_state[LINES] = rows
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _lines_frame(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, list[str]]:
    """The editor's rows as a typed frame. A quantity a whole-number column cannot hold (NaN, 10^20,
    text) is emptied and its problem returned (to show under the table), so the page never fails
    on what was typed."""
    safe, problems = [], []
    for number, row in enumerate(rows, start=1):
        quantity = row.get("quantity")
        if quantity is not None:
            try:
                validation.integer(f"line {number}: quantity", quantity)
            except ValidationError as problem:
                problems.append(problem.message)
                row = {**row, "quantity": None}
        safe.append(row)
    return pl.DataFrame(safe, schema=SCHEMA), problems


def reset_new_order() -> None:
    for key in [k for k in st.session_state if str(k).startswith(NEW_PREFIX)]:
        del st.session_state[key]


def line_inputs(edited: pl.DataFrame) -> list[LineInput]:
    """Rows with anything in them become lines; a row left completely empty is ignored."""
    rows = [r for r in edited.to_dicts() if r.get("sku") or r.get("unit_price") is not None]
    return [
        LineInput(
            r["sku"] or "",
            r["quantity"],
            None if r["unit_price"] is None else repr(float(r["unit_price"])),
            0 if r["discount_pct"] is None else repr(float(r["discount_pct"])),
        )
        for r in rows
    ]


def new_order_form(
    store: Store, actor: Actor | None, customers: pl.DataFrame, products: pl.DataFrame
) -> int | None:
    """Render the form; returns the new order's id once it is created."""
    if actor is None or not actor.can(Permission.ENTER_ORDER):
        st.info("Pick a user in the sidebar to enter orders.", icon=":material/person:")
        return None
    open_customers = customers.filter(~pl.col("blocked")).sort("name")
    names = dict(zip(open_customers["id"].to_list(), open_customers["name"].to_list(), strict=True))
    regions = dict(zip(open_customers["id"].to_list(), open_customers["region"].to_list(), strict=True))
    form_errors.general(FORM)
    customer_id = st.selectbox(
        "Customer *",
        list(names),
        index=None,
        format_func=lambda cid: f"{names[cid]} ({regions[cid] or 'no region'})",
        placeholder="Type to search customers",
        key=NEW_CUSTOMER,
        help="Blocked customers are not listed: they cannot place orders.",
    )
    form_errors.under(FORM, "customer")
    credit = customer_credit(store, customer_id) if customer_id is not None else None
    if credit is not None:
        st.caption(
            f"Credit limit {cents(credit.credit_limit_cents)} · open unpaid invoices "
            f"{cents(credit.open_unpaid_cents)} · available {cents(credit.available_cents)}"
        )

    active = products.filter(pl.col("active")).sort("sku")
    columns = (active[c].to_list() for c in ("id", "sku", "name", "list_price_cents"))
    refs = {
        sku.upper(): ProductRef(pid, sku, name, price, True)
        for pid, sku, name, price in zip(*columns, strict=True)
    }
    list_prices = {ref.sku: ref.list_price_cents / 100 for ref in refs.values()}
    product_names = {ref.sku: ref.name for ref in refs.values()}

    st.markdown("**Lines** — pick a product; the unit price comes from the list price and can be changed.")
    base, typed_problems = _lines_frame(st.session_state.get(LINES, [dict(BLANK_LINE)]))
    edited = st.data_editor(
        base,
        key=_editor_key(),
        num_rows="dynamic",
        hide_index=True,
        placeholder="—",
        width="content",
        on_change=_fill_list_prices,
        args=(list_prices,),
        column_config={
            "sku": st.column_config.SelectboxColumn(
                "Product",
                options=list(product_names),
                format_func=lambda sku: f"{sku} · {product_names.get(str(sku), '')}",
                required=True,
                width="large",
            ),
            **LINE_NUMBER_COLUMNS,
        },
    )
    for problem in typed_problems:
        st.error(message(problem), icon=":material/error:")
    form_errors.under(FORM, form_errors.LINES)

    left, middle, right = st.columns(3)
    with left:
        payment = st.selectbox("Payment method", PAYMENT_METHODS, format_func=method, key=NEW_PAYMENT)
        form_errors.under(FORM, "payment method")
    with middle:
        delivery = st.selectbox(
            "Delivery method",
            list(DELIVERY_METHODS),
            format_func=lambda m: (
                f"{method(m)} ({DELIVERY_METHODS[m]} day{'s' if DELIVERY_METHODS[m] != 1 else ''} in transit)"
            ),
            key=NEW_DELIVERY,
        )
        form_errors.under(FORM, "delivery method")
    with right:
        earliest, latest = requested_date_bounds(today())  # the picker offers what the order accepts
        requested = st.date_input(
            "Requested delivery date",
            value=None,
            min_value=earliest,
            max_value=latest,
            format="YYYY-MM-DD",
            key=NEW_REQUESTED,
        )
        form_errors.under(FORM, "requested date")
    left, middle, right = st.columns(3)
    with left:
        shipping = st.text_input(
            "Shipping ($)",
            value="0.00",
            key=NEW_SHIPPING,
            help="Digits, like 25 or $1,250.00 (a point before the cents).",
        )
        form_errors.under(FORM, "shipping")
    default_tax = (credit.last_tax_rate_bp or 0) / 100 if credit else 0.0
    with middle:
        tax = st.number_input(
            "Tax rate %",
            min_value=0.0,
            max_value=100.0,
            value=default_tax,
            step=0.25,
            format="%.2f",
            key=new_tax(customer_id),
            help="Prefilled with this customer's rate on their last order. Tax is on goods, not shipping.",
        )
        form_errors.under(FORM, "tax rate %")
    notes = st.text_area(
        "Notes", key=NEW_NOTES, max_chars=5000, placeholder="Delivery instructions, PO number…"
    )
    form_errors.under(FORM, "notes")

    lines = line_inputs(cast(pl.DataFrame, edited))  # polars in, polars out
    _live_totals(lines, refs, shipping, tax)
    if st.button("Create order", type="primary", key=NEW_CREATE, icon=":material/add_shopping_cart:"):
        new = NewOrder(
            customer_id=customer_id,
            lines=lines,
            payment_method=payment,
            delivery_method=delivery,
            requested_date=requested,
            notes=notes,
            shipping=shipping,
            tax_rate_pct=repr(float(tax)),
        )
        return form_errors.submit(FORM, lambda: create_order(store, actor, new), fields=FIELDS, rerun=True)
    return None


def _live_totals(lines: list[LineInput], refs: dict[str, ProductRef], shipping: str, tax: float) -> None:
    if not lines:
        st.caption("Add at least one line to see the totals.")
        return
    try:
        drafts = validate_lines(lines, refs)
        totals = totals_cents(drafts, validation.money("shipping", shipping), round(tax * 100))
    except DomainError as problem:
        st.warning(f"{message(problem)} — fix it to see the totals.", icon=":material/edit_note:")
        return
    st.caption(
        "Line totals: "
        + " · ".join(f"{n}. {d.sku} {format_money(d.total_cents)}" for n, d in enumerate(drafts, start=1))
    )
    cols = st.columns(4)
    cols[0].metric(
        f"Subtotal ({len(drafts)} line{'s' if len(drafts) != 1 else ''})", format_money(totals["subtotal"])
    )
    cols[1].metric("Shipping", format_money(totals["shipping"]))
    cols[2].metric(f"Tax ({pct(round(tax * 100))})", format_money(totals["tax"]))
    cols[3].metric("Total", format_money(totals["total"]))
