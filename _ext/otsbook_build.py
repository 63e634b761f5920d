"""Build plumbing for the OTS book, loaded by Sphinx through ``_config.yml``.

What it does, and why:

* **plotly.js once per site.** The book's figures are plotly ``text/html`` outputs that expect
  ``window.Plotly``. We copy ``plotly.min.js`` from the installed plotly package into
  ``_static`` (so it is never committed and always matches the Python library) and load it,
  only on pages that hold a figure, from that single URL: the browser caches it for the site.
* **Offline maps and widgets.** plotly fetches its world outlines from a CDN unless
  ``topojsonURL`` points elsewhere; the ipywidgets manager comes from a CDN by default. Both are
  vendored in ``_vendor/`` and served from ``_static``.
* **A cache that sees data changes.** jupyter-cache keys a notebook on its code cells only, so
  an edit to ``data/`` or ``otsbook/`` would leave stale figures. We hash those folders; when
  the hash changes we clear the execution cache and mark every page for re-reading.
* **Clean pages.** Jupyter Book 1.0.4 registers sphinx-thebe twice, so every page loaded the
  ``THEBE_JS_URL`` script twice (a JavaScript error); we drop the duplicate. The Colab button
  points at the generated ``.ipynb`` copies on the ``notebooks`` branch, since Colab cannot
  open MyST Markdown. Execution reports go to ``_build/reports/``, not into the site.
* **Exercises honest without a kernel.** Notebooks executed for the book run with
  ``OTSBOOK_STATIC_BOOK=1``, so each exercise shows its worked solution in a drop-down that opens
  without Python, and a note on how to get feedback, instead of buttons that could not answer.
* **Accessible, quiet pages.** The theme's sidebar toggles (``<summary>`` with only a chevron)
  get a label naming their chapter; bibliography entries get ``role="listitem"`` instead of the
  deprecated ``doc-biblioentry`` (invalid inside the list docutils wraps them in); the colour mode
  defaults to light (the figures are drawn for a white page), which also stops the theme logging
  "Got invalid theme mode" on a first visit. Without a configured favicon the page declares an
  empty one, so browsers do not log a 404 for ``/favicon.ico``.
* **Lighter pages.** pydata-sphinx-theme loads ``fontawesome.js`` (1.5 MB, 0.54 MB gzip) on every
  page only so that users can add custom icons; its stylesheet already draws every icon the book
  uses from the web fonts, so the script is dropped from the written pages.
"""
from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "_vendor"
WATCHED = ("data", "otsbook")  # everything a notebook reads besides its own cells
STAMP_NAME = "otsbook-inputs.sha256"
NOTEBOOK_BRANCH = "notebooks"


def inputs_fingerprint(root: Path | None = None) -> str:
    """Hash of every file under the watched folders (paths and bytes)."""
    root = root or ROOT
    digest = hashlib.sha256()
    for folder in WATCHED:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_dir(app: Sphinx) -> Path:
    return Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")


def guard_execution_cache(app: Sphinx, config) -> None:
    # Kernels started for the build inherit this: exercises then render for a page without a kernel.
    os.environ["OTSBOOK_STATIC_BOOK"] = "1"
    cache = _cache_dir(app)
    stamp = cache / STAMP_NAME
    app.otsbook_fingerprint = inputs_fingerprint()
    previous = stamp.read_text().strip() if stamp.exists() else None
    app.otsbook_inputs_changed = previous != app.otsbook_fingerprint
    if app.otsbook_inputs_changed and cache.exists():
        logger.info("[otsbook] data/ or otsbook/ changed: clearing the execution cache")
        shutil.rmtree(cache)


def reread_all_when_inputs_changed(app: Sphinx, env, added, changed, removed):
    if getattr(app, "otsbook_inputs_changed", False):
        return sorted(set(env.found_docs) - set(added) - set(removed))
    return []


def write_cache_stamp(app: Sphinx, exception) -> None:
    if exception is not None:
        return
    cache = _cache_dir(app)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / STAMP_NAME).write_text(app.otsbook_fingerprint + "\n")


def move_execution_reports(app: Sphinx, exception) -> None:
    """Execution logs are for whoever builds the book, not for its readers: keep them in
    ``_build/reports/`` (beside the site, not in it)."""
    reports = Path(app.outdir) / "reports"
    if reports.exists():
        kept = Path(app.outdir).parent / "reports"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.move(str(reports), kept)


