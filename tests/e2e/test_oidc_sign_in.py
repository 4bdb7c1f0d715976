"""The real sign-in in Chromium: `streamlit run app.py` with CRM_AUTH=oidc, its [auth] secrets in a
temporary secrets.toml pointing at a local OpenID Connect provider (tests/e2e/oidc_provider.py)
that signs RS256 ID tokens. Streamlit's st.login and Authlib do the whole code flow; the app
decides who comes in."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crm_core.config import DatabaseTarget
from crm_core.store import make_store
from crm_core.store.models import User
from tests.e2e.conftest import RunningApp, screenshot, settle, start_app
from tests.e2e.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, start_provider

pytestmark = pytest.mark.e2e

ADMIN_EMAIL, ADMIN_ID = "elena.petrova@scalewise.example", 11
MANAGER_EMAIL = "maria.lindqvist@scalewise.example"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    provider = start_provider()
    yield provider
    provider.close()


def oidc_app(tmp_dir: Path, provider: OidcProvider, issuers: str) -> RunningApp:
    secrets_file = tmp_dir / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n'
    )
    return start_app(
        tmp_dir,
        {"CRM_AUTH": "oidc", "CRM_OIDC_ISSUERS": issuers},
        ("--secrets.files", str(secrets_file)),
    )


def stop(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, provider: OidcProvider) -> Iterator[RunningApp]:
    app = oidc_app(tmp_path_factory.mktemp("oidc"), provider, provider.issuer)
    yield app
    stop(app)


def sign_in(
    browser: object, app: RunningApp, provider: OidcProvider, shot: str | None = None, **person: object
) -> object:
    """A fresh browser (no cookies) that opens the app, sees only the sign-in screen, and logs in."""
    provider.sign_in_as(**person)  # type: ignore[arg-type]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(app.url)
    settle(tab)
    from playwright.sync_api import expect

    expect(tab.get_by_text("Sign in to see the sales desk.")).to_be_visible()
    expect(tab.locator("[data-testid='stDataFrame'], [data-testid='stMetric']")).to_have_count(0)
    if shot:
        screenshot(tab, shot)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(f"{app.url}/**", timeout=30_000)
    settle(tab)
    return tab


def bound_identity(app: RunningApp, user_id: int) -> tuple[str | None, str | None]:
    store = make_store(DatabaseTarget(make_url(f"sqlite:///{app.database}"), "test"))
    try:
        with store.read() as session:
            row = session.execute(select(User.oidc_issuer, User.oidc_subject).where(User.id == user_id)).one()
            return row[0], row[1]
    finally:
        store.dispose()


def test_a_verified_admin_signs_in_as_admin(browser: object, app: RunningApp, provider: OidcProvider) -> None:
    from playwright.sync_api import expect

    tab = sign_in(
        browser, app, provider, "oidc-sign-in-screen", sub="elena-1", email=ADMIN_EMAIL, email_verified=True
    )

    sidebar = tab.locator("[data-testid='stSidebar']")  # type: ignore[attr-defined]
    expect(sidebar.get_by_text("Signed in as")).to_contain_text("Elena Petrova · admin")
    expect(tab.get_by_role("heading", name="Overview")).to_be_visible()  # type: ignore[attr-defined]
    screenshot(tab, "oidc-signed-in-admin")
    assert bound_identity(app, ADMIN_ID) == (provider.issuer, "elena-1")
    assert provider.issued[-1]["email_verified"] is True
    tab.context.close()  # type: ignore[attr-defined]


def test_an_unverified_email_gets_no_access(browser: object, app: RunningApp, provider: OidcProvider) -> None:
    from playwright.sync_api import expect

    tab = sign_in(browser, app, provider, sub="not-maria", email=MANAGER_EMAIL, email_verified=False)

    expect(tab.get_by_text(f"The provider has not verified {MANAGER_EMAIL}")).to_be_visible()  # type: ignore[attr-defined]
    expect(tab.get_by_role("heading", name="No access")).to_be_visible()  # type: ignore[attr-defined]
    expect(tab.get_by_text("Signed in as")).to_have_count(0)  # type: ignore[attr-defined]
    expect(tab.locator("[data-testid='stDataFrame'], [data-testid='stMetric']")).to_have_count(0)  # type: ignore[attr-defined]
    screenshot(tab, "oidc-unverified-email")
    assert bound_identity(app, 1) == (None, None)
    tab.context.close()  # type: ignore[attr-defined]


def test_the_admins_email_from_another_subject_is_refused(
    browser: object, app: RunningApp, provider: OidcProvider
) -> None:
    from playwright.sync_api import expect

    first = sign_in(browser, app, provider, sub="elena-1", email=ADMIN_EMAIL, email_verified=True)
    expect(first.get_by_text("Signed in as")).to_be_visible()  # type: ignore[attr-defined]
    first.context.close()  # type: ignore[attr-defined]

    tab = sign_in(browser, app, provider, sub="impostor-7", email=ADMIN_EMAIL, email_verified=True)

    expect(tab.get_by_text(f"{ADMIN_EMAIL} is already linked to another sign-in account")).to_be_visible()  # type: ignore[attr-defined]
    expect(tab.get_by_text("Signed in as")).to_have_count(0)  # type: ignore[attr-defined]
    assert bound_identity(app, ADMIN_ID) == (provider.issuer, "elena-1")
    tab.context.close()  # type: ignore[attr-defined]


def test_an_issuer_not_configured_is_refused(
    browser: object, provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect

    strict = oidc_app(tmp_path_factory.mktemp("oidc-strict"), provider, "https://login.scalewise.example")
    try:
        tab = sign_in(browser, strict, provider, sub="elena-1", email=ADMIN_EMAIL, email_verified=True)

        # plain() puts an invisible word joiner after "http" so the address never becomes a link
        shown_issuer = provider.issuer.replace("://", "\u2060://", 1)
        refusal = f"Sign-ins from {shown_issuer} are not accepted here."
        expect(tab.get_by_text(refusal)).to_be_visible()  # type: ignore[attr-defined]
        expect(tab.get_by_text("Signed in as")).to_have_count(0)  # type: ignore[attr-defined]
        screenshot(tab, "oidc-issuer-refused")
        assert bound_identity(strict, ADMIN_ID) == (None, None)
        tab.context.close()  # type: ignore[attr-defined]
    finally:
        stop(strict)
