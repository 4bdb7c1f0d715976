"""Capture finds the customer a new contact belongs to instead of creating a duplicate."""

from __future__ import annotations

import pytest

from crm_core.customers import (
    CustomerCandidate,
    PossibleDuplicateCustomer,
    company_domain,
    company_key,
    match_customers,
)

ACME = CustomerCandidate(1, "Acme Tools Inc.", ("buyer@acme-tools.example",))
GLOBEX = CustomerCandidate(2, "Globex", ("hank@globex.example", "ceo@gmail.com"))
ACME_DUP = CustomerCandidate(3, "acme tools inc.", ())
CANDIDATES = [ACME, GLOBEX, ACME_DUP]


def test_company_names_compare_trimmed_single_spaced_and_case_insensitive() -> None:
    assert company_key("  ACME   Tools  Inc. ") == company_key("acme tools inc.")


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("Ada@Acme-Tools.example", "acme-tools.example"),
        ("someone@gmail.com", None),
        ("someone@GMAIL.COM", None),
        ("someone@outlook.com", None),
        ("no-at-sign", None),
        (None, None),
    ],
)
def test_free_mail_domains_say_nothing_about_the_company(email: str | None, domain: str | None) -> None:
    assert company_domain(email) == domain


def test_the_same_company_name_matches_whatever_the_email() -> None:
    matches = match_customers(" acme TOOLS inc.", "ada@gmail.com", CANDIDATES)
    assert [(m.id, m.reason) for m in matches] == [(1, "same company name"), (3, "same company name")]


def test_the_same_email_domain_matches_under_another_name() -> None:
    matches = match_customers("Acme Holdings", "new.buyer@acme-tools.example", CANDIDATES)
    assert [(m.id, m.reason) for m in matches] == [(1, "same email domain (acme-tools.example)")]


def test_name_and_domain_together_rank_first() -> None:
    matches = match_customers("acme tools inc.", "x@acme-tools.example", CANDIDATES)
    assert matches[0].id == 1
    assert matches[0].reason == "same company name and same email domain (acme-tools.example)"


def test_a_shared_free_mail_domain_is_no_match() -> None:
    assert match_customers("Initech", "peter@gmail.com", CANDIDATES) == []


def test_a_subdomain_is_another_domain() -> None:
    assert match_customers("Initech", "peter@sales.globex.example", CANDIDATES) == []


def test_the_duplicate_warning_names_each_match_and_why() -> None:
    error = PossibleDuplicateCustomer(match_customers("Globex", "x@y.example", CANDIDATES))
    assert "Globex (#2, same company name)" in str(error)
    assert "create a new customer anyway" in str(error)
