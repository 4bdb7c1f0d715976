"""Finding the customer a new opportunity belongs to, so capture never re-types one
(docs/architecture.md §1.1).

A customer matches when its company name is the same (case-insensitive, ignoring surrounding and
repeated spaces) or when one of its contacts' email addresses has the same domain as the new
contact's — except free-mail domains (gmail.com and the like), which say nothing about the company.
Only the exact domain counts: sales.acme.com and acme.com are different. Pure: the service reads the
candidates, this module decides and explains.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from crm_core.errors import DomainError

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
    }
)


def company_key(name: str | None) -> str:
    """The form of a company name that matching compares: trimmed, single-spaced, case-folded."""
    return " ".join((name or "").split()).casefold()


def company_domain(email: str | None) -> str | None:
    """The email's domain if it identifies a company (None for free mail or no domain)."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return None if not domain or domain in FREE_MAIL_DOMAINS else domain


@dataclass(frozen=True)
class CustomerCandidate:
    """A customer the store thinks might match, with every contact email it knows for it."""

    id: int
    name: str
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomerMatch:
    id: int
    name: str
    reason: str  # "same company name", "same email domain (acme.com)" or both


def match_customers(
    company: str | None, email: str | None, candidates: Iterable[CustomerCandidate]
) -> list[CustomerMatch]:
    """The candidates that really match, best first (name and domain, then name, then domain)."""
    key, domain = company_key(company), company_domain(email)
    found: list[tuple[int, CustomerMatch]] = []
    for candidate in candidates:
        same_name = bool(key) and company_key(candidate.name) == key
        same_domain = domain is not None and any(company_domain(e) == domain for e in candidate.emails)
        reasons = (["same company name"] if same_name else []) + (
            [f"same email domain ({domain})"] if same_domain else []
        )
        if reasons:
            rank = 0 if same_name and same_domain else 1 if same_name else 2
            found.append((rank, CustomerMatch(candidate.id, candidate.name, " and ".join(reasons))))
    return [match for _, match in sorted(found, key=lambda pair: (pair[0], pair[1].id))]


def describe_matches(matches: Sequence[CustomerMatch]) -> str:
    return "; ".join(f"{m.name} (#{m.id}, {m.reason})" for m in matches)


class PossibleDuplicateCustomer(DomainError):
    """Capture found customers like the one typed; the person chooses one or creates a new one anyway."""

    def __init__(self, matches: Sequence[CustomerMatch]) -> None:
        self.matches = tuple(matches)
        super().__init__(
            f"A customer like this already exists: {describe_matches(self.matches)}. "
            "Use it, or choose to create a new customer anyway."
        )


BLOCKED_CHOICES: tuple[str, ...] = ("all", "blocked", "not blocked")


def customer_filter(
    search: str = "",
    *,
    industries: Sequence[str] = (),
    regions: Sequence[str] = (),
    blocked: str = "all",
) -> pl.Expr:
    """The Customers list's filters as one Polars expression over the list frame: `search` is part
    of the name, contact name, email or tax id (case-insensitive); empty choices mean all."""
    needle = search.strip().lower()
    found = (
        pl.any_horizontal(
            pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
            for c in ("name", "contact_name", "contact_email", "tax_id")
        )
        if needle
        else pl.lit(True)
    )
    by_industry = pl.col("industry").is_in(list(industries)) if industries else pl.lit(True)
    by_region = pl.col("region").is_in(list(regions)) if regions else pl.lit(True)
    by_blocked = {
        "all": pl.lit(True),
        "blocked": pl.col("blocked"),
        "not blocked": ~pl.col("blocked"),
    }[blocked]
    return found & by_industry & by_region & by_blocked
