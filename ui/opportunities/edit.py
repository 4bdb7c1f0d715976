"""Changing a deal after capture from the page: the edit form (each field's problem right under it,
through ui.form_errors like every other form) and reassigning deals, one from its details or many
selected in the list.

Like the steps (ui.opportunities.actions), a submit queues the change with the version on screen and
the page runs it once; the services decide what is allowed (`editable_by` only says what to show).
Widget keys carry the version, so after a save — or someone else's — the form shows the fresh deal.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from crm_core.errors import ConflictError, DomainError
from crm_core.money import from_cents
from crm_core.opportunities import CLOSED_STAGES, EDIT_EVENT, REASSIGN_EVENT, DealField, as_stage
from crm_core.opportunity_fields import DealEdit, close_date_rule
from crm_core.permissions import Actor
from crm_core.services import (
    OpportunityDetail,
    edit_opportunity,
    editable_by,
    list_users,
    may_reassign,
    reassign_opportunities,
)
from crm_core.store import Store
from crm_core.store.opportunities import OWNER_ROLES
from ui import form_errors
from ui.dates import today
from ui.opportunities.state import (
    BULK_OWNER,
    BULK_REASSIGN,
    EDIT_PENDING,
    FLASH,
    REASSIGN_PENDING,
    REASSIGN_RESULT,
    edit_form,
    edit_form_widget,
    edit_key,
    reassign_button,
    reassign_owner,
)
from ui.text import message, plain
from ui.theme import money

# The form's widgets → the edit's fields. A message about any other field shows above the form.
EDIT_ARGUMENTS: dict[str, str] = {
    "amount": "expected_amount",
    "close": "close_date",
    "product": "product_id",
    "quantity": "quantity",
    "contact": "contact_name",
    "email": "email",
    "phone": "phone",
}
UNDER_A_WIDGET: tuple[str, ...] = tuple(f for f in DealField if f not in (DealField.TITLE, DealField.OWNER))


# --- callbacks (run before the script, with the version drawn on screen) ------------------------


def queue_edit(opportunity_id: int, version: int, names: tuple[str, ...]) -> None:
    """Send what the form shows; a closed deal's form shows only its amount and close date."""
    edit = DealEdit(
        **{EDIT_ARGUMENTS[n]: st.session_state.get(edit_key(n, opportunity_id, version)) for n in names}
    )
    st.session_state[EDIT_PENDING] = {"id": opportunity_id, "version": version, "edit": edit}


def queue_reassign(versions: dict[int, int], owner_key: str, where: str) -> None:
    st.session_state[REASSIGN_PENDING] = {
        "versions": versions,
        "owner": st.session_state.get(owner_key),
        "where": where,
    }


def queue_reassign_selected(table_key: str, ids: tuple[int, ...], versions: tuple[int, ...]) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows", [])
    chosen = {ids[r]: versions[r] for r in rows if r < len(ids)}
    queue_reassign(chosen, BULK_OWNER, "list")


# --- running them -------------------------------------------------------------------------------


def run_pending_edit(store: Store, actor: Actor | None) -> None:
    pending = st.session_state.pop(EDIT_PENDING, None)
    if not pending:
        return
    oid, version = pending["id"], pending["version"]
    new_version = form_errors.submit(
        edit_form(oid),
        lambda: edit_opportunity(store, actor, oid, version, pending["edit"]),
        fields=UNDER_A_WIDGET,
    )
    if new_version == version:
        st.session_state[FLASH] = "Nothing to save: every field is as it was."
    elif new_version is not None:
        st.session_state[FLASH] = "Changes saved — the history below lists each one."


def run_pending_reassign(store: Store, actor: Actor | None) -> None:
    """Run before the list is read, so the list shows the new owners; the outcome is kept for the
    place the reassignment was asked from."""
    pending = st.session_state.pop(REASSIGN_PENDING, None)
    if not pending:
        return
    outcome: dict[str, Any] = {"where": pending["where"]}
    try:
        moved = reassign_opportunities(store, actor, pending["versions"], pending["owner"])
    except ConflictError as exc:
        outcome["warning"] = str(exc)
    except DomainError as exc:  # no new owner, a closed deal, a permission: as crm_core words it
        outcome["error"] = str(exc)
    else:
        asked, name = len(pending["versions"]), _owner_name(store, pending["owner"])
        if moved == 0:
            outcome["done"] = f"Nothing changed: {name} already owns {'it' if asked == 1 else 'them all'}."
        else:
            deals = "opportunity" if moved == 1 else "opportunities"
            kept = f"; {asked - moved:,} already had that owner" if asked > moved else ""
            outcome["done"] = f"Reassigned {moved:,} {deals} to {name}{kept}."
    st.session_state[REASSIGN_RESULT] = outcome


