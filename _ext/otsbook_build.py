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
* **Exercises without a script.** Each saved widget is drawn as plain HTML before its view
  (``_ext/widget_snapshot.py``), with ipywidgets' stylesheet; the widget manager comes later, on
  the reader's first move (``_static/otsbook-lazy.js``).
* **Less to style.** The stylesheet bundle of a page keeps only rules that some page or script of
  the site can match (``_ext/unused_css.py``), and highlighted code loses the token ``<span>`` s
  that its styles draw like plain text.
* **Lighter pages.** pydata-sphinx-theme loads ``fontawesome.js`` (1.5 MB, 0.54 MB gzip) on every
  page only so that users can add custom icons; its stylesheet already draws every icon the book
  uses from the web fonts, so the script is dropped from the written pages.
"""
from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

if str(Path(__file__).resolve().parent) not in sys.path:  # its sibling modules, also when a test loads this file
    sys.path.append(str(Path(__file__).resolve().parent))
from unused_css import known_words, prune_css  # noqa: E402
from widget_snapshot import saved_state, snapshot_views  # noqa: E402

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
    app.otsbook_partial_traces = check_partial_bundle()
    if app.otsbook_partial_traces:
        shutil.copytree(PARTIAL, static / "plotly", dirs_exist_ok=True)
    for sub in ("ipywidgets", "topojson"):
        shutil.copytree(VENDOR / sub, static / sub, dirs_exist_ok=True)
    (static / ICON_CSS).write_text(icon_css(fontawesome_icons(theme_fontawesome_js())), encoding="utf-8")
    app.add_css_file(ICON_CSS, priority=900)
    # Not in the book's _static/: Jupyter Book would load it on every page, without its data attributes.
    shutil.copy2(Path(__file__).with_name(LAZY_LOADER), static / LAZY_LOADER)
    # The dataset itself, so that readers can download each table from the Datasets page.
    published_data = Path(app.outdir) / "data"
    published_data.mkdir(exist_ok=True)
    for path in [*(ROOT / "data").glob("*.csv"), ROOT / "data" / "datapackage.json", ROOT / "data" / "README.md"]:
        shutil.copy2(path, published_data / path.name)


# ------------------------------------------------------------------ plotly.js: a partial bundle, loaded late
PARTIAL = VENDOR / "plotly" / "esm"  # built by _vendor/plotly/build.mjs (npm run build:plotly)


def plotly_js_version(path: Path) -> str:
    """The plotly.js version a bundle declares in its first lines."""
    match = re.search(r"plotly\.js v([\w.-]+)", path.read_text(encoding="utf-8", errors="replace")[:600])
    return match.group(1) if match else "unknown"


def check_partial_bundle() -> frozenset[str]:
    """The trace types of the vendored partial plotly.js, after checking that it is the plotly.js
    version of the installed plotly Python package (which drew the figures). A mismatch is a build
    warning, so the strict build fails; the pages then fall back to the full plotly.min.js."""
    import plotly

    wanted = plotly_js_version(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
    manifest = PARTIAL / "manifest.json"
    if not manifest.exists():
        logger.warning("[otsbook] %s is missing: run `npm ci && npm run build:plotly`", manifest.relative_to(ROOT))
        return frozenset()
    info = json.loads(manifest.read_text(encoding="utf-8"))
    if info.get("plotly.js") != wanted:
        logger.warning(
            "[otsbook] _vendor/plotly/esm is plotly.js %s but the plotly Python package bundles %s: "
            "set plotly.js to %s in package.json, then `npm install && npm run build:plotly`",
            info.get("plotly.js"), wanted, wanted)
        return frozenset()
    return frozenset(info["traces"])


_PLOTLY_SCRIPT = re.compile(r"<script(?: type=\"text/javascript\")?>(?P<code>(?:(?!</script>).)*?\bPlotly\.newPlot\((?:(?!</script>).)*)</script>", re.S)
_NEWPLOT = re.compile(r"Plotly\.newPlot\(\s*")
_COMMA = re.compile(r"\s*,\s*")
LAZY_TYPE = "application/vnd.otsbook.plotly+js"
LAZY_LOADER = "otsbook-lazy.js"


def trace_types(code: str) -> set[str]:
    """Trace types drawn by a figure's ``Plotly.newPlot(id, data, layout, config)`` code."""
    decoder, types = json.JSONDecoder(), set()
    for match in _NEWPLOT.finditer(code):
        try:
            _, pos = decoder.raw_decode(code, match.end())
            data, _ = decoder.raw_decode(code, _COMMA.match(code, pos).end())
        except (ValueError, AttributeError):
            types.add("?")  # unreadable: only the full bundle is safe
            continue
        types |= {trace.get("type", "scatter") for trace in data if isinstance(trace, dict)}
    return types


