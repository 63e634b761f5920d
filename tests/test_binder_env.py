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


def binder_packages() -> dict[str, str]:
    lines = (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
    return {re.split(r"[<>=\s\[]", line.strip())[0].lower(): line.split("#")[0].strip()
            for line in lines if line.strip() and not line.startswith("#")}


def test_binder_image_renders_myst_and_has_otter_installed():
    packages = binder_packages()
    assert "jupyterlab-myst" in packages  # MyST roles and admonitions render in JupyterLab
    pinned = next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("otter-grader"))
    assert packages["otter-grader"] == pinned.split("#")[0].strip()  # the grader students run = the one that grades
    for nb in (ROOT / "assignments").rglob("*.ipynb"):
        text = nb.read_text(encoding="utf-8")
        assert "%pip" not in text and "pip install" not in text, f"{nb} installs something at run time"


def test_hub_image_setup_makes_the_pulled_repository_importable(tmp_path):
    import shutil
    import subprocess

    hub_requirements = (ROOT / "hub" / "requirements.txt").read_text()
    assert "-r ../.binder/requirements.txt" in hub_requirements.splitlines()
    clone = tmp_path / "home" / "ots-book"  # where nbgitpuller puts the repository
    shutil.copytree(ROOT / "otsbook", clone / "otsbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", clone / "data")
    shutil.copy(ROOT / "_config.yml", clone / "_config.yml")
    site, prefix = tmp_path / "site-packages", tmp_path / "prefix"
    site.mkdir()
    env = {"SKIP_PIP": "1", "SITE_PACKAGES": str(site), "JUPYTER_PREFIX": str(prefix), "PATH": "/usr/bin:/bin",
           "PYTHON": sys.executable}
    done = subprocess.run(["bash", str(ROOT / "hub" / "setup-image.sh"), str(clone)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (site / "ots-book.pth").read_text().strip() == str(clone)
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert settings.read_text() == (ROOT / ".binder" / "overrides.json").read_text()
    # a kernel started anywhere imports otsbook, and reads the data, from the pulled repository
    code = (f"import site; site.addsitedir({str(site)!r}); import otsbook; print(otsbook.__file__); "
            "print(len(otsbook.load('states')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    path, rows = done.stdout.split()
    assert path.startswith(str(clone)) and int(rows) > 0
