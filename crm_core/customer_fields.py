"""A customer's editable fields: their names as people read them, their rules, and how a change is
described in the audit trail ("credit limit: $50,000.00 → $80,000.00").

`validate_changes` takes what a form sent (field → raw value, only the fields it shows) and returns
clean values in the store's units (cents for money), or raises `ValidationError` naming the field
(`InvalidFields` when several are wrong).
The credit limit and the blocked flag are money and risk: only someone with
`Permission.MANAGE_CREDIT` (managers) may change them — the service checks that, not the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crm_core import validation
from crm_core.errors import ValidationError
from crm_core.money import format_money

MAX_ADDRESS = 500
MAX_EMPLOYEES = 10_000_000


@dataclass(frozen=True)
class CustomerField:
    name: str  # the column
    label: str  # what a person calls it
    credit: bool = False  # managers only


FIELDS: tuple[CustomerField, ...] = (
    CustomerField("name", "name"),
    CustomerField("industry", "industry"),
    CustomerField("employees", "company size"),
    CustomerField("region", "region"),
    CustomerField("contact_name", "contact name"),
    CustomerField("contact_email", "contact email"),
    CustomerField("contact_phone", "contact phone"),
    CustomerField("billing_address", "billing address"),
    CustomerField("shipping_address", "shipping address"),
    CustomerField("tax_id", "tax id"),
    CustomerField("credit_limit_cents", "credit limit", credit=True),
    CustomerField("blocked", "blocked", credit=True),
)
BY_NAME: dict[str, CustomerField] = {f.name: f for f in FIELDS}
CREDIT_FIELDS: frozenset[str] = frozenset(f.name for f in FIELDS if f.credit)


def _clean(field: CustomerField, value: Any) -> Any:
    label = field.label
    match field.name:
        case "name":
            return validation.text(label, value)
        case "industry" | "region" | "contact_name":
            return validation.text(
                label, value, required=False, max_length=100 if field.name != "contact_name" else 200
            )
        case "employees":
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            return validation.integer(label, value, minimum=0, maximum=MAX_EMPLOYEES)
        case "contact_email":
            return validation.email(label, value, required=False)
        case "contact_phone":
            return validation.phone(label, value)
        case "billing_address" | "shipping_address":
            return validation.text(label, value, required=False, max_length=MAX_ADDRESS, multiline=True)
        case "tax_id":
            return validation.text(label, value, required=False, max_length=50)
        case "credit_limit_cents":
            return validation.money(label, value)
        case "blocked":
            if not isinstance(value, bool):
                raise ValidationError(label, "must be yes or no")
            return value
    raise ValidationError(field.name, "is not a customer field that can be edited")


def validate_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values for the fields given (credit limit in currency units → cents). Every bad field
    is reported at once (`InvalidFields`), each under its label, so a form can place each message."""
    cleaned: dict[str, Any] = {}
    fields = validation.Fields()
    for name, value in changes.items():
        field = BY_NAME.get(name)
        if field is None:
            raise ValidationError(str(name)[:40], "is not a customer field that can be edited")
        cleaned[name] = fields.run(lambda field=field, value=value: _clean(field, value))
    fields.done()
    return cleaned


def shown(name: str, value: Any) -> str:
    """A stored value as a person reads it in the history."""
    if value is None or value == "":
        return "—"
    if name == "credit_limit_cents":
        return format_money(int(value))
    if name == "blocked":
        return "yes" if value else "no"
    if isinstance(value, str):
        return " / ".join(value.splitlines())
    return f"{value:,}" if isinstance(value, int) else str(value)


def describe_change(name: str, before: Any, after: Any) -> str:
    return f"{BY_NAME[name].label}: {shown(name, before)} → {shown(name, after)}"
