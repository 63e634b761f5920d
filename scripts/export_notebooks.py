"""Write .ipynb copies of the book's notebook pages, for Colab and for download.

Colab opens notebooks from GitHub but cannot read MyST Markdown, so CI publishes these copies to
the `notebooks` branch (the Colab launch button points there). Each copy starts with a cell
that, on Colab only, fetches the repository so that `import otsbook` and the data work.

Colab cannot load a MyST extension either, so the Markdown cells are turned into plain Markdown:
citations become author–year text linking to the web book's bibliography, glossary terms and
cross-references ({ref}, {numref}, {doc}) become links to the web book, and directives
(admonitions, notes, exercises, solutions) become quoted blocks with a bold title.

Usage: python scripts/export_notebooks.py OUTPUT_DIR
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

import jupytext
import nbformat
from otsbook.book import ROOT, book_config, toc_files

COLAB_SETUP = """\
# On Google Colab only: fetch the book's repository so that its helper package and data load.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run(["git", "clone", "-q", "--depth", "1", "{repo}", "/content/ots-book"], check=False)
    sys.path.insert(0, "/content/ots-book")"""


def site_url() -> str:
    """The web book's address: ``html.baseurl`` of _config.yml, else the repository's GitHub Pages."""
    config = book_config()
    base = (config.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/")
    owner, repo = config["repository"]["url"].rstrip("/").split("github.com/")[-1].split("/")[:2]
    return f"https://{owner}.github.io/{repo}"


# --- what the links point at -------------------------------------------------------------------

@lru_cache(maxsize=1)
def targets() -> dict[str, tuple[str, str]]:
    """label -> (page, title): section labels ``(label)=`` and figure names of every page."""
    found = {}
    for name in toc_files():
        text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        for match in re.finditer(r"^\((?P<label>[\w-]+)\)=\s*\n#+\s*(?P<title>.+)$", text, flags=re.M):
            found[match["label"]] = (name, match["title"].strip())
        for match in re.finditer(r"^\s+name:\s*(?P<label>fig-[\w-]+)\s*$", text, flags=re.M):
            found.setdefault(match["label"], (name, "the figure"))
    return found


def page_title(name: str) -> str:
    text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
    heading = re.search(r"^#\s+(.+)$", text, flags=re.M)
    return heading.group(1).strip() if heading else Path(name).name


@lru_cache(maxsize=1)
def bibliography() -> dict[str, str]:
    """BibTeX key -> author–year text ("Kuzio 2024", "Smith and Jones 2020", "Smith et al. 2019")."""
    from pybtex.database import parse_file

    entries = {}
    for path in sorted((ROOT / "bib").glob("*.bib")):
        for key, entry in parse_file(str(path)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [" ".join(p.last_names) for p in people]
            if not names:
                who = re.sub(r"[{}]", "", entry.fields.get("organization") or entry.fields.get("publisher")
                             or entry.fields.get("title", key))
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            entries[key] = f"{re.sub(r'[{}]', '', who)} {entry.fields.get('year', 'n.d.')}"
    return entries


# --- MyST to plain Markdown ----------------------------------------------------------------------

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")


def _split(body: str) -> tuple[str | None, str]:
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    match = re.fullmatch(r"\s*(?P<text>.*?)\s*<(?P<target>[^<>]+)>\s*", body, flags=re.S)
    return (match["text"], match["target"]) if match else (None, body.strip())


def _page_link(page: str, anchor: str = "") -> str:
    return f"{site_url()}/{page}.html" + (f"#{anchor}" if anchor else "")


def convert_role(match: re.Match, page: str) -> str:
    role, body = match["role"], match["body"]
    if role in ("cite:p", "cite:t", "cite", "cite:ps", "cite:ts"):
        url = _page_link("chapters/bibliography")
        keys = [k.strip() for k in body.split(",") if k.strip()]
        texts = [bibliography().get(key, key) for key in keys]
        if role.startswith("cite:t"):
            return "; ".join(f"[{t.rsplit(' ', 1)[0]} ({t.rsplit(' ', 1)[1]})]({url})" for t in texts)
        return "(" + "; ".join(f"[{t}]({url})" for t in texts) + ")"
    if role == "term":
        text, term = _split(body)
        return f"[{text or term}]({_page_link('chapters/glossary')})"
    if role in ("ref", "numref"):
        text, label = _split(body)
        target_page, title = targets().get(label, (page, label))
        if role == "numref":
            text = re.sub(r"\s*%s\s*", " ", text).strip() if text else ""
            text = text or ("the figure" if label.startswith("fig-") else title)
        return f"[{text or title}]({_page_link(target_page, label)})"
    if role == "doc":
        text, target = _split(body)
        target_page = (Path(page).parent / target).as_posix() if not target.startswith("/") else target.lstrip("/")
        return f"[{text or page_title(target_page)}]({_page_link(target_page)})"
    return body  # an unknown role: keep its text


FENCE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")


def convert_directives(lines: list[str]) -> list[str]:
    """Directives (``:::{name} title`` ... ``:::``) as quoted blocks with a bold title."""
    out, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match or match["name"] == "code-cell":
            out.append(lines[i])
            i += 1
            continue
        fence, name, arg = match["fence"], match["name"], match["arg"].strip()
        body, i = [], i + 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        while body and (re.match(r"^:[\w-]+:", body[0]) or not body[0].strip()):  # options (:class:, ...)
            body.pop(0)
        title = arg if name == "admonition" else (name.replace("-", " ").capitalize() + (f": {arg}" if arg else ""))
        inner = convert_directives(body)
        block = [f"**{title}**", ""] + inner if title else inner
        out += [f"> {line}".rstrip() for line in block]
    return out


def to_plain_markdown(text: str, page: str) -> str:
    lines = [line for line in text.splitlines() if not re.fullmatch(r"\([\w-]+\)=\s*", line)]
    text = "\n".join(convert_directives(lines))
    return ROLE.sub(lambda m: convert_role(m, page), text)


def export(output: Path) -> list[Path]:
    repo = book_config()["repository"]["url"]
    written = []
    for name in toc_files():
        source = ROOT / f"{name}.md"
        if "```{code-cell}" not in source.read_text(encoding="utf-8"):
            continue
        notebook = jupytext.read(source)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = to_plain_markdown(cell.source, name)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(COLAB_SETUP.format(repo=repo), metadata={"tags": ["colab-setup"]}))
        target = output / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in export(Path(sys.argv[1])):
        print(path)
