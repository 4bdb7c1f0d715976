"""The `import` and `export` commands of `python -m crm_core` (the same services as the Data page)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from crm_core.errors import NotFound, ValidationError
from crm_core.io.fields import Kind, fields_for
from crm_core.io.mapping import check_mapping_size
from crm_core.io.output import check_output, database_files, write_atomically
from crm_core.io.plan import ImportOptions
from crm_core.permissions import Actor
from crm_core.services.users import actor_for_email, get_actor
from crm_core.store import Store
from crm_core.store.models import TABLE_ORDER
from crm_core.store.users import first_active_admin_id

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
Handler = Callable[[argparse.Namespace], int]


def system_actor(store: Store, email: str | None) -> Actor:
    """Who the command line acts as: `--as EMAIL`, else the first active admin (lowest id)."""
    if email:
        actor = actor_for_email(store, email)
        if actor is None:
            raise NotFound(f"--as: no active user with email {email[:100]!r}.")
        return actor
    with store.read() as session:
        first = first_active_admin_id(session)
    if first is None:
        raise NotFound("No active admin to act as; pass --as EMAIL of a user allowed to do this.")
    return get_actor(store, first)


def _fields_help() -> str:
    lines = ["importable fields (our name: type — meaning; * = required):"]
    for kind in Kind:
        lines.append(f"  {kind.value}:")
        for f in fields_for(kind):
            star = "*" if f.required else ""
            lines.append(f"    {f.name}{star}: {f.type.value} — {f.description}")
    return "\n".join(lines)


def add_data_commands(sub: argparse._SubParsersAction, on_import: Handler, on_export: Handler) -> None:
    imp = sub.add_parser(
        "import",
        help="import customers, products, opportunities or orders from CSV, Excel or Parquet",
        description="Import a file. Columns are matched to fields by name (synonyms of other systems "
        "are understood); a TOML mapping file overrides that. Strict by default: any bad row and "
        "nothing is imported. Exit status: 0 nothing rejected, 1 error or strict refusal, "
        "2 bad arguments, 3 lenient import with rejected rows.",
        epilog=_fields_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("kind", choices=[k.value for k in Kind], help="what the file holds")
    imp.add_argument("file", type=Path, help="a .csv, .xlsx or .parquet file")
    imp.add_argument("--mapping", type=Path, metavar="MAP.toml", help="column mapping file (see README)")
    imp.add_argument("--lenient", action="store_true", help="import the valid rows, report the others")
    imp.add_argument(
        "--create-missing",
        action="store_true",
        help="create the customers and products the file names, and owners who are not users as reps",
    )
    imp.add_argument(
        "--owner",
        metavar="EMAIL",
        help="the rep or manager who owns deals whose row names no owner (default: the importing user)",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument(
        "--enrich",
        action="store_true",
        help="after importing, derive the deals' missing factor scores by the default rules (README)",
    )
    imp.add_argument("--report", type=Path, metavar="OUT.csv", help="also write every problem to a CSV")
    imp.add_argument("--force", action="store_true", help="replace the --report file if it exists")
    imp.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this user (default: first admin)")
    imp.add_argument(
        "--progress", action="store_true", help="print progress lines ('progress 42%% Writing …') on stderr"
    )
    imp.set_defaults(func=on_import)

    exp = sub.add_parser("export", help="export a table as CSV, Excel or Parquet")
    exp.add_argument("table", choices=TABLE_ORDER, help="the table to export")
    exp.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv", help="file format")
    exp.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write it")
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exp.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this user (default: first admin)")
    exp.add_argument(
        "--raw",
        action="store_true",
        help="the table as stored: ids without names, amounts in cents, percentages in basis points "
        "(default: readable — names beside ids, currency units, plain dates)",
    )
    exp.set_defaults(func=on_export)


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_import(store: Store, args: argparse.Namespace) -> int:
    from crm_core.services.enrichment import apply_enrichment
    from crm_core.services.imports import import_file

    if not args.file.is_file():
        return _usage(f"no such file: {args.file}")
    if args.mapping is not None and not args.mapping.is_file():
        return _usage(f"no such mapping file: {args.mapping}")
    if args.report is not None:
        inputs = [args.file] + ([args.mapping] if args.mapping is not None else [])
        try:
            check_output(
                "--report", args.report, force=args.force, database=_database_files(store), inputs=inputs
            )
        except ValidationError as exc:
            return _usage(str(exc))
    if args.mapping is not None:
        check_mapping_size(args.mapping.stat().st_size)
    actor = system_actor(store, args.as_email)
    options = ImportOptions(
        lenient=args.lenient,
        create_missing=args.create_missing,
        dry_run=args.dry_run,
        owner_email=getattr(args, "owner", None),
    )
    mapping = args.mapping.read_text(encoding="utf-8") if args.mapping else None
    report = import_file(
        store,
        actor,
        args.kind,
        args.file,
        args.file.name,
        mapping_toml=mapping,
        options=options,
        progress=_print_progress if getattr(args, "progress", False) else None,
    )
    print(f"Acting as {actor.name} <{actor.email}> ({actor.role.value}).")
    print(report.to_text())
    if args.report:
        write_atomically(args.report, report.problems_csv())
        print(f"Problems written to {args.report}.")
    if args.enrich and report.written:
        print(apply_enrichment(store, actor).summary())
    if report.clean:
        return EXIT_OK
    return EXIT_REJECTED if args.lenient else EXIT_ERROR


def _database_files(store: Store) -> list[Path]:
    return database_files(store.target.url.database) if store.is_sqlite else []


def _print_progress(fraction: float, message: str) -> None:
    print(f"progress {fraction:.0%} {message}", file=sys.stderr, flush=True)


def run_export(store: Store, args: argparse.Namespace) -> int:
    from crm_core.services.imports import export_table

    try:
        check_output("--out", args.out, force=args.force, database=_database_files(store))
    except ValidationError as exc:
        return _usage(str(exc))
    actor = system_actor(store, args.as_email)
    data = export_table(store, actor, args.table, args.format, raw=args.raw)
    write_atomically(args.out, data)
    print(f"Exported {args.table} to {args.out} ({len(data):,} bytes) as {actor.name}.")
    return EXIT_OK
