"""Every service's unit of work is given the acting user, so the write re-reads that user inside its
transaction (a user deactivated or re-roled since their page was drawn cannot act). Signing in is
the one unit of work without an actor, and says so with `actor=None`."""

from __future__ import annotations

import re
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "crm_core" / "services"
UNIT_OF_WORK = re.compile(r"UnitOfWork\(([^)]*)\)")


def test_every_service_unit_of_work_names_its_actor() -> None:
    missing = [
        f"{path.name}:{source[: match.start()].count(chr(10)) + 1}: UnitOfWork({match.group(1)})"
        for path in sorted(SERVICES.glob("*.py"))
        for source in [path.read_text(encoding="utf-8")]
        for match in UNIT_OF_WORK.finditer(source)
        if "," not in match.group(1)
    ]
    assert missing == []
