"""Who may come in, as pure decisions: the OIDC sign-in and the demo-mode guard."""

from __future__ import annotations

import re

import pytest

from crm_core.access import (
    OidcIdentity,
    SignInDecision,
    UserRecord,
    allowed_issuers,
    decide_sign_in,
    demo_refusal,
    is_loopback,
    oidc_setup_problem,
)
from crm_core.errors import SignInRefused

ISSUER = "https://id.example"
ISSUERS = frozenset({ISSUER})
ADMIN = UserRecord(11, "Elena Petrova", "elena@scalewise.example", active=True)
BOUND_ADMIN = UserRecord(11, "Elena Petrova", "elena@scalewise.example", True, ISSUER, "elena-1")


def identity(
    *, email: str = "elena@scalewise.example", verified: bool = True, iss: str = ISSUER
) -> OidcIdentity:
    return OidcIdentity(iss, "elena-1", email, verified)


# --- OIDC -------------------------------------------------------------------------------------------


def test_a_verified_email_of_an_unbound_user_signs_in_and_binds() -> None:
    assert decide_sign_in(identity(), ISSUERS, bound=None, by_email=ADMIN) == SignInDecision(11, bind=True)


def test_a_bound_identity_signs_in_without_binding_again() -> None:
    decision = decide_sign_in(identity(), ISSUERS, bound=BOUND_ADMIN, by_email=BOUND_ADMIN)
    assert decision == SignInDecision(11, bind=False)


def test_an_unverified_email_is_refused() -> None:
    with pytest.raises(SignInRefused, match=re.escape("has not verified elena@scalewise.example")):
        decide_sign_in(identity(verified=False), ISSUERS, bound=None, by_email=ADMIN)


def test_an_issuer_not_configured_is_refused_even_for_a_bound_user() -> None:
    with pytest.raises(SignInRefused, match=re.escape("Sign-ins from https://evil.example are not accepted")):
        decide_sign_in(identity(iss="https://evil.example"), ISSUERS, bound=BOUND_ADMIN, by_email=None)


def test_an_email_bound_to_another_subject_is_refused() -> None:
    with pytest.raises(SignInRefused, match="already linked to another sign-in account"):
        decide_sign_in(identity(), ISSUERS, bound=None, by_email=BOUND_ADMIN)


def test_an_email_that_is_no_user_is_refused() -> None:
    with pytest.raises(SignInRefused, match=re.escape("stranger@x.example is not a Scalewise user")):
        decide_sign_in(identity(email="stranger@x.example"), ISSUERS, bound=None, by_email=None)


def test_a_deactivated_user_is_refused_bound_or_not() -> None:
    inactive = UserRecord(11, "Elena Petrova", "elena@scalewise.example", active=False)
    with pytest.raises(SignInRefused, match="Elena Petrova has been deactivated"):
        decide_sign_in(identity(), ISSUERS, bound=None, by_email=inactive)
    with pytest.raises(SignInRefused, match="Elena Petrova has been deactivated"):
        decide_sign_in(
            identity(), ISSUERS, bound=UserRecord(11, "Elena Petrova", "e", False, ISSUER, "x"), by_email=None
        )


@pytest.mark.parametrize(
    ("claim", "verified"),
    [(True, True), ("true", True), (False, False), ("false", False), (None, False), (1, False)],
)
def test_only_true_or_the_string_true_counts_as_verified(claim: object, verified: bool) -> None:
    claims = {"iss": ISSUER, "sub": "s", "email": "a@b.example", "email_verified": claim}
    assert OidcIdentity.from_claims(claims).email_verified is verified


def test_claims_without_issuer_or_subject_are_refused() -> None:
    with pytest.raises(SignInRefused, match="no issuer or subject"):
        OidcIdentity.from_claims({"iss": ISSUER, "email": "a@b.example", "email_verified": True})


def test_issuers_are_read_from_a_comma_or_space_separated_setting_or_a_list() -> None:
    assert allowed_issuers(" https://a.example, https://b.example  https://c.example ") == {
        "https://a.example",
        "https://b.example",
        "https://c.example",
    }
    assert allowed_issuers(["https://a.example"]) == {"https://a.example"}
    assert allowed_issuers(None) == frozenset() and allowed_issuers("") == frozenset()


def test_a_lone_number_as_the_issuers_setting_names_no_real_issuer_and_does_not_crash() -> None:
    assert allowed_issuers(5) == {"5"}  # `CRM_OIDC_ISSUERS = 5` in the secrets: nobody can sign in


def test_the_oidc_setup_problem_names_what_is_missing() -> None:
    full = dict.fromkeys(
        ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"), "x"
    )
    assert "no [auth] section" in str(oidc_setup_problem(None, ISSUERS))
    assert "lacks client_id, server_metadata_url" in str(
        oidc_setup_problem({**full, "client_id": "", "server_metadata_url": " "}, ISSUERS)
    )
    assert "CRM_OIDC_ISSUERS is not set" in str(oidc_setup_problem(full, frozenset()))
    assert oidc_setup_problem(full, ISSUERS) is None


# --- demo mode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        (None, False),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_demo_on_the_embedded_file_runs_whatever_the_address() -> None:
    assert demo_refusal(embedded_database=True, server_address=None, allow_flag=None) is None
    assert demo_refusal(embedded_database=True, server_address="0.0.0.0", allow_flag=None) is None


def test_demo_on_a_configured_database_runs_on_loopback() -> None:
    assert demo_refusal(embedded_database=False, server_address="127.0.0.1", allow_flag=None) is None


def test_demo_on_a_configured_database_reachable_from_elsewhere_is_refused() -> None:
    unset = demo_refusal(embedded_database=False, server_address=None, allow_flag="0")
    assert unset is not None and "listening on every network interface" in unset
    assert "CRM_DEMO_ALLOW_PERSISTENT=1" in unset
    assert "listening on 0.0.0.0" in str(
        demo_refusal(embedded_database=False, server_address="0.0.0.0", allow_flag="")
    )


def test_the_operator_flag_allows_demo_on_a_configured_database_anywhere() -> None:
    assert demo_refusal(embedded_database=False, server_address="0.0.0.0", allow_flag="1") is None
    assert demo_refusal(embedded_database=False, server_address=None, allow_flag="true") is None
