"""The assignments' ``grader`` in a live notebook: otter-grader's public checks, shown as hints.

Each assignment starts with ``grader = Notebook("<chapter>.ipynb")``. ``grader.check("q1")`` runs
the question's public tests with otter-grader as usual, but shows a student only which checks
passed and, for a check that failed, the hint written for it, never a doctest traceback.
Grading itself does not use this module (see ``scripts/assignments.py``).
"""
from __future__ import annotations

import html
import inspect

import otter


class CheckResult:
    """What a student sees after ``grader.check``: passed, or the hints of the checks that failed."""

    def __init__(self, result):
        self.result = result  # otter's TestFile, for whoever wants the details
        self.name = result.name
        cases = [r for r in result.test_case_results if not r.test_case.hidden]
        self.passed = all(r.passed for r in cases)
        self.hints = [r.test_case.failure_message or "A check did not pass: look at the question again."
                      for r in cases if not r.passed]

    def __repr__(self) -> str:
        if self.passed:
            return f"{self.name}: the public checks passed."
        return f"{self.name}: not yet.\n" + "\n".join(f"  - {hint}" for hint in self.hints)

    def _repr_html_(self) -> str:
        if self.passed:
            return f"<p><strong>{html.escape(self.name)}</strong>: the public checks passed.</p>"
        items = "".join(f"<li>{html.escape(hint)}</li>" for hint in self.hints)
        return f"<p><strong>{html.escape(self.name)}</strong>: not yet.</p><ul>{items}</ul>"


class CheckResults(list):
    """The results of ``grader.check_all()``, one question after another."""

    def __repr__(self) -> str:
        return "\n".join(repr(result) for result in self)

    def _repr_html_(self) -> str:
        return "".join(result._repr_html_() for result in self)


class Notebook(otter.Notebook):
    """otter's ``Notebook`` whose checks show hints instead of tracebacks."""

    def check(self, question: str, global_env: dict | None = None) -> CheckResult:
        if global_env is None:
            global_env = inspect.currentframe().f_back.f_globals
        return CheckResult(super().check(question, global_env))

    def check_all(self) -> CheckResults:
        from otter.check.utils import list_available_tests

        env = inspect.currentframe().f_back.f_globals
        names = sorted(list_available_tests(self._tests_dir, self._nbmeta_config))
        return CheckResults(self.check(name, env) for name in names)
