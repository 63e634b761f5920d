"""Run a submitted notebook inside the grading sandbox and write what it computed as data.

    python grading_runner.py NOTEBOOK      (the answers go to the file descriptor $OTS_OUTPUT_FD)

Runs every code cell in order in one IPython shell (a cell that raises is recorded and the next
cell runs, as when otter executes a submission), then writes, as JSON: the variables the
notebook defined, encoded by ``grading_answers.encode``, the values it could not encode, the names
it gave the modules it imported, and the errors its cells raised. No test runs here: the tests are
not in the sandbox at all, and later read this file in a fresh process. Everything in this
process, this file included, is in the student's reach, so the grader treats its output as
untrusted data.
"""
from __future__ import annotations

import json
import os
import re
import sys
import types

from grading_answers import Unsupported, encode

IPYTHON_NAMES = re.compile(r"^(_+|_i+|_i?\d+|_[iod]h|In|Out|exit|quit|get_ipython)$")


def first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]


def run(notebook_path: str) -> dict:
    from IPython.core.interactiveshell import InteractiveShell

    with open(notebook_path, encoding="utf-8") as f:
        nb = json.load(f)
    shell = InteractiveShell.instance()
    shell.display_formatter.active_types = ["text/plain"]  # nothing is shown to anyone
    before = set(shell.user_ns)
    errors = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        result = shell.run_cell(source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            text = " ".join(str(error).split())[:200]
            errors.append({"error": f"{type(error).__name__}: {text}" if text else type(error).__name__,
                           "cell": first_line(source)})
    answers, skipped, modules = {}, {}, {}
    for name, value in list(shell.user_ns.items()):
        if not isinstance(name, str) or name in before or IPYTHON_NAMES.match(name):
            continue
        if isinstance(value, types.ModuleType):
            modules[name] = value.__name__
            continue
        if isinstance(value, (types.FunctionType, type)) or callable(value):
            continue
        try:
            answers[name] = encode(value)
        except (Unsupported, RecursionError) as exc:
            skipped[name] = str(exc)[:120]
        except Exception as exc:  # noqa: BLE001 - a value that breaks while being read is not an answer
            skipped[name] = f"could not be read ({type(exc).__name__})"
    return {"answers": answers, "skipped": skipped, "modules": modules, "cell_errors": errors}


def main() -> int:
    out = os.fdopen(int(os.environ["OTS_OUTPUT_FD"]), "w", encoding="utf-8")
    os.environ.pop("OTS_OUTPUT_FD")
    result = run(sys.argv[1])
    json.dump(result, out)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
