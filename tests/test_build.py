"""The foundation: a strict, offline build in which every page of the table of contents exists,
figures and widgets are wired to local assets, and launch links point at the right branch."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import yaml

from otsbook.book import toc_files
from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent


def pages(site: Path) -> list[Path]:
    return [site / f"{name}.html" for name in toc_files()]


def load_build_extension():
    return load_module("otsbook_build", "_ext/otsbook_build.py")


def test_every_toc_entry_has_a_source_and_a_page(built_html):
    for name in toc_files():
        assert (ROOT / f"{name}.md").exists() or (ROOT / f"{name}.ipynb").exists(), f"{name} is in _toc.yml but has no source"
        assert (built_html / f"{name}.html").exists(), f"{name}.html was not built"


def test_no_page_shows_an_error_or_a_traceback(built_html):
    for page in pages(built_html):
        html = page.read_text(encoding="utf-8")
        for marker in ("Traceback (most recent call last)", 'class="output traceback', "output stderr", "ipythontb"):
            assert marker not in html, f"{page.name} shows {marker!r}"


def test_execution_reports_are_not_published(built_html):
    assert not (built_html / "reports").exists()


def test_plotly_is_served_once_per_site_from_the_book(built_html):
    figure_pages = [p for p in pages(built_html) if "plotly-graph-div" in p.read_text(encoding="utf-8")]
    assert figure_pages, "no page of the book has a plotly figure"
    build = load_build_extension()
    for page in figure_pages:
        html = page.read_text(encoding="utf-8")
        # plotly.js is never a <script> of the page: the deferred loader fetches it from _static/
        assert not re.findall(r'<script[^>]+src="[^"]*plotly[^"]*"', html), page.name
        loader = re.findall(r'<script[^>]*src="(?:\.\./)*_static/otsbook-lazy\.js[^"]*"[^>]*>', html)
        assert len(loader) == 1 and "defer" in loader[0], f"{page.name}: {loader}"
        assert re.search(r'data-plotly-modules="(\.\./)*_static/plotly/"', loader[0]) or \
            re.search(r'data-plotly="(\.\./)*_static/plotly\.min\.js"', loader[0]), loader[0]
        assert "cdn.plot.ly" not in html and "include_plotlyjs" not in html
        assert 'class="ots-figure" role="figure" aria-label="' in html
        # every figure's code is an inert block that the loader runs; none runs before plotly.js is there
        assert html.count(f'<script type="{build.LAZY_TYPE}">') == html.count('class="plotly-graph-div')
        assert not re.search(r"<script(?: type=\"text/javascript\")?>(?:(?!</script>).)*Plotly\.newPlot", html, re.S), page.name
    assert (built_html / "_static" / "plotly" / "core.js").exists()
    assert (built_html / "_static" / "plotly" / "LICENSE").exists()
    assert (built_html / "_static" / "plotly.min.js").stat().st_size > 1_000_000  # the fallback
    # pages without figures do not pay for plotly.js
    for page in pages(built_html):
        html = page.read_text(encoding="utf-8")
        if "plotly-graph-div" not in html:
            assert "plotly" not in html.split("</head>")[0].lower(), page.name


def test_partial_plotly_is_the_version_of_the_python_package_and_draws_every_figure(built_html):
    import plotly

    build = load_build_extension()
    manifest = json.loads((ROOT / "_vendor" / "plotly" / "esm" / "manifest.json").read_text())
    python_side = build.plotly_js_version(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
    assert manifest["plotly.js"] == python_side, "rebuild _vendor/plotly (npm run build:plotly) for the installed plotly"
    assert json.loads((ROOT / "package.json").read_text())["devDependencies"]["plotly.js"] == python_side
    assert (ROOT / "_vendor" / "plotly" / "esm" / "LICENSE").exists()
    for name in [manifest["core"], *manifest["traces"].values()]:
        assert (ROOT / "_vendor" / "plotly" / "esm" / name).exists(), name
    used = set()
    for page in pages(built_html):
        used |= build.trace_types(page.read_text(encoding="utf-8"))
    missing = used - set(manifest["traces"])
    assert not missing, f"the book draws {sorted(missing)}, not in _vendor/plotly/build.mjs TRACES (those pages load the full plotly.js)"


def test_trace_types_are_read_from_the_figure_code():
    build = load_build_extension()
    code = 'Plotly.newPlot("id", [{"type": "bar", "x": [1]}, {"x": [2]}, {"type": "sankey"}], {"xaxis": {"type": "date"}}, {})'
    assert build.trace_types(code) == {"bar", "scatter", "sankey"}


def test_no_script_blocks_the_first_paint(built_html):
    """Every external script in <head> is deferred or async; inline code there only declares."""
    for page in [*pages(built_html), built_html / "search.html", built_html / "genindex.html"]:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        for attrs in re.findall(r"<script([^>]*)>", head):
            if "src=" in attrs:
                assert re.search(r"\b(defer|async)\b", attrs), f"{page.name}: <script{attrs}> blocks the first paint"
        assert "searchindex.js" not in head or page.name == "search.html", f"{page.name} loads the search index"


def test_every_page_has_a_description_and_one_stylesheet(built_html):
    for page in [*pages(built_html), built_html / "search.html", built_html / "genindex.html", built_html / "index.html"]:
        html = page.read_text(encoding="utf-8")
        description = re.findall(r'<meta name="description" content="([^"]+)"', html)
        assert len(description) == 1 and 20 <= len(description[0]) <= 170, f"{page.name}: {description}"
        if page.name != "index.html":
            sheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', html)
            assert len(sheets) == 1 and "_static/otsbook-" in sheets[0], f"{page.name}: {sheets}"


def test_no_icon_font_is_needed(built_html):
    """Icons are inline SVG (and admonition icons SVG masks): no element asks for the icon font."""
    for page in pages(built_html):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<(i|span) class="[^"]*\bfa-(solid|brands|regular)\b', html), page.name
        assert "svg-inline--fa" in html
    bundle = next((built_html / "_static").glob("otsbook-*.css"))
    assert "fa-github:before" not in bundle.read_text(encoding="utf-8")
    # the theme draws a GitHub icon before links to github.com (the bibliography has some) with the
    # brands font; an SVG mask replaces it
    assert 'class="github reference external"' in (built_html / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    icons = (built_html / "_static" / "otsbook-icons.css").read_text(encoding="utf-8")
    assert re.search(r'html body a\.github::before\{content:"";font:inherit;[^}]*mask:url\("data:image/svg\+xml', icons)


def test_root_index_is_a_valid_redirect_page(built_html):
    html = (built_html / "index.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>" in html and 'rel="icon"' in html
    assert re.search(r'<meta http-equiv="refresh" content="0; url=chapters/intro\.html">', html)
    assert '<a href="chapters/intro.html">' in html


def test_html_fixes_at_the_source():
    build = load_build_extension()
    pandas_table = ('<div>\n<style scoped>\n    .dataframe tbody tr th:only-of-type {\n        vertical-align: middle;\n    }\n\n'
                    '    .dataframe thead th {\n        text-align: right;\n    }\n</style>\n<table class="dataframe"></table></div>')
    assert "<style" not in build.valid_body(pandas_table) and "<table" in build.valid_body(pandas_table)
    summary = '<summary aria-label="x">\n<p class="collapsed admonition-title">Show</p>\n</summary><p>after</p>'
    assert build.valid_body(summary) == '<summary aria-label="x">\n<span class="collapsed admonition-title">Show</span>\n</summary><p>after</p>'
    ids = '<section id="exercise-content"></section><section id="exercise-content"></section>'
    assert build.valid_body(ids) == '<section id="exercise-content"></section><section id="exercise-content-2"></section>'
    header = '<thead><tr><th></th><th colspan="2" halign="left">Votes</th></tr></thead>'  # a pandas MultiIndex
    assert build.valid_body(header) == '<thead><tr><th></th><th colspan="2" style="text-align: left">Votes</th></tr></thead>'


def test_maps_and_widgets_need_no_cdn(built_html):
    assert (built_html / "_static" / "topojson" / "world_110m.json").exists()
    assert (built_html / "_static" / "ipywidgets" / "embed.js").exists()
    for page in pages(built_html):
        html = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in html and "unpkg.com/@jupyter-widgets" not in html, page.name
        assert "cdnjs.cloudflare.com/ajax/libs/require.js" not in html, page.name
        if "application/vnd.jupyter.widget-view+json" in html:
            assert "application/vnd.jupyter.widget-state+json" in html, f"{page.name}: widget state not saved"
            # the deferred loader fetches the widget manager when a widget enters the screen
            assert re.search(r'data-widgets="(\.\./)*_static/ipywidgets/embed\.js"', html), page.name
            assert not re.search(r'<script[^>]*src="[^"]*embed\.js', html), page.name


def test_thebe_configuration_script_appears_once(built_html):
    for page in pages(built_html):
        assert page.read_text(encoding="utf-8").count("const THEBE_JS_URL") <= 1, page.name


def test_launch_links_point_at_branch_main(built_html):
    html = (built_html / "chapters" / "history.html").read_text(encoding="utf-8")
    binder = re.findall(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', html)
    hub = re.findall(r'href="([^"]+/hub/user-redirect/git-pull\?[^"]+)"', html)
    colab = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
    assert binder and all("/main?urlpath=" in url for url in binder), binder
    assert hub and all("branch=main" in url for url in hub), hub
    assert colab == [colab[0]] and colab[0].endswith("/blob/notebooks/chapters/history.ipynb"), colab
    assert "master" not in " ".join(binder + hub + colab)


def test_chapters_are_text_notebooks_without_outputs():
    assert not list((ROOT / "chapters").rglob("*.ipynb")), "chapters are MyST Markdown notebooks; no .ipynb"
    for name in toc_files():
        text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        if "```{code-cell}" in text:
            header = yaml.safe_load(text.split("---")[1])
            assert header["jupytext"]["text_representation"]["format_name"] == "myst", name
            assert header["kernelspec"]["name"] == "python3", name


def test_cache_is_cleared_when_data_or_helpers_change(tmp_path, monkeypatch):
    build = load_build_extension()
    for folder in build.WATCHED:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "ROOT", tmp_path)
    cache = tmp_path / "_build" / ".jupyter_cache"
    app = SimpleNamespace(config=SimpleNamespace(nb_execution_cache_path=str(cache)), outdir=str(tmp_path / "_build" / "html"))

    # first build: no stamp, everything is (re)executed, then the stamp is written
    build.guard_execution_cache(app, None)
    assert app.otsbook_inputs_changed
    build.write_cache_stamp(app, None)
    (cache / "executed.db").write_text("cached results")

    # nothing changed: the cache is kept and no page is forced to re-read
    build.guard_execution_cache(app, None)
    assert not app.otsbook_inputs_changed and (cache / "executed.db").exists()
    env = SimpleNamespace(found_docs={"a", "b"})
    assert build.reread_all_when_inputs_changed(app, env, set(), set(), set()) == []

    # a CSV edit: the cache goes and every page is re-read
    csv = sorted((tmp_path / "data").glob("*.csv"))[0]
    csv.write_text(csv.read_text() + "\n")
    build.guard_execution_cache(app, None)
    assert app.otsbook_inputs_changed and not cache.exists()
    assert build.reread_all_when_inputs_changed(app, env, set(), set(), set()) == ["a", "b"]


def test_binder_environment_is_lean_and_installs_the_helpers():
    wanted = (ROOT / ".binder" / "requirements.txt").read_text()
    for heavy in ("jupyter-book", "sphinx", "playwright", "frictionless"):
        assert heavy not in wanted.lower(), heavy
    for needed in ("pandas", "plotly", "ipywidgets", "jupytext"):
        assert needed in wanted
    assert "pip install --no-deps" in (ROOT / ".binder" / "postBuild").read_text()


def test_config_keeps_the_book_strict_and_offline():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["branch"] == "main"
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["allow_errors"] is False
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert all("://" not in js for js in config["sphinx"]["config"]["nb_ipywidgets_js"])
    assert "-W" in (ROOT / "Makefile").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert json.loads((ROOT / ".binder" / "overrides.json").read_text())


def test_every_table_can_be_downloaded_from_the_datasets_page(built_html):
    page = (built_html / "chapters" / "datasets.html").read_text(encoding="utf-8")
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        path = f"data/{resource['path']}"
        assert f'href="../{path}"' in page, path
        published = built_html / path
        assert published.read_bytes() == (ROOT / path).read_bytes(), f"{published} differs from the repository"


def test_notebook_export_for_colab(tmp_path):
    """`make notebooks` writes an .ipynb per notebook page, without outputs, set up for Colab first."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "export_notebooks.py"), str(tmp_path)], check=True, capture_output=True)
    notebook_pages = [name for name in toc_files() if "```{code-cell}" in (ROOT / f"{name}.md").read_text(encoding="utf-8")]
    assert len(notebook_pages) >= 11
    for name in notebook_pages:
        notebook = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        first = notebook.cells[0]
        assert first.cell_type == "code" and "google.colab" in first.source and "git" in first.source
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_a_notebook_that_raises_fails_the_strict_build(tmp_path):
    """The book's own settings turn an exception in a notebook into a failed build, and its log
    is kept beside the site rather than published in it."""
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "_ext", "_vendor", "bib", "data", "otsbook"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, book / name)
    (book / "chapters").mkdir()
    (book / "chapters" / "intro.md").write_text("(intro)=\n# Intro\n\nA page.\n")
    header = (ROOT / "chapters" / "history.md").read_text(encoding="utf-8").split("---\n")[1]
    (book / "chapters" / "broken.md").write_text(f"---\n{header}---\n# Broken\n\n```{{code-cell}} ipython3\n1 / 0\n```\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/intro\nchapters:\n  - file: chapters/broken\n")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(book), "-W", "-n", "--keep-going"], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr
    assert not (book / "_build" / "html" / "reports").exists()


