"""Data administration: what is stored, and resetting to the sample data."""

from __future__ import annotations

from crm_core.permissions import Actor, Permission, require
from crm_core.store import Store, reset_to_sample
from crm_core.store.seed import has_business_data
from crm_core.store.tables import row_counts


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table, in foreign-key order."""
    with store.read() as session:
        return row_counts(session)


def moving_in(store: Store) -> bool:
    """Users but no customers, products, opportunities or orders yet: a database started with
    `init` (or emptied) that is waiting for its first imports."""
    return not has_business_data(store)


def reset_sample_data(store: Store, actor: Actor | None) -> dict[str, int]:
    """Replace every row but the users with the sample data (admin only; one transaction).

    The users table stays as it is: nobody is reactivated, re-roled or removed by a reset; the
    sample's owners map onto the current users by email, or are added as inactive reps."""
    actor = require(actor, Permission.RESET_DATA)
    return reset_to_sample(store, actor=actor)
