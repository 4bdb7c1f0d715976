"""Who may come in: the sign-in decision for OIDC mode and the guard that keeps demo mode off
persistent data that the internet can reach. Pure functions over plain values (no Streamlit, no
database); `crm_core.services.sign_in` runs the OIDC decision against the users table.

OIDC mode (`CRM_AUTH=oidc`) signs a visitor in as a user only when
- the ID token's issuer (`iss`) is one of the issuers the operator allows (`CRM_OIDC_ISSUERS`), and
- the user is already bound to that issuer and subject (`sub`), or, on the first sign-in, the
  provider vouches for the email (`email_verified` is true) and the email belongs to an active user
  not yet bound to another identity: that sign-in binds the user to the issuer and subject;
- and the user is active.
Anything else is refused with a reason a person can read, and the visitor sees nothing of the data.

Demo mode (`CRM_AUTH=demo`, no password, anyone picks any user, admins included) runs on the
embedded SQLite file, or on a server bound to loopback; anywhere else it refuses to start unless the
operator sets `CRM_DEMO_ALLOW_PERSISTENT=1`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from crm_core.errors import SignInRefused

ISSUERS_SETTING = "CRM_OIDC_ISSUERS"
DEMO_FLAG = "CRM_DEMO_ALLOW_PERSISTENT"
# What Streamlit's st.login() needs in the secrets' [auth] section for its default provider.
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
_TRUE = {"1", "true", "yes", "on"}


# --- settings --------------------------------------------------------------------------------------


def allowed_issuers(raw: object) -> frozenset[str]:
    """The issuers named by `CRM_OIDC_ISSUERS`: a comma- or space-separated string, or a list.

    Issuers are compared exactly, as OpenID Connect asks (`https://accounts.google.com`)."""
    if raw is None:
        return frozenset()
    if isinstance(raw, str):
        parts = re.split(r"[,\s]+", raw)
    elif isinstance(raw, Iterable):
        parts = [str(p) for p in raw]
    else:  # a lone number or the like in the secrets: one name, which no issuer has
        parts = [str(raw)]
    return frozenset(p.strip() for p in parts if p and p.strip())


def oidc_setup_problem(auth_section: Mapping[str, object] | None, issuers: Collection[str]) -> str | None:
    """What is missing for OIDC sign-in, naming the setting; None when sign-in can be offered."""
    if not auth_section:
        return (
            "CRM_AUTH is 'oidc' but the secrets have no [auth] section. Add one to .streamlit/secrets.toml "
            f"(or the app's Secrets on Streamlit Community Cloud) with {', '.join(AUTH_KEYS)}."
        )
    missing = [key for key in AUTH_KEYS if not str(auth_section.get(key) or "").strip()]
    if missing:
        return (
            f"The secrets' [auth] section lacks {', '.join(missing)}; "
            f"OIDC sign-in needs {', '.join(AUTH_KEYS)}."
        )
    if not issuers:
        return (
            f"{ISSUERS_SETTING} is not set: name the OIDC issuers whose sign-ins are accepted "
            "(for example 'https://accounts.google.com'), in the environment or at the top of the secrets."
        )
    return None


def flag_is_set(raw: object) -> bool:
    return str(raw or "").strip().lower() in _TRUE


# --- OIDC sign-in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OidcIdentity:
    """The claims of an ID token that decide who signs in."""

    issuer: str
    subject: str
    email: str
    email_verified: bool

    @classmethod
    def from_claims(cls, claims: Mapping[str, object]) -> OidcIdentity:
        issuer, subject = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
        if not issuer or not subject:
            raise SignInRefused("The sign-in did not say who you are: the ID token has no issuer or subject.")
        verified = claims.get("email_verified")
        # Some providers send the claim as the string "true"; anything else is not a verification.
        is_verified = verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")
        return cls(issuer, subject, str(claims.get("email") or "").strip(), is_verified)


@dataclass(frozen=True)
class UserRecord:
    """A users row as the sign-in decision sees it."""

    id: int
    name: str
    email: str
    active: bool
    oidc_issuer: str | None = None
    oidc_subject: str | None = None

    @property
    def is_bound(self) -> bool:
        return bool(self.oidc_issuer or self.oidc_subject)


@dataclass(frozen=True)
class SignInDecision:
    user_id: int
    bind: bool  # the first sign-in: bind the user to this issuer and subject


def decide_sign_in(
    identity: OidcIdentity,
    issuers: Collection[str],
    *,
    bound: UserRecord | None,
    by_email: UserRecord | None,
) -> SignInDecision:
    """Who this identity signs in as, or SignInRefused saying why not.

    `bound` is the user already bound to the identity's issuer and subject; `by_email` the user
    whose email (ignoring case) is the identity's email."""
    if identity.issuer not in issuers:
        raise SignInRefused(f"Sign-ins from {identity.issuer} are not accepted here.")
    if bound is not None:
        if not bound.active:
            raise SignInRefused(f"{bound.name} has been deactivated; ask an admin.")
        return SignInDecision(bound.id, bind=False)
    if not identity.email:
        raise SignInRefused("The provider did not share an email address, so no user can be matched.")
    if not identity.email_verified:
        raise SignInRefused(
            f"The provider has not verified {identity.email}; verify the address with it and sign in again."
        )
    if by_email is None:
        raise SignInRefused(f"{identity.email} is not a Scalewise user; ask an admin to add you.")
    if by_email.is_bound:
        raise SignInRefused(
            f"{identity.email} is already linked to another sign-in account; "
            "sign in with that account, or ask an admin."
        )
    if not by_email.active:
        raise SignInRefused(f"{by_email.name} has been deactivated; ask an admin.")
    return SignInDecision(by_email.id, bind=True)


# --- demo mode -------------------------------------------------------------------------------------


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to `address` (Streamlit's server.address) is reachable only from this
    machine. Unset means every interface."""
    host = (address or "").strip().strip("[]")
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve to anything
        return False


def demo_refusal(*, embedded_database: bool, server_address: str | None, allow_flag: object) -> str | None:
    """Why demo mode may not run here (None when it may).

    Demo mode gives every visitor any user, admins included. That is the point on the embedded
    SQLite file (the sample, and on Streamlit Community Cloud ephemeral), and harmless on a server
    only this machine can reach; on a configured database reachable from elsewhere it would hand
    persistent data to anyone, so it needs the operator's explicit `CRM_DEMO_ALLOW_PERSISTENT=1`."""
    if embedded_database or is_loopback(server_address) or flag_is_set(allow_flag):
        return None
    where = f"on {server_address}" if (server_address or "").strip() else "on every network interface"
    return (
        "Demo mode lets anyone act as any user, admins included, and this app keeps its data in a "
        f"configured database while listening {where}. Use CRM_AUTH=oidc, bind the server to "
        f"127.0.0.1 (server.address), or set {DEMO_FLAG}=1 if the data and the network are yours to expose."
    )
