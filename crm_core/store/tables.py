"""What is stored, table by table (the Data page's counts)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.store.models import TABLE_ORDER, Base


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table, in foreign-key order."""
    return {
        name: int(session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0)
        for name in TABLE_ORDER
    }
