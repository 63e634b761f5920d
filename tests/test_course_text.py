"""Tests of the course text: each core chapter is a lecture's worth of reading.

Only substantive prose counts: code cells (with their figure captions), exercise and solution blocks,
the learning-objectives box, citations, headings and the front matter are taken out first.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
CORE = ("history", "energy", "security", "multipolarity")
MINIMUM_WORDS = 4000


def prose_words(markdown: str) -> int:
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)          # jupytext front matter
    text = re.sub(r"^(`{3,})\{?[\w-]*.*?^\1\s*$", "", text, flags=re.S | re.M)  # code cells, fenced directives
    # exercises, solutions and the learning objectives (colon-fenced directives)
    text = re.sub(r"^(:{3,})\{(?:exercise|solution)\}.*?^\1\s*$", "", text, flags=re.S | re.M)
    text = re.sub(r"^(:{3,})\{admonition\} Learning objectives.*?^\1\s*$", "", text, flags=re.S | re.M)
    text = re.sub(r"^:{3,}.*$", "", text, flags=re.M)       # the fences and options of other boxes
    text = re.sub(r"\{cite(?::[a-z]+)?\}`[^`]*`", "", text)  # citations
    text = re.sub(r"\{[a-z:]+\}`(?:([^`<]*?)\s*<[^`]*>|([^`]*))`", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"^#.*$", "", text, flags=re.M)           # headings
    text = re.sub(r"^\(.*\)=\s*$", "", text, flags=re.M)    # labels
    text = re.sub(r"`[^`]*`", "", text)                     # inline code
    return len(re.findall(r"[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*", text))


def test_counter_ignores_code_and_boxes():
    sample = ("Two words.\n\n```{code-cell} ipython3\nx = 1 + one two three\n```\n\n"
              ":::{exercise}\n:label: x\nfour five\n:::\n\nA {term}`Silk Road` {cite:p}`key`.\n")
    assert prose_words(sample) == 5


@pytest.mark.parametrize("chapter", CORE)
def test_core_chapter_is_a_lecture(chapter):
    words = prose_words((CHAPTERS / f"{chapter}.md").read_text(encoding="utf-8"))
    assert words >= MINIMUM_WORDS, f"{chapter}.md has {words} words of prose"


@pytest.mark.parametrize("chapter", CORE)
def test_core_chapter_has_balance_currency_and_reading(chapter):
    text = (CHAPTERS / f"{chapter}.md").read_text(encoding="utf-8")
    headings = [h.lower() for h in re.findall(r"^#{2,3} (.+)$", text, flags=re.M)]
    assert any("since" in h for h in headings), headings              # what has happened since the documents
    assert any("counter" in h or "limits" in h for h in headings), headings
    assert any("further reading" in h for h in headings), headings
