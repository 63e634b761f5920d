"""Shared fixtures. Tests about the built book read the HTML that `make book` produced."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import otsbook

ROOT = Path(__file__).resolve().parent.parent


def build_dir() -> Path:
    return Path(os.environ.get("OTSBOOK_BUILD_DIR", ROOT / "_build" / "html"))


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built HTML book; `make test` builds it before running the tests."""
    site = build_dir()
    if not (site / "index.html").exists():
        pytest.fail(f"No built book at {site}: run `make book` first (make test does it for you).")
    return site


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def chapter_cells(name: str) -> list[tuple[str, dict]]:
    """The code cells of chapters/<name>.md as (source, metadata), in order; IPython magics and
    shell lines are left out."""
    import jupytext

    notebook = jupytext.read(ROOT / "chapters" / f"{name}.md")
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            cells.append(("\n".join(lines), dict(cell.metadata)))
    return cells


def chapter_code(name: str) -> list[str]:
    """The code of each code cell of chapters/<name>.md."""
    return [source for source, _ in chapter_cells(name)]


def run_cell(source: str, namespace: dict, where: str = "<cell>"):
    """Run one cell as Jupyter does: the statements, then the value of a last bare expression."""
    tree = ast.parse(source, filename=where)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, where, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), where, "eval"), namespace) if last else None


@pytest.fixture(scope="session")
def run_chapter():
    """run_chapter("sources") runs the chapter's code cells, in order, in one namespace and returns
    it, so a test checks the tables and figures the page shows without a build. What a figure cell
    shows (its last expression) is in ``namespace["figures"][<figure name>]``, the name given in
    the cell's ``mystnb: figure: name:``. Each chapter runs once per session: do not modify it."""
    done: dict[str, dict] = {}

    def run(name: str) -> dict:
        if name not in done:
            namespace = {"__name__": f"chapter_{name}"}
            figures = {}
            for number, (source, metadata) in enumerate(chapter_cells(name), start=1):
                shown = run_cell(source, namespace, f"chapters/{name}.md, code cell {number}")
                figure = metadata.get("mystnb", {}).get("figure", {}).get("name")
                if figure:
                    figures[figure] = shown
            namespace["figures"] = figures
            done[name] = namespace
        return done[name]

    return run


# The tables several test modules read, loaded once per module through the helper package.
@pytest.fixture(scope="module")
def events():
    return otsbook.load("events")


@pytest.fixture(scope="module")
def states():
    return otsbook.load("states")


@pytest.fixture(scope="module")
def memberships():
    return otsbook.load("memberships")


@pytest.fixture(scope="module")
def organisations():
    return otsbook.load("organisations")


# Tests that run a build, a script or a kernel in a subprocess but do not carry @pytest.mark.slow
# in their own module yet. Their owners may move the marker into the module; then drop the line.
SLOW_ELSEWHERE = {
    "test_build.py::test_a_notebook_that_raises_fails_the_strict_build": "runs jupyter-book build",
    "test_build.py::test_notebook_export_for_colab": "runs scripts/export_notebooks.py",
    "test_assignments.py::test_first_code_cell_runs_with_and_without_otter": "starts a kernel",
}


def pytest_collection_modifyitems(config, items):
    """Mark every test that reads the built book (directly or through another fixture) as `build`,
    and the tests of SLOW_ELSEWHERE as `slow`, so that `make check`
    (-m "not build and not browser and not slow") needs no build and runs in seconds."""
    for item in items:
        if "built_html" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)
        if f"{item.path.name}::{item.originalname}" in SLOW_ELSEWHERE:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the browser tests could not run, so a green run is not mistaken for a full one."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "test_browser" in str(r.location[0] if r.location else r.nodeid)]
    if skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install chromium)", red=True, bold=True)


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run: the sync API allows only one at a time, so the browser
    suite and the JupyterLab test share it instead of each starting their own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


def load_module(name: str, relative_path: str):
    """Import a file of the repository that is not in a package (a script, the build extension)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module
