"""The door: in OIDC mode nothing of the data shows until an active user has signed in; demo mode
refuses to run where it would hand persistent data to anyone. The decisions are crm_core's
(`crm_core.access`, `crm_core.services.sign_in`); this reads st.user, the secrets and Streamlit's
config, shows the outcome, and stops the script run when the visitor may not come in."""

from __future__ import annotations

import os

import streamlit as st
from streamlit import config

from crm_core.access import (
    DEMO_FLAG,
    ISSUERS_SETTING,
    allowed_issuers,
    demo_refusal,
    oidc_setup_problem,
)
from crm_core.errors import SignInRefused
from crm_core.permissions import Actor
from crm_core.services import sign_in_oidc
from crm_core.store import Store
from ui.text import plain

CLAIMS = ("iss", "sub", "email", "email_verified")

ACTOR = "auth_actor"  # the acting user (an Actor, or None), set on every run by the sidebar
LOGIN, LOGOUT = "auth_login", "auth_logout"


def setting(name: str) -> object:
    """A setting from the environment, else from the top level of the secrets (None if neither)."""
    if os.environ.get(name, "").strip():
        return os.environ[name]
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets file: not configured
        return None


def _auth_section() -> dict[str, object] | None:
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file: not configured
        return None
    return dict(section) if section else None


def _stop(screen_title: str, body: str, *, error: bool = False) -> None:
    st.session_state[ACTOR] = None
    st.title(screen_title)
    (st.error if error else st.info)(body, icon=":material/lock:")


def stop_unless_demo_is_safe(store: Store) -> None:
    """Demo mode on a configured database that other machines can reach: explain and stop."""
    refusal = demo_refusal(
        embedded_database=store.target.source == "default",
        server_address=config.get_option("server.address"),
        allow_flag=setting(DEMO_FLAG),
    )
    if refusal:
        _stop("Demo mode is switched off here", plain(refusal), error=True)
        st.stop()


def stop_unknown_mode(mode: str) -> None:
    _stop(
        "Sign-in is not set up",
        f"CRM_AUTH is '{plain(mode)}'; use 'demo' or 'oidc'. Nothing is shown until it is fixed.",
        error=True,
    )
    st.stop()


def oidc_actor(store: Store) -> Actor:
    """`CRM_AUTH=oidc`: the signed-in active user; anyone else gets the sign-in screen and the run stops."""
    issuers = allowed_issuers(setting(ISSUERS_SETTING))
    problem = oidc_setup_problem(_auth_section(), issuers)
    if problem:
        _stop("Sign-in is not set up", plain(problem), error=True)
        st.stop()
    if not st.user.is_logged_in:
        _stop("Scalewise CRM", "Sign in to see the sales desk.")
        st.button("Log in", on_click=st.login, type="primary", key=LOGIN)
        st.stop()
    try:
        actor = sign_in_oidc(store, {claim: st.user.get(claim) for claim in CLAIMS}, issuers)
    except SignInRefused as exc:
        _stop("No access", plain(exc), error=True)
        st.button("Log out", on_click=st.logout, key=LOGOUT)
        st.stop()
        raise  # unreachable: st.stop() ends the script run
    st.sidebar.write(f"Signed in as **{plain(actor.name)}** · {actor.role.value}")
    st.sidebar.button("Log out", on_click=st.logout, key=LOGOUT)
    st.session_state[ACTOR] = actor
    return actor
