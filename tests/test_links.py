"""Every internal link of the built book resolves: the file exists and so does its #anchor.

Offline and fast (stdlib html.parser over every .html of the site). External http(s) links are
not checked here; `make linkcheck` checks them with the network.
"""
from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from otsbook.book import toc_files

# Attributes that make the browser fetch or navigate to another file of the site.
LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src"), ("iframe", "src")}
EXTERNAL = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:", "//")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str, str]] = []  # (line, tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for t, attr in LINK_ATTRS:
            if tag == t and attrs.get(attr):
                self.links.append((self.getpos()[0], tag, attrs[attr].strip()))

    handle_startendtag = handle_starttag


def _site_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).as_posix().startswith(("_static/", "_sources/"))]


@pytest.fixture(scope="module")
def parsed(built_html) -> dict[Path, _Page]:
    pages = {}
    for path in _site_pages(built_html):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = page
    return pages


def _target(site: Path, page: Path, url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        target = page
    elif path.startswith("/"):
        target = site / path.lstrip("/")
    else:
        target = page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.resolve(), unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(built_html, parsed):
    site = built_html.resolve()
    broken = defaultdict(list)
    checked = 0
    for page_path, page in parsed.items():
        for line, tag, url in page.links:
            if url.lower().startswith(EXTERNAL) or url == "#":
                continue
            target, fragment = _target(site, page_path, url)
            where = f"{page_path.relative_to(site)}:{line}"
            checked += 1
            if site not in target.parents and target != site:
                broken[where].append(f"<{tag}> {url}: points outside the site")
            elif not target.is_file():
                broken[where].append(f"<{tag}> {url}: {target.relative_to(site)} does not exist")
            elif fragment and target.suffix == ".html":
                if target not in parsed:
                    target_page = _Page()
                    target_page.feed(target.read_text(encoding="utf-8"))
                    parsed[target] = target_page
                if fragment not in parsed[target].ids:
                    broken[where].append(f"<{tag}> {url}: no id {fragment!r} in {target.relative_to(site)}")
    assert checked > 0, "no internal link found: is this the built book?"
    report = "\n".join(f"  {where}: {problem}" for where, problems in sorted(broken.items()) for problem in problems)
    assert not broken, f"{sum(map(len, broken.values()))} broken internal link(s):\n{report}"


def test_every_toc_page_is_linked_from_the_home_page(built_html, parsed, repo_root):
    """The root page's sidebar reaches every chapter (nothing built is unreachable)."""
    home, *files = toc_files(repo_root)
    root = (built_html / f"{home}.html").resolve()
    assert root in parsed, f"the root page {home}.html was not built"
    reached = {_target(built_html.resolve(), root, url)[0] for _, tag, url in parsed[root].links
               if tag == "a" and not url.lower().startswith(EXTERNAL)}
    unreached = [f for f in files if (built_html / f"{f}.html").resolve() not in reached]
    assert not unreached, f"pages of _toc.yml not linked from {home}.html: {unreached}"
