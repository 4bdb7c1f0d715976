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
from crm_core.services.opportunity_edits import (
    edit_opportunity,
    editable_by,
    may_reassign,
    reassign_opportunities,
)
from crm_core.services.opportunity_reads import opportunity_detail, opportunity_history
from crm_core.services.order_actions import (
    ACTION_PERMISSION,
    ActionResult,
    AuditFailed,
    WarningsNeedApproval,
    allocate_order,
    allowed_actions,
    audit_order,
    cancel_order,
    deliver_order,
    hold_order,
    invoice_order,
    record_payment,
    resume_order,
    ship_order,
)
from crm_core.services.order_dispatch import perform
from crm_core.services.order_views import (
    CustomerCredit,
    OrderDetail,
    customer_credit,
    invoice_document,
    order_detail,
    order_findings,
)
from crm_core.services.orders import (
    NewOrder,
    create_order,
    order_id_for_number,
    product_refs,
    update_order_lines,
)
from crm_core.services.scoring import (
    PRESETS_PER_USER,
    ActiveWeights,
    Preset,
    PresetChoice,
    active_weights,
    delete_preset,
    list_presets,
    publish_preset,
    save_preset,
)
from crm_core.services.sign_in import sign_in_oidc
from crm_core.services.users import (
    actor_for_email,
    add_user,
    all_users,
    change_role,
    deactivate_user,
    get_actor,
    list_users,
)

__all__ = [
    "ACTION_PERMISSION",
    "PRESETS_PER_USER",
    "ActionResult",
    "ActiveWeights",
    "AuditFailed",
    "CustomerCredit",
    "NewOrder",
    "OrderDetail",
    "Preset",
    "PresetChoice",
    "WarningsNeedApproval",
    "active_weights",
    "actor_for_email",
    "add_user",
    "all_users",
    "allocate_order",
    "allowed_actions",
    "audit_order",
    "cancel_order",
    "capture_opportunity",
    "change_role",
    "convert_to_order",
    "create_order",
    "customer_credit",
    "deactivate_user",
    "delete_preset",
    "deliver_order",
    "edit_opportunity",
    "editable_by",
    "enrich_opportunity",
    "export_frame",
    "export_table",
    "get_actor",
    "hold_order",
    "import_file",
    "import_table",
    "invoice_document",
    "invoice_order",
    "list_presets",
    "list_users",
    "mapping_for",
    "mark_lost",
    "mark_won",
    "may_reassign",
    "may_work_on",
    "opportunity_detail",
    "opportunity_history",
    "order_detail",
    "order_findings",
    "order_id_for_number",
    "perform",
    "product_refs",
    "publish_preset",
    "qualify_opportunity",
    "reassign_opportunities",
    "record_payment",
    "reset_sample_data",
    "resume_order",
    "save_preset",
    "schedule_meeting",
    "ship_order",
    "sign_in_oidc",
    "table_counts",
    "update_order_lines",
]
