"""The heavy libraries are imported behind one module lock before any page code runs (ui/preload.py)."""

from __future__ import annotations

import ast
import subprocess
import sys

from crm_core.config import PROJECT_ROOT


def _printed(code: str) -> str:
    """What `code` prints in a fresh interpreter (nothing imported yet)."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_preload_imports_every_library_the_pages_load_lazily() -> None:
    code = (
        "import sys, ui.preload as p\n"
        "missing = [m for m in p.PRELOADED if m not in sys.modules]\n"
        "print(','.join(missing))\n"
    )
    assert _printed(code) == ""


def test_app_imports_preload_before_any_of_its_own_modules_but_the_one_that_opens_the_database() -> None:
    tree = ast.parse((PROJECT_ROOT / "app.py").read_text())
    own = [
        node.names[0].name if isinstance(node, ast.Import) else node.module or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    own = [name for name in own if name.split(".")[0] in {"ui", "crm_core"}]
    assert own[:2] == ["ui.data", "ui.preload"]


def test_the_module_app_imports_before_preload_imports_none_of_the_libraries_it_guards() -> None:
    # ui.data starts opening the database before the preload (app.py): it must not hold part of
    # the pandas / Plotly / Altair / pyarrow import chain that the preload puts behind one lock.
    code = (
        "import sys, streamlit\n"
        "before = set(sys.modules)\n"
        "import ui.data\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(','.join(sorted(new & {'pandas', 'plotly', 'altair', 'pyarrow'})))\n"
    )
    assert _printed(code) == ""
