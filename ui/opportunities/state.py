"""Every session-state key and widget key of the Opportunities and Pipeline pages, in one place.

Keys are prefixed `opportunities_` and `pipeline_`; their string values are what AppTests and the
browser tests drive widgets by, so they do not change. Keys per opportunity are built by the functions
below (inputs never leak from one deal to another)."""

from __future__ import annotations

from crm_core.opportunities import DEFAULT_STAGE_PROBABILITY

# --- the Opportunities page ------------------------------------------------------------------
SELECTED = "opportunities_selected"  # the id of the open opportunity (other pages set it too)
VIEW = "opportunities_view"  # the open tab
NEXT_VIEW = "opportunities_next_view"  # a step asks for another tab before the tabs are drawn
FLASH = "opportunities_flash"  # the message shown once above the details
PENDING = "opportunities_pending"  # a step queued by a button, run once by the page
CAPTURE_PENDING = "opportunities_capture_pending"
CAPTURE_FORM = "opportunities_capture"  # its messages: ui.form_errors
CAPTURE_MATCHES = "opportunities_capture_matches"
CAPTURE_NEW_ANYWAY = "opportunities_capture_new_anyway"
CAPTURE_FORM_WIDGET = "opportunities_capture_form"
BULK_OWNER = "opportunities_bulk_owner"
BULK_REASSIGN = "opportunities_bulk_reassign"
EDIT_PENDING = "opportunities_edit_pending"
REASSIGN_PENDING = "opportunities_reassign_pending"
REASSIGN_RESULT = "opportunities_reassign_result"

SEARCH = "opportunities_search"
OWNER = "opportunities_owner"
STAGE = "opportunities_stage"
QUADRANT = "opportunities_quadrant"
CREATED = "opportunities_created"
SELECT_MANY = "opportunities_select_many"
PICK_TABLE = "opportunities_pick"  # + a hash of the rows: a new table when they change
LIST_TABLE = "opportunities_table"  # + a hash of the rows and the selection

# Capture form: the field names services use in their messages → the widget key of each.
CAPTURE_KEYS: dict[str, str] = {
    "company": "opportunities_capture_company",
    "contact name": "opportunities_capture_contact",
    "email": "opportunities_capture_email",
    "phone": "opportunities_capture_phone",
    "product interest": "opportunities_capture_product",
    "quantity": "opportunities_capture_quantity",
    "expected amount": "opportunities_capture_amount",
    "expected close date": "opportunities_capture_close",
    "owner": "opportunities_capture_owner",
}


def key(name: str, opportunity_id: int) -> str:
    """The widget key of a step form's field, per opportunity."""
    return f"opportunities_{name}_{opportunity_id}"


def step_form(step: str, opportunity_id: int) -> str:
    """The name a step's field messages are kept by, per opportunity (see ui.form_errors)."""
    return f"opportunities_{step}_{opportunity_id}"


def edit_key(name: str, opportunity_id: int, version: int) -> str:
    return f"opportunities_edit_{name}_{opportunity_id}_v{version}"


def edit_form(opportunity_id: int) -> str:
    """The name the edit form's field messages are kept by, per deal (see ui.form_errors)."""
    return f"opportunities_edit_{opportunity_id}"


def capture_use(customer_id: int) -> str:
    return f"opportunities_capture_use_{customer_id}"


def open_order_button(order_id: int) -> str:
    return f"opportunities_open_order_{order_id}"


def timeline_chart(opportunity_id: int) -> str:
    return f"opportunities_timeline_{opportunity_id}"


def reassign_button(opportunity_id: int) -> str:
    return f"opportunities_reassign_{opportunity_id}"


def reassign_owner(opportunity_id: int) -> str:
    return f"opportunities_reassign_owner_{opportunity_id}"


def edit_form_widget(opportunity_id: int, version: int) -> str:
    return f"opportunities_edit_form_{opportunity_id}_v{version}"


# --- the Pipeline page -----------------------------------------------------------------------
PIPELINE_OWNER = "pipeline_owner"
PIPELINE_SEGMENT_BY = "pipeline_segment_by"
PIPELINE_SIZE = "pipeline_size"
PIPELINE_INDUSTRY = "pipeline_industry"
PIPELINE_CREATED = "pipeline_created"
PIPELINE_PROB_RESET = "pipeline_prob_reset"
PIPELINE_PROBABILITIES: dict[str, str] = {
    stage.value: f"pipeline_prob_{stage.value}" for stage in DEFAULT_STAGE_PROBABILITY
}
