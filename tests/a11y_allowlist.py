"""Accessibility problems the book cannot fix itself, allowed by rule AND place, never by rule alone.

axe-core runs on every page (tests/test_browser.py) and every serious or critical violation fails
the test unless its element is matched (itself or an ancestor) by the CSS selector of an entry for
the same rule here. Each entry says why the book cannot fix it. Problems the book can fix are fixed
instead: contrast in _static/otsbook.css, attributes in _ext/otsbook_build.py.

Format: {"rule": axe rule id, "selector": CSS selector, "reason": why it is third-party and unfixable}.
"""
from __future__ import annotations

ALLOWED: list[dict[str, str]] = []
# Fixed by the book instead (no entry needed): the theme's unlabelled sidebar toggles and the
# deprecated bibliography role (_ext/otsbook_build.py); the widget primary button's and the
# admonition links' contrast (_static/otsbook.css); ipywidgets' slider handles, which the widget
# manager draws without a name, are labelled by their widget's description once drawn
# (_ext/otsbook-lazy.js).


def is_allowed(page, rule: str, target) -> bool:
    """True if the element axe reported (``target``: axe's selector list) is covered by an entry."""
    selectors = [entry["selector"] for entry in ALLOWED if entry["rule"] == rule]
    if not selectors:
        return False
    last = target[-1] if isinstance(target, list) and target else target
    if not isinstance(last, str):  # inside a shadow root or frame: axe gives a nested list
        last = last[-1] if last else ""
    return bool(page.evaluate(
        "([sel, pats]) => { const el = document.querySelector(sel);"
        " return !!el && pats.some(p => el.closest(p)); }",
        [last, selectors],
    ))