def lazy_figures(body: str) -> tuple[str, set[str]]:
    """Turn every figure's drawing script into an inert block that _static/otsbook-lazy.js runs
    once plotly.js has arrived; return the new body and the trace types it draws."""
    types: set[str] = set()

    def inert(match: re.Match) -> str:
        types.update(trace_types(match["code"]))
        return f'<script type="{LAZY_TYPE}">{match["code"]}</script>'

    return _PLOTLY_SCRIPT.sub(inert, body), types


def _relative(pagename: str, target: str) -> str:
    return "../" * pagename.count("/") + target


def lazy_scripts(app: Sphinx, pagename: str, context) -> None:
    """Figures and widgets never block the first paint: plotly.js and the widget manager are
    loaded by _static/otsbook-lazy.js (deferred), after the page has loaded, when a figure comes
    near the screen or a widget enters it."""
    body = context.get("body", "")
    attrs = {}
    if "plotly-graph-div" in body and "Plotly.newPlot" in body:
        body, types = lazy_figures(body)
        context["body"] = body
        partial = getattr(app, "otsbook_partial_traces", frozenset())
        if types and types <= partial:
            attrs["data-plotly-modules"] = _relative(pagename, "_static/plotly/")
            attrs["data-plotly-traces"] = ",".join(sorted(types))
        else:
            if partial:
                logger.info("[otsbook] %s draws %s, not all in the partial plotly.js bundle: it loads the full one",
                            pagename, ", ".join(sorted(types - partial)))
            attrs["data-plotly"] = _relative(pagename, "_static/plotly.min.js")
        attrs["data-topojson"] = _relative(pagename, "_static/topojson/")
    scripts = context.get("script_files", [])
    embed = [js for js in scripts if (getattr(js, "filename", js) or "").split("?")[0].endswith("ipywidgets/embed.js")]
    if embed and "application/vnd.jupyter.widget-view+json" in body:
        attrs["data-widgets"] = _relative(pagename, "_static/ipywidgets/embed.js")
        static_widgets(pagename, context)
    if attrs:
        app.add_js_file(LAZY_LOADER, priority=800, loading_method="defer", **attrs)
    context["script_files"] = [js for js in context.get("script_files", []) if js not in embed]


WIDGETS_CSS = "_static/ipywidgets/css/widgets.css"  # ipywidgets' own stylesheet (_vendor/ipywidgets/css)


def static_widgets(pagename: str, context) -> None:
    """Draw the page's saved widgets as plain HTML (see _ext/widget_snapshot.py), so an exercise
    shows at once without the 1.8 MB widget manager, and give the page ipywidgets' stylesheet."""
    state = saved_state(context.get("script_files", []))
    if state is None:
        return
    context["body"], unknown = snapshot_views(context["body"], state)
    if unknown:
        logger.warning("[otsbook] %s: no static drawing for %s: add it to _RENDERERS in _ext/widget_snapshot.py",
                       pagename, ", ".join(sorted(unknown)))
    from sphinx.builders.html._assets import _CascadingStyleSheet

    css = context.setdefault("css_files", [])
    if not any(getattr(c, "filename", c) == WIDGETS_CSS for c in css):
        ours = next((i for i, c in enumerate(css) if str(getattr(c, "filename", c)).endswith("otsbook.css")), len(css))
        css.insert(ours, _CascadingStyleSheet(WIDGETS_CSS, priority=500))


