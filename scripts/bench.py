"""Benchmark the book: build times, what a reader downloads, how fast and valid its pages are.

    make bench                                  (python scripts/bench.py)
    make bench BENCH_ARGS="--baseline REF"      the same, side by side with git ref REF built alike
    python scripts/bench.py --site _build/html [--baseline-site DIR]   measure built sites only

Everything runs on a temporary copy of the repository, so neither _build/ nor data/ of the
working tree is touched:

1. cold build of the whole book with an empty execution cache;
2. rebuild with nothing changed (budget: under 10 s);
3. rebuild after editing one CSV of data/ in the copy: a text cell that a figure shows is
   changed, and the script checks that the figure JSON of the affected page changed with it;
4. bytes a first visit to each page of _toc.yml transfers from a gzip server (as a real host
   sends them), when the page has loaded and once every figure and widget is drawn (budgets:
   under 700 KB gzip for a figure page with all its figures drawn, no page over 300 KB of its own
   HTML), and that plotly.js is fetched once for a whole visit of the site;
5. time from navigation to the first drawn figure (scrolled into view), in headless Chromium;
6. Lighthouse 12.2.3 (npm, pinned in package.json; Debian's Chromium) on every page of _toc.yml,
   mobile and desktop, three runs each (``--runs``), of which the median counts (budgets:
   performance >= 90 mobile and >= 95 desktop; accessibility, best practices and SEO 100 in
   every run);
7. the Nu HTML Checker (npm vnu-jar, on the machine's Java) over every page (budget: 0 errors).

With a baseline, every measure is taken on both sites in the same run (Lighthouse alternates
between them page by page) and printed side by side. Prints a table with PASS/FAIL against each
budget (for the current site), writes it to bench-results/, and exits 1 if a budget fails.
"""
from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from otsbook.book import toc_pages

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench-results"
SKIP_COPY = {"_build", ".git", ".venv", "node_modules", "dist", "bench-results", ".pytest_cache", ".ipynb_checkpoints", "__pycache__"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MB, KB = 1024 * 1024, 1024
BUDGET_WARM_S = 10.0
BUDGET_PAGE_HTML = 300 * KB
EDIT_MARK = " (bench edit)"
PREFERRED_FIELDS = ("title", "name", "external_factor", "internal_response", "quote", "speaker", "note")


# ------------------------------------------------------------------ building
def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=lambda d, names: [n for n in names if n in SKIP_COPY or n.endswith(".egg-info")])
    return dest


def build(repo: Path) -> tuple[float, int, str]:
    """Build the book in ``repo`` as `make book` does; the copy's otsbook and data/ are used."""
    env = dict(os.environ, PYTHONPATH=f"{repo}{os.pathsep}{os.environ.get('PYTHONPATH', '')}".rstrip(os.pathsep))
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"],
                          cwd=repo, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode, (proc.stdout + proc.stderr)[-3000:]


# ------------------------------------------------------------------ figures in built pages
_NEWPLOT = re.compile(r"Plotly\.newPlot\(\s*")
_COMMA = re.compile(r"\s*,\s*")


def page_figures(html_text: str) -> list[dict]:
    """The data and layout of every plotly figure of a built page (ids dropped: they are random)."""
    decoder, figures = json.JSONDecoder(), []
    for match in _NEWPLOT.finditer(html_text):
        pos, args = match.end(), []
        try:
            for _ in range(3):
                value, pos = decoder.raw_decode(html_text, pos)
                args.append(value)
                pos = _COMMA.match(html_text, pos).end()
        except (ValueError, AttributeError):
            continue
        figures.append({"data": args[1], "layout": args[2]})
    return figures


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def site_figures(site: Path, pages: list[str]) -> dict[str, list[dict]]:
    return {p: page_figures((site / p).read_text(encoding="utf-8")) for p in pages if (site / p).exists()}


