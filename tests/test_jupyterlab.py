"""Live notebooks: JupyterLab started from an environment built like the Binder image (.binder/),
driven by Chromium with every request outside the machine blocked.

The environment is built once into ``_build/binder-venv`` (rebuilt when .binder/ changes) with
.binder/requirements.txt and .binder/postBuild, as repo2docker builds it. The test then opens a
chapter and checks that MyST renders (jupyterlab-myst) and that the map draws from the
repository's outlines, and runs an assignment's ``grader.check``, all with nothing installed
while it runs. Slow (the first run installs the environment); marked ``slow`` and ``browser``.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "_build" / "binder-venv"
TOKEN = "ots-test-token"


# --- fast: the map carries its own outlines -------------------------------------------------------

def test_map_bundle_carries_the_repository_outlines():
    import plotly.graph_objects as go

    import otsbook
    from otsbook.charts.maps import ots_map
    from otsbook.plotting import TOPOJSON_DIR

    any_map = go.Figure(go.Scattergeo(lon=[49.9], lat=[40.4], mode="markers"))  # a chapter's own map
    for fig in (ots_map(otsbook.load("states")), any_map):
        bundle = fig._repr_mimebundle_()
        url = bundle["application/vnd.plotly.v1+json"]["config"]["topojsonURL"]
        assert url.startswith("data:application/json;base64,") and url.endswith("#")
        assert base64.b64decode(url.split(",", 1)[1].rstrip("#")) == (TOPOJSON_DIR / "world_110m.json").read_bytes()
        assert "base64" not in bundle["text/html"]  # the HTML book keeps its page-level outlines
    chart = go.Figure(go.Bar(x=["a"], y=[1]))._repr_mimebundle_()
    assert "topojsonURL" not in chart["application/vnd.plotly.v1+json"]["config"]  # only maps carry them


# --- slow: JupyterLab in a browser ---------------------------------------------------------------

def _chromium() -> str | None:
    for candidate in (os.environ.get("OTSBOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def binder_venv() -> Path:
    """The Binder environment, built once (a stamp records what it was built from)."""
    digest = hashlib.sha256(b"".join((ROOT / ".binder" / name).read_bytes()
                                     for name in ("requirements.txt", "postBuild", "overrides.json"))).hexdigest()[:16]
    stamp = VENV / f".built-{digest}"
    if stamp.exists():
        return VENV
    shutil.rmtree(VENV, ignore_errors=True)
    python = shutil.which("python3.11") or sys.executable
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["-r", str(ROOT / ".binder" / "requirements.txt")], check=True, timeout=1800)
    env = dict(os.environ, PATH=f"{VENV / 'bin'}:{os.environ['PATH']}", NB_PYTHON_PREFIX=str(VENV))
    subprocess.run(["bash", str(ROOT / ".binder" / "postBuild")], cwd=ROOT, env=env, check=True, timeout=600)
    stamp.touch()
    return VENV


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _installed(venv: Path) -> list[str]:
    return sorted(p.name for p in (venv / "lib").glob("python3*/site-packages/*"))


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    if _chromium() is None:
        pytest.skip("SKIPPED: Chromium is not installed, so JupyterLab was not tested in a browser")
    venv = binder_venv()
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("lab")  # a copy of what a Binder session sees
    for name in ("chapters", "assignments", "_vendor"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb_checkpoints"))
    port = _free_port()
    env = {"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_PLATFORM_DIRS": "1", "PIP_NO_INDEX": "1"}
    before = _installed(venv)
    server = subprocess.Popen([str(venv / "bin" / "jupyter"), "lab", "--no-browser", f"--port={port}",
                               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
                               f"--ServerApp.root_dir={work}", "--allow-root",
                               "--LabApp.extension_manager=readonly"], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield {"url": url, "work": work}
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
    assert _installed(venv) == before, "something was installed while the notebooks ran"


@pytest.fixture(scope="module")
def lab_page(jupyterlab, playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=_chromium(), headless=True,
                                                args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield {"page": page, "blocked": blocked, "errors": errors, **jupyterlab}
    browser.close()


@pytest.fixture
def shot(lab_page, request):
    """A screenshot of JupyterLab after each test, passed or failed (in _build/, to look at)."""
    yield
    lab_page["page"].screenshot(path=str(ROOT / "_build" / f"jupyterlab-{request.node.name}.png"))


def _run_all(page):
    page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
    select = page.locator(".jp-Dialog button.jp-mod-accept")  # "Select Kernel" for a .md chapter
    try:
        select.wait_for(timeout=15_000)
        select.click()
    except Exception:  # noqa: BLE001 - no dialog: the notebook names its kernel
        pass
    # the kernel is ready once a visible indicator says so (an earlier notebook's tab may hold a hidden one)
    page.wait_for_function("""() => [...document.querySelectorAll(
        ".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-KernelStatus")].some(e => e.offsetParent !== null)""",
        timeout=120_000)
    page.keyboard.press("Escape")
    page.locator("li.lm-MenuBar-item", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


@pytest.mark.slow
@pytest.mark.browser
def test_chapter_renders_myst_and_draws_the_map_offline(lab_page, shot):
    page = lab_page["page"]
    page.goto(f"{lab_page['url']}/lab/tree/chapters/history.md?token={TOKEN}")
    _run_all(page)
    page.wait_for_selector(".js-plotly-plot .geo path.choroplethlocation", timeout=180_000)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .geo')].some("
                           "g => g.querySelectorAll('.layer.countries path, .layer.land path').length > 0)",
                           timeout=120_000)
    markdown = page.locator(".jp-MarkdownCell").all_inner_texts()
    text = "\n".join(markdown)
    assert text.strip(), "no Markdown cell rendered"
    for raw in ("{term}`", "{cite:p}`", ":::{admonition}", "{ref}`"):
        assert raw not in text, f"MyST shown as raw text: {raw}"
    assert page.locator(".jp-MarkdownCell aside, .jp-MarkdownCell .admonition, .jp-MarkdownCell [class*='admonition']").count() > 0
    assert not [u for u in lab_page["blocked"] if "plot.ly" in u or "topojson" in u]
    page.locator(".js-plotly-plot .geo").first.scroll_into_view_if_needed()


@pytest.mark.slow
@pytest.mark.browser
def test_assignment_grader_check_runs_with_nothing_installed(lab_page, shot):
    page = lab_page["page"]
    page.goto(f"{lab_page['url']}/lab/tree/assignments/student/history.ipynb?token={TOKEN}")
    _run_all(page)
    page.wait_for_selector(".jp-OutputArea-output:has-text('q1: not yet')", timeout=180_000)
    # textContent, not innerText: JupyterLab skips rendering the cells off screen (content-visibility),
    # and innerText of those is empty
    outputs = "\n".join(page.locator(".jp-OutputArea-output").all_text_contents())
    assert "members should be a list of three-letter codes" in outputs  # the question's hint
    assert "Traceback" not in outputs and "ModuleNotFoundError" not in outputs and "pip" not in outputs
    page.locator(".jp-OutputArea-output:has-text('q1: not yet')").first.scroll_into_view_if_needed()
