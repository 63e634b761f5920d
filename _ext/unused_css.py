"""Drop the stylesheet rules that no page of the site can match.

The theme's stylesheet (pydata-sphinx-theme, with Bootstrap) is ~300 KB, most of it utility
classes the book never uses; every page downloads it before the first paint and the browser
matches every element against it. After the build, :func:`prune_css` keeps a rule when at least
one of its selectors can match: every class the selector requires appears as a word in some page
or script of the site (``known_words``). What sits inside ``:not()``, ``:is()``, ``:where()``,
``:has()`` or ``[...]`` is not required, and a selector with an escape is always kept; ``@media``,
``@supports`` and ``@layer`` blocks are pruned inside and dropped when empty; every other at-rule
(``@font-face``, ``@keyframes``, ``@import``...) is kept. The stylesheet is parsed with tinycss2.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import tinycss2
from tinycss2.ast import AtRule, WhitespaceToken

_WORD = re.compile(r"-?[A-Za-z_][\w-]*")
_CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
_INNER = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_GROUPS = {"media", "supports", "layer", "container"}


def known_words(files: Iterable[Path]) -> set[str]:
    """Every word (a possible class name) of these pages and scripts."""
    words: set[str] = set()
    for path in files:
        words.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def can_match(selector: str, known: set[str]) -> bool:
    if "\\" in selector:
        return True
    required = selector
    while True:
        inner_removed = _INNER.sub("", required)
        if inner_removed == required:
            break
        required = inner_removed
    return all(name in known for name in _CLASS.findall(required))


def _prune(rules, known: set[str]) -> list:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if any(can_match(s, known) for s in selectors(tinycss2.serialize(rule.prelude))):
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPS and rule.content is not None:
            inner = _prune(tinycss2.parse_rule_list(rule.content, skip_comments=True), known)
            if any(r.type in ("qualified-rule", "at-rule") for r in inner):
                kept.append(AtRule(rule.source_line, rule.source_column, rule.at_keyword, rule.lower_at_keyword,
                                   rule.prelude, [WhitespaceToken(rule.source_line, rule.source_column, "\n"), *inner]))
        elif rule.type != "comment":
            kept.append(rule)
    return kept


def prune_css(css: str, known: set[str]) -> str:
    """``css`` without the rules that cannot match anything (see the module's docstring)."""
    return tinycss2.serialize(_prune(tinycss2.parse_stylesheet(css, skip_comments=True), known))
