"""Use cases. Each takes the store and the acting user, checks permissions itself, runs in
one unit of work, writes an event and returns plain values.

The package is split by area (users, opportunities, orders, scoring, data) so each
file stays small; import from here.
"""

from crm_core.services.data import reset_sample_data, table_counts
from crm_core.services.imports import export_frame, export_table, import_file, import_table, mapping_for
from crm_core.services.opportunities import (
    capture_opportunity,
    convert_to_order,
    enrich_opportunity,
    mark_lost,
    mark_won,
    may_work_on,
    qualify_opportunity,
    schedule_meeting,
)
from crm_core.services.opportunity_reads import opportunity_detail, opportunity_history
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
    "capture_opportunity",
    "convert_to_order",
    "enrich_opportunity",
    "export_frame",
    "export_table",
    "get_actor",
    "import_file",
    "import_table",
    "list_presets",
    "list_users",
    "mapping_for",
    "mark_lost",
    "mark_won",
    "may_work_on",
    "opportunity_detail",
    "opportunity_history",
    "publish_preset",
    "qualify_opportunity",
    "reset_sample_data",
    "save_preset",
    "schedule_meeting",
    "table_counts",
]
