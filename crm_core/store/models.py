"""SQLAlchemy 2 typed models: the whole store schema (docs/architecture.md §1, §3).

Conventions: money is integer cents (`*_cents`), discounts are basis points
(`discount_bp`, 1250 = 12.5 %), times are UTC (stored naive, returned aware),
orders, opportunities and customers carry a `version` column that guards against lost
updates, `events` is append-only, and `settings` holds what an admin sets (text values).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC on every backend and returned timezone-aware."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


PENDING = -1  # a row written by a transaction that has not committed yet (crm_core.store.changes)


class RowVersioned:
    """A row that carries the data version of its last write (`row_version`, indexed): the
    incremental frames read only the rows changed since the version they hold. Every insert and
    update marks it `PENDING` (the column's defaults, for the ORM and Core statements alike); the
    writer stamps its pending rows with its data version just before COMMIT
    (`crm_core.store.changes.commit_version`). Rows from before the migration carry 0."""

    row_version: Mapped[int] = mapped_column(
        BigInteger, default=PENDING, onupdate=PENDING, server_default="0", index=True
    )


def data_columns(table: Table) -> list[Column[Any]]:
    """A table's columns without the bookkeeping (`row_version`): what samples, exports and
    previews show."""
    return [c for c in table.columns if c.name != "row_version"]


class Meta(Base):
    """Key/value counters: `data_version` and the gap-free invoice sequences `invoice_seq:<year>`."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Setting(Base):
    """What an admin sets: the default credit limit of new customers, the seller on invoices.

    Text values keyed by name; `crm_core.settings` knows the names, defaults and rules. Kept apart
    from the business data: resetting to the sample data leaves it alone."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class User(RowVersioned, Base):
    """A person who may sign in. In OIDC mode the first sign-in binds the user to the provider's
    issuer and subject (`oidc_issuer`, `oidc_subject`); later sign-ins match on those two."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('rep', 'manager', 'admin')", name="role"),
        Index("uq_users_oidc_identity", "oidc_issuer", "oidc_subject", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))


