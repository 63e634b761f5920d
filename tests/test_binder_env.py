"""The lean Binder environment must be enough to run every chapter: each package that the
helper package or a chapter notebook imports is listed in .binder/requirements.txt."""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDED_BY_BINDER_BASE = {"ipython", "ipykernel", "jupyterlab", "notebook"}  # repo2docker's own environment


def top_level_imports(code: str) -> set[str]:
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def notebook_code(path: Path) -> str:
    return "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(?:---\n.*?\n---\n|(?::[^\n]*\n)*)(.*?)```", path.read_text(encoding="utf-8"), flags=re.S))


def imported_distributions() -> set[str]:
    modules = set()
    for path in (ROOT / "otsbook").rglob("*.py"):
        modules |= top_level_imports(path.read_text(encoding="utf-8"))
    for path in (ROOT / "chapters").glob("*.md"):
        modules |= top_level_imports(notebook_code(path))
    modules -= set(sys.stdlib_module_names) | {"otsbook", "__future__"}
    owners = packages_distributions()
    return {owners[m][0].lower() for m in modules}


def test_binder_requirements_cover_every_import_of_the_notebooks():
    listed = {
        re.split(r"[<>=\s\[]", line.strip())[0].lower()
        for line in (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    needed = imported_distributions()
    assert {"pandas", "plotly", "ipywidgets"} <= needed
    assert needed - listed - PROVIDED_BY_BINDER_BASE == set()
