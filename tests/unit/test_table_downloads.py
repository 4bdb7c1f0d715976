"""Tables offer no toolbar download: the app's own downloads check the permission and neutralise
formulas; Streamlit's toolbar CSV would do neither (tests/e2e/test_hostile_text.py looks in Chromium)."""

from __future__ import annotations

import tomllib

from crm_core.config import PROJECT_ROOT


def test_the_app_config_turns_off_the_table_toolbar_download() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