# ---------------------------------------------------------------- lighter pages: unused CSS, plain code tokens
def test_unused_css_rules_are_dropped_and_the_rest_kept():
    from conftest import load_module

    prune = load_module("unused_css", "_ext/unused_css.py")
    known = {"bd-article", "highlight", "show", "sidebar"}
    css = (".bd-article p{margin:0}"                          # used class: kept
           ".col-md-7{width:58%}"                            # Bootstrap utility never used: dropped
           ".col-md-7,.sidebar{color:red}"                   # one selector of the list can match: kept
           "a:not(.headerlink){color:blue}"                  # inside :not() is not required: kept
           ".x:is(.y,.z){color:green}"                       # .x itself does not exist: dropped
           "[data-theme=dark] .highlight{background:#000}"   # attribute selectors are not required
           ".md\\:flex{display:flex}"                        # an escape: kept, never guessed
           "@media (min-width:960px){.col-lg-3{width:25%}.sidebar{display:block}}"
           "@media print{.d-print-none{display:none}}"       # an empty group goes
           "@font-face{font-family:X;src:url(x.woff2)}"
           "@keyframes spin{to{transform:rotate(1turn)}}")
    out = prune.prune_css(css, known)
    for kept in (".bd-article p", ".col-md-7,.sidebar", "a:not(.headerlink)", "[data-theme=dark] .highlight",
                 ".md\\:flex", ".sidebar{display:block}", "@font-face", "@keyframes spin"):
        assert kept in out, (kept, out)
    for dropped in (".col-md-7{", ".x:is", ".col-lg-3", "@media print", ".d-print-none"):
        assert dropped not in out, (dropped, out)