# ------------------------------------------------------------------ valid HTML at the source
_PANDAS_STYLE = re.compile(r"<style scoped>\s*(?:\.dataframe [^{}]*\{[^{}]*\}\s*)+</style>\s*")
_SUMMARY = re.compile(r"(<summary\b[^>]*>)(.*?)(</summary>)", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HALIGN = re.compile(r'(<th\b[^>]*?)\s+halign="(left|right|center)"')  # pandas' MultiIndex column headers


def _phrasing_summary(match: re.Match) -> str:
    """myst-nb puts <p> titles in the <summary> of hidden cells; a summary holds phrasing content."""
    inner = re.sub(r"<p\b", "<span", match[2]).replace("</p>", "</span>")
    return match[1] + inner + match[3]


def _unique_ids(body: str) -> str:
    """sphinx-exercise gives every exercise and solution body the same id; number the repeats."""
    seen: dict[str, int] = {}

    def renumber(match: re.Match) -> str:
        n = seen[match[1]] = seen.get(match[1], 0) + 1
        return match[0] if n == 1 else f'id="{match[1]}-{n}"'

    return _ID.sub(renumber, body)


def valid_body(body: str) -> str:
    """Fix, in the page body, the markup that the Nu HTML Checker rejects and the book cannot change
    at its source: pandas' <style scoped> before each table (its rules are in _static/otsbook.css),
    <p> inside <summary>, repeated ids, and the obsolete ``halign`` of pandas' multi-level headers."""
    body = _PANDAS_STYLE.sub("", body)
    body = _HALIGN.sub(r'\1 style="text-align: \2"', body)
    body = _SUMMARY.sub(_phrasing_summary, body)
    return _unique_ids(body)


def book_title(app: Sphinx) -> str:
    """The book's title (Jupyter Book sets html_title; Sphinx's project stays at its default)."""
    return app.config.html_title or app.config.project


def describe(doctree, context, app: Sphinx, pagename: str = "") -> str:
    """A meta description: the page's first real paragraph, shortened at a word to ~160 characters."""
    text = ""
    if doctree is not None:
        from docutils import nodes

        for para in doctree.findall(nodes.paragraph):
            if any(isinstance(a, (nodes.Admonition, nodes.caption, nodes.legend, nodes.footnote, nodes.citation)) for a in _ancestors(para)):
                continue
            candidate = " ".join(para.astext().split())
            if len(candidate) >= 60:
                text = candidate
                break
    if not text:
        title = re.sub(r"<[^>]+>", "", context.get("title", "") or "") or {"genindex": "Index of terms", "search": "Search"}.get(pagename, "")
        text = f"{html.unescape(title)}: {book_title(app)}." if title else f"{book_title(app)}."
    if len(text) > 160:
        text = text[:157].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return text


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def per_page_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = valid_body(context["body"])
    if 'name="description"' not in context.get("metatags", ""):
        description = html.escape(describe(doctree, context, app, pagename), quote=True)
        context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{description}">'
    lazy_scripts(app, pagename, context)
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


# ------------------------------------------------------------------ written pages: scripts, icons, redirect
_FONTAWESOME_JS = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')
_SEARCH_SCRIPTS = re.compile(r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>\n?')
_PRELOAD_SCRIPT = re.compile(r'[ \t]*<link rel="preload" as="script" href="[^"]*" />\n?')
_IMG = re.compile(r"<img\b(?![^>]*\bloading=)")
_HEAD_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.S)
_ICON = re.compile(r'<(?P<tag>i|span) class="(?P<cls>[^"]*\bfa-[^"]*)"(?P<rest>[^>]*)></(?P=tag)>')
_ICON_STYLES = {"fa-solid": "fas", "fas": "fas", "fa-brands": "fab", "fab": "fab", "fa-regular": "far", "far": "far"}
_PACK_END = re.compile(r'\bd\("(?P<prefix>fa[srb])",p\)')
_ICON_ENTRY = re.compile(r'(?:"(?P<q>[\w-]+)"|(?P<n>[\w$]+)):\[(?P<w>\d+),(?P<h>\d+),\[(?P<aliases>[^\]]*)\],"[0-9a-f]+","(?P<d>[^"]+)"\]')


def defer_head_scripts(text: str) -> str:
    """No script blocks the first paint: every external script in <head> is deferred (they keep
    their order), and inline code that uses what one of them defines (DOCUMENTATION_OPTIONS)
    waits for DOMContentLoaded, which comes after every deferred script has run."""
    head_end = text.find("</head>")
    if head_end < 0:
        return text
    # The theme preloads its two deferred scripts, which then compete with the stylesheet for the
    # first paint; they are fetched as soon as the parser reaches them anyway.
    head = _PRELOAD_SCRIPT.sub("", text[:head_end])
    text, head_end = head + text[head_end:], len(head)

    def defer(match: re.Match) -> str:
        attrs, code = match["attrs"], match["code"]
        if "src=" in attrs:
            if re.search(r"\b(defer|async)\b|type=\"module\"", attrs):
                return match[0]
            return f"<script defer{attrs}>{code}</script>"
        if "type=" not in attrs and "DOCUMENTATION_OPTIONS." in code and "const DOCUMENTATION_OPTIONS" not in code:
            return f"<script{attrs}>document.addEventListener('DOMContentLoaded', () => {{ {code.strip()} }});</script>"
        return match[0]

    return _HEAD_SCRIPT.sub(defer, text[:head_end]) + text[head_end:]


def theme_fontawesome_js() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts" / "fontawesome.js"


# The icons the theme draws with the icon font in CSS (admonition titles), by admonition class.
ADMONITION_ICONS = {
    "": "bell", "attention": "circle-exclamation", "important": "circle-exclamation",
    "caution": "triangle-exclamation", "warning": "triangle-exclamation", "danger": "triangle-exclamation",
    "error": "circle-xmark", "hint": "lightbulb", "tip": "lightbulb", "note": "circle-info",
    "seealso": "share", "admonition-todo": "pencil", "exercise": "pencil",
}
ICON_CSS = "otsbook-icons.css"


# The brand icon the theme draws before a link to a code host (``a.github::before``) with the
# 118 KB brands icon font, by link class.
LINK_ICONS = {"github": "github", "gitlab": "gitlab"}


def icon_css(icons) -> str:
    """Stylesheet that draws the admonition title icons, and the icons before links to GitHub or
    GitLab, as SVG masks instead of icon-font glyphs."""
    from urllib.parse import quote

    def mask(prefix: str, name: str) -> str:
        width, height, d = icons[(prefix, name)]
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"><path d="{d}"/></svg>'
        url = f'url("data:image/svg+xml,{quote(svg, safe=" =:/,.-")}")'
        return f"background-color:currentColor;-webkit-mask:{url} center/contain no-repeat;mask:{url} center/contain no-repeat"

    rules = ["/* Written by _ext/otsbook_build.py: admonition and link icons as SVG masks, so no icon font is fetched. */"]
    for cls, name in ADMONITION_ICONS.items():
        sel = f".admonition{'.' + cls if cls else ''}>.admonition-title"
        rules.append(f"html body div{sel}::after,html body {sel}::after{{content:\"\";font:inherit;{mask('fas', name)}}}")
    for cls, name in LINK_ICONS.items():
        rules.append(f"html body a.{cls}::before{{content:\"\";font:inherit;display:inline-block;width:1em;height:1em;"
                     f"vertical-align:-0.125em;{mask('fab', name)}}}")
    return "\n".join(rules) + "\n"


@functools.lru_cache(maxsize=4)
def fontawesome_icons(path: Path) -> dict[tuple[str, str], tuple[int, int, str]]:
    """Icon outlines (prefix, name) -> (width, height, path) from the theme's fontawesome.js."""
    icons = {}
    if not path.exists():
        return icons
    text = path.read_text(encoding="utf-8")
    for pack in _PACK_END.finditer(text):  # each style's icons: "var p={...}" up to d("fas",p)
        start = text.rfind("var p={", 0, pack.start())
        for entry in _ICON_ENTRY.finditer(text, start, pack.start()):
            shape = (int(entry["w"]), int(entry["h"]), entry["d"])
            names = [entry["q"] or entry["n"], *re.findall(r'"([\w-]+)"', entry["aliases"])]
            for name in names:
                icons.setdefault((pack["prefix"], name), shape)
    return icons


def inline_icons(text: str, icons) -> str:
    """Draw each Font Awesome icon as inline SVG (what the theme's fontawesome.js would do in the
    browser), so that no icon web font is fetched for a handful of icons."""

    def svg(match: re.Match) -> str:
        classes = match["cls"].split()
        prefix = next((_ICON_STYLES[c] for c in classes if c in _ICON_STYLES), "fas")
        names = [c[3:] for c in classes if c.startswith("fa-") and c not in _ICON_STYLES]
        shape = next((icons[(prefix, n)] for n in names if (prefix, n) in icons), None)
        if shape is None:
            return match[0]
        width, height, d = shape
        kept = " ".join(c for c in classes if c not in _ICON_STYLES)
        rest = match["rest"] if "aria-hidden" in match["rest"] else match["rest"] + ' aria-hidden="true"'
        title = re.search(r'\s+title="([^"]*)"', rest)  # not an SVG attribute: a <title> child instead
        if title:
            rest = rest.replace(title[0], "")
        return (f'<svg class="svg-inline--fa {kept}"{rest} focusable="false" xmlns="http://www.w3.org/2000/svg" '
                f'viewBox="0 0 {width} {height}">{f"<title>{title[1]}</title>" if title else ""}<path fill="currentColor" d="{d}"/></svg>')

    return _ICON.sub(svg, text)


def redirect_page(text: str, app: Sphinx) -> str:
    """Jupyter Book's root index.html is a bare <meta refresh>; make it a valid page that still redirects."""
    match = re.fullmatch(r'\s*<meta http-equiv="Refresh" content="0; url=(?P<url>[^"]+)" />\s*', text)
    if not match:
        return text
    url, title = html.escape(match["url"], quote=True), html.escape(book_title(app))
    return (f'<!DOCTYPE html>\n<html lang="{app.config.language or "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="refresh" content="0; url={url}">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}</title>\n<meta name="description" content="{title}: the book opens at its introduction.">\n'
            f'<link rel="canonical" href="{url}">\n<link rel="icon" href="data:,">\n</head>\n'
            f'<body>\n<p>The book opens at its <a href="{url}">introduction</a>.</p>\n</body>\n</html>\n')


_GLYPH_RULE = re.compile(r'(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:"[^"]*"\}')


def trim_icon_font_css(css: str, keep: set[str]) -> str:
    """Drop the icon font's ~2,000 glyph rules (``.fa-NAME:before{content:...}``): the pages draw
    their icons as SVG. Rules for icons that the theme's scripts may still create are kept."""

    def drop(match: re.Match) -> str:
        names = set(re.findall(r"\.fa-([a-z0-9-]+):", match[0]))
        return match[0] if names & keep else ""

    return _GLYPH_RULE.sub(drop, css)


_STYLESHEET = re.compile(r'[ \t]*<link\b(?=[^>]*\brel="stylesheet")[^>]*\bhref="(?P<href>[^"]+)"[^>]*>\n?')
_CSS_URL = re.compile(r'url\(\s*(?P<q>["\']?)(?P<url>[^"\')]+)(?P=q)\s*\)')
_CSS_IMPORT = re.compile(r'@import\s+(?:url\()?\s*["\']?(?P<url>[^"\')\s;]+)["\']?\s*\)?\s*;')


def _css_for_bundle(path: Path, static: Path, seen: set[Path]) -> str:
    """A stylesheet's text for a bundle in ``static``: @imports inlined, relative url()s rewritten."""
    if path in seen or not path.exists():
        return ""
    seen.add(path)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'@charset\s+"[^"]*";', "", text)

    def rebase(match: re.Match) -> str:
        url = match["url"]
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", url, re.I):
            return match[0]
        target = os.path.normpath(path.parent / url.split("?")[0].split("#")[0])
        return f'url("{Path(os.path.relpath(target, static)).as_posix()}")'

    text = _CSS_IMPORT.sub(lambda m: _css_for_bundle((path.parent / m["url"]).resolve(), static, seen), text)
    return f"/* {path.relative_to(static.parent).as_posix()} */\n" + _CSS_URL.sub(rebase, text) + "\n"


