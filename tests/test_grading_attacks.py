"""Submissions written to cheat or to do harm, graded together with an honest one.

Each attack notebook is the history assignment's student notebook with one extra cell; all but
the forged-score one also answer question 1 honestly (2 points), so "scores only what its honest
answers earn" means exactly 2. The files the attacks aim at are harmless canaries made here, plus
the repository's own ``otsbook/__init__.py`` and ``scripts/`` (checked byte for byte, and restored
if an attack ever got through). Needs bubblewrap (``apt-get install bubblewrap``; ``.ci/run``
installs it).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20
HONEST_Q1 = 'members = sorted(states.loc[states["ots_status"] == "member", "iso3"])'

def _sandbox_missing() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    import sandbox

    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("OTSBOOK_REQUIRE_SANDBOX"):  # CI (.ci/run) installs bubblewrap
            raise
        return str(exc)
    return ""


SANDBOX_MISSING = _sandbox_missing()
needs_sandbox = pytest.mark.skipif(bool(SANDBOX_MISSING), reason=f"no grading sandbox: {SANDBOX_MISSING}")


def _load_script():
    return load_module("assignments_script_attacks", "scripts/assignments.py")


script = _load_script()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hidden_test_lines() -> list[str]:
    """Every line of code of a hidden test of every assignment (none may ever reach an output)."""
    lines = []
    for chapter in script.ASSIGNMENTS:
        nb = nbformat.read(ROOT / "assignments" / chapter / f"{chapter}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and re.search(r"^hidden:\s*true", cell.source, re.M):
                body = cell.source.split("# END TEST CONFIG", 1)[1]
                lines += [line.strip() for line in body.splitlines() if len(line.strip()) > 12]
    assert lines
    return lines


def attack_notebook(student: Path, cell: str, honest: bool = True):
    nb = nbformat.read(student, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "otsbook.load(" in c.source)
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(cell))
    if honest:
        for c in nb.cells:
            if c.cell_type == "code" and "members = ..." in c.source:
                c.source = c.source.replace("members = ...", HONEST_Q1)
    return nb


FORGE = r'''
# Forged score: every way of making tests pass without answers.
import builtins, doctest
import otter.test_files.ok_test as ok_test
import otter.test_files.abstract_test as abstract_test
ok_test.run_doctest = lambda *a, **k: (True, "")
abstract_test.TestFile.score = property(lambda self: 100)
doctest.DocTestRunner.run = lambda *a, **k: doctest.TestResults(0, 0)
builtins.isinstance = lambda *a: True
with open("/work/result.json", "w") as f:
    f.write('{"questions": {"q1": [true, true], "q2": [true, true], "q3": [true, true], "q4": [true, true]}}')
'''

STEAL = r'''
# Stolen answers: look for the instructor notebook, the tests or the repository and use them.
import os, re, socket, zipfile
found = []
def grab(path):
    if os.path.abspath(path) == os.path.abspath("history.ipynb"):  # its own copy (it holds this cell)
        return
    try:
        with open(path, "rb") as f:
            data = f.read(100000)
    except OSError:
        return
    if any(mark in data for mark in (b"BEGIN SOLUTION", b"# SOLUTION", b"'hidden': True", b'"hidden": true')):
        found.append(path)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        for word in cmd.split():
            if word.startswith("/") and os.path.exists(word):
                grab(word)
for name in ["REPO/assignments/history/history.ipynb", "AUTOGRADERS/history/autograder/history-autograder.zip",
             "AUTOGRADERS/history/autograder/history.ipynb", "/proc/1/root/REPO/assignments/history/history.ipynb"]:
    grab(name)
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in ("/proc", "/sys", "/dev", "/usr", "/opt/venv/lib")]
    for name in files:
        if name.endswith((".ipynb", ".zip")) or re.fullmatch(r"q\d+\.py", name):
            grab(os.path.join(top, name))
for path in found:
    if path.endswith(".zip"):
        exec(zipfile.ZipFile(path).read("tests/q2.py"))
try:
    socket.create_connection(("1.1.1.1", 80), timeout=3)
    found.append("network")
except OSError:
    pass
raise RuntimeError("STOLEN " + " ".join(found) if found else "NOTHING-FOUND")
'''

LEAK = r'''
# Leaked tests: answers whose comparison raises an exception carrying the test that called it.
import inspect, sys
class Spy(list):
    def __eq__(self, other):
        frame = sys._getframe(1)
        raise AssertionError("LEAK " + repr(frame.f_code.co_filename) + str(inspect.getsource(frame)))
    __hash__ = None
class SpySet(set):
    def __eq__(self, other):
        raise AssertionError("LEAK " + str(inspect.stack()))
ots_and_csto = SpySet({"KAZ"})
'''

HARM = r'''
# Harm outside the scratch folder: overwrite, delete and append to files elsewhere.
import os, pathlib, shutil
done = []
targets = {
    "canary-write": "CANARY",
    "package": "REPO/otsbook/__init__.py",
    "staged-package": "/book/otsbook/__init__.py",
    "runner": "/grader/grading_runner.py",
    "submissions": "SUBMISSIONS/planted.ipynb",
    "venv": "/opt/venv/lib/python3.11/site-packages/zz_planted.pth",
    "root-tmp": "/tmp/../REPO/planted.txt",
}
for key, path in targets.items():
    try:
        with open(path, "a") as f:
            f.write("\nprint('planted')  # canary\n")
        done.append(key)
    except OSError:
        pass
for key, path in {"canary-delete": "CANARY", "scripts": "REPO/scripts/sandbox.py"}.items():
    try:
        os.remove(path)
        done.append(key)
    except OSError:
        pass
try:
    shutil.rmtree("REPO/data")
    done.append("data")
except OSError:
    pass
raise RuntimeError("HARM " + " ".join(done) if done else "NO-HARM")
'''

DAEMON = r'''
# A double-forked child that tries to outlive grading.
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time\n# MARKER\nwhile True: time.sleep(0.2)"])
    os._exit(0)
time.sleep(1)
'''

LOOP = "while True:\n    pass\n"

HOG = r'''
# Limits: memory and processes.
import os
try:
    hog = bytearray(8 * 2**30)
except MemoryError:
    pass
children = 0
try:
    for _ in range(1000):
        if os.fork() == 0:
            import time
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError:
    pass
assert children < 200, children
'''


@pytest.fixture(scope="module")
def attack_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    dist = base / "dist"
    assert script.main(["build", "--out", str(dist), "--no-student-copy", "--no-run-tests"]) == 0
    subs = base / "submissions"
    subs.mkdir()
    canary = base / "canary.txt"
    canary.write_text("canary: nothing may change this file\n", encoding="utf-8")
    marker = f"ots-daemon-{os.getpid()}-{time.time_ns()}"
    replacements = {"REPO": str(ROOT), "AUTOGRADERS": str(dist), "SUBMISSIONS": str(subs), "CANARY": str(canary),
                    "MARKER": marker}
    student = ROOT / "assignments" / "student" / "history.ipynb"
    attacks = {"forge": (FORGE, False), "steal": (STEAL, True), "leak": (LEAK, True), "harm": (HARM, True),
               "daemon": (DAEMON, True), "loop": (LOOP, True), "hog": (HOG, True), "honest": ("x = 1", True)}
    for name, (cell, honest) in attacks.items():
        for key, value in replacements.items():
            cell = cell.replace(key, value)
        nbformat.write(attack_notebook(student, cell, honest), subs / f"{name}.ipynb")
    watched = [ROOT / "otsbook" / "__init__.py", *sorted((ROOT / "scripts").glob("*.py")),
               *sorted((ROOT / "data").glob("*")), canary, *subs.iterdir()]
    before = {p: sha(p) for p in watched}
    saved = {p: p.read_bytes() for p in watched if ROOT in p.parents}
    out = base / "grades"
    started = time.monotonic()
    try:
        script.main(["grade", str(subs), "--autograders", str(dist), "--out", str(out), "--timeout", str(TIMEOUT),
                     "--jobs", "2"])
        seconds = time.monotonic() - started
        after = {p: sha(p) if p.exists() else None for p in watched}
        new_files = sorted(set(subs.iterdir()) - set(before)) + sorted(
            p for p in (ROOT / "planted.txt",) if p.exists())
        daemons = _processes_with(marker)
    finally:
        for path, data in saved.items():  # never leave the repository harmed, whatever happened
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
        for pid in _processes_with(marker):
            os.kill(pid, 9)
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["file"]: row for row in csv.DictReader(f)}
    outputs = [(out / "grades.csv").read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.txt")]
    return {"rows": rows, "before": before, "after": after, "new_files": new_files, "daemons": daemons,
            "outputs": outputs, "seconds": seconds, "subs": subs, "dist": dist}


def _processes_with(marker: str) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{entry.name}/cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def scores(row: dict) -> tuple[str, ...]:
    return tuple(row[q] for q in ("q1", "q2", "q3", "q4"))


@pytest.mark.slow
@needs_sandbox
def test_honest_submission_in_the_batch_scores_its_answer(attack_batch):
    row = attack_batch["rows"]["honest.ipynb"]
    assert row["status"] == "graded" and scores(row) == ("2", "0", "0", "0"), row


@pytest.mark.slow
@needs_sandbox
def test_forged_score_gains_nothing(attack_batch):
    row = attack_batch["rows"]["forge.ipynb"]
    assert row["autograded_score"] == "0", row
    assert scores(row) == ("0", "0", "0", "0")


@pytest.mark.slow
@needs_sandbox
def test_stolen_answers_find_nothing(attack_batch):
    row = attack_batch["rows"]["steal.ipynb"]
    assert "RuntimeError: NOTHING-FOUND" in row["message"], row["message"]
    assert scores(row) == ("2", "0", "0", "0"), row


@pytest.mark.slow
@needs_sandbox
def test_exceptions_never_leak_test_text(attack_batch):
    row = attack_batch["rows"]["leak.ipynb"]
    assert scores(row) == ("2", "0", "0", "0"), row
    assert "LEAK" not in " ".join(attack_batch["outputs"])
    for text in attack_batch["outputs"]:
        for line in hidden_test_lines():
            assert line not in text, f"hidden test text in an output: {line}"
        assert "assert " not in text and "Traceback" not in text


@pytest.mark.slow
@needs_sandbox
def test_nothing_outside_the_scratch_folder_changes(attack_batch):
    row = attack_batch["rows"]["harm.ipynb"]
    assert "RuntimeError: NO-HARM" in row["message"], row["message"]
    assert scores(row) == ("2", "0", "0", "0"), row
    changed = [str(p) for p, digest in attack_batch["before"].items() if attack_batch["after"][p] != digest]
    assert changed == [] and attack_batch["new_files"] == []
    assert not list((Path(sys.prefix) / "lib").glob("python3*/site-packages/zz_planted.pth"))


@pytest.mark.slow
@needs_sandbox
def test_no_process_outlives_grading(attack_batch):
    assert attack_batch["daemons"] == []
    row = attack_batch["rows"]["daemon.ipynb"]
    assert row["status"] == "graded" and scores(row) == ("2", "0", "0", "0"), row


@pytest.mark.slow
@needs_sandbox
def test_endless_loop_costs_only_its_time_limit(attack_batch):
    row = attack_batch["rows"]["loop.ipynb"]
    assert row["status"] == "timeout" and row["autograded_score"] == "0"
    assert f"stopped after {TIMEOUT} seconds" in row["message"]
    assert attack_batch["seconds"] < 4 * TIMEOUT + 120  # eight notebooks, two at a time


@pytest.mark.slow
@needs_sandbox
def test_memory_and_process_limits_hold(attack_batch):
    row = attack_batch["rows"]["hog.ipynb"]
    assert row["status"] == "graded" and scores(row) == ("2", "0", "0", "0"), row


def test_grading_refuses_without_a_sandbox(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import sandbox

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        sandbox.check_available()
    fake = tmp_path / "dist"
    for chapter in script.ASSIGNMENTS:
        (fake / chapter / "autograder").mkdir(parents=True)
        (fake / chapter / "autograder" / f"{chapter}-autograder.zip").write_bytes(b"")
    (tmp_path / "subs").mkdir()
    with pytest.raises(SystemExit, match="(?s)Refusing to grade without a sandbox.*--unsafe-no-sandbox"):
        script.main(["grade", str(tmp_path / "subs"), "--autograders", str(fake), "--out", str(tmp_path / "out")])


@pytest.mark.slow
@needs_sandbox
def test_unsafe_flag_grades_without_the_sandbox(attack_batch, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(attack_batch["subs"] / "honest.ipynb", subs / "honest.ipynb")
    out = tmp_path / "out"
    script.main(["grade", str(subs), "--autograders", str(attack_batch["dist"]), "--out", str(out),
                 "--unsafe-no-sandbox"])
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    assert row["status"] == "graded" and scores(row) == ("2", "0", "0", "0"), row


def test_answers_cross_the_boundary_only_as_plain_data():
    sys.path.insert(0, str(ROOT / "scripts"))
    import grading_answers as ga
    import pandas as pd

    frame = pd.DataFrame({"iso3": ["AZE", "KAZ"], "since": [2009, 2009]}).set_index("iso3")
    for value in (frame, frame["since"], {"a": (1, 2.5)}, {"KAZ"}, None, ...):
        back = ga.decode(json.loads(json.dumps(ga.encode(value))))
        assert (back.equals(value) if hasattr(back, "equals") else back == value)
    for hostile in ({"t": "object", "v": "os.system"}, {"t": "dataframe", "dtypes": ["object; rm"], "columns": {},
                                                       "index": {}, "data": []},
                    {"t": "np", "dtype": "object", "v": {"t": "str", "v": "x"}}, {"t": "int", "v": "9" * 5000}):
        with pytest.raises(ValueError):
            ga.decode(hostile)

    class Sneaky(list):
        pass

    with pytest.raises(ga.Unsupported):
        ga.encode(Sneaky([1]))
