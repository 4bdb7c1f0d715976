"""SQL lives in crm_core/store/ only (docs/architecture.md §2, §3): read from the source, so a
statement or a session call written anywhere else in crm_core fails here, naming the line.

Outside the store a module may hand on a session it was given (`with store.read() as session:`,
`uow.session`) to a store function, but never call it, build a statement or import SQLAlchemy
— except the few names below, which describe the schema or a database URL or are errors the
store does not translate."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRM_CORE = Path(__file__).resolve().parents[2] / "crm_core"
STORE = CRM_CORE / "store"

# (module, name) imports from SQLAlchemy allowed outside the store, and why.
ALLOWED_IMPORTS = {
    # errors the store lets through (a preset name saved twice at once)
    **{("sqlalchemy.exc", name): "an error" for name in ("IntegrityError", "ArgumentError")},
    # parsing and describing the database URL (crm_core/config.py)
    ("sqlalchemy.engine", "URL"): "a URL",
    ("sqlalchemy.engine", "make_url"): "a URL",
    # the sample generator maps the schema's column types to Polars dtypes (crm_core/sample)
    **{
        ("sqlalchemy", name): "a column type"
        for name in ("Boolean", "Date", "DateTime", "Float", "Integer", "String")
    },
    ("sqlalchemy.types", "TypeDecorator"): "a column type",
    ("sqlalchemy.types", "TypeEngine"): "a column type",
}
# What a session, a connection or a result is asked to do; nothing outside the store calls these.
SESSION_METHODS = frozenset(
    {"execute", "scalars", "scalar", "get_one", "add_all", "merge", "query", "begin", "connect"}
)
SESSION_NAMES = frozenset({"session", "connection", "conn"})


def _modules_outside_store() -> list[Path]:
    return sorted(p for p in CRM_CORE.rglob("*.py") if STORE not in p.parents)


def sql_outside_store(source: str) -> list[str]:
    """Each import of SQLAlchemy not allowed above, and each session-like call, as 'line N: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}"
                for a in node.names
                if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [
                f"line {node.lineno}: from {node.module} import {a.name}"
                for a in node.names
                if (node.module, a.name) not in ALLOWED_IMPORTS
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            on_a_session = (isinstance(receiver, ast.Name) and receiver.id in SESSION_NAMES) or (
                isinstance(receiver, ast.Attribute) and receiver.attr in SESSION_NAMES
            )
            if on_a_session or method in SESSION_METHODS:
                found.append(f"line {node.lineno}: .{method}(…) on {ast.unparse(receiver)}")
    return found


@pytest.mark.parametrize("path", _modules_outside_store(), ids=lambda p: str(p.relative_to(CRM_CORE)))
def test_no_sql_or_session_calls_outside_the_store(path: Path) -> None:
    assert sql_outside_store(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_statement_an_import_and_session_calls() -> None:
    source = (
        "from sqlalchemy import select\n"
        "from sqlalchemy.exc import IntegrityError\n"
        "def f(uow, session, rows):\n"
        "    uow.session.add(rows)\n"
        "    session.get(Order, 1)\n"
        "    return uow.session, rows.get(1), session\n"
    )
    assert sql_outside_store(source) == [
        "line 1: from sqlalchemy import select",
        "line 4: .add(…) on uow.session",
        "line 5: .get(…) on session",
    ]


def test_the_store_itself_is_where_the_sql_is() -> None:
    """The check is not vacuous: the store's own modules fail it."""
    assert sql_outside_store((STORE / "orders.py").read_text(encoding="utf-8"))
