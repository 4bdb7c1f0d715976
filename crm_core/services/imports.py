"""Import and export use cases: permissions checked here, one transaction per import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from crm_core.errors import ValidationError
from crm_core.io.export import frame_bytes, importable_names, readable
from crm_core.io.fields import Kind
from crm_core.io.mapping import ColumnMapping, detect_mapping, parse_mapping_toml
from crm_core.io.plan import (
    Context,
    ImportOptions,
    build_plan,
    customer_checks,
    customer_writes,
    product_checks,
    product_writes,
)
from crm_core.io.plan_opportunities import opportunity_checks, opportunity_writes
from crm_core.io.plan_orders import order_checks, order_writes
from crm_core.io.read import ROW, read_table_file
from crm_core.io.report import ImportReport
from crm_core.permissions import Actor, Permission, Role, require
from crm_core.services.users import actor_for_email
from crm_core.store import Store
from crm_core.store.frames import read_table
from crm_core.store.imports import apply_plan, load_references
from crm_core.store.models import TABLE_ORDER
from crm_core.store.readable import read_order_lines_export, read_readable_table

PLANNERS = {
    Kind.CUSTOMERS: (customer_checks, customer_writes),
    Kind.PRODUCTS: (product_checks, product_writes),
    Kind.OPPORTUNITIES: (opportunity_checks, opportunity_writes),
    Kind.ORDERS: (order_checks, order_writes),
}
Progress = Callable[[float, str], None]
DEFAULT_OPTIONS = ImportOptions()


def import_kind(value: str) -> Kind:
    try:
        return Kind(value.strip().lower())
    except ValueError:
        raise ValidationError(
            "kind", f"'{value}' is not one of: {', '.join(k.value for k in Kind)}"
        ) from None


def deal_owner(store: Store, email: str | None) -> int | None:
    """The user an import names to own deals whose row names no owner: active, a rep or a manager."""
    if not email:
        return None
    user = actor_for_email(store, email)
    if user is None:
        raise ValidationError("owner", f"no active user with email {email[:100]!r}")
    if user.role == Role.ADMIN:
        raise ValidationError("owner", f"{user.name} is an admin; deals are owned by reps and managers")
    return user.id


def mapping_for(kind: Kind | str, columns: list[str], mapping_toml: str | None = None) -> ColumnMapping:
    """The auto-detected mapping for these columns, with a mapping file's entries on top."""
    detected = detect_mapping(kind, [c for c in columns if c != ROW])
    if not mapping_toml:
        return detected
    return parse_mapping_toml(mapping_toml, kind).merged_over(detected)


def import_table(
    store: Store,
    actor: Actor | None,
    kind: Kind | str,
    raw: pl.DataFrame,
    file_name: str,
    *,
    mapping: ColumnMapping,
    options: ImportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Check a file already read (`read_table_file`) and, unless a dry run or refused, write it."""
    actor = require(actor, Permission.IMPORT_DATA)
    kind = import_kind(str(kind))
    report = progress or (lambda _f, _m: None)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    report(0.02, "Reading what the database already has…")
    ctx = Context(
        kind,
        mapping,
        load_references(store),
        options,
        now,
        actor.id,
        file_name,
        default_owner=deal_owner(store, options.owner_email),
    )
    report(0.05, "Checking every row…")
    checks, builder = PLANNERS[kind]
    plan = build_plan(raw, ctx, checks, builder)
    refused = plan.rows_rejected > 0 and not options.lenient
    written = False
    if plan.tables and not options.dry_run and not refused:
        apply_plan(store, plan, actor_id=actor.id, file_name=file_name, now=now, progress=report, actor=actor)
        written = True
    report(1.0, "Done")
    created, updated = plan.counts() if not refused else ({}, {})
    rejected = plan.rows_read if refused else plan.rows_rejected
    return ImportReport(
        kind=kind.value,
        file_name=file_name,
        lenient=options.lenient,
        dry_run=options.dry_run,
        rows_read=plan.rows_read,
        rows_imported=plan.rows_read - rejected,
        rows_rejected=rejected,
        problems=plan.problems,
        created=created,
        updated=updated,
        notes=plan.notes,
        mapping=mapping,
        written=written,
    )


def import_file(
    store: Store,
    actor: Actor | None,
    kind: Kind | str,
    source: bytes | Path,
    file_name: str | None = None,
    *,
    mapping_toml: str | None = None,
    options: ImportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Read a file, map its columns (auto-detected, then the mapping file) and import it."""
    require(actor, Permission.IMPORT_DATA)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    raw = read_table_file(source, name)
    mapping = mapping_for(kind, raw.columns, mapping_toml)
    return import_table(
        store, actor, kind, raw, name, mapping=mapping, options=options, progress=progress, now=now
    )


def export_frame(actor: Actor | None, frame: pl.DataFrame, fmt: str) -> bytes:
    """Any frame (a table, the data behind a chart) as CSV, Excel or Parquet bytes."""
    require(actor, Permission.EXPORT_DATA)
    return frame_bytes(frame, fmt)


def export_table(store: Store, actor: Actor | None, table: str, fmt: str, *, raw: bool = False) -> bytes:
    """A whole table as a file: readable (names beside ids, currency units, plain times), or
    `raw` as stored (ids, cents, basis points) — see `crm_core.io.export`."""
    require(actor, Permission.EXPORT_DATA)
    if table not in TABLE_ORDER:
        raise ValidationError("table", f"'{table}' is not one of: {', '.join(TABLE_ORDER)}")
    if raw:
        frame = read_table(store, table)
    elif table == "orders":  # one row per order line: the shape `import orders` reads back
        frame = readable(read_order_lines_export(store))
    else:
        frame = readable(importable_names(table, read_readable_table(store, table)))
    return frame_bytes(frame, fmt, sheet=table, raw=raw)
