"""The repository explains itself, and a test says when it drifts: every module of `crm_core` is in
the README's Layout, every `docs/architecture.md §N` reference names a section that exists, and
nothing points at a design file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SECTION_REFERENCE = re.compile(r"docs/architecture\.md ((?:§\d+(?:\.\d+)?(?:, )?)+)")
SOURCES = ("app.py", "README.md", "crm_core", "ui", "pages", "bench", "tests", "docs", "migrations")


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("## Layout") :]
    return after[after.index("```") + 3 : after.index("```", after.index("```") + 3)]


def crm_core_modules() -> list[str]:
    package = ROOT / "crm_core"
    return sorted(
        f"{path.name}/" if path.is_dir() else path.name
        for path in package.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.name != "__init__.py")
    )


def source_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        files += (
            [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in {".py", ".md", ".toml"}]
        )
    return files


def architecture_sections() -> set[str]:
    headings = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", ARCHITECTURE.read_text(encoding="utf-8"), re.M)
    return {f"§{number}" for number in headings}


def test_every_crm_core_module_is_in_the_readme_layout() -> None:
    layout = layout_block()
    missing = [
        module for module in crm_core_modules() if not re.search(rf"(?<![\w/]){re.escape(module)}", layout)
    ]
    assert missing == []


def test_the_layout_check_sees_the_modules_it_should() -> None:
    modules = crm_core_modules()
    assert {"orders.py", "store/", "services/", "io/", "__main__.py"} <= set(modules)
    assert "__init__.py" not in modules


def test_every_section_reference_resolves() -> None:
    sections = architecture_sections()
    assert {"§1", "§1.4", "§3", "§5", "§7", "§8"} <= sections
    broken = [
        f"{path.relative_to(ROOT)}: {section}"
        for path in source_files()
        for match in SECTION_REFERENCE.finditer(path.read_text(encoding="utf-8"))
        for section in re.findall(r"§\d+(?:\.\d+)?", match.group(1))
        if section not in sections
    ]
    assert broken == []


def test_nothing_points_outside_the_repository_for_its_design() -> None:
    pointing = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if path != Path(__file__).resolve()
        and re.search(r"DESIGN\.md|\.\./shared", path.read_text(encoding="utf-8"))
    ]
    assert pointing == []
