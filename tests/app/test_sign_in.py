"""OIDC mode through AppTest (st.user simulated as Streamlit's AppTest allows): nothing of the data
shows until an active user has signed in with a verified email from an allowed issuer; a missing
setting is named; the first sign-in binds the user to the issuer and subject, later ones match on
them. The real sign-in against a provider runs in tests/e2e/test_oidc_sign_in.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from crm_core.config import DatabaseTarget
from crm_core.services import deactivate_user, get_actor, order_id_for_number
from crm_core.store import Store, make_store
from crm_core.store.models import User
from tests.app.conftest import APP
from ui.navigation import PAGES
from ui.text import WORD_JOINER

ISSUER = "https://id.scalewise.test"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-string-for-the-cookie",
    "client_id": "scalewise",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
}
MANAGER_EMAIL = "maria.lindqvist@scalewise.example"
MANAGER_ID, ADMIN_ID = 1, 11
ENTERED = "SO-001500"
SIGN_IN_SCREEN = [
    ("title", "Scalewise CRM"),
    ("info", "Sign in to see the sales desk."),
    ("button", "Log in"),
]


@pytest.fixture
def store(app_db: Path) -> Iterator[Store]:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app_db}"), "test"))
    yield store
    store.dispose()


@pytest.fixture
def oidc(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_AUTH", "oidc")
    monkeypatch.setenv("CRM_OIDC_ISSUERS", f"{ISSUER}, https://other.example")


def claims(
    email: str = MANAGER_EMAIL, *, sub: str = "maria-1", iss: str = ISSUER, verified: object = True
) -> dict:
    return {"is_logged_in": True, "iss": iss, "sub": sub, "email": email, "email_verified": verified}


def session(
    user: dict[str, object], *, auth: dict[str, str] | None = AUTH, page: str | None = None
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if auth is not None:
        at.secrets["auth"] = auth
    at.user = user
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown(node: object) -> list[tuple[str, object]]:
    """Every element under `node`, as (type, what it says)."""
    children = getattr(node, "children", None)
    if isinstance(children, dict) and children:
        return [item for child in children.values() for item in shown(child)]
    kind = getattr(node, "type", "?")
    return [(kind, node.label if kind == "button" else getattr(node, "value", None))]  # type: ignore[attr-defined]


def refusal(at: AppTest) -> str:
    assert [kind for kind, _ in shown(at.main)] == ["title", "error", "button"], shown(at.main)
    assert at.session_state["auth_actor"] is None
    return at.error[0].value.replace("\\", "").replace(WORD_JOINER, "")  # as a person reads it


@pytest.mark.parametrize("page", [p.path for p in PAGES], ids=[p.title for p in PAGES])
def test_an_anonymous_visitor_sees_only_the_sign_in_screen(oidc: None, page: str) -> None:
    at = session({"is_logged_in": False}, page=page)

    assert shown(at.main) == SIGN_IN_SCREEN
    assert shown(at.sidebar) == [("markdown", "### Scalewise")]
    assert at.session_state["auth_actor"] is None


def test_without_an_auth_section_the_missing_setting_is_named(oidc: None) -> None:
    at = session({"is_logged_in": False}, auth=None)
    assert at.title[0].value == "Sign-in is not set up"
    assert "the secrets have no [auth] section" in at.error[0].value.replace("\\", "")
    assert [b.label for b in at.button] == []


def test_an_auth_section_without_its_client_secret_names_it(oidc: None) -> None:
    at = session({"is_logged_in": False}, auth={k: v for k, v in AUTH.items() if k != "client_secret"})
    assert "[auth] section lacks client_secret" in at.error[0].value.replace("\\", "")


def test_without_allowed_issuers_the_setting_is_named(oidc: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_OIDC_ISSUERS")
    at = session(claims())
    assert "CRM_OIDC_ISSUERS is not set" in at.error[0].value.replace("\\", "")
    assert at.session_state["auth_actor"] is None


def test_a_verified_manager_signs_in_and_is_bound_to_the_subject(oidc: None, store: Store) -> None:
    at = session(claims(MANAGER_EMAIL.upper()))

    actor = at.session_state["auth_actor"]
    assert (actor.id, actor.role.value) == (MANAGER_ID, "manager")
    assert "Signed in as **Maria Lindqvist** · manager" in [m.value for m in at.sidebar.markdown]
    with store.read() as s:
        assert s.execute(select(User.oidc_issuer, User.oidc_subject).where(User.id == MANAGER_ID)).one() == (
            ISSUER,
            "maria-1",
        )
    at.session_state["orders_selected"] = order_id_for_number(store, ENTERED)
    at.switch_page("pages/orders.py").run()
    assert "orders_act_audit" in [b.key for b in at.button]


def test_an_unverified_email_gets_no_access(oidc: None) -> None:
    at = session(claims(verified=False))
    assert f"The provider has not verified {MANAGER_EMAIL}" in refusal(at)


def test_an_unknown_email_gets_no_access(oidc: None) -> None:
    at = session(claims("stranger@elsewhere.example", sub="stranger"))
    assert "stranger@elsewhere.example is not a Scalewise user" in refusal(at)


def test_an_issuer_not_allowed_is_refused(oidc: None) -> None:
    at = session(claims(iss="https://login.evil.example"))
    shown = refusal(at).replace("\u2060", "")  # plain() puts a word joiner in web addresses: never a link
    assert "Sign-ins from https://login.evil.example are not accepted here." in shown


def test_the_same_email_from_another_subject_is_refused_once_bound(oidc: None) -> None:
    session(claims(sub="maria-1"))
    at = session(claims(sub="someone-else"))
    assert f"{MANAGER_EMAIL} is already linked to another sign-in account" in refusal(at)


def test_a_deactivated_user_gets_no_access(oidc: None, store: Store) -> None:
    deactivate_user(store, get_actor(store, ADMIN_ID), MANAGER_ID)
    at = session(claims())
    assert "Maria Lindqvist has been deactivated" in refusal(at)


def test_log_out_signs_the_session_out(oidc: None) -> None:
    at = session(claims())
    at.sidebar.button(key="auth_logout").click().run()
    assert not at.exception, at.exception
    at.run()

    assert at.user.get("is_logged_in") is False
    assert shown(at.main) == SIGN_IN_SCREEN


def test_an_unknown_auth_mode_shows_nothing(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_AUTH", "oicd")
    at = session({"is_logged_in": False}, page="pages/data.py")
    assert "CRM_AUTH is 'oicd'; use 'demo' or 'oidc'" in refusal_text(at)
    assert [kind for kind, _ in shown(at.main)] == ["title", "error"]


def refusal_text(at: AppTest) -> str:
    return at.error[0].value.replace("\\", "").replace(WORD_JOINER, "")  # as a person reads it