_THEME_RULE = re.compile(r'html\[data-theme="(?P<theme>\w+)"\] \.highlight(?: \.(?P<cls>[\w-]+))? \{(?P<body>[^{}]*)\}')
_TOKEN = re.compile(r'<span class="(?P<cls>[\w-]+)">(?P<text>[^<]*)</span>')
_CODE_BLOCK = re.compile(r'<div class="highlight"><pre>.*?</pre>', re.S)


def plain_token_classes(pygments_css: str) -> frozenset[str]:
    """Token classes (pygments' ``n``, ``p``, ``w``...) that the code styles draw exactly like
    plain code text, in every colour theme: their only rule is the code block's own colour."""
    base: dict[str, str] = {}
    rules: dict[str, dict[str, str]] = defaultdict(dict)
    for m in _THEME_RULE.finditer(pygments_css):
        decls = {k.strip(): v.strip() for k, _, v in (d.partition(":") for d in m["body"].split(";")) if k.strip()}
        if m["cls"] is None:
            base[m["theme"]] = decls.get("color", "")
        else:
            rules[m["cls"]][m["theme"]] = " ".join(f"{k}:{v}" for k, v in sorted(decls.items()))
    if not base:
        return frozenset()
    return frozenset(cls for cls, by_theme in rules.items()
                     if set(by_theme) == set(base) and all(rule == f"color:{base[t]}" for t, rule in by_theme.items()))


