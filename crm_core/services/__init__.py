"""Use cases. Each takes the store and the acting user, checks permissions itself, runs in
one unit of work, writes an event and returns plain values.

The package is split by area (users, opportunities, orders, scoring, data) so each
file stays small; import from here.
"""

from crm_core.services.data import reset_sample_data, table_counts
from crm_core.services.imports import export_frame, export_table, import_file, import_table, mapping_for
from crm_core.services.users import actor_for_email, get_actor, list_users

__all__ = [
    "actor_for_email",
    "export_frame",
    "export_table",
    "get_actor",
    "import_file",
    "import_table",
    "list_users",
    "mapping_for",
    "reset_sample_data",
    "table_counts",
]
