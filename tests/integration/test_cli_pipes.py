"""`python -m crm_core … | head`: a reader that stops early ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys

from crm_core.config import PROJECT_ROOT
from crm_core.store import Store


def test_a_closed_pipe_ends_the_command_without_a_traceback(seeded_sqlite_store: Store) -> None:
    url = seeded_sqlite_store.target.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-m", "crm_core", "seed"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "CRM_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # like `head` after its lines: gone before the command writes
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0
    assert err == ""