def copy_static_assets(app: Sphinx) -> None:
    """Put plotly.js, the widget manager and the map outlines into _static."""
    if app.builder.format != "html":
        return
    import plotly

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", static / "plotly.min.js")
    for sub in ("ipywidgets", "topojson"):
        shutil.copytree(VENDOR / sub, static / sub, dirs_exist_ok=True)
    # The dataset itself, so that readers can download each table from the Datasets page.
    published_data = Path(app.outdir) / "data"
    published_data.mkdir(exist_ok=True)
    for path in [*(ROOT / "data").glob("*.csv"), ROOT / "data" / "datapackage.json", ROOT / "data" / "README.md"]:
        shutil.copy2(path, published_data / path.name)


PLOTLY_SETUP = (
    "window.Plotly && Plotly.setPlotConfig({topojsonURL: new URL("
    "(document.documentElement.dataset.content_root || '') + '_static/topojson/', document.baseURI).href});"
)


def per_page_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if "plotly-graph-div" in body:
        app.add_js_file("plotly.min.js", priority=300)
        app.add_js_file(None, body=PLOTLY_SETUP, priority=301)
    scripts = context.get("script_files", [])
    seen, unique = set(), []
    for script in scripts:
        key = (getattr(script, "filename", script) or "", getattr(script, "attributes", {}).get("body"))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique
    _point_colab_at_notebooks_branch(app, context)
    _accessible_page(app, context)


_TOGGLE = re.compile(
    r'(<a class="[^"]*\breference internal\b[^"]*" href="[^"]*">(?P<title>(?:(?!</a>).)*)</a>\s*<details(?: open="open")?>\s*)<summary>'
    r'(?=\s*<span class="toctree-toggle")',
    re.S,
)


def _label_toggles(toc_html: str) -> str:
    def label(match: re.Match) -> str:
        title = html.unescape(re.sub(r"<[^>]+>", "", match["title"])).strip()
        return f'{match[1]}<summary aria-label="{html.escape("Show or hide the sections of " + title, quote=True)}">'

    return _TOGGLE.sub(label, toc_html)


def _accessible_page(app: Sphinx, context) -> None:
    if "default_mode" not in (app.config.html_context or {}):
        context["default_mode"] = "light"
    if not context.get("favicon_url"):  # else every first visit logs a 404 for /favicon.ico
        context["metatags"] = context.get("metatags", "") + '\n<link rel="icon" href="data:,">'
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
    generate = context.get("generate_toctree_html")
    if callable(generate) and not getattr(generate, "otsbook_labelled", False):
        def labelled(*args, **kwargs):
            out = generate(*args, **kwargs)  # a str or a BeautifulSoup: both print as HTML
            return out if out is None else _label_toggles(str(out))

        labelled.otsbook_labelled = True
        context["generate_toctree_html"] = labelled


def _point_colab_at_notebooks_branch(app: Sphinx, context) -> None:
    branch = app.config.html_context.get("github_version") or "main"

    def walk(buttons):
        for button in buttons:
            walk(button.get("buttons", []))
            url = button.get("url", "")
            if "colab.research.google.com" in url and url.endswith(".md"):
                button["url"] = url.replace(f"/blob/{branch}/", f"/blob/{NOTEBOOK_BRANCH}/")[: -len(".md")] + ".ipynb"

    walk(context.get("header_buttons", []))


_FONTAWESOME_JS = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def drop_fontawesome_js(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] == "_static":  # theme template fragments, not pages
            continue
        text = page.read_text(encoding="utf-8")
        lighter = _FONTAWESOME_JS.sub("", text)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")


def setup(app: Sphinx):
    app.connect("config-inited", guard_execution_cache)
    app.connect("env-get-outdated", reread_all_when_inputs_changed)
    app.connect("builder-inited", copy_static_assets)
    # after sphinx-book-theme has filled in the launch buttons (priority 500)
    app.connect("html-page-context", per_page_scripts, priority=900)
    app.connect("build-finished", write_cache_stamp)
    app.connect("build-finished", move_execution_reports)
    app.connect("build-finished", drop_fontawesome_js)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
