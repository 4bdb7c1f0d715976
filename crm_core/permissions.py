"""Who may do what (docs/architecture.md §5). Services call `require(actor, Permission.X)` themselves;
a hidden button in the UI is a convenience, never the check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crm_core.errors import PermissionDenied


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class Permission(StrEnum):
    # opportunities
    CAPTURE_OPPORTUNITY = "capture an opportunity"
    WORK_OWN_OPPORTUNITY = "work on your own opportunities"
    WORK_ANY_OPPORTUNITY = "work on other people's opportunities"
    CONVERT_OPPORTUNITY = "create an order from an opportunity"
    REASSIGN_OPPORTUNITY = "reassign opportunities to another owner"
    CORRECT_CLOSED_OPPORTUNITY = "correct a won or lost opportunity"
    # orders
    ENTER_ORDER = "enter an order"
    ADVANCE_ORDER = "move an order along (audit, allocate, invoice, ship, deliver)"
    HOLD_ORDER = "put an order on hold or resume it"
    APPROVE_WARNINGS = "approve audit warnings"
    RECORD_PAYMENT = "record a payment"
    CANCEL_ORDER = "cancel an order"
    # customers
    EDIT_CUSTOMER = "edit a customer's details"
    MANAGE_CREDIT = "change a customer's credit limit or blocked flag, or require prepayment"
    MERGE_CUSTOMERS = "merge duplicate customers"
    # scoring
    EXPLORE_WEIGHTS = "explore scoring weights"
    SAVE_PRESET = "save a weight preset"
    PUBLISH_WEIGHTS = "publish the team's active weights"
    DERIVE_SCORES = "derive missing factor scores from history"
    # data and users
    EXPORT_DATA = "export data"
    IMPORT_DATA = "import data"
    RESET_DATA = "reset to sample data"
    MANAGE_USERS = "manage users"
    MANAGE_SETTINGS = "change the desk's settings (default credit limit, seller details)"


_REP = frozenset(
    {
        Permission.CAPTURE_OPPORTUNITY,
        Permission.WORK_OWN_OPPORTUNITY,
        Permission.CONVERT_OPPORTUNITY,
        Permission.ENTER_ORDER,
        Permission.ADVANCE_ORDER,
        Permission.HOLD_ORDER,
        Permission.EDIT_CUSTOMER,
        Permission.EXPLORE_WEIGHTS,
        Permission.SAVE_PRESET,
        Permission.EXPORT_DATA,
    }
)
_MANAGER = _REP | {
    Permission.WORK_ANY_OPPORTUNITY,
    Permission.REASSIGN_OPPORTUNITY,
    Permission.CORRECT_CLOSED_OPPORTUNITY,
    Permission.APPROVE_WARNINGS,
    Permission.RECORD_PAYMENT,
    Permission.CANCEL_ORDER,
    Permission.PUBLISH_WEIGHTS,
    Permission.DERIVE_SCORES,
    Permission.MANAGE_CREDIT,
    Permission.MERGE_CUSTOMERS,
}
_ADMIN = _MANAGER | {
    Permission.IMPORT_DATA,
    Permission.RESET_DATA,
    Permission.MANAGE_USERS,
    Permission.MANAGE_SETTINGS,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.REP: _REP,
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_ADMIN),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user a service acts for. Comes from the session, never from a form field."""

    id: int
    name: str
    email: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def require(actor: Actor | None, permission: Permission) -> Actor:
    """Return the actor if allowed, else raise PermissionDenied with a readable message."""
    if actor is None:
        raise PermissionDenied(f"Sign in to {permission.value}.")
    if not actor.can(permission):
        raise PermissionDenied(f"{actor.name} ({actor.role.value}) may not {permission.value}.")
    return actor
