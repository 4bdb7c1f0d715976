"""Use cases. Each takes the store and the acting user, checks permissions itself, runs in
one unit of work, writes an event and returns plain values.

The package is split by area (users, opportunities, orders, scoring, data) so each
file stays small; import from here.
"""

from crm_core.services.data import reset_sample_data, table_counts
from crm_core.services.scoring import (
    ActiveWeights,
    Preset,
    active_weights,
    list_presets,
    publish_preset,
    save_preset,
)
from crm_core.services.users import actor_for_email, get_actor, list_users

__all__ = [
    "ActiveWeights",
    "Preset",
    "active_weights",
    "actor_for_email",
    "get_actor",
    "list_presets",
    "list_users",
    "publish_preset",
    "reset_sample_data",
    "save_preset",
    "table_counts",
]
