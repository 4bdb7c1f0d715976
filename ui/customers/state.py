"""Every session-state key and widget key of the Customers page, in one place.

Keys are prefixed `customers_`; their string values are what AppTests and the browser tests drive
widgets by, so they do not change. Keys per customer are built by the functions below."""

from __future__ import annotations

SELECTED = "customers_selected"  # the id of the open card (None: the list)
PARAM_SEEN = "customers_param_seen"  # the ?customer= id already acted on
BACK = "customers_back"

# --- the list --------------------------------------------------------------------------------
SEARCH = "customers_search"
INDUSTRY = "customers_industry"
REGION = "customers_region"
BLOCKED = "customers_blocked"


def list_table(ids: tuple[int, ...]) -> str:
    """The list's table: a new one when the rows change."""
    return f"customers_table_{hash(ids) & 0xFFFFFFFF:x}"


# --- editing and merging ---------------------------------------------------------------------
PENDING = "customers_pending"  # an edit or merge queued by a button, run once by the page
EDIT_PREFIX = "customers_edit_"  # every edit field's key starts so (cleared after a save)


def edit_field(field: str, customer_id: int) -> str:
    return f"{EDIT_PREFIX}{field}_{customer_id}"


def merge_search(customer_id: int) -> str:
    return f"customers_merge_search_{customer_id}"


def merge_choice(customer_id: int) -> str:
    return f"customers_merge_choice_{customer_id}"


def merge_button(customer_id: int) -> str:
    return f"customers_merge_{customer_id}"


# --- the desk's settings ---------------------------------------------------------------------
SETTINGS_PREFIX = "customers_settings_"  # + the setting's name
SETTINGS_FORM = "customers_settings_form"
SETTINGS_FLASH = SETTINGS_PREFIX + "flash"
