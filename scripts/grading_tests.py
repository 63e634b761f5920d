"""Run an assignment's tests, public and hidden, against a submission's answers read as data.

    python grading_tests.py AUTOGRADER_ZIP ANSWERS_JSON     (the result goes to $OTS_OUTPUT_FD)

This process is started fresh for each submission (in a sandbox of its own) after the
submission's notebook has finished in another one: no code of the submission ever runs here.
The answers are rebuilt from JSON by ``grading_answers.decode`` (plain values only), the test
files are read from the autograder zip as data (never imported), and each test case runs as
otter runs it (``run_doctest`` below is otter-grader 7's, without importing otter, which would
double this process's start-up time). The result (JSON) holds only, per question, whether each test case passed: the
grader takes the points, the hints and which cases are hidden from its own copy of the tests, so
nothing a test prints or raises can reach a grades file or a student's feedback.
"""
from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import io
import json
import os
import re
import sys
import textwrap
import zipfile

from grading_answers import decode

# Modules a test may use under the name the notebook gave them (``import pandas as pd``).
MODULES = {"pandas", "numpy", "plotly", "plotly.express", "plotly.graph_objects", "otsbook", "math",
           "statistics", "collections", "datetime", "re", "json", "itertools"}
DEFAULT_MODULES = {"pd": "pandas", "np": "numpy", "px": "plotly.express", "go": "plotly.graph_objects",
                   "otsbook": "otsbook"}


def read_test_specs(zip_path: str) -> dict[str, dict]:
    """question name -> OK-format test spec, from ``tests/<name>.py`` in the autograder zip.

    The files are parsed, not run: each must assign a literal dict to ``test``."""
    specs = {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            match = re.fullmatch(r"tests/(\w+)\.py", name)
            if not match:
                continue
            tree = ast.parse(archive.read(name).decode("utf-8"))
            spec = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == "test" for t in node.targets))
            specs[spec["name"]] = spec
    return specs


def environment(answers: dict) -> tuple[dict, list[str]]:
    """A fresh global namespace: the usual modules, then the submission's values."""
    env, problems = {}, []
    modules = dict(DEFAULT_MODULES)
    modules.update({k: v for k, v in answers.get("modules", {}).items()
                    if isinstance(k, str) and k.isidentifier() and v in MODULES})
    for alias, module in modules.items():
        env[alias] = importlib.import_module(module)
    for name, data in answers.get("answers", {}).items():
        if not (isinstance(name, str) and name.isidentifier()):
            continue
        try:
            env[name] = decode(data)
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
            problems.append(name)
    return env, problems


def run_doctest(name: str, code: str, env: dict) -> bool:
    """Whether one test case passes, as otter.test_files.ok_test.run_doctest decides it."""
    examples = doctest.DocTestParser().parse(code, name)
    test = doctest.DocTest([e for e in examples if isinstance(e, doctest.Example)], env, name, None, None, code)
    runner = doctest.DocTestRunner(verbose=True)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        runner.run(test, clear_globs=False)
        return runner.summarize(verbose=False).failed == 0


def main() -> int:
    zip_path, answers_path = sys.argv[1:3]

    with open(answers_path, encoding="utf-8") as f:
        answers = json.load(f)
    if not isinstance(answers, dict):
        raise SystemExit("answers: not an object")
    result = {"questions": {}, "unreadable": []}
    for name, spec in read_test_specs(zip_path).items():
        env, problems = environment(answers)  # fresh values for every question
        result["unreadable"] = problems
        cases = spec["suites"][0]["cases"]
        result["questions"][name] = [run_doctest(f"{name} {i}", textwrap.dedent(case["code"]), env)
                                     for i, case in enumerate(cases)]
    with os.fdopen(int(os.environ["OTS_OUTPUT_FD"]), "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
