"""Every session-state key and widget key of the Orders and Order status pages, in one place.

Keys are prefixed `orders_` and `order_status_`; their string values are what AppTests and the
browser tests drive widgets by, so they do not change. Keys per order are built by the functions
below."""

from __future__ import annotations

# --- the Orders page: which order, which view ------------------------------------------------
SELECTED = "orders_selected"  # the id of the open order (other pages set it to open one)
VIEW = "orders_view"  # "list", "new" or "detail"
PARAM_SEEN = "orders_param_seen"  # the ?order= number already acted on
FLASH = "orders_flash"  # the message shown once above the order
BACK = "orders_back"
NEW = "orders_new"  # the "New order" button
TABLE_NONCE = "orders_table_nonce"  # bumped to forget the list's row pick

# --- the list --------------------------------------------------------------------------------
LIST_CUSTOMER = "orders_customer"
LIST_SEARCH = "orders_search"
LIST_STATUS = "orders_status"
LIST_CREATED = "orders_created"


def list_table(nonce: int) -> str:
    """The list's table: a new one when the nonce moves, so an old row pick is forgotten."""
    return f"orders_table_{nonce}"


# --- the new-order form ----------------------------------------------------------------------
NEW_FORM = "orders_new"  # its messages: ui.form_errors
NEW_PREFIX = "orders_new_"  # every key of the form starts so (cleared after an order is entered)
NEW_LINES = "orders_new_lines"
NEW_NONCE = "orders_new_nonce"
NEW_CUSTOMER = "orders_new_customer"
NEW_PAYMENT = "orders_new_payment"
NEW_DELIVERY = "orders_new_delivery"
NEW_REQUESTED = "orders_new_requested"
NEW_SHIPPING = "orders_new_shipping"
NEW_NOTES = "orders_new_notes"
NEW_CREATE = "orders_new_create"


def new_editor(nonce: int) -> str:
    return f"orders_new_editor_{nonce}"


def new_tax(customer_id: int | None) -> str:
    return f"orders_new_tax_{customer_id}"


# --- one order: its steps, lines, credit -----------------------------------------------------
PENDING = "orders_pending"  # a step queued by a button, run once by the page
CANCEL_REQUEST = "orders_cancel_request"
CANCEL_YES = "orders_cancel_yes"
CANCEL_NO = "orders_cancel_no"
ACT_HOLD = "orders_act_hold"
ACT_CANCEL = "orders_act_cancel"
INPUT_PREFIX = "orders_in_"  # a step's inputs (cleared once it ran)
CREDIT_PENDING = "orders_credit_pending"
CREDIT_RAISE = "orders_credit_raise"
CREDIT_PREPAY = "orders_credit_prepay"
LINES_SEEN_VERSION = "orders_lines_seen_version"
INVOICE_PDF = "orders_invoice_pdf"


def step_input(name: str, order_id: int) -> str:
    return f"{INPUT_PREFIX}{name}_{order_id}"


def step_form(order_id: int) -> str:
    """The name the order's step messages are kept by (see ui.form_errors)."""
    return f"orders_steps_{order_id}"


def act(action: str) -> str:
    return f"orders_act_{action}"


def lines_editor(order_id: int, version: int) -> str:
    return f"orders_lines_editor_{order_id}_{version}"  # a new version starts afresh


def lines_save(order_id: int) -> str:
    return f"orders_lines_save_{order_id}"


# --- the Order status page -------------------------------------------------------------------
STATUS_CREATED = "order_status_created"
STATUS_REGION = "order_status_region"
STATUS_DELIVERY = "order_status_delivery"
STATUS_PAYMENT = "order_status_payment"
STATUS_KINDS = "order_status_kinds"
STATUS_TABLE_NONCE = "order_status_table_nonce"


def status_exceptions_table(nonce: int) -> str:
    return f"order_status_exceptions_table_{nonce}"