def reassign_outcome(where: str) -> None:
    outcome = st.session_state.get(REASSIGN_RESULT)
    if not outcome or outcome["where"] != where:
        return
    st.session_state.pop(REASSIGN_RESULT)
    if "error" in outcome:
        st.error(message(outcome["error"]), icon=":material/warning:")
    elif "warning" in outcome:
        st.warning(message(outcome["warning"]), icon=":material/sync_problem:")
    else:
        st.success(message(outcome["done"]), icon=":material/check_circle:")


def _owner_name(store: Store, user_id: int) -> str:
    return next((u.name for u in list_users(store) if u.id == user_id), f"user #{user_id}")


def _owner_choices(owners: list[Actor]) -> dict[int, str]:
    return {o.id: f"{o.name} · {o.role.value}" for o in owners if o.role.value in OWNER_ROLES}


# --- the edit form ------------------------------------------------------------------------------


def _problem(opportunity_id: int, field: str) -> None:
    """The message of the last submit about `field`, right under its widget."""
    form_errors.under(edit_form(opportunity_id), field)


def edit_section(
    d: OpportunityDetail, actor: Actor | None, products: pl.DataFrame, owners: list[Actor]
) -> None:
    """The 'Edit deal' expander: the form for what this actor may change, and (managers) reassign."""
    fields = editable_by(actor, d.owner_id, d.stage)
    closed = as_stage(d.stage) in CLOSED_STAGES
    if not fields:
        if closed and actor is not None and actor.id == d.owner_id:
            st.caption("Won and lost are final: a manager can correct this deal's amount and close date.")
        return
    with st.expander(
        "Edit deal", icon=":material/edit:", expanded=bool(form_errors.messages(edit_form(d.id)))
    ):
        _edit_form(d, closed, products)
        if not closed and may_reassign(actor):
            _reassign_one(d, owners)


def _edit_form(d: OpportunityDetail, closed: bool, products: pl.DataFrame) -> None:
    k = lambda name: edit_key(name, d.id, d.version)  # noqa: E731
    first_order = min((o.created_at.date() for o in d.orders), default=None)
    current = d.closed_at.date() if closed and d.closed_at else d.expected_close_date
    rule = close_date_rule(
        d.stage, today=today(), captured=d.created_at.date(), current=current, first_order=first_order
    )
    earliest, latest = rule.picker_range
    st.session_state.setdefault(k("amount"), f"{from_cents(d.expected_amount_cents)}")
    st.session_state.setdefault(k("close"), current)
    with st.form(edit_form_widget(d.id, d.version), border=False):
        if closed:
            st.caption(
                f"This deal is {d.stage}, and won and lost are final. As a manager you can correct the "
                "amount and the day it closed (the month the reports count it in); its product, "
                "quantity, contact and owner stay as they were."
            )
            names: tuple[str, ...] = ("amount", "close")
            left, right = st.columns(2)
            with left:
                st.text_input("Amount ($) *", key=k("amount"), help="In dollars, e.g. 12500 or 12500.50")
                _problem(d.id, DealField.AMOUNT)
            with right:
                st.date_input(
                    "Close date *", min_value=earliest, max_value=latest, key=k("close"), format="YYYY-MM-DD"
                )
                _problem(d.id, DealField.CLOSED_ON)
        else:
            names = ("amount", "close", "product", "quantity", "contact", "email", "phone")
            _open_fields(d, k, products, earliest, latest)
        st.form_submit_button(
            "Save changes",
            type="primary",
            icon=":material/save:",
            on_click=queue_edit,
            args=(d.id, d.version, names),
        )