class Customer(RowVersioned, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("credit_limit_cents >= 0", name="credit_limit"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue_cents: Mapped[int | None] = mapped_column(BigInteger)
    region: Mapped[str | None] = mapped_column(String(100))
    credit_limit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    billing_address: Mapped[str | None] = mapped_column(Text)
    shipping_address: Mapped[str | None] = mapped_column(Text)  # null: ship to the billing address
    tax_id: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Product(RowVersioned, Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("list_price_cents >= 0", name="list_price"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    list_price_cents: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Warehouse(Base):
    __tablename__ = "warehouses"
    __table_args__ = (CheckConstraint("lead_time_days >= 0", name="lead_time"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100))
    lead_time_days: Mapped[int] = mapped_column(Integer)


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved"),
    )
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True, primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)


class Opportunity(RowVersioned, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint(
            "stage IN ('captured', 'enriched', 'qualified', 'scheduled', 'won', 'lost')", name="stage"
        ),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("expected_amount_cents >= 0", name="expected_amount"),
        *(
            CheckConstraint(f"{f} IS NULL OR ({f} >= 0 AND {f} <= 10)", name=f"{f}_range")
            for f in (
                "segmentation",
                "customer_characteristics",
                "relationship_level",
                "account_resource",
                "budget",
                "authority",
                "need",
                "timing",
            )
        ),
        Index("ix_opportunities_stage_owner", "stage", "owner_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    expected_amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16), default="captured")
    # Enrichment (the company's industry and size live on the shared customer record).
    need_summary: Mapped[str | None] = mapped_column(Text)
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    decision_maker: Mapped[str | None] = mapped_column(String(200))
    purchase_timeframe: Mapped[str | None] = mapped_column(String(100))
    # SCALE factors (value) and BANT factors (potential), each 0-10; null until qualified.
    segmentation: Mapped[float | None] = mapped_column(Float)
    customer_characteristics: Mapped[float | None] = mapped_column(Float)
    relationship_level: Mapped[float | None] = mapped_column(Float)
    account_resource: Mapped[float | None] = mapped_column(Float)
    budget: Mapped[float | None] = mapped_column(Float)
    authority: Mapped[float | None] = mapped_column(Float)
    need: Mapped[float | None] = mapped_column(Float)
    timing: Mapped[float | None] = mapped_column(Float)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("kind IN ('call', 'meeting', 'demo')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Order(RowVersioned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('entered', 'audited', 'allocated', 'invoiced', 'paid', 'shipped', 'delivered', "
            "'on_hold', 'cancelled')",
            name="status",
        ),
        CheckConstraint(
            "payment_method IN ('credit_card', 'paypal', 'bank_transfer')", name="payment_method"
        ),
        CheckConstraint("shipping_cents >= 0", name="shipping"),
        CheckConstraint("tax_rate_bp >= 0 AND tax_rate_bp <= 10000", name="tax_rate"),
        Index("ix_orders_status_customer", "status", "customer_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="entered")
    held_from: Mapped[str | None] = mapped_column(String(16))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    refund_due: Mapped[bool] = mapped_column(Boolean, default=False)
    # Paid before it ships, so the audit's credit check does not apply (a manager decides).
    prepayment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    payment_method: Mapped[str] = mapped_column(String(16))
    delivery_method: Mapped[str] = mapped_column(String(16))
    requested_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    shipping_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    warnings_accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class OrderLine(RowVersioned, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price_cents >= 0", name="unit_price"),
        CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)


class Allocation(Base):
    """Stock of one order line reserved in (and later shipped from) one warehouse."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    released: Mapped[bool] = mapped_column(Boolean, default=False)  # cancelled before shipping


class Invoice(RowVersioned, Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger)
    shipping_cents: Mapped[int] = mapped_column(BigInteger)
    tax_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)


class Payment(RowVersioned, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        CheckConstraint("method IN ('credit_card', 'paypal', 'bank_transfer')", name="method"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


STAGE_CHANGES = "entity_type = 'opportunity' AND to_state IS NOT NULL"


class Event(RowVersioned, Base):
    """Append-only audit trail: who did what to which record, when, from which state to which.

    Its `row_version` is stamped once, from pending to the version of the write that added it
    (the one update the append-only triggers allow): on PostgreSQL ids come from a sequence and
    do not commit in id order, so new events are found by version, not by id."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_entity", "entity_type", "entity_id"),
        # Every column of the opportunities' stage changes (the Pipeline's frame), for those rows
        # only: read from the index alone (migration 0007).
        Index(
            "ix_events_stage_changes",
            "entity_type",
            "to_state",
            "id",
            "entity_id",
            "from_state",
            "at",
            "row_version",
            sqlite_where=text(STAGE_CHANGES),
            postgresql_where=text(STAGE_CHANGES),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))  # order, opportunity, customer, preset, ...
    entity_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    note: Mapped[str | None] = mapped_column(Text)


class WeightPreset(Base):
    """A named SCALE (and BANT) weight set; at most one is published as the team's active weights."""

    __tablename__ = "weight_presets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    segmentation: Mapped[float] = mapped_column(Float)
    customer_characteristics: Mapped[float] = mapped_column(Float)
    relationship_level: Mapped[float] = mapped_column(Float)
    account_resource: Mapped[float] = mapped_column(Float)
    budget: Mapped[float] = mapped_column(Float, default=0.25)
    authority: Mapped[float] = mapped_column(Float, default=0.25)
    need: Mapped[float] = mapped_column(Float, default=0.25)
    timing: Mapped[float] = mapped_column(Float, default=0.25)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


# Tables in an order that satisfies their foreign keys (for seeding, export and reset).
TABLE_ORDER: tuple[str, ...] = (
    "users",
    "customers",
    "products",
    "warehouses",
    "stock",
    "opportunities",
    "meetings",
    "orders",
    "order_lines",
    "allocations",
    "invoices",
    "payments",
    "events",
    "weight_presets",
)


class DeletedRow(Base):
    """A row deleted from a table the incremental frames read: its table, id and the data version
    of the deleting write, so a cached frame drops it (`crm_core.store.changes`). Cleared by a reset."""

    __tablename__ = "deleted_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    row_version: Mapped[int] = mapped_column(BigInteger, index=True)
