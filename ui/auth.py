"""The acting user. `CRM_AUTH=demo` (default): a sidebar picker of demo users; `CRM_AUTH=oidc`:
Streamlit's st.login, through `ui.access`."""

from __future__ import annotations

import os

import streamlit as st

from crm_core.permissions import Actor
from crm_core.services import list_users
from crm_core.store import Store
from ui.access import ACTOR, oidc_actor, stop_unknown_mode, stop_unless_demo_is_safe

# The session's user (demo mode) is held in ONE plain session_state key. Streamlit drops widget
# state on a page switch (`st.switch_page` sends no widget values), so the picker widget has a
# key of its own and only writes into USER_KEY; the acting user (auth_actor) comes from USER_KEY.
USER_KEY = "auth_user_id"
PICKER_KEY = "auth_user_picker"


def auth_mode() -> str:
    return os.environ.get("CRM_AUTH", "demo").strip().lower() or "demo"


def current_actor() -> Actor | None:
    """The signed-in user of this session (None until one is picked)."""
    return st.session_state.get(ACTOR)


def sidebar_user_picker(store: Store) -> Actor | None:
    users = list_users(store)
    if not users:
        st.sidebar.warning("No users in the database yet.")
        st.session_state[ACTOR] = None
        return None
    by_id = {u.id: u for u in users}
    if st.session_state.get(USER_KEY) not in by_id:  # first visit, or the user was deactivated
        st.session_state[USER_KEY] = users[0].id
    if st.session_state.get(PICKER_KEY) != st.session_state[USER_KEY]:  # e.g. dropped by a page switch
        st.session_state[PICKER_KEY] = st.session_state[USER_KEY]
    st.sidebar.selectbox(
        "Acting as",
        options=list(by_id),
        format_func=lambda uid: f"{by_id[uid].name} · {by_id[uid].role.value}",
        key=PICKER_KEY,
        on_change=_picked,
        help="Demo mode: pick whose shoes to stand in. Each role sees and may do different things.",
    )
    actor = by_id[st.session_state[USER_KEY]]
    st.session_state[ACTOR] = actor
    return actor


def _picked() -> None:
    """The picker's only effect: the session's user becomes the one picked."""
    st.session_state[USER_KEY] = st.session_state[PICKER_KEY]


def sidebar_identity(store: Store) -> Actor | None:
    """Show who is acting, by the configured auth mode, and return them. Stops the script run where
    nobody may come in (OIDC without a signed-in active user, demo mode where it is not safe)."""
    mode = auth_mode()
    if mode == "oidc":
        return oidc_actor(store)  # stops the run unless an active user has signed in
    if mode != "demo":
        stop_unknown_mode(mode)
    stop_unless_demo_is_safe(store)
    st.sidebar.info("**Demo mode** — pick any user below; no password needed.", icon=":material/science:")
    return sidebar_user_picker(store)
