"""What an admin sets for the whole desk: the credit limit new customers start with, and the seller
that every invoice names (name, address, tax id).

Credit policy for new customers (decided here; the README says the same):
- A customer created in the app (at opportunity capture) starts with `default_credit_limit`, which
  an admin sets on the Customers page. The default is **$50,000**: in the sample history the median
  order is about $17,500 and $50,000 covers 86 % of all orders, so a typical first order passes the
  audit's credit check without a call to a manager, while a large first order still gets a second
  look. (The smallest limit an existing sample customer has is $35,000.)
- When the credit check still fails, a manager resolves it on the order itself, either by raising
  the customer's limit to cover open unpaid invoices + this order, or by requiring prepayment: a
  prepayment order is paid before it ships anyway (nothing ships unpaid), so the credit check does
  not apply to it. Both write an event (the limit on the customer, before → after; the flag on the
  order). A rep sees the finding and that a manager can resolve it.

Values are stored as text in the `settings` table; a missing row means the default below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crm_core import validation
from crm_core.money import format_money

DEFAULT_CREDIT_LIMIT_CENTS = 5_000_000  # $50,000 (see the module docstring for why)
MAX_ADDRESS = 500


@dataclass(frozen=True)
class DeskSettings:
    default_credit_limit_cents: int = DEFAULT_CREDIT_LIMIT_CENTS
    seller_name: str = "Scalewise Inc."
    seller_address: str = "100 Market Street, Suite 400\nSan Francisco, CA 94105\nUnited States"
    seller_tax_id: str = "EIN 12-3456789"
    seller_email: str = "billing@scalewise.example"

    def describe(self) -> dict[str, str]:
        """Each setting as a person reads it (for events and the settings section)."""
        return {
            "default credit limit": format_money(self.default_credit_limit_cents),
            "seller name": self.seller_name,
            "seller address": " / ".join(self.seller_address.splitlines()),
            "seller tax id": self.seller_tax_id,
            "seller email": self.seller_email,
        }


FIELDS: tuple[str, ...] = (
    "default_credit_limit_cents",
    "seller_name",
    "seller_address",
    "seller_tax_id",
    "seller_email",
)


def from_rows(rows: Mapping[str, str]) -> DeskSettings:
    """Settings from stored text values; a missing or unreadable value falls back to its default."""
    defaults = DeskSettings()
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in rows:
            continue
        raw = rows[name]
        if name == "default_credit_limit_cents":
            try:
                values[name] = max(int(raw), 0)
            except ValueError:
                values[name] = defaults.default_credit_limit_cents
        else:
            values[name] = raw
    return DeskSettings(**values)


def validate(
    *,
    default_credit_limit: Any,
    seller_name: Any,
    seller_address: Any,
    seller_tax_id: Any,
    seller_email: Any,
) -> DeskSettings:
    """Check what an admin typed; the credit limit is in currency units. Raises naming the field
    (`InvalidFields` naming each one when several are wrong)."""
    fields = validation.Fields()
    limit = fields.check("default credit limit", validation.money, default_credit_limit)
    name = fields.check("seller name", validation.text, seller_name)
    tax_id = fields.check("seller tax id", validation.text, seller_tax_id, max_length=50)
    email = fields.check("seller email", validation.email, seller_email)
    address = fields.check(
        "seller address", validation.text, seller_address, max_length=MAX_ADDRESS, multiline=True
    )
    fields.done()
    assert name is not None and address is not None and tax_id is not None and email is not None
    return DeskSettings(
        default_credit_limit_cents=limit,
        seller_name=name,
        seller_address=address,
        seller_tax_id=tax_id,
        seller_email=email,
    )


def to_rows(settings: DeskSettings) -> dict[str, str]:
    return {name: str(getattr(settings, name)) for name in FIELDS}