def plain_code(text: str, classes: frozenset[str]) -> str:
    """Unwrap, in highlighted code, the token <span>s that change nothing on screen (a chapter's
    code has ~3,000 of them, half of the page's elements, which the browser must style and lay out)."""
    if not classes:
        return text

    def unwrap(block: re.Match) -> str:
        return _TOKEN.sub(lambda m: m["text"] if m["cls"] in classes else m[0], block[0])

    return _CODE_BLOCK.sub(unwrap, text)


BUNDLES = "otsbook-bundles.json"  # in _static: bundle name -> its stylesheets, so that every build refreshes them


def bundle_stylesheets(text: str, page: Path, outdir: Path, bundles: dict) -> str:
    """One stylesheet per page instead of a dozen: the local stylesheets of <head>, in their order,
    concatenated into _static/otsbook-<hash of the list>.css (one file per distinct list, shared by
    the pages that have that list), so that the first paint waits for one request, not twelve.
    ``bundles`` (name -> files) is written out by :func:`write_bundles`."""
    head_end = text.find("</head>")
    links = [m for m in _STYLESHEET.finditer(text, 0, head_end) if "://" not in m["href"]]
    if len(links) < 2:
        return text
    static = outdir / "_static"
    files = [Path(os.path.relpath((page.parent / m["href"].split("?")[0]).resolve(), outdir.resolve())).as_posix() for m in links]
    name = f"otsbook-{hashlib.sha256(chr(10).join(files).encode()).hexdigest()[:10]}.css"
    bundles[name] = files
    href = Path(os.path.relpath(static / name, page.parent)).as_posix()
    first, rest = links[0], links[1:]
    out, pos = [text[: first.start()], f'    <link rel="stylesheet" href="{href}">\n'], first.end()
    for m in rest:
        out.append(text[pos: m.start()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def read_bundles(outdir: Path) -> dict:
    path = outdir / "_static" / BUNDLES
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_bundles(outdir: Path, bundles: dict) -> None:
    """(Re)write every bundle from its stylesheets as this build left them, also those of pages
    that this (incremental) build did not rewrite, without the rules that nothing in the site can
    match (_ext/unused_css.py): two thirds of the theme's stylesheet."""
    static = outdir / "_static"
    pages = [p for p in outdir.rglob("*.html") if p.relative_to(outdir).parts[0] not in ("_static", "_sources")]
    known = known_words([*pages, *static.rglob("*.js")])
    for name, files in bundles.items():
        css = "".join(_css_for_bundle(outdir.resolve() / f, static.resolve(), set()) for f in files)
        (static / name).write_text('@charset "UTF-8";\n' + prune_css(css, known), encoding="utf-8")
    (static / BUNDLES).write_text(json.dumps(bundles, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def finish_pages(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    theme_css = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if theme_css.exists():
        scripts = " ".join(p.read_text(encoding="utf-8") for p in (outdir / "_static" / "scripts").glob("*.js") if p.name != "fontawesome.js")
        keep = set(re.findall(r"\bfa-([a-z0-9-]+)", scripts))
        text = theme_css.read_text(encoding="utf-8")
        trimmed = trim_icon_font_css(text, keep)
        if trimmed != text:
            theme_css.write_text(trimmed, encoding="utf-8")
    icons = fontawesome_icons(theme_fontawesome_js())
    pygments_css = outdir / "_static" / "pygments.css"
    plain = plain_token_classes(pygments_css.read_text(encoding="utf-8")) if pygments_css.exists() else frozenset()
    bundles = read_bundles(outdir)
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] == "_static":  # theme template fragments, not pages
            continue
        text = page.read_text(encoding="utf-8")
        new = _FONTAWESOME_JS.sub("", text)
        if "DOCUMENTATION_OPTIONS.search_as_you_type = false" in new and page.name != "search.html":
            new = _SEARCH_SCRIPTS.sub("", new)  # the search page has its own; no page searches as you type
        new = defer_head_scripts(new)
        new = inline_icons(new, icons)
        new = plain_code(new, plain)
        new = _IMG.sub('<img loading="lazy"', new)  # images (launch-menu logos) load when shown
        new = bundle_stylesheets(new, page, outdir, bundles)
        if page == outdir / "index.html":
            new = redirect_page(new, app)
        if new != text:
            page.write_text(new, encoding="utf-8")
    write_bundles(outdir, bundles)


def setup(app: Sphinx):
    app.connect("config-inited", guard_execution_cache)
    app.connect("env-get-outdated", reread_all_when_inputs_changed)
    app.connect("builder-inited", copy_static_assets)
    # after sphinx-book-theme has filled in the launch buttons (priority 500)
    app.connect("html-page-context", per_page_scripts, priority=900)
    app.connect("build-finished", write_cache_stamp)
    app.connect("build-finished", move_execution_reports)
    app.connect("build-finished", finish_pages, priority=900)  # after the theme rewrites pygments.css
    return {"parallel_read_safe": True, "parallel_write_safe": True}
