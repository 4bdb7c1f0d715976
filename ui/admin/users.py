"""The Data page's Users section: everyone sees who may sign in; an admin adds users, changes a
role or deactivates a user (the services check the permission again)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.permissions import Actor, Permission
from crm_core.services import add_user, all_users, change_role, deactivate_user
from crm_core.services.users import ROLES
from crm_core.store import Store
from ui import form_errors
from ui.admin.state import (
    USERS_ADD_FORM,
    USERS_ADD_GO,
    USERS_ADD_KEYS,
    USERS_CHANGE_FORM,
    USERS_DEACTIVATE,
    USERS_FLASH,
    USERS_NEW_ROLE,
    USERS_PICK,
    USERS_ROLE,
    USERS_TABLE,
)
from ui.text import plain

FLASH_KEY, ADD_FORM, CHANGE_FORM, ADD_KEYS = USERS_FLASH, USERS_ADD_FORM, USERS_CHANGE_FORM, USERS_ADD_KEYS


def users_section(store: Store, actor: Actor | None) -> None:
    st.subheader("Users")
    confirmation = st.session_state.pop(FLASH_KEY, None)  # built from plain() parts by _done()
    if confirmation:
        st.success(confirmation)
    if actor is None or not actor.can(Permission.MANAGE_USERS):
        st.caption("Only an admin can add users, change roles or deactivate users.")
    else:
        _add_form(store, actor)
        _change_form(store, actor)
    users = all_users(store)
    st.dataframe(
        pl.DataFrame(
            users,
            schema={
                "id": pl.Int64,
                "name": pl.String,
                "email": pl.String,
                "role": pl.String,
                "active": pl.Boolean,
            },
        ),
        hide_index=True,
        width="stretch",
        key=USERS_TABLE,
    )


def _add_form(store: Store, actor: Actor) -> None:
    # Not cleared on submit: a refused entry stays as typed, with the message under its field.
    with st.form(ADD_FORM):
        st.markdown("**Add a user** — they sign in with this email.")
        form_errors.general(ADD_FORM)
        left, middle, right = st.columns([2, 2, 1])
        with left:
            name = st.text_input("Name", key=ADD_KEYS["name"])
            form_errors.under(ADD_FORM, "name")
        with middle:
            email = st.text_input("Email", key=ADD_KEYS["email"])
            form_errors.under(ADD_FORM, "email")
        with right:
            role = st.selectbox("Role", ROLES, key=USERS_ROLE)
            form_errors.under(ADD_FORM, "role")
        if st.form_submit_button("Add user", key=USERS_ADD_GO):
            added = form_errors.submit(
                ADD_FORM,
                lambda: add_user(store, actor, name, email, role),
                fields=("name", "email", "role"),
                rerun=True,
            )
            if added is not None:
                for key in ADD_KEYS.values():
                    del st.session_state[key]  # the next user starts from empty fields
                _done(f"Added {plain(added.name)} ({plain(added.email)}) as {added.role.value}.")


def _change_form(store: Store, actor: Actor) -> None:
    users = {u["id"]: u for u in all_users(store) if u["active"]}
    st.markdown("**Change a role or deactivate**")
    form_errors.general(CHANGE_FORM)
    left, right = st.columns([3, 1])
    with left:
        picked = st.selectbox(
            "User",
            list(users),
            format_func=lambda uid: f"{users[uid]['name']} · {users[uid]['email']} · {users[uid]['role']}",
            key=USERS_PICK,
        )
        form_errors.under(CHANGE_FORM, "user")
    with right:
        new_role = st.selectbox("New role", ROLES, key=USERS_NEW_ROLE)
        form_errors.under(CHANGE_FORM, "role")
    buttons = st.container(horizontal=True)
    fields = ("user", "role")
    if buttons.button("Change role", key=USERS_CHANGE_FORM) and picked is not None:
        changed = form_errors.submit(
            CHANGE_FORM, lambda: change_role(store, actor, picked, new_role), fields=fields, rerun=True
        )
        if changed is not None:
            _done(f"{plain(changed.name)} is now {changed.role.value}.")
    if buttons.button("Deactivate", key=USERS_DEACTIVATE) and picked is not None:
        done = form_errors.submit(
            CHANGE_FORM, lambda: deactivate_user(store, actor, picked) or True, fields=fields, rerun=True
        )
        if done:
            _done(f"{plain(users[picked]['name'])} can no longer sign in; their records and events stay.")


def _done(text: str) -> None:
    """Keep the confirmation for the next run and rerun now: the sidebar's user picker, drawn
    before this page, then lists the users as they are after the change."""
    st.session_state[FLASH_KEY] = text
    st.rerun()
