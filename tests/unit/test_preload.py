"""The heavy libraries are imported behind one module lock before any page code runs (ui/preload.py)."""

from __future__ import annotations

import ast
import subprocess
import sys

from crm_core.config import PROJECT_ROOT


def test_preload_imports_every_library_the_pages_load_lazily() -> None:
    code = (
        "import sys, ui.preload as p\n"
        "missing = [m for m in p.PRELOADED if m not in sys.modules]\n"
        "print(','.join(missing))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_app_imports_preload_before_any_of_its_own_modules() -> None:
    tree = ast.parse((PROJECT_ROOT / "app.py").read_text())
    own = [
        node.names[0].name if isinstance(node, ast.Import) else node.module or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    own = [name for name in own if name.split(".")[0] in {"ui", "crm_core"}]
    assert own[0] == "ui.preload"
