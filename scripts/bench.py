"""Benchmark the book: build times, what a reader downloads, how soon the first figure draws.

    make bench            (or: python scripts/bench.py [--keep])

Everything runs on a temporary copy of the repository, so neither _build/ nor data/ of the
working tree is touched:

1. cold build of the whole book with an empty execution cache;
2. rebuild with nothing changed (budget: under 10 s);
3. rebuild after editing one CSV of data/ in the copy: a text cell that a figure shows is
   changed, and the script checks that the figure JSON of the affected page changed with it;
4. bytes a first visit to each page of _toc.yml transfers (its HTML, the book's assets,
   plotly.js, the widget manager), raw and gzip (budgets: under 2 MB gzip per first visit, no
   page over 300 KB of its own HTML), and that plotly.js is fetched once for a whole visit of the
   site, then served from the browser cache;
5. time from navigation to the first drawn figure, in headless Chromium.

Prints a table with PASS/FAIL against each budget, writes it to bench-results/, and exits 1 if
a budget fails.
"""
from __future__ import annotations

import argparse
import csv
import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from otsbook.book import toc_pages

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench-results"
SKIP_COPY = {"_build", ".git", ".venv", "dist", "bench-results", ".pytest_cache", ".ipynb_checkpoints", "__pycache__"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MB, KB = 1024 * 1024, 1024
BUDGET_WARM_S = 10.0
BUDGET_FIRST_VISIT_GZIP = 2 * MB
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
class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site and records the bytes of every response body it sends."""

    log: list[tuple[str, int, int]] = []  # (path, status, body bytes)

    def log_message(self, *args):
        pass

    def send_head(self):
        f = super().send_head()
        size = 0
        if f is not None and hasattr(f, "fileno"):
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError:
                size = 0
        self.log.append((self.path.split("?")[0], getattr(self, "_status", 0), size))
        return f

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)


def serve(site: Path):
    handler = type("Handler", (CountingHandler,), {"log": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.log, f"http://127.0.0.1:{server.server_address[1]}/"


@functools.lru_cache(maxsize=None)
def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def category(url_path: str) -> str:
    if url_path.endswith("/plotly.min.js"):
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
      .some(svg => svg.querySelector('.trace path, .trace image, .choroplethlocation, .trace text'));
  if (drawn()) return resolve(performance.now());
  const obs = new MutationObserver(() => { if (drawn()) { obs.disconnect(); resolve(performance.now()); } });
  obs.observe(document.documentElement, {childList: true, subtree: true});
  setTimeout(() => { obs.disconnect(); resolve(null); }, 30000);
})"""


def measure_pages(site: Path, pages: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    server, log, base = serve(site)
    results = {"first_visit": {}, "first_figure_ms": {}, "plotly_full_fetches": None, "site_walk_pages": 0}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
            for page_path in pages:  # a first visit: fresh browser profile, empty cache
                context = browser.new_context()
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                page = context.new_page()
                log.clear()
                page.goto(base + page_path, wait_until="load")
                has_figures = page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length > 0")
                ms = page.evaluate(FIRST_FIGURE_JS) if has_figures else None
                page.wait_for_timeout(500)
                totals = defaultdict(lambda: [0, 0])
                for url_path, status, size in list(log):
                    if status == 200 and size:
                        file = site / url_path.lstrip("/")
                        totals[category(url_path)][0] += size
                        totals[category(url_path)][1] += gzip_size(file) if file.is_file() else size
                results["first_visit"][page_path] = {k: tuple(v) for k, v in totals.items()}
                if has_figures:
                    results["first_figure_ms"][page_path] = ms
                context.close()
            # One reader walking through the whole book in one browser: plotly.js travels once.
            context = browser.new_context()
            page = context.new_page()
            log.clear()
            for page_path in pages:
                page.goto(base + page_path, wait_until="load")
                results["site_walk_pages"] += 1
            page.wait_for_timeout(300)
            results["plotly_full_fetches"] = sum(1 for u, s, n in log if u.endswith("/plotly.min.js") and s == 200)
            results["plotly_pages"] = sum(1 for pp in pages if "plotly.min.js" in (site / pp).read_text(encoding="utf-8"))
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


# ------------------------------------------------------------------ report
class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, value: str, budget: str = "", ok: bool | None = None):
        self.rows.append((what, value, budget, "" if ok is None else ("PASS" if ok else "FAIL")))

    @property
    def failed(self) -> bool:
        return any(r[3] == "FAIL" for r in self.rows)

    def render(self) -> str:
        head = ("Measure", "Value", "Budget", "Result")
        widths = [max(len(str(r[i])) for r in [head, *self.rows]) for i in range(4)]
        line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
        return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, self.rows)])


def fmt_bytes(n: int) -> str:
    return f"{n / MB:.2f} MB" if n >= MB else f"{n / KB:.0f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and its build")
    args = parser.parse_args()
    table = Table()
    tmp = Path(tempfile.mkdtemp(prefix="otsbook-bench-"))
    try:
        repo = copy_repo(tmp / "book")
        site = repo / "_build" / "html"
        pages = toc_pages(repo)
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

        if find_chromium() is None:
            table.add("Page weights, first figure", "SKIPPED: Chromium not installed (apt-get install chromium)", "", False)
        else:
            measured = measure_pages(site, [p for p in pages if (site / p).exists()])
            for page, totals in measured["first_visit"].items():
                raw = sum(v[0] for v in totals.values())
                gz = sum(v[1] for v in totals.values())
                parts = ", ".join(f"{k} {fmt_bytes(v[1])}" for k, v in sorted(totals.items()))
                table.add(f"First visit {page}", f"{fmt_bytes(raw)} raw / {fmt_bytes(gz)} gzip ({parts} gz)",
                          f"< {fmt_bytes(BUDGET_FIRST_VISIT_GZIP)} gzip", gz < BUDGET_FIRST_VISIT_GZIP)
            fetches, with_plotly = measured["plotly_full_fetches"], measured["plotly_pages"]
            table.add(f"plotly.min.js downloads walking all {measured['site_walk_pages']} pages",
                      f"{fetches} (on {with_plotly} pages with figures)", "1 (then cached)", fetches == (1 if with_plotly else 0))
            for page, ms in measured["first_figure_ms"].items():
                table.add(f"First figure drawn, {page}", "never" if ms is None else f"{ms / 1000:.2f} s", "draws", ms is not None)
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


if __name__ == "__main__":
    sys.exit(main())
