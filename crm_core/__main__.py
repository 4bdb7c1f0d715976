"""Command line: `python -m crm_core COMMAND --help`.

Exit status: 0 success (for an import: nothing rejected); 1 a domain or database error, or a
strict import refused because of bad rows (one readable line on stderr, the report on stdout);
2 bad arguments; 3 a lenient import that imported the valid rows and rejected others.

The command line acts as a system user: the first active admin (lowest id), or the user named
by `--as EMAIL`. Its id is recorded on every event the command writes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from crm_core.config import resolve_database
from crm_core.errors import DomainError
from crm_core.store import check_connection, init_db, make_store, reset_to_sample
from crm_core.store.engine import Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
MAX_ARGUMENT = 4_096


def _store() -> Store:
    store = make_store(resolve_database())
    check_connection(store)
    return store


def cmd_seed(args: argparse.Namespace) -> int:
    store = _store()
    if args.reset:
        counts = reset_to_sample(store)
        print(f"Reset {store.describe()} to the sample data (users kept): " + _counts(counts))
        return EXIT_OK
    report = init_db(store)
    if report.seeded:
        print(f"Seeded {store.describe()}: " + _counts(report.counts))
    else:
        print(f"{store.describe()} already has data; nothing seeded (use --reset to replace it).")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from crm_core.store.migrate import migrate_store

    store = _store()
    applied = migrate_store(store)
    print(
        f"{store.describe()}: " + ("migrated to the newest schema." if applied else "schema already current.")
    )
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from crm_core import sample

    return sample.main(args.rest)


def cmd_import(args: argparse.Namespace) -> int:
    from crm_core.cli_data import run_import

    return run_import(_store(), args)


def cmd_export(args: argparse.Namespace) -> int:
    from crm_core.cli_data import run_export

    return run_export(_store(), args)


def cmd_init(args: argparse.Namespace) -> int:
    from crm_core.cli_users import run_init

    return run_init(_store(), args)


def cmd_users(args: argparse.Namespace) -> int:
    from crm_core.cli_users import run_users

    return run_users(_store(), args)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core",
        description="Scalewise command line. The database is CRM_DATABASE_URL, else var/crm.sqlite.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = sub.add_parser("seed", help="create the schema and load the sample data into an empty database")
    seed.add_argument("--reset", action="store_true", help="replace ALL existing data with the sample data")
    seed.set_defaults(func=cmd_seed)

    migrate = sub.add_parser("migrate", help="upgrade the database schema to the newest version")
    migrate.set_defaults(func=cmd_migrate)

    sample = sub.add_parser(
        "sample",
        help="generate a sample data set as CSV (see `python -m crm_core sample --help`)",
        add_help=False,
    )
    sample.add_argument("rest", nargs=argparse.REMAINDER)
    sample.set_defaults(func=cmd_sample)

    from crm_core.cli_data import add_data_commands

    add_data_commands(sub, cmd_import, cmd_export)
    from crm_core.cli_users import add_user_commands

    add_user_commands(sub, cmd_init, cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        # The reader went away (`python -m crm_core … | head`): stop quietly, like other tools.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    for position, arg in enumerate(argv, start=1):
        # argparse would echo a bad value whole; nothing we take is anywhere near this long.
        if len(arg) > MAX_ARGUMENT:
            print(
                f"error: argument {position} is too long ({len(arg):,} characters; at most {MAX_ARGUMENT:,})",
                file=sys.stderr,
            )
            return EXIT_USAGE
    if argv[:1] == ["sample"]:
        # argparse.REMAINDER drops arguments that start with an option, so hand them all on here.
        args = argparse.Namespace(func=cmd_sample, rest=argv[1:])
    else:
        args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
