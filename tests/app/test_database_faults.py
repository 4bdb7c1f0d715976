"""Faults and secrets through AppTest: the database goes away in the middle of a session and
comes back; the database URL's password never reaches a page or a log line.

The outage is real: a PostgreSQL database of this test's own stops accepting connections and
its sessions are terminated (`ALTER DATABASE … ALLOW_CONNECTIONS false` + pg_terminate_backend),
so the shared server other tests use keeps running. The URL carries a distinctive password;
the test server trusts local connections, so it is sent and ignored — exactly what must not leak.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP
from tests.conftest import _postgres_url

PASSWORD = "Sw0rdfish-7b-Secret"
PAGES = [
    "pages/overview.py",
    "pages/pipeline.py",
    "pages/opportunities.py",
    "pages/scoring.py",
    "pages/orders.py",
    "pages/order_status.py",
    "pages/integration.py",
    "pages/data.py",
]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs() -> Iterator[Collect]:
    """Every log line of every logger (Streamlit's do not propagate to the root), tracebacks included."""
    handler = Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    names = [None, "streamlit", "sqlalchemy", "alembic", *logging.root.manager.loggerDict]
    loggers = {logging.getLogger(n) for n in names}
    levels = {lg: lg.level for lg in loggers}
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg in loggers:
        lg.removeHandler(handler)
        lg.setLevel(levels[lg])


def page_text(at: AppTest) -> str:
    """Everything the page shows as text (messages, Markdown, headings, captions, metrics)."""
    parts: list[str] = []
    for kind in (
        "error",
        "warning",
        "info",
        "success",
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


@pytest.fixture
def outage_db(postgres_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, object]]:
    """A seeded database of our own, reached with a password in the URL; yields (name, admin engine)."""
    admin_url = _postgres_url()
    name = f"crm_outage_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    url = admin_url.set(database=name, password=PASSWORD).render_as_string(hide_password=False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("CRM_AUTH", "demo")
    try:
        yield name, admin
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def set_reachable(admin: object, name: str, reachable: bool) -> None:
    with admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
        if not reachable:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )


@pytest.mark.postgres
def test_every_page_says_the_database_stopped_answering_and_recovers_when_it_is_back(
    outage_db: tuple[str, object], all_logs: Collect
) -> None:
    name, admin = outage_db
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any(m.label == "Open pipeline" for m in at.metric)

    set_reachable(admin, name, False)
    for path in PAGES:
        at.switch_page(path).run()
        assert not at.exception, f"{path}: {at.exception}"
        shown = page_text(at)
        assert "stopped answering" in shown or "not available" in shown, f"{path}: {shown[:500]}"
        assert "CRM\\_DATABASE\\_URL" in shown or "CRM_DATABASE_URL" in shown
        assert PASSWORD not in shown, path

    set_reachable(admin, name, True)
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(m.label == "Open pipeline" for m in at.metric)
    assert all_logs.lines, "the logs were captured"
    assert PASSWORD not in "\n".join(all_logs.lines)


def test_a_password_to_a_closed_port_is_never_shown_logged_or_printed(
    monkeypatch: pytest.MonkeyPatch, all_logs: Collect
) -> None:
    import subprocess
    import sys

    from crm_core.config import PROJECT_ROOT

    url = f"postgresql+psycopg://crm:{PASSWORD}@127.0.0.1:9/crm"
    monkeypatch.setenv("CRM_DATABASE_URL", url)

    at = AppTest.from_file(APP, default_timeout=60).run()
    for path in PAGES[:3]:
        at.switch_page(path).run()
        assert not at.exception
        assert "127.0.0.1:9" in page_text(at)
        assert PASSWORD not in page_text(at)
    assert PASSWORD not in "\n".join(all_logs.lines)

    for command in (["seed"], ["migrate"], ["export", "customers", "--out", "/dev/null"]):
        result = subprocess.run(
            [sys.executable, "-m", "crm_core", *command],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "CRM_DATABASE_URL": url},
        )
        assert result.returncode == 1, command
        assert "127.0.0.1:9" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_the_secrets_file_is_ignored_by_git() -> None:
    import subprocess

    from crm_core.config import PROJECT_ROOT

    for path in (".streamlit/secrets.toml", "secrets.toml"):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_ROOT)
        assert result.returncode == 0, f"{path} is not ignored by git"
    example = subprocess.run(
        ["git", "check-ignore", "-q", ".streamlit/secrets.toml.example"], cwd=PROJECT_ROOT
    )
    assert example.returncode == 1, "the example must stay in the repository"
