"""`make notebooks`: the Colab copies carry no MyST (Colab cannot load an extension to render it)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    module = load_module("export_notebooks", "scripts/export_notebooks.py")
    out = tmp_path_factory.mktemp("notebooks")
    paths = module.export(out)
    markdown = {p.relative_to(out).with_suffix("").as_posix(): "\n".join(
        c.source for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown") for p in paths}
    return {"module": module, "markdown": markdown, "site": module.site_url()}


def test_no_myst_is_left_in_the_markdown(exported):
    for name, text in exported["markdown"].items():
        assert not re.search(r"\{[\w:-]+\}`", text), f"{name}: a MyST role is left"
        assert not re.search(r"^\s*(:::|```\{)", text, flags=re.M), f"{name}: a MyST directive is left"
        assert not re.search(r"^\([\w-]+\)=", text, flags=re.M), f"{name}: a MyST label is left"


def test_citations_become_author_year_links_to_the_bibliography(exported):
    energy = exported["markdown"]["chapters/energy"]
    source = (ROOT / "chapters" / "energy.md").read_text(encoding="utf-8")
    assert "{cite:p}`kuzio_oped`" in source
    assert f"([Kuzio 2024]({exported['site']}/chapters/bibliography.html))" in energy


def test_admonitions_become_quoted_blocks(exported):
    energy = exported["markdown"]["chapters/energy"]
    assert re.search(r"^> \*\*What to notice\*\*\n>\n> - ", energy, flags=re.M)


def test_cross_references_and_terms_link_to_the_web_book(exported):
    site = exported["site"]
    energy = exported["markdown"]["chapters/energy"]
    assert f"]({site}/chapters/energy.html#fig-energy-map)" in energy  # {numref}
    assert f"]({site}/chapters/glossary.html)" in energy  # {term}
    history = exported["markdown"]["chapters/history"]
    assert f"[exercises]({site}/chapters/history_exercises.html)" in history  # {doc}
    assert re.search(rf"\]\({re.escape(site)}/chapters/\w+\.html#[\w-]+\)", history)  # {ref}