def choose_edit(repo: Path, figures: dict[str, list[dict]]):
    """A free-text CSV cell (no constraint, not a key) whose value a built figure shows."""
    package = json.loads((repo / "data" / "datapackage.json").read_text(encoding="utf-8"))
    shown = {page: "\n".join(s for fig in figs for s in strings_in(fig)) for page, figs in figures.items() if figs}
    candidates = []
    for resource in package.get("resources", []):
        schema = resource.get("schema", {})
        keys = set(schema.get("primaryKey") or [])
        keys |= {f for fk in schema.get("foreignKeys", []) for f in ([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])}
        path = repo / "data" / resource["path"]
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        for field in schema.get("fields", []):
            name = field["name"]
            if field.get("type", "string") != "string" or field.get("constraints", {}).keys() - {"required"} or name in keys:
                continue
            if name.endswith("_id") or name in ("evidence", "url", "date"):
                continue
            for row in rows:
                value = (row.get(name) or "").strip()
                if len(value) < 8 or text.count(value) != 1:
                    continue
                pages = sorted(page for page, blob in shown.items() if value in blob)
                if pages:
                    rank = PREFERRED_FIELDS.index(name) if name in PREFERRED_FIELDS else len(PREFERRED_FIELDS)
                    candidates.append((rank, resource["path"], name, value, pages))
    return min(candidates, default=None)


# ------------------------------------------------------------------ serving and measuring pages
sys.path.insert(0, str(ROOT / "_ext"))
from gzip_server import make_server  # noqa: E402  (the server `make serve` runs)


@functools.lru_cache(maxsize=None)
def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def category(url_path: str) -> str:
    if url_path.endswith("/plotly.min.js") or "/_static/plotly/" in url_path:
        return "plotly.js"
    if "/_static/ipywidgets/" in url_path:
        return "widgets"
    if url_path.endswith(".html"):
        return "html"
    return "assets"


