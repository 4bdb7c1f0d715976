"""The Data page's Users section: everyone sees who may sign in; an admin adds users, changes a
role or deactivates a user (the services check the permission again)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from crm_core.permissions import Actor, Permission
from crm_core.services import add_user, all_users, change_role, deactivate_user
from crm_core.services.users import ROLES
from crm_core.store import Store
from ui.text import plain
from ui.widgets import run_action

FLASH_KEY = "data_users_flash"


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
        key="data_users_table",
    )


def _add_form(store: Store, actor: Actor) -> None:
    with st.form("data_users_add", clear_on_submit=True):
        st.markdown("**Add a user** — they sign in with this email.")
        left, middle, right = st.columns([2, 2, 1])
        name = left.text_input("Name", key="data_users_name")
        email = middle.text_input("Email", key="data_users_email")
        role = right.selectbox("Role", ROLES, key="data_users_role")
        if st.form_submit_button("Add user", key="data_users_add_go"):
            added = run_action(lambda: add_user(store, actor, name, email, role))
            if added is not None:
                _done(f"Added {plain(added.name)} ({plain(added.email)}) as {added.role.value}.")


def _change_form(store: Store, actor: Actor) -> None:
    users = {u["id"]: u for u in all_users(store) if u["active"]}
    st.markdown("**Change a role or deactivate**")
    left, right = st.columns([3, 1])
    picked = left.selectbox(
        "User",
        list(users),
        format_func=lambda uid: f"{users[uid]['name']} · {users[uid]['email']} · {users[uid]['role']}",
        key="data_users_pick",
    )
    new_role = right.selectbox("New role", ROLES, key="data_users_new_role")
    buttons = st.container(horizontal=True)
    if buttons.button("Change role", key="data_users_change") and picked is not None:
        changed = run_action(lambda: change_role(store, actor, picked, new_role))
        if changed is not None:
            _done(f"{plain(changed.name)} is now {changed.role.value}.")
    if buttons.button("Deactivate", key="data_users_deactivate") and picked is not None:
        done = run_action(lambda: deactivate_user(store, actor, picked) or True)
        if done:
            _done(f"{plain(users[picked]['name'])} can no longer sign in; their records and events stay.")


def _done(text: str) -> None:
    """Keep the confirmation for the next run and rerun now: the sidebar's user picker, drawn
    before this page, then lists the users as they are after the change."""
    st.session_state[FLASH_KEY] = text
    st.rerun()
