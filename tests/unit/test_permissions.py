from __future__ import annotations

import pytest

from crm_core.errors import PermissionDenied
from crm_core.permissions import Actor, Permission, Role, require

REP = Actor(2, "Rita Rep", "rita@example.com", Role.REP)
MANAGER = Actor(1, "Max Manager", "max@example.com", Role.MANAGER)
ADMIN = Actor(3, "Ada Admin", "ada@example.com", Role.ADMIN)


def test_every_role_includes_what_the_role_below_may_do() -> None:
    for permission in Permission:
        if REP.can(permission):
            assert MANAGER.can(permission), permission
        if MANAGER.can(permission):
            assert ADMIN.can(permission), permission


@pytest.mark.parametrize(
    ("actor", "permission", "allowed"),
    [
        (REP, Permission.CAPTURE_OPPORTUNITY, True),
        (REP, Permission.RECORD_PAYMENT, False),
        (REP, Permission.PUBLISH_WEIGHTS, False),
        (MANAGER, Permission.CANCEL_ORDER, True),
        (MANAGER, Permission.RESET_DATA, False),
        (ADMIN, Permission.IMPORT_DATA, True),
    ],
)
def test_require_allows_or_refuses_by_role(actor: Actor, permission: Permission, allowed: bool) -> None:
    if allowed:
        assert require(actor, permission) is actor
    else:
        with pytest.raises(PermissionDenied, match=actor.name):
            require(actor, permission)


def test_nobody_signed_in_may_change_anything() -> None:
    with pytest.raises(PermissionDenied, match="Sign in"):
        require(None, Permission.ENTER_ORDER)
