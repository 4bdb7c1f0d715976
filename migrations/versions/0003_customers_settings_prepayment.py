"""customers: billing and shipping address, tax id, version; orders: prepayment; settings table

Customers get what an invoice and the Customers page need (addresses, tax id) and a version
column, so a stale edit is refused like a stale order. An order can be marked as prepayment:
it is paid before it ships, so the audit's credit check does not apply. The `settings` table
holds what an admin sets (the default credit limit of new customers, the seller's details).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("shipping_address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("tax_id", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepayment", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("prepayment")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("tax_id")
        batch_op.drop_column("shipping_address")
        batch_op.drop_column("billing_address")
    op.drop_table("settings")
