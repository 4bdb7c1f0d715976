"""Changing the lines of an order that is still `entered` (after the audit, lines are what was checked)."""

from __future__ import annotations

from typing import cast

import polars as pl
import streamlit as st

from crm_core.orders import OrderStatus
from crm_core.permissions import Actor, Permission
from crm_core.services import OrderDetail, update_order_lines
from crm_core.store import Store
from ui import form_errors
from ui.orders.entry import EDITOR_WIDTHS, LINE_NUMBER_COLUMNS, SCHEMA, line_inputs
from ui.orders.state import FLASH, LINES_SEEN_VERSION, lines_editor, lines_save

SEEN_VERSION = LINES_SEEN_VERSION


def _remember_version(version: int) -> None:
    """on_click: the version the user was editing, so a change by someone else meanwhile is a conflict."""
    st.session_state[SEEN_VERSION] = version


def edit_lines(store: Store, actor: Actor | None, detail: OrderDetail, products: pl.DataFrame) -> None:
    """An expander with the lines in an editable table and a Save button (entered orders only)."""
    if detail.status != OrderStatus.ENTERED or actor is None or not actor.can(Permission.ENTER_ORDER):
        return
    with st.expander("Change the lines", icon=":material/edit:"):
        active = products.filter(pl.col("active")).sort("sku")
        names = dict(zip(active["sku"].to_list(), active["name"].to_list(), strict=True))
        rows = pl.DataFrame(
            [
                {
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "unit_price": line["unit_price_cents"] / 100,
                    "discount_pct": line["discount_bp"] / 100,
                }
                for line in detail.lines
            ],
            schema=SCHEMA,
        )
        edited = st.data_editor(
            rows,
            key=lines_editor(detail.id, detail.version),
            num_rows="dynamic",
            hide_index=True,
            width="content",
            placeholder="—",
            column_config={
                "sku": st.column_config.SelectboxColumn(
                    "Product",
                    options=list(names),
                    format_func=lambda sku: f"{sku} · {names.get(sku, 'no longer sold')}",
                    required=True,
                    width=EDITOR_WIDTHS["sku"],
                ),
                **LINE_NUMBER_COLUMNS,
            },
        )
        form = f"orders_lines_{detail.id}"
        form_errors.general(form)
        form_errors.under(form, form_errors.LINES)
        st.caption(
            "An empty unit price means the list price. "
            "The total is recalculated and the audit checks the new lines."
        )
        if st.button(
            "Save lines",
            key=lines_save(detail.id),
            icon=":material/save:",
            on_click=_remember_version,
            args=(detail.version,),
        ):
            seen = st.session_state.pop(SEEN_VERSION, detail.version)
            lines = line_inputs(cast(pl.DataFrame, edited))  # polars in, polars out
            saved = form_errors.submit(
                form,
                lambda: update_order_lines(store, actor, detail.id, lines, expected_version=seen),
                fields=(form_errors.LINES,),
                rerun=True,
            )
            if saved is not None:
                st.session_state[FLASH] = f"Lines of {detail.number} saved."
                st.rerun()