def _open_fields(d: OpportunityDetail, k: Any, products: pl.DataFrame, earliest: Any, latest: Any) -> None:
    offered = products.filter(pl.col("active") | (pl.col("sku") == d.sku)).sort("name")
    labels = {
        pid: f"{name} ({sku}) · {money(price)}"
        for pid, name, sku, price in zip(
            offered["id"], offered["name"], offered["sku"], offered["list_price_cents"], strict=True
        )
    }
    current_product = offered.filter(pl.col("sku") == d.sku)["id"].first() if d.sku else None
    st.session_state.setdefault(k("product"), current_product)
    st.session_state.setdefault(k("quantity"), d.quantity)
    st.session_state.setdefault(k("contact"), d.contact_name)
    st.session_state.setdefault(k("email"), d.contact_email or "")
    st.session_state.setdefault(k("phone"), d.contact_phone or "")
    left, right = st.columns(2)
    with left:
        st.text_input(
            "Expected amount ($)",
            key=k("amount"),
            placeholder="Empty: quantity × list price",
            help="In dollars, e.g. 12500 or 12500.50. Leave it empty to price it as quantity × list price.",
        )
        _problem(d.id, DealField.AMOUNT)
        st.date_input(
            "Expected close date", min_value=earliest, max_value=latest, key=k("close"), format="YYYY-MM-DD"
        )
        _problem(d.id, DealField.CLOSE_DATE)
        st.selectbox(
            "Product *",
            list(labels),
            format_func=lambda pid: labels[pid],
            placeholder="Choose a product",
            key=k("product"),
        )
        _problem(d.id, DealField.PRODUCT)
        st.number_input("Quantity *", step=1, key=k("quantity"))
        _problem(d.id, DealField.QUANTITY)
    with right:
        st.text_input("Contact name *", key=k("contact"))
        _problem(d.id, DealField.CONTACT_NAME)
        st.text_input("Email *", key=k("email"), placeholder="name@company.com")
        _problem(d.id, DealField.EMAIL)
        st.text_input("Phone", key=k("phone"), placeholder="+1 212 555 0100")
        _problem(d.id, DealField.PHONE)


def _reassign_one(d: OpportunityDetail, owners: list[Actor]) -> None:
    choices = _owner_choices(owners)
    owner_key = reassign_owner(d.id)
    if st.session_state.get(owner_key) not in choices:
        st.session_state[owner_key] = d.owner_id if d.owner_id in choices else None
    st.divider()
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.selectbox(
        "Owner",
        list(choices),
        format_func=lambda uid: choices[uid],
        key=owner_key,
        help="Managers give a deal to another active rep or manager.",
        width=320,
    )
    row.button(
        "Reassign",
        icon=":material/swap_horiz:",
        key=reassign_button(d.id),
        on_click=queue_reassign,
        args=({d.id: d.version}, owner_key, "detail"),
    )


# --- what changed, in words ---------------------------------------------------------------------

MAX_CHANGES_SHOWN = 10


def changes_in_words(history: pl.DataFrame) -> None:
    """The deal's edits and reassignments, newest first, each with who and every before → after
    (the history table below cuts long notes short)."""
    changes = history.filter(pl.col("action").is_in([EDIT_EVENT, REASSIGN_EVENT])).reverse()
    if changes.is_empty():
        return
    lines = [
        f"- {c['at']:%Y-%m-%d %H:%M} UTC · **{plain(c['actor'])}** "
        f"{'edited' if c['action'] == EDIT_EVENT else 'reassigned'}: {plain(c['note'])}"
        for c in changes.head(MAX_CHANGES_SHOWN).to_dicts()
    ]
    st.markdown("**Changes after capture**\n\n" + "\n".join(lines))
    if changes.height > MAX_CHANGES_SHOWN:
        st.caption(f"The newest {MAX_CHANGES_SHOWN} of {changes.height:,} changes; the table has them all.")


# --- many at once, from the list ----------------------------------------------------------------


def bulk_reassign_bar(shown: pl.DataFrame, table_key: str, owners: list[Actor]) -> None:
    """Under the list in selection mode: how many are picked, the new owner, and Reassign."""
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows", [])
    picked = shown[rows] if rows else shown.clear()
    closed = picked.filter(pl.col("stage").is_in([s.value for s in CLOSED_STAGES])).height
    choices = _owner_choices(owners)
    if st.session_state.get(BULK_OWNER) not in choices:
        st.session_state[BULK_OWNER] = None
    reassign_outcome("list")
    with st.container(border=True, horizontal=True, vertical_alignment="bottom"):
        st.markdown(
            f"**{picked.height:,} selected**"
            + (f" · {closed:,} won or lost (they keep their owner: unselect them)" if closed else "")
        )
        st.selectbox(
            "New owner",
            list(choices),
            format_func=lambda uid: choices[uid],
            placeholder="Choose a rep or manager",
            key=BULK_OWNER,
            width=300,
        )
        st.button(
            "Reassign",
            type="primary",
            icon=":material/swap_horiz:",
            key=BULK_REASSIGN,
            disabled=picked.is_empty(),
            on_click=queue_reassign_selected,
            args=(table_key, tuple(shown["id"].to_list()), tuple(shown["version"].to_list())),
        )
