"""rows carry the data version of their last write; deleted rows are recorded

Every table the analytics frames read gets `row_version` (indexed), backfilled with the current
data version, so a cached frame reads only the rows changed since its own version. `deleted_rows`
lists deletions (table, id, version) for the same purpose. `crm_core.store.migrate` moves the
frames' epoch after any migration, so frames cached before it are read in full.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "customers", "products", "opportunities", "orders", "order_lines", "invoices", "payments")


def upgrade() -> None:
    current = sa.text("COALESCE((SELECT value FROM meta WHERE key = 'data_version'), 0)")
    for table in TABLES:
        op.add_column(table, sa.Column("row_version", sa.BigInteger(), nullable=False, server_default="0"))
        op.execute(sa.table(table, sa.column("row_version")).update().values(row_version=current))
        op.create_index(f"ix_{table}_row_version", table, ["row_version"])
    op.create_table(
        "deleted_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("row_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deleted_rows"),
    )
    op.create_index("ix_deleted_rows_row_version", "deleted_rows", ["row_version"])


def downgrade() -> None:
    op.drop_index("ix_deleted_rows_row_version", table_name="deleted_rows")
    op.drop_table("deleted_rows")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_row_version", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
