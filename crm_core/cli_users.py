"""The `init` and `users` commands of `python -m crm_core`: start an empty database with its first
admin, then add, list and import users (through the same services as the Users page)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from crm_core import validation
from crm_core.cli_data import system_actor
from crm_core.io.output import write_atomically
from crm_core.services.users import ROLES, add_user, all_users, import_users
from crm_core.store import Store
from crm_core.store.seed import bootstrap_admin

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
Handler = Callable[[argparse.Namespace], int]


def name_from_email(email: str) -> str:
    """'maria.lindqvist@acme.example' → 'Maria Lindqvist' (when --name is not given)."""
    local = email.split("@", 1)[0]
    return " ".join(
        part.capitalize() for part in local.replace("_", ".").replace("-", ".").split(".") if part
    )


def run_init(store: Store, args: argparse.Namespace) -> int:
    email = validation.email("--admin", args.admin)
    assert email is not None
    name = validation.text("--name", args.name or name_from_email(email), max_length=200)
    assert name is not None
    bootstrap_admin(store, name, email)
    print(
        f"Started {store.describe()}: the schema and one admin, {name} <{email}>; no sample data.\n"
        "Next: add users (`users add`, `users import`), then import customers, products, "
        "opportunities and orders in that order (`import --help`)."
    )
    return EXIT_OK


def run_users(store: Store, args: argparse.Namespace) -> int:
    if args.users_command == "list":
        rows = all_users(store)
        width = max((len(str(r["name"])) for r in rows), default=4)
        print(f"{'name':<{width}}  {'role':<7}  {'active':<6}  email")
        for r in rows:
            active = "yes" if r["active"] else "no"
            print(f"{r['name']!s:<{width}}  {r['role']!s:<7}  {active:<6}  {r['email']}")
        return EXIT_OK
    actor = system_actor(store, args.as_email)
    if args.users_command == "add":
        user = add_user(store, actor, args.name, args.email, args.role)
        print(f"Added {user.name} <{user.email}> as {user.role.value} (by {actor.name}).")
        return EXIT_OK
    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    report = import_users(store, actor, args.file, args.file.name, lenient=args.lenient, dry_run=args.dry_run)
    print(f"Acting as {actor.name} <{actor.email}> ({actor.role.value}).")
    print(report.to_text())
    if args.report:
        write_atomically(args.report, report.problems_csv())
        print(f"Problems written to {args.report}.")
    if report.clean:
        return EXIT_OK
    return EXIT_REJECTED if args.lenient else EXIT_ERROR


def add_user_commands(sub: argparse._SubParsersAction, on_init: Handler, on_users: Handler) -> None:
    init = sub.add_parser(
        "init",
        help="start an empty database: the schema and one admin, no sample data",
        description="Create the schema and the first admin in an empty database (no sample data). "
        "Refused, changing nothing, when the database already has data.",
    )
    init.add_argument("--admin", required=True, metavar="EMAIL", help="the first admin's email")
    init.add_argument("--name", metavar="NAME", help="their name (default: from the email)")
    init.set_defaults(func=on_init)

    users = sub.add_parser("users", help="add, list or import users")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add a user")
    add.add_argument("email", help="their email (how they sign in and how imports name them)")
    add.add_argument("--name", required=True, help="their name")
    add.add_argument("--role", required=True, choices=ROLES, help="what they may do")
    add.add_argument(
        "--as", dest="as_email", metavar="EMAIL", help="act as this admin (default: first admin)"
    )
    users_sub.add_parser("list", help="every user, active or not")
    imp = users_sub.add_parser(
        "import",
        help="add the users of a CSV, Excel or Parquet file with columns name, email, role",
        description="Add users from a file with the columns name, email and role (rep, manager or "
        "admin). Strict by default: one bad row and nobody is added. Emails that are already users "
        "are left as they are. Exit status as for `import`.",
    )
    imp.add_argument("file", type=Path, help="a .csv, .xlsx or .parquet file")
    imp.add_argument("--lenient", action="store_true", help="add the valid rows, report the others")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument("--report", type=Path, metavar="OUT.csv", help="also write every problem to a CSV")
    imp.add_argument(
        "--as", dest="as_email", metavar="EMAIL", help="act as this admin (default: first admin)"
    )
    users.set_defaults(func=on_users)
