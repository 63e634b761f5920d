"""The reader's experience, checked in a real browser (headless Chromium) against the built book.

Every page of the site (every page of ``_toc.yml`` plus every other ``.html`` of the build) is
opened once with all requests outside localhost blocked and recorded. Then, per page:

* offline: no request left localhost and every local asset the page asked for exists;
* no JavaScript error (console errors and uncaught exceptions), no duplicated script;
* every plotly figure drew marks, every map drew its outlines, every figure has alt text;
* every widget saved in the page was rendered by the vendored widget manager, in place of the
  static drawing the build made of it (figures and widgets are drawn when they come near the
  screen, so the visit scrolls through the page as a reader does, from a gzip server like a real
  host); on the exercise pages, the static drawings show with scripts off, the widget manager waits
  for the reader, and a choice made before it arrives is carried over to the live widget;
* axe-core finds no serious or critical accessibility problem (except the third-party ones
  listed, with reasons, in ``tests/a11y_allowlist.py``);
* previous/next links follow the order of ``_toc.yml`` and every sidebar link resolves.

The search page must find a term the book is about. Chromium is Debian's (``/usr/bin/chromium``,
or ``$OTSBOOK_CHROMIUM``); no browser is ever downloaded.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from otsbook.book import toc_pages

from a11y_allowlist import ALLOWED, is_allowed
from conftest import ROOT, build_dir

sys.path.insert(0, str(ROOT / "_ext"))
from gzip_server import make_server  # noqa: E402  (the server of `make serve`)

pytestmark = pytest.mark.browser


def _find_chromium() -> str | None:
    for candidate in (os.environ.get("OTSBOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM = _find_chromium()
if CHROMIUM is None and os.environ.get("OTSBOOK_REQUIRE_BROWSER"):
    pytest.fail("Chromium is required here (OTSBOOK_REQUIRE_BROWSER is set) but was not found.", pytrace=False)
if CHROMIUM is None:
    pytest.skip(
        "SKIPPED: Chromium not installed, so NO browser test ran (offline pages, figures, widgets, "
        "accessibility, search). Install it with `sudo apt-get install chromium` "
        "(or set OTSBOOK_CHROMIUM to a Chromium binary).",
        allow_module_level=True,
    )
try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError as missing:  # pragma: no cover - requirements.txt installs both
    pytest.skip(f"SKIPPED: {missing.name} is not installed (pip install -r requirements.txt)", allow_module_level=True)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEARCH_TERMS = ["Nakhchivan", "Turkic"]  # the founding agreement; the subject of the book


# ---------------------------------------------------------------- which pages
def site_pages() -> list[str]:
    pages = dict.fromkeys(toc_pages() + ["index.html", "search.html", "genindex.html"])
    site = build_dir()
    if site.is_dir():
        for path in sorted(site.rglob("*.html")):
            rel = path.relative_to(site).as_posix()
            if not rel.startswith(("_static/", "_sources/", "_images/")):
                pages.setdefault(rel)
    return list(pages)


PAGES = site_pages()


# ---------------------------------------------------------------- serving and browsing
@pytest.fixture(scope="session")
def site_url(built_html):
    server, _, url = make_server(built_html)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


# A reader scrolling through the page: each figure and widget comes into view in turn.
SCROLL_JS = """async () => {
  const targets = [...document.querySelectorAll('.plotly-graph-div, script[type="application/vnd.jupyter.widget-view+json"]')];
  for (const el of targets) {
    (el.tagName === 'SCRIPT' ? el.parentElement : el).scrollIntoView({block: 'center'});
    await new Promise(r => setTimeout(r, 60));
  }
  window.scrollTo(0, 0);
}"""

# The lazy loader watches the page only once it has loaded and the browser is idle: a reader's
# scroll is simulated after that (pages without the loader have nothing to wait for).
LAZY_READY_JS = """() => !document.querySelector('script[src*="otsbook-lazy"]') ||
  document.documentElement.getAttribute('data-otsbook-lazy') === 'ready'"""

# Everything a page must have finished drawing before it is inspected.
DRAWN_JS = """() => {
  const figs = [...document.querySelectorAll('.plotly-graph-div')];
  const figsDone = figs.every(d => d.querySelector('svg.main-svg') &&
      [...d.querySelectorAll('g.geo')].every(g => g.querySelector('.layer path[d], path.choroplethlocation[d]')));
  const widgetsDone = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
      .every(s => s.previousElementSibling && s.previousElementSibling.classList.contains('widget-subarea') &&
                  !s.previousElementSibling.hidden && s.previousElementSibling.querySelector('.jupyter-widgets')) &&
      !document.querySelector('.ots-widget-static');
  return document.readyState === 'complete' && figsDone && widgetsDone;
}"""

# What each figure drew: marks with geometry, map outlines, alt text on its wrapper.
FIGURES_JS = """() => [...document.querySelectorAll('.plotly-graph-div')].map((d, i) => {
  const geometric = el => (el.tagName === 'path' ? (el.getAttribute('d') || '').length > 3 : true);
  const marks = [...d.querySelectorAll(
      'svg.main-svg .trace path, svg.main-svg .trace image, svg.main-svg .trace text, ' +
      'svg.main-svg .hm image, svg.main-svg .sankey path, svg.main-svg .table text, svg.main-svg .choroplethlocation'
    )].filter(geometric).length;
  const geos = [...d.querySelectorAll('g.geo')].map(g =>
      [...g.querySelectorAll('.layer.countries path, .layer.land path, .layer.coastlines path, path.choroplethlocation')]
        .filter(p => (p.getAttribute('d') || '').length > 200).length);
  const wrapper = d.closest('.ots-figure');
  const notifier = [...document.querySelectorAll('.plotly-notifier')].map(n => n.textContent.trim()).filter(Boolean);
  return {index: i, svg: d.querySelectorAll('svg.main-svg').length, marks, geos,
          alt: wrapper ? (wrapper.getAttribute('aria-label') || '') : null,
          role: wrapper ? wrapper.getAttribute('role') : null, notifier};
})"""

PAGE_FACTS_JS = r"""() => ({
  widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
  // the widget manager draws each saved view into a .widget-subarea just before its <script>
  widgetsRendered: [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')].filter(s => {
    const area = s.previousElementSibling;
    return area && area.classList.contains('widget-subarea') && area.querySelector('.jupyter-widgets') &&
           area.getBoundingClientRect().height > 0;
  }).length,
  widgetErrors: [...document.querySelectorAll('.jupyter-widgets .widget-error, .jupyter-widgets.widget-error')].map(e => e.textContent.trim()),
  scripts: [...document.querySelectorAll('script[src]')].map(s => s.src.split('?')[0]),
  fonts: performance.getEntriesByType('resource').map(e => e.name.split('?')[0]).filter(n => /\.(woff2?|ttf|otf)$/.test(n)),
  plotlyFiles: performance.getEntriesByType('resource').map(e => e.name.split('?')[0])
      .filter(n => /\/_static\/(plotly\/[^/]+\.js|plotly\.min\.js)$/.test(n)),
  thebeConfigs: [...document.querySelectorAll('script:not([src])')].filter(s => s.textContent.includes('THEBE_JS_URL')).length,
  prev: (document.querySelector('a.left-prev') || {href: null}).href,
  next: (document.querySelector('a.right-next') || {href: null}).href,
  sidebar: [...document.querySelectorAll('.bd-sidebar-primary a[href]')].map(a => a.href),
})"""


@dataclass
class Visit:
    path: str
    status: int | None = None
    outside: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timed_out: bool = False
    figures: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    violations: list[dict] = field(default_factory=list)
    final_path: str = ""  # differs from path when the page redirects (index.html)


def _visit(browser, site_url: str, path: str, raw_html: str | None = None) -> Visit:
    visit = Visit(path)
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    local = site_url.rstrip("/")

    def route(r):
        url = r.request.url
        if url.startswith(local + "/") or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            visit.outside.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("request", lambda r: None if r.url.startswith((local + "/", "data:", "blob:")) or r.url in visit.outside else visit.outside.append(r.url))
    reading = [True]  # False once axe runs: its CSSOM preload re-fetches @imports relative to the page
    page.on("response", lambda r: reading[0] and r.status >= 400 and visit.missing.append(
        f"{r.status} {r.url} (asked for by {r.request.headers.get('referer', '?')})"))
    page.on("console", lambda m: reading[0] and m.type == "error" and visit.errors.append(f"console: {m.text} ({m.location.get('url', '')})"))
    page.on("pageerror", lambda e: visit.errors.append(f"uncaught: {e}"))
    try:
        response = page.goto(site_url + path, wait_until="load", timeout=60_000)
        visit.status = response.status if response else None
        try:
            page.wait_for_function(LAZY_READY_JS, timeout=20_000)
            page.evaluate(SCROLL_JS)
        except PlaywrightError:  # the page navigated away (index.html redirects): scroll the next one
            page.wait_for_load_state("load")
            page.wait_for_function(LAZY_READY_JS, timeout=20_000)
            page.evaluate(SCROLL_JS)
        try:
            page.wait_for_function(DRAWN_JS, timeout=20_000)
        except PlaywrightTimeout:
            visit.timed_out = True
        page.wait_for_timeout(300)  # let late console messages arrive
        visit.figures = page.evaluate(FIGURES_JS)
        visit.facts = page.evaluate(PAGE_FACTS_JS)
        visit.final_path = unquote(urlsplit(page.url).path).lstrip("/") or "index.html"
        reading[0] = False
        results = Axe().run(page, options={"resultTypes": ["violations"]})  # axe.min.js injected from the package
        for violation in results.response["violations"]:
            if violation.get("impact") not in ("serious", "critical"):
                continue
            for node in violation["nodes"]:
                if not is_allowed(page, violation["id"], node["target"]):
                    visit.violations.append({"rule": violation["id"], "impact": violation["impact"], "target": node["target"],
                                             "html": node["html"][:160], "help": violation["help"]})
    finally:
        context.close()
    return visit


@pytest.fixture(scope="session")
def visits(browser, site_url):
    cache: dict[str, Visit] = {}

    def get(path: str) -> Visit:
        if path not in cache:
            cache[path] = _visit(browser, site_url, path)
        return cache[path]

    return get


def _existing(built_html: Path, path: str) -> Path:
    page = built_html / path
    if not page.exists():
        pytest.fail(f"{path} is listed in _toc.yml (or is a standard page) but was not built")
    return page


def _shown_html(built_html: Path, visit: Visit) -> str:
    """The HTML of the page the browser ended on (index.html redirects to the root page)."""
    return _existing(built_html, visit.final_path or visit.path).read_text(encoding="utf-8")


# ---------------------------------------------------------------- per-page tests
@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline(built_html, visits, path):
    _existing(built_html, path)
    visit = visits(path)
    assert visit.status == 200, f"{path}: HTTP {visit.status}"
    outside, missing = sorted(set(visit.outside)), sorted(set(visit.missing))
    assert not outside, f"{path} asked for resources outside localhost: {outside}"
    assert not missing, f"{path} asked for local files that do not exist: {missing}"


@pytest.mark.parametrize("path", PAGES)
def test_no_javascript_errors(built_html, visits, path):
    _existing(built_html, path)
    visit = visits(path)
    errors = visit.errors
    assert not errors, f"{path}: JavaScript errors:\n" + "\n".join(errors)
    scripts = visit.facts["scripts"]
    duplicated = sorted({s for s in scripts if scripts.count(s) > 1})
    assert not duplicated, f"{path} loads these scripts more than once: {duplicated}"
    assert visit.facts["thebeConfigs"] <= 1, f"{path} defines THEBE_JS_URL {visit.facts['thebeConfigs']} times"


@pytest.mark.parametrize("path", PAGES)
def test_no_icon_font_is_fetched(built_html, visits, path):
    """Icons are inline SVG or SVG masks: a page fetches no web font for them."""
    _existing(built_html, path)
    fonts = visits(path).facts["fonts"]
    assert not [f for f in fonts if "fontawesome" in f or "fa-" in f.rsplit("/", 1)[-1]], f"{path} fetched icon fonts: {fonts}"


@pytest.mark.parametrize("path", PAGES)
def test_figures_and_maps_drew(built_html, visits, path):
    _existing(built_html, path)
    visit = visits(path)
    html = _shown_html(built_html, visit)
    expected, figures = html.count('class="plotly-graph-div'), visit.figures
    assert len(figures) == expected, f"{path}: {expected} figures in the HTML, {len(figures)} in the page"
    if expected:
        assert visit.facts["plotlyFiles"], f"{path} has figures but fetched no plotly.js from _static/"
    for fig in figures:
        where = f"{path}, figure {fig['index'] + 1} ({fig['alt']!r})"
        assert not fig["notifier"], f"{where}: plotly reported {fig['notifier']}"
        assert fig["svg"] >= 1, f"{where}: no SVG was drawn (is plotly.js loaded?)"
        assert fig["marks"] >= 1, f"{where}: the SVG has no marks (no points, bars, lines or shapes)"
        for n, outlines in enumerate(fig["geos"], 1):
            assert outlines >= 1, f"{where}: map {n} drew no country outlines (topojson from _static/topojson/ not loaded?)"
        assert fig["role"] == "figure", f"{where}: not wrapped in <div class='ots-figure' role='figure'>"
        assert fig["alt"] and fig["alt"].strip() != "Figure", f"{where}: no alt text (set it with otsbook.with_alt)"


@pytest.mark.parametrize("path", PAGES)
def test_widgets_rendered(built_html, visits, path):
    _existing(built_html, path)
    visit = visits(path)
    html = _shown_html(built_html, visit)
    saved = html.count('type="application/vnd.jupyter.widget-view+json"')
    if saved:
        assert 'type="application/vnd.jupyter.widget-state+json"' in html, f"{path}: widget views without saved widget state"
    assert visit.facts["widgetViews"] == saved, f"{path}: {saved} widget views in the HTML, {visit.facts['widgetViews']} in the page"
    assert visit.facts["widgetsRendered"] == saved, (
        f"{path}: {saved} widget(s) saved, {visit.facts['widgetsRendered']} drawn (is _static/ipywidgets/embed.js loading?)")
    assert not visit.facts["widgetErrors"], f"{path}: widget errors {visit.facts['widgetErrors']}"


@pytest.mark.parametrize("path", PAGES)
def test_accessibility(built_html, visits, path):
    _existing(built_html, path)
    visit = visits(path)
    violations = visit.violations
    problems = "\n".join(f"  [{v['impact']}] {v['rule']}: {v['help']} at {v['target']}: {v['html']}" for v in violations)
    assert not violations, f"{path}: axe-core found serious/critical problems:\n{problems}"


@pytest.mark.parametrize("path", toc_pages())
def test_navigation_follows_the_toc(built_html, visits, site_url, path):
    _existing(built_html, path)
    order = toc_pages()
    i = order.index(path)
    facts = visits(path).facts
    expected_prev = site_url + order[i - 1] if i > 0 else None
    expected_next = site_url + order[i + 1] if i + 1 < len(order) else None
    assert facts["prev"] == expected_prev, f"{path}: 'previous' goes to {facts['prev']}, expected {expected_prev}"
    assert facts["next"] == expected_next, f"{path}: 'next' goes to {facts['next']}, expected {expected_next}"
    targets = {unquote(urlsplit(href).path) for href in facts["sidebar"] if href.startswith(site_url)}
    missing = sorted(t for t in targets if not (built_html / t.lstrip("/")).is_file())
    assert not missing, f"{path}: sidebar links to pages that do not exist: {missing}"
    linked = {t.lstrip("/") for t in targets}
    absent = [p for p in order if p not in linked and p != path]
    assert not absent, f"{path}: the sidebar does not list {absent}"


# ---------------------------------------------------------------- site-wide tests
@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_search_finds_a_known_term(built_html, browser, site_url, term):
    pages_with_term = sorted(
        p.relative_to(built_html).as_posix() for p in (built_html / "chapters").glob("*.html")
        if term.lower() in p.read_text(encoding="utf-8").lower()
    )
    assert pages_with_term, f"No chapter mentions {term!r}; the search test needs a term the book is about"
    page = browser.new_page()
    try:
        page.goto(f"{site_url}search.html?q={term}", wait_until="load")
        page.wait_for_function("() => { const s = document.querySelector('#search-results .search-summary');"
                               " return s && /found|did not match/i.test(s.textContent); }", timeout=20_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))")
    finally:
        page.close()
    hit_pages = {urlsplit(h).path for h in hits}
    assert hit_pages, f"searching for {term!r} found nothing"
    assert hit_pages & set(pages_with_term), f"searching for {term!r} found {sorted(hit_pages)}, none of {pages_with_term}"


def test_no_reports_folder_published(built_html):
    assert not (built_html / "reports").exists(), "execution reports (reports/) must not be part of the published site"


def test_allowlist_entries_have_reasons():
    for entry in ALLOWED:
        assert entry["rule"] and entry["selector"] and len(entry["reason"]) > 20, entry


# ---------------------------------------------------------------- exercises: static first, live on demand
EXERCISE_PAGES = [p for p in toc_pages() if p.endswith("_exercises.html")]

# Each widget as the reader sees it: its height, the names of its controls and its options.
WIDGET_LOOK_JS = """(selector) => [...document.querySelectorAll(selector)].map(el => ({
  height: Math.round(el.getBoundingClientRect().height),
  labels: [...el.querySelectorAll('label')].map(l => l.textContent.trim()).filter(Boolean),
  options: [...el.querySelectorAll('option')].map(o => o.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean),
  controls: el.querySelectorAll('select, input, textarea, [role="slider"]').length,
}))"""
LIVE = "script[type='application/vnd.jupyter.widget-view+json']"


@pytest.mark.parametrize("path", EXERCISE_PAGES)
def test_exercises_show_without_scripts_then_hand_over_to_live_widgets(built_html, browser, site_url, path):
    assert len(EXERCISE_PAGES) == 4
    views = (built_html / path).read_text(encoding="utf-8").count('type="application/vnd.jupyter.widget-view+json"')
    assert views, f"{path} has no widgets"

    # 1. scripts off: every exercise is there, drawn, with its controls
    context = browser.new_context(viewport={"width": 1300, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + path, wait_until="load")
    static = page.evaluate(WIDGET_LOOK_JS, ".ots-widget-static")
    context.close()
    assert len(static) == views, f"{path}: {views} widgets, {len(static)} drawn without scripts"
    assert all(w["height"] > 40 and w["controls"] >= 1 and w["labels"] for w in static), static

    # 2. scripts on, a reader who has not moved yet: no widget manager is fetched
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(site_url + path, wait_until="load")
        page.wait_for_function(LAZY_READY_JS, timeout=20_000)
        page.wait_for_timeout(1500)
        fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
        assert not [u for u in fetched if u.endswith("embed.js")], f"{path}: the widget manager was fetched before the reader did anything"
        assert page.locator(".ots-widget-static").count() == views

        # 3. the reader picks an answer in the first exercise before the widget manager arrives
        first = page.locator(".ots-widget-static").first
        choice = None
        if first.locator("select").count():
            box = first.locator("select").first
            texts = box.locator("option").all_inner_texts()
            choice = [t for t in texts if t.strip()][1].strip()
            box.select_option(label=choice)
        elif first.locator("input[type=range]").count():
            box = first.locator("input[type=range]").first
            choice = str(int(box.get_attribute("min")) + 1)
            box.focus()
            box.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", choice)
        else:
            box = first.locator("input[type=text], input[type=number]").first
            choice = "42"
            box.fill(choice)
        page.locator("main h1:visible").first.click()  # leaves the control: the live widget may take its place
        page.evaluate(SCROLL_JS)
        page.wait_for_function(DRAWN_JS, timeout=30_000)
        live = page.evaluate(WIDGET_LOOK_JS, ".widget-subarea")
        carried = page.evaluate("""() => { const w = document.querySelector('.widget-subarea');
            const s = w.querySelector('select'), i = w.querySelector('input[type=text], input[type=number]');
            const r = w.querySelector('[role="slider"]');
            return s ? [...s.selectedOptions].map(o => o.textContent.replace(/\\s+/g, ' ').trim())
                     : r ? [r.getAttribute('aria-valuetext'), w.querySelector('.widget-readout').textContent.trim()] : [i.value]; }""")
    finally:
        context.close()
    assert not errors, f"{path}: {errors}"
    assert len(live) == views
    for n, (before, after) in enumerate(zip(static, live), 1):
        assert before["labels"] == after["labels"] and before["options"] == after["options"], f"{path}, widget {n}: {before} vs {after}"
        assert before["controls"] == after["controls"], f"{path}, widget {n}: {before['controls']} vs {after['controls']} controls"
        assert abs(before["height"] - after["height"]) <= 2, f"{path}, widget {n}: {before['height']} px drawn, {after['height']} px live"
    expected = [choice, choice] if len(carried) == 2 else [choice]  # a slider: its handle and its readout
    assert carried == expected, f"{path}: the reader chose {choice!r}, the live widget shows {carried}"
