"""an index on every foreign key column that had none

Deleting rows a foreign key points at makes the database look up the referencing rows; without an
index that is a full scan per row. Re-importing 541,909 order lines spent 64 s deleting the old
lines because `allocations.line_id` had no index. Every other unindexed foreign key gets one too.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> foreign key columns that get an index `ix_<table>_<column>`
FOREIGN_KEYS: dict[str, tuple[str, ...]] = {
    "stock": ("product_id",),
    "opportunities": ("owner_id", "product_id"),
    "meetings": ("created_by",),
    "orders": ("warnings_accepted_by", "created_by"),
    "allocations": ("line_id", "warehouse_id", "product_id"),
    "payments": ("invoice_id", "recorded_by"),
    "events": ("actor_id",),
    "weight_presets": ("author_id", "published_by"),
    "settings": ("updated_by",),
}


def upgrade() -> None:
    for table, columns in FOREIGN_KEYS.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade() -> None:
    for table, columns in FOREIGN_KEYS.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
