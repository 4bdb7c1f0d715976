"""Demo mode (anyone acts as anyone, admins included) refuses to run on a configured database that
other machines can reach, unless the operator says CRM_DEMO_ALLOW_PERSISTENT=1; on the embedded
SQLite file (Streamlit Community Cloud's zero-setup demo) and on loopback it runs as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, server_address

REFUSED_TITLE = "Demo mode is switched off here"


def run(page: str = "pages/data.py", secrets: dict[str, object] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def refused(at: AppTest) -> bool:
    return [t.value for t in at.title] == [REFUSED_TITLE]


def picker_shown(at: AppTest) -> bool:
    return any(s.key == "auth_user_picker" for s in at.sidebar.selectbox)


@pytest.mark.parametrize("address", [None, "0.0.0.0", "192.168.1.20"])
def test_a_configured_database_reachable_from_elsewhere_refuses_demo_mode(
    app_db: Path, address: str | None
) -> None:
    with server_address(address):
        at = run()

    assert refused(at) and not picker_shown(at)
    text = at.error[0].value.replace("\\", "")
    assert "Demo mode lets anyone act as any user, admins included" in text
    assert "set CRM_DEMO_ALLOW_PERSISTENT=1" in text
    assert len(at.error) == 1 and not (at.dataframe or at.metric or at.button or at.main.markdown)
    assert at.session_state["auth_actor"] is None


def test_the_operators_flag_lets_demo_mode_run_there(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with server_address("0.0.0.0"):
        assert refused(run())
        monkeypatch.setenv("CRM_DEMO_ALLOW_PERSISTENT", "1")
        at = run()
    assert not refused(at) and picker_shown(at)


def test_the_flag_may_sit_at_the_top_of_the_secrets(app_db: Path) -> None:
    with server_address("0.0.0.0"):
        assert refused(run(secrets={"CRM_DEMO_ALLOW_PERSISTENT": "0"}))
        at = run(secrets={"CRM_DEMO_ALLOW_PERSISTENT": "true"})
    assert not refused(at) and picker_shown(at)


def test_the_same_database_runs_demo_mode_on_loopback(app_db: Path) -> None:
    with server_address("0.0.0.0"):
        assert refused(run())
    with server_address("127.0.0.1"):
        at = run()
    assert not refused(at) and picker_shown(at)


def test_the_embedded_sqlite_file_runs_demo_mode_on_every_interface(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with server_address(None):
        assert refused(run("pages/overview.py"))  # the copy named by CRM_DATABASE_URL
        monkeypatch.delenv(
            "CRM_DATABASE_URL"
        )  # the zero-setup default: var/crm.sqlite, as on Community Cloud
        at = run("pages/overview.py")
    assert not refused(at) and picker_shown(at)
    assert any("Demo mode" in i.value for i in at.sidebar.info)