def find_chromium() -> str | None:
    for candidate in (os.environ.get("OTSBOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


FIRST_FIGURE_JS = """() => new Promise(resolve => {
  const drawn = () => [...document.querySelectorAll('.plotly-graph-div svg.main-svg')]
      .some(svg => svg.querySelector('.trace path, .trace image, .choroplethlocation, .trace text, .hm image, .sankey path, .table text'));
  const first = document.querySelector('.plotly-graph-div');
  if (first) first.scrollIntoView();
  if (drawn()) return resolve(performance.now());
  const obs = new MutationObserver(() => { if (drawn()) { obs.disconnect(); resolve(performance.now()); } });
  obs.observe(document.documentElement, {childList: true, subtree: true});
  setTimeout(() => { obs.disconnect(); resolve(null); }, 30000);
})"""

# Everything drawn: each figure has its SVG, each saved widget view its rendered widget.
ALL_DRAWN_JS = """async () => {
  if (window.otsbookDrawAll) await window.otsbookDrawAll();
  for (const el of document.querySelectorAll('.plotly-graph-div, script[type="application/vnd.jupyter.widget-view+json"]')) {
    (el.parentElement || el).scrollIntoView();
  }
  const done = () => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('svg.main-svg')) &&
      [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
        .every(s => s.previousElementSibling && s.previousElementSibling.querySelector('.jupyter-widgets'));
  for (let i = 0; i < 300 && !done(); i++) await new Promise(r => setTimeout(r, 100));
  return done();
}"""


def _totals(log, site: Path) -> dict:
    totals = defaultdict(lambda: [0, 0])
    for url_path, status, size, encoding in list(log):
        if status == 200 and size:
            file = site / url_path.lstrip("/")
            raw = file.stat().st_size if file.is_file() else size
            totals[category(url_path)][0] += raw
            totals[category(url_path)][1] += size if encoding == "gzip" else (gzip_size(file) if file.is_file() else size)
    return {k: tuple(v) for k, v in totals.items()}


def measure_pages(site: Path, pages: list[str]) -> dict:
    """Page weights of a first visit (at load, and with everything drawn), first figure, plotly fetches."""
    from playwright.sync_api import sync_playwright

    server, log, base = make_server(site)
    results = {"at_load": {}, "drawn": {}, "all_drawn": {}, "first_figure_ms": {}, "plotly_full_fetches": None, "site_walk_pages": 0}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
            for page_path in pages:  # a first visit: fresh browser profile, empty cache
                context = browser.new_context()
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                page = context.new_page()
                log.clear()
                page.goto(base + page_path, wait_until="load")
                page.wait_for_timeout(500)
                results["at_load"][page_path] = _totals(log, site)
                has_figures = page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length > 0")
                if has_figures:
                    results["first_figure_ms"][page_path] = page.evaluate(FIRST_FIGURE_JS)
                results["all_drawn"][page_path] = page.evaluate(ALL_DRAWN_JS)
                page.wait_for_timeout(500)
                results["drawn"][page_path] = _totals(log, site)
                results.setdefault("figure_pages", set())
                if has_figures:
                    results["figure_pages"].add(page_path)
                context.close()
            # One reader walking through the whole book in one browser: plotly.js travels once.
            context = browser.new_context()
            page = context.new_page()
            log.clear()
            for page_path in pages:
                page.goto(base + page_path, wait_until="load")
                page.evaluate(ALL_DRAWN_JS)
                results["site_walk_pages"] += 1
            page.wait_for_timeout(300)
            plotly_files = [u for u, s, n, e in log if category(u) == "plotly.js" and s == 200]
            results["plotly_full_fetches"] = max((plotly_files.count(u) for u in set(plotly_files)), default=0)
            results["plotly_pages"] = len(results["figure_pages"])
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


# ------------------------------------------------------------------ Lighthouse and the Nu HTML Checker
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LH_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LH_METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index")


def lighthouse(url: str, form: str) -> dict:
    """One Lighthouse run (mobile: its default Moto G emulation with simulated slow 4G; desktop:
    its desktop preset): category scores 0-100 and the main metrics in ms."""
    with tempfile.TemporaryDirectory(prefix="otsbook-lh-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(LH_CATEGORIES)}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu " + " ".join(CHROMIUM_ARGS[1:])]
        if form == "desktop":
            cmd.append("--preset=desktop")
        env = dict(os.environ, CHROME_PATH=find_chromium() or "", TMPDIR=tmp)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240)
        if proc.returncode != 0 or not out.exists():
            return {"error": (proc.stderr or proc.stdout)[-300:]}
        report = json.loads(out.read_text(encoding="utf-8"))
    scores = {k: round(100 * (report["categories"][k]["score"] or 0)) for k in LH_CATEGORIES}
    metrics = {k: report["audits"][k].get("numericValue") for k in LH_METRICS}
    failing = sorted(ref["id"] for k in LH_CATEGORIES[1:] for ref in report["categories"][k]["auditRefs"]
                     if ref.get("weight") and (report["audits"][ref["id"]].get("score") or 0) < 1
                     and report["audits"][ref["id"]].get("scoreDisplayMode") == "binary")
    return {"scores": scores, "metrics": metrics, "failing": failing}


def median_run(runs: list[dict]) -> dict:
    """Of several Lighthouse runs of one page, the run with the median performance score (as
    Lighthouse's documentation advises: one run on a shared machine varies by 10 points or more);
    the other categories are the worst of the runs, so that a failure in any run shows."""
    good = sorted((r for r in runs if "scores" in r), key=lambda r: r["scores"]["performance"])
    if not good:
        return runs[-1]
    chosen = dict(good[(len(good) - 1) // 2])
    chosen["scores"] = dict(chosen["scores"], **{k: min(r["scores"][k] for r in good) for k in LH_CATEGORIES[1:]})
    chosen["failing"] = sorted({f for r in good for f in r.get("failing", [])})
    chosen["runs"] = [r["scores"]["performance"] for r in good]
    return chosen


def run_lighthouse(sites: dict[str, Path], pages: list[str], runs: int = 3) -> dict:
    """Lighthouse per site, page and form factor, ``runs`` times each (the median run counts),
    alternating between the sites run by run so that both see the same machine load."""
    servers = {name: make_server(site) for name, site in sites.items()}
    results = {name: {} for name in sites}
    try:
        for page in pages:
            for form in ("mobile", "desktop"):
                done = {name: [] for name in servers}
                for _ in range(runs):
                    for name, (_, _, base) in servers.items():
                        r = lighthouse(base + page, form)
                        done[name].append(r)
                        RESULTS.mkdir(exist_ok=True)
                        with open(RESULTS / "lighthouse.jsonl", "a", encoding="utf-8") as log:
                            log.write(json.dumps({"site": name, "page": page, "form": form, **r}) + "\n")
                for name in servers:
                    r = results[name][(page, form)] = median_run(done[name])
                    print(f"  lighthouse {name:8} {form:7} {page}: {r.get('scores', r.get('error'))} runs {r.get('runs')}", flush=True)
    finally:
        for server, _, _ in servers.values():
            server.shutdown()
            server.server_close()
    return results


def site_html_files(site: Path) -> list[Path]:
    """Every page of a built site (not the theme's template fragments, not other trees)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "_sources", "_images", "node_modules"))


def nu_errors(site: Path) -> dict[str, int] | None:
    """Errors of the Nu HTML Checker per page (one java call over the whole site)."""
    if not VNU_JAR.exists() or shutil.which("java") is None:
        return None
    files = site_html_files(site)
    proc = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    counts = {p.relative_to(site).as_posix(): 0 for p in files}
    for message in json.loads(proc.stderr or '{"messages": []}')["messages"]:
        if message.get("type") == "error":
            name = Path(message["url"].removeprefix("file:")).resolve().relative_to(site.resolve()).as_posix()
            counts[name] = counts.get(name, 0) + 1
    return counts


# ------------------------------------------------------------------ report
class Table:
    def __init__(self, columns=("Value",)):
        self.columns = tuple(columns)
        self.rows: list[tuple] = []

    def add(self, what: str, value, budget: str = "", ok: bool | None = None):
        values = value if isinstance(value, tuple) else (value,)
        values = tuple(values) + ("",) * (len(self.columns) - len(values))
        self.rows.append((what, *values, budget, "" if ok is None else ("PASS" if ok else "FAIL")))

    @property
    def failed(self) -> bool:
        return any(r[-1] == "FAIL" for r in self.rows)

    def render(self) -> str:
        head = ("Measure", *self.columns, "Budget", "Result")
        widths = [max(len(str(r[i])) for r in [head, *self.rows]) for i in range(len(head))]
        line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
        return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, self.rows)])


def fmt_bytes(n: int) -> str:
    return f"{n / MB:.2f} MB" if n >= MB else f"{n / KB:.0f} KB"


BUDGET_FIGURE_PAGE_GZIP = 700 * KB
LH_BUDGETS = {("mobile", "performance"): 90, ("desktop", "performance"): 95}


def build_ref(ref: str, dest: Path) -> Path:
    """A cold build of git ref ``ref`` (its own build plumbing, same environment) in ``dest``."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    seconds, rc, out = build(dest)
    if rc != 0:
        print(f"The build of {ref} failed (exit {rc}):\n{out}", flush=True)
    return dest / "_build" / "html"


def report_sites(table: Table, sites: dict[str, Path], pages: list[str], skip_lighthouse: bool, runs: int = 3) -> None:
    names = list(sites)
    current = names[-1]

    def cols(fn):
        return tuple(fn(name) for name in names)

    if find_chromium() is None:
        table.add("Page weights, figures, Lighthouse", "SKIPPED: Chromium not installed (apt-get install chromium)", "", False)
        return
    measured = {name: measure_pages(site, [p for p in pages if (site / p).exists()]) for name, site in sites.items()}
    for page in pages:
        def weight(name, key):
            totals = measured[name][key].get(page)
            return fmt_bytes(sum(v[1] for v in totals.values())) if totals else "-"
        drawn = measured[current]["drawn"].get(page, {})
        gz = sum(v[1] for v in drawn.values())
        is_fig = page in measured[current].get("figure_pages", set())
        table.add(f"First visit {page}, gzip: at load", cols(lambda n: weight(n, "at_load")))
        parts = ", ".join(f"{k} {fmt_bytes(v[1])}" for k, v in sorted(drawn.items()))
        table.add(f"  ... all figures and widgets drawn ({parts})", cols(lambda n: weight(n, "drawn")),
                  f"< {fmt_bytes(BUDGET_FIGURE_PAGE_GZIP)}" if is_fig else "",
                  gz < BUDGET_FIGURE_PAGE_GZIP if is_fig else None)
        if page in measured[current]["all_drawn"] and not measured[current]["all_drawn"][page]:
            table.add(f"  ... {page}: every figure and widget drawn", cols(lambda n: str(measured[n]["all_drawn"].get(page))), "True", False)
    m = measured[current]
    table.add(f"plotly.js files fetched more than once walking all {m['site_walk_pages']} pages",
              cols(lambda n: f"max {measured[n]['plotly_full_fetches']} fetch(es) of a file"), "1 (then cached)",
              m["plotly_full_fetches"] == (1 if m["plotly_pages"] else 0))
    for page in m["first_figure_ms"]:
        ms = m["first_figure_ms"][page]
        table.add(f"First figure drawn (scrolled to it), {page}",
                  cols(lambda n: "never" if measured[n]["first_figure_ms"].get(page) is None else f"{measured[n]['first_figure_ms'][page] / 1000:.2f} s"),
                  "draws", ms is not None)

    nu = {name: nu_errors(site) for name, site in sites.items()}
    if nu[current] is None:
        table.add("Nu HTML Checker", "SKIPPED: run `npm ci` (vnu-jar) and install Java", "0 errors", False)
    else:
        table.add("Nu HTML Checker errors (all pages)",
                  cols(lambda n: f"{sum(nu[n].values())} on {sum(1 for v in nu[n].values() if v)} of {len(nu[n])} pages" if nu[n] is not None else "-"),
                  "0", sum(nu[current].values()) == 0)

    if skip_lighthouse:
        return
    if not LIGHTHOUSE.exists():
        table.add("Lighthouse", "SKIPPED: run `npm ci` (lighthouse@12.2.3)", "", False)
        return
    lh = run_lighthouse(sites, pages, runs)
    for form in ("mobile", "desktop"):
        for page in pages:
            def cell(name):
                r = lh[name].get((page, form), {})
                if "scores" not in r:
                    return "error"
                s, mt = r["scores"], r["metrics"]
                fcp, tbt = mt.get("first-contentful-paint"), mt.get("total-blocking-time")
                return (f"{s['performance']}/{s['accessibility']}/{s['best-practices']}/{s['seo']}"
                        + (f" FCP {fcp / 1000:.1f}s" if fcp is not None else "")
                        + (f" TBT {tbt:.0f}ms" if tbt is not None else ""))
            r = lh[current].get((page, form), {})
            perf_budget = LH_BUDGETS[(form, "performance")]
            ok = "scores" in r and r["scores"]["performance"] >= perf_budget and all(r["scores"][k] == 100 for k in LH_CATEGORIES[1:])
            failing = f" (failing: {', '.join(r['failing'])})" if r.get("failing") else ""
            spread = f" (runs {'/'.join(map(str, r['runs']))})" if len(r.get("runs", [])) > 1 else ""
            table.add(f"Lighthouse {form} {page}{spread}{failing}", cols(cell), f"perf>={perf_budget}, rest 100", ok)
        for name in names:
            perf = sorted(lh[name][(p, form)]["scores"]["performance"] for p in pages if "scores" in lh[name].get((p, form), {}))
            if perf:
                lh[name][form + "_median"] = (perf[len(perf) // 2] if len(perf) % 2 else (perf[len(perf) // 2 - 1] + perf[len(perf) // 2]) / 2, perf[0], perf[-1])
        table.add(f"Lighthouse {form} performance: median (min-max)",
                  cols(lambda n: "{:g} ({}-{})".format(*lh[n][form + "_median"]) if form + "_median" in lh[n] else "-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and its build")
    parser.add_argument("--site", type=Path, help="measure this built site only (no builds)")
    parser.add_argument("--baseline", help="git ref to build and measure side by side (e.g. main)")
    parser.add_argument("--baseline-site", type=Path, help="an already built site to measure side by side")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (minutes per page)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and form factor; the median counts (default 3)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="otsbook-bench-"))
    baseline = None
    try:
        if args.baseline_site:
            baseline = args.baseline_site.resolve()
        elif args.baseline:
            print(f"Building the baseline {args.baseline}...", flush=True)
            baseline = build_ref(args.baseline, tmp / "baseline")
        columns = ("Before", "After") if baseline else ("Value",)
        table = Table(columns)
        if args.site:
            site = args.site.resolve()
            pages = toc_pages(ROOT)
        else:
            repo = copy_repo(tmp / "book")
            site = repo / "_build" / "html"
            pages = toc_pages(repo)
            build_steps(table, repo, site, pages)
        pages = [p for p in pages if (site / p).exists()]
        print(f"Measuring {len(pages)} pages of {site}" + (f" against {baseline}" if baseline else "") + "...", flush=True)
        sites = {"before": baseline, "after": site} if baseline else {"current": site}
        report_sites(table, sites, pages, args.no_lighthouse, args.runs)
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    text = table.render()
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.txt").write_text(time.strftime("%Y-%m-%d %H:%M:%S\n") + text + "\n", encoding="utf-8")
    return 1 if table.failed else 0


def build_steps(table: Table, repo: Path, site: Path, pages: list[str]) -> None:
    print(f"Benchmarking a copy of the book in {repo} ({len(pages)} pages)...", flush=True)
    cold, rc, out = build(repo)
    table.add("Cold build (empty cache)", f"{cold:.1f} s", "", None if rc == 0 else False)
    if rc != 0:
        print(f"The cold build failed (exit {rc}); its output ends with:\n{out}", flush=True)
    print(f"  cold build: {cold:.1f} s", flush=True)
    warm, rc_w, _ = build(repo)
    table.add("Rebuild, nothing changed", f"{warm:.1f} s", f"< {BUDGET_WARM_S:.0f} s", warm < BUDGET_WARM_S and rc_w == rc)
    print(f"  unchanged rebuild: {warm:.1f} s", flush=True)

    before = site_figures(site, pages)
    n_figures = sum(map(len, before.values()))
    choice = choose_edit(repo, before)
    if choice is None:
        table.add("Rebuild after a CSV edit", "no CSV value shown in any figure", "figure changes", False)
    else:
        _, csv_name, field, value, affected = choice
        path = repo / "data" / csv_name
        path.write_text(path.read_text(encoding="utf-8").replace(value, value + EDIT_MARK, 1), encoding="utf-8")
        edited, rc_e, out_e = build(repo)
        after = site_figures(site, pages)
        changed = [p for p in affected if after.get(p) != before.get(p)
                   and EDIT_MARK in "\n".join(s for fig in after.get(p, []) for s in strings_in(fig))]
        table.add(f"Rebuild after editing data/{csv_name} ({field})", f"{edited:.1f} s", "", rc_e == rc or None)
        table.add("  figure JSON follows the edit", f"{len(changed)}/{len(affected)} page(s): {', '.join(changed or affected)}",
                  "changed", bool(changed) and len(changed) == len(affected))
        print(f"  rebuild after editing {csv_name}: {edited:.1f} s", flush=True)
    table.add("Figures in the book", str(n_figures))

    largest = max(pages, key=lambda p: (site / p).stat().st_size if (site / p).exists() else 0)
    for page in pages:
        if (site / page).exists():
            size = (site / page).stat().st_size
            if size > BUDGET_PAGE_HTML or page == largest:
                table.add(f"HTML of {page}" + (" (largest)" if page == largest else ""), fmt_bytes(size),
                          f"< {fmt_bytes(BUDGET_PAGE_HTML)}", size < BUDGET_PAGE_HTML)


if __name__ == "__main__":
    sys.exit(main())
