"""Every session-state key and widget key of the Data page, in one place.

Keys are prefixed `data_`; their string values are what AppTests and the browser tests drive
widgets by, so they do not change. (The page's "Derive missing scores" button, `data_enrich`,
belongs to the scoring feature: `ui.scoring.state.DATA_PAGE_ENRICH`.)"""

from __future__ import annotations

# --- import ----------------------------------------------------------------------------------
IMPORT_KIND = "data_import_kind"
IMPORT_UPLOAD = "data_import_upload"
IMPORT_TOML = "data_import_toml"
IMPORT_FILE = "data_import_file"  # {"name": str, "data": bytes}: the file being imported
IMPORT_RESULT = "data_import_result"  # the last ImportReport
IMPORT_REFUSED = "data_import_refused"  # {sha256 of the upload and its name: why it was refused}
IMPORT_LENIENT = "data_import_lenient"
IMPORT_CREATE = "data_import_create"
IMPORT_OWNER = "data_import_owner"
IMPORT_DRY = "data_import_dry"
IMPORT_GO = "data_import_go"
IMPORT_REPORT = "data_import"  # the report's download buttons: + "_download_report", "_download_mapping"


def import_mapping(kind: str, columns: list[str]) -> str:
    """The mapping editor: a new one per kind and set of columns."""
    return f"data_import_map_{kind}_{hash(tuple(columns))}"


# --- export and reset ------------------------------------------------------------------------
EXPORT_TABLE = "data_export_table"
EXPORT_RAW = "data_export_raw"


def export_download(fmt: str) -> str:
    return f"data_export_{fmt}"


RESET = "data_reset"
RESET_CONFIRM = "data_reset_confirm"

# --- users -----------------------------------------------------------------------------------
USERS_FLASH = "data_users_flash"
USERS_ADD_FORM = "data_users_add"
USERS_CHANGE_FORM = "data_users_change"  # also the Change role button
USERS_ADD_KEYS = {"name": "data_users_name", "email": "data_users_email"}
USERS_ROLE = "data_users_role"
USERS_ADD_GO = "data_users_add_go"
USERS_TABLE = "data_users_table"
USERS_PICK = "data_users_pick"
USERS_NEW_ROLE = "data_users_new_role"
USERS_DEACTIVATE = "data_users_deactivate"
