"""Every in-app navigation of Scalewise, found by reading the source, and the list of those the
browser test follows (`tests/e2e/test_acting_user.py`) while checking that the acting user stays.

A navigation is identified as `file:function:kind`, `<module>` for a page's top level, with the
target page when the source names it (`switch_page(pages/orders.py)`):
- `switch_page`, `page_link`: Streamlit's in-session page changes;
- `navigation`: the sidebar's page list (`st.navigation`);
- `query_params`: a write of the address bar's query string (`st.query_params[k] = v`, `.update`);
- `link_button`, `LinkColumn`: links that open a URL — a new browser session, without the user.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from crm_core.config import PROJECT_ROOT

CALL_KINDS = ("switch_page", "page_link", "navigation", "link_button", "LinkColumn")

# Each navigation the app has, with how the browser test follows it. Add a line here (and a step
# in the browser test) for every new one: tests/app/test_navigation_sources.py fails until then.
COVERED: dict[str, str] = {
    "app.py:<module>:navigation": "the sidebar's page links, used to reach every other step",
    "ui/opportunities/actions.py:run_pending_step:switch_page(pages/orders.py)": (
        "Opportunities: Mark won, then Create order"
    ),
    "ui/opportunities/detail.py:_orders:switch_page(pages/orders.py)": (
        "Opportunities: Open on the Orders page"
    ),
    "ui/orders/status.py:attention_section:switch_page(pages/orders.py)": (
        "Order status: a row of the exceptions table"
    ),
    "ui/reports/overview.py:tile:page_link": "Overview: the link under each headline figure",
    "ui/orders/desk.py:link_to:query_params": "Orders: an open order's number in the address bar",
    "ui/customers/desk.py:link_to:query_params": "Customers: an open card's customer id in the address bar",
    "ui/scoring/state.py:sync_link:query_params": "Scoring: the sliders' weights in the address bar",
    "ui/first_run.py:show_first_run:page_link": "First run (a database made by init): link to the Data page",
}
# Followed in tests/e2e/test_first_run.py, on a database made by `init`; the rest in test_acting_user.py.
FIRST_RUN_LINK = "ui/first_run.py:show_first_run:page_link"

# A link to a page of this app inside markdown or HTML (`[x](/orders)`, `href="?order=…"`) opens a
# new browser session, which starts over with the first user: the app must not have any.
IN_APP_URL = re.compile(r"\]\((?:/|\.|\?)|href\s*=\s*[\"']?(?:/|\.|\?)", re.IGNORECASE)


def app_sources() -> list[Path]:
    files = [PROJECT_ROOT / "app.py"]
    for folder in ("pages", "ui"):
        files += sorted((PROJECT_ROOT / folder).rglob("*.py"))
    return files


def _kind(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("update", "from_dict")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "query_params"
        ):
            return "query_params"
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        if name not in CALL_KINDS:
            return None
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return f"{name}({first.value})"
        return name
    if isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "query_params"
            ):
                return "query_params"
    return None


def walk_navigations(node: ast.AST, scope: str, rel: str, found: list[str]) -> None:
    for child in ast.iter_child_nodes(node):
        inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
        kind = _kind(child)
        if kind is not None:
            found.append(f"{rel}:{scope}:{kind}")
        walk_navigations(child, inner, rel, found)


def navigations_in_source() -> Counter[str]:
    """Every navigation call site in app.py, pages/ and ui/ (a site counted once per call)."""
    found: list[str] = []
    for path in app_sources():
        rel = path.relative_to(PROJECT_ROOT).as_posix()
        walk_navigations(ast.parse(path.read_text(encoding="utf-8")), "<module>", rel, found)
    return Counter(found)


def in_app_url_links() -> list[str]:
    """`file:line: text` of every string that links to a page of the app by URL."""
    hits = []
    for path in app_sources():
        rel = path.relative_to(PROJECT_ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and IN_APP_URL.search(text):
                hits.append(f"{rel}:{node.lineno}: {text[:80]}")
    return hits