def test_built_stylesheets_keep_every_rule_a_page_uses(built_html):
    """The pruned bundle is far smaller than the theme's stylesheet yet keeps the rules of classes
    the pages use, the dark theme and the search field."""
    bundles = json.loads((built_html / "_static" / "otsbook-bundles.json").read_text(encoding="utf-8"))
    theme = (built_html / "_static" / "styles" / "pydata-sphinx-theme.css").stat().st_size
    for name in bundles:
        css = (built_html / "_static" / name).read_text(encoding="utf-8")
        assert len(css) < theme, f"{name}: {len(css)} bytes, the theme alone has {theme}"
        for needed in (".bd-sidebar-primary", ".bd-article-container", 'html[data-theme="dark"]', ".search-button-field",
                       ".admonition", ".highlight", ".cell_output"):
            assert needed in css, f"{name} lost {needed}"
        assert ".col-sm-offset-1" not in css and ".text-bg-warning" not in css, f"{name}: unused Bootstrap rules kept"


def test_plain_code_tokens_are_unwrapped_only_where_nothing_changes():
    build = load_build_extension()
    css = ('html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }\n'
           'html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .n { color: #080808 }\n'
           'html[data-theme="dark"] .highlight .n { color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .p { color: #080808 }\n'
           'html[data-theme="dark"] .highlight .p { color: #F8F8F2; font-weight: bold }\n'
           'html[data-theme="light"] .highlight .k { color: #6730C5 }\n'
           'html[data-theme="dark"] .highlight .k { color: #ff79c6 }\n')
    plain = build.plain_token_classes(css)
    assert plain == {"n"}  # p is bold in the dark theme, k has its own colour
    code = ('<div class="highlight"><pre><span></span><span class="k">import</span> <span class="n">pandas</span>'
            '<span class="p">(</span></pre></div><p><span class="n">not code</span></p>')
    assert build.plain_code(code, plain) == ('<div class="highlight"><pre><span></span><span class="k">import</span> pandas'
                                             '<span class="p">(</span></pre></div><p><span class="n">not code</span></p>')


def test_built_code_keeps_its_text_and_its_colours(built_html):
    page = (built_html / "chapters" / "history.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', page, re.S)
    assert blocks and not any('<span class="n">' in b or '<span class="p">' in b for b in blocks)
    assert any('<span class="s2">' in b or '<span class="k">' in b for b in blocks), "coloured tokens must stay"
    assert "otsbook.load" in re.sub(r"<[^>]+>", "", "".join(blocks)) or "load(" in re.sub(r"<[^>]+>", "", "".join(blocks))
