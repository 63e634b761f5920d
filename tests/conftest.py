"""Shared fixtures. Tests about the built book read the HTML that `make book` produced."""
from __future__ import annotations

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


def pytest_collection_modifyitems(config, items):
    """Mark every test that reads the built book (directly or through another fixture) as `build`,
    so that `make check` (-m "not build and not browser and not slow") never needs a build."""
    for item in items:
        if "built_html" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the browser tests could not run, so a green run is not mistaken for a full one."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "test_browser" in str(r.location[0] if r.location else r.nodeid)]
    if skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install chromium)", red=True, bold=True)
