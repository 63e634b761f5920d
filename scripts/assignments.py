"""Build and grade the course's otter-grader assignments.

    python scripts/assignments.py build                 # make assignments
    python scripts/assignments.py grade SUBMISSIONS     # make grade SUBMISSIONS=folder

``build`` runs ``otter assign`` on each instructor notebook ``assignments/<chapter>/<chapter>.ipynb``
and writes ``dist/assignments/<chapter>/{student,autograder}/`` (the autograder zip is renamed
``<chapter>-autograder.zip``). It also refreshes the committed student notebooks
``assignments/student/<chapter>.ipynb`` (no outputs, stable cell ids) that the book links to.

``grade`` grades every file in a folder of submissions and writes ``dist/grades/grades.csv`` (one
row per submission, one column per question) and one feedback file per student in
``dist/grades/feedback/``. A submission's code never runs where it could change a score or see a
test:

1. its notebook runs in a bubblewrap sandbox (``scripts/sandbox.py``) that sees only a copy of
   the notebook, the book's helper package and data, and the Python environment, all read-only,
   and an in-memory scratch folder: no repository, no instructor notebook, no test, no network,
   nothing on disk it can write, limits on time, memory and processes, and every process killed
   when its time ends;
2. what the notebook computed leaves the sandbox as data (JSON on a pipe, read up to a size
   limit; ``scripts/grading_answers.py``);
3. the tests, public and hidden, run in a fresh process (a sandbox of its own) against those
   values (``scripts/grading_tests.py``), and report only which test cases passed; points, hints
   and the hidden flag come from the grader's own copy of the tests.

Submissions are only ever read. Without bubblewrap grading refuses to run, unless
``--unsafe-no-sandbox`` is given (then student code runs with your rights).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = ROOT / "assignments"
STUDENT_DIR = ASSIGNMENTS_DIR / "student"
DIST = ROOT / "dist"

# Order, titles and the chapter each assignment goes with. The questions and their points are
# read from the instructor notebooks, so they cannot drift from what is graded.
ASSIGNMENTS = {
    "history": {"number": 1, "title": "Who belongs where", "chapter": "History and institutions", "minutes": 45},
    "energy": {"number": 2, "title": "The Southern Gas Corridor", "chapter": "Energy", "minutes": 50},
    "security": {"number": 3, "title": "Priorities and claims", "chapter": "Security", "minutes": 50},
    "multipolarity": {"number": 4, "title": "Between Russia and the West", "chapter": "Multipolarity", "minutes": 50},
}

DEFAULT_TIMEOUT = 300  # seconds for one whole submission
WRITTEN = "written"


# --- reading the instructor notebooks --------------------------------------------------------

@dataclass
class Question:
    name: str
    points: float
    manual: bool


@dataclass
class Assignment:
    chapter: str
    number: int
    title: str
    chapter_title: str
    minutes: int
    otter_name: str
    questions: list[Question] = field(default_factory=list)

    @property
    def auto_points(self) -> float:
        return sum(q.points for q in self.questions if not q.manual)

    @property
    def manual_points(self) -> float:
        return sum(q.points for q in self.questions if q.manual)

    @property
    def instructor_notebook(self) -> Path:
        return ASSIGNMENTS_DIR / self.chapter / f"{self.chapter}.ipynb"


def _raw_config(cell, header: str) -> dict | None:
    import yaml

    if cell.cell_type != "raw":
        return None
    lines = cell.source.splitlines()
    if not lines or not re.match(rf"#\s*{header}\s*$", lines[0].strip(), flags=re.IGNORECASE):
        return None
    return yaml.safe_load("\n".join(lines[1:])) or {}


def read_assignment(chapter: str) -> Assignment:
    """The assignment's metadata and questions, from its instructor notebook."""
    info = ASSIGNMENTS[chapter]
    path = ASSIGNMENTS_DIR / chapter / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    otter_name, questions = None, []
    for cell in nb.cells:
        config = _raw_config(cell, "ASSIGNMENT CONFIG")
        if config is not None:
            otter_name = config.get("name")
        question = _raw_config(cell, "BEGIN QUESTION")
        if question is not None:
            questions.append(Question(str(question["name"]), float(question.get("points", 1)),
                                      bool(question.get("manual", False))))
    if not otter_name:
        raise SystemExit(f"{path}: the ASSIGNMENT CONFIG cell has no name")
    return Assignment(chapter, info["number"], info["title"], info["chapter"], info["minutes"],
                      otter_name, questions)


def all_assignments() -> dict[str, Assignment]:
    return {chapter: read_assignment(chapter) for chapter in ASSIGNMENTS}


# --- build -----------------------------------------------------------------------------------

def normalise_student_notebook(nb, chapter: str):
    """Strip outputs and give cells stable ids, so that a rebuild gives the same file."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{chapter}-{i:02d}"
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.metadata.pop("jupytext", None)
    return nb


def build(out: Path, student_dir: Path | None, run_tests: bool, chapters: list[str]) -> None:
    for chapter in chapters:
        assignment = read_assignment(chapter)
        target = (out / chapter).resolve()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        command = [sys.executable, "-m", "otter", "assign", str(assignment.instructor_notebook), str(target)]
        if not run_tests:
            command.append("--no-run-tests")
        print(f"[{chapter}] otter assign{'' if run_tests else ' --no-run-tests'} -> {_show(target)}", flush=True)
        done = subprocess.run(command, cwd=assignment.instructor_notebook.parent, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"[{chapter}] otter assign failed (exit {done.returncode})")
        zips = sorted((target / "autograder").glob(f"{chapter}-autograder*.zip"))
        if not zips:
            raise SystemExit(f"[{chapter}] otter assign wrote no autograder zip")
        zips[-1].rename(target / "autograder" / f"{chapter}-autograder.zip")
        student_nb = target / "student" / f"{chapter}.ipynb"
        nb = normalise_student_notebook(nbformat.read(student_nb, as_version=4), chapter)
        nbformat.write(nb, student_nb)
        if student_dir is not None:
            student_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(student_nb, student_dir / f"{chapter}.ipynb")
        print(f"[{chapter}] {assignment.auto_points:g} autograded + {assignment.manual_points:g} written points",
              flush=True)
    summary = {c: {"title": a.title, "chapter": a.chapter_title, "minutes": a.minutes,
                   "autograded_points": a.auto_points, "written_points": a.manual_points,
                   "questions": [q.__dict__ for q in a.questions]}
               for c, a in all_assignments().items() if c in chapters}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _show(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --- identifying a submission ----------------------------------------------------------------

def identify(nb, filename: str, assignments: dict[str, Assignment]) -> tuple[str | None, str]:
    """(chapter, how it was recognised) from the notebook's metadata, then its content, then its name."""
    by_otter_name = {a.otter_name: c for c, a in assignments.items()}
    otter_meta = nb.get("metadata", {}).get("otter", {}) or {}
    name = otter_meta.get("assignment_name") if isinstance(otter_meta, dict) else None
    if name in by_otter_name:
        return by_otter_name[name], "notebook metadata"
    text = "\n".join(str(c.get("source", "")) for c in nb.get("cells", []))
    for chapter in assignments:
        if re.search(rf"Notebook\(\s*['\"]{re.escape(chapter)}\.ipynb['\"]", text):
            return chapter, "notebook content (grader cell)"
    for chapter, a in assignments.items():
        if re.search(rf"#\s*Assignment\s+{a.number}\s*:\s*{re.escape(a.title)}", text):
            return chapter, "notebook content (title)"
    return _from_filename(filename, assignments)


def unanswered(nb) -> list[str]:
    """Questions whose answer cell still assigns the placeholder ``...``."""
    pending, blank = False, []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = str(cell.get("source", ""))
        check = re.search(r"grader\.check\(\s*['\"](\w+)['\"]", source)
        if check:
            if pending and check.group(1) not in blank:
                blank.append(check.group(1))
            pending = False
        elif "otter_answer_cell" in cell.get("metadata", {}).get("tags", []):
            pending = pending or bool(re.search(r"=\s*\.\.\.\s*$", source, flags=re.M))
    return blank


def _from_filename(filename: str, assignments) -> tuple[str | None, str]:
    lowered = filename.lower()
    for chapter in assignments:
        if chapter in lowered:
            return chapter, "file name"
    return None, ""


# --- grading ---------------------------------------------------------------------------------

@dataclass
class Row:
    student: str
    file: str
    chapter: str | None = None
    identified_by: str = ""
    status: str = "graded"
    scores: dict[str, float] = field(default_factory=dict)  # autograded question -> score
    details: dict[str, dict] = field(default_factory=dict)  # question -> worker details
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0


def find_submissions(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if path.is_file():
            files.append(path)
    return files


def student_id(path: Path, folder: Path) -> str:
    rel = path.relative_to(folder)
    name = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    name = re.sub(r"[^\w.@+-]+", "_", name).strip("._") or "unnamed"
    return name


def _zero(row: Row, assignment: Assignment | None) -> None:
    if assignment is not None:
        row.scores = {q.name: 0.0 for q in assignment.questions if not q.manual}


def grade_one(path: Path, folder: Path, assignments: dict[str, Assignment], grader: "Grader",
              timeout: float) -> Row:
    row = Row(student=student_id(path, folder), file=str(path.relative_to(folder)))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ots-grade-") as tmp:
        tmp = Path(tmp)
        copy = tmp / "received" / path.name
        copy.parent.mkdir()
        shutil.copyfile(path, copy)  # from here on, only the copy is touched
        data = copy.read_bytes()
        if not data.strip():
            row.status = "empty"
            row.chapter, row.identified_by = _from_filename(path.name, assignments)
            row.messages.append("The file is empty: there is nothing to grade. Scored 0.")
            _zero(row, assignments.get(row.chapter))
            return _finish(row, started)
        try:
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("no list of cells")
        except Exception as exc:  # noqa: BLE001 - any reason makes it "not a notebook"
            row.status = "not a notebook"
            row.chapter, row.identified_by = _from_filename(path.name, assignments)
            row.messages.append(f"The file is not a Jupyter notebook ({_short(exc)}). "
                                "Hand in the .ipynb file saved from Jupyter. Scored 0.")
            _zero(row, assignments.get(row.chapter))
            return _finish(row, started)
        chapter, how = identify(nb, path.name, assignments)
        row.chapter, row.identified_by = chapter, how
        if chapter is None:
            row.status = "unknown assignment"
            row.messages.append("Could not tell which assignment this notebook belongs to: it has none "
                                "of the assignments' metadata, cells or names. Scored 0.")
            return _finish(row, started)
        assignment = assignments[chapter]
        blank = unanswered(nb)
        if blank:
            row.messages.append(f"Still unanswered (the placeholder `...` is still there): {', '.join(blank)}.")
        if path.stem != chapter:
            row.messages.append(f"File name '{path.name}' differs from '{chapter}.ipynb'; recognised "
                                f"from the {how}.")
        graded_nb = tmp / "graded" / f"{chapter}.ipynb"
        graded_nb.parent.mkdir()
        nbformat.write(nb, graded_nb)
        run = grader.run_notebook(graded_nb, timeout)
        if run.timed_out:
            row.status = "timeout"
            row.messages.append(f"Grading was stopped after {timeout:g} seconds: the notebook did not "
                                "finish (a loop that never ends, or a very slow cell). Scored 0; "
                                "fix the cell and hand it in again.")
            _zero(row, assignment)
            return _finish(row, started)
        answers = _parse_json(run.data)
        if answers is None:
            row.status = "error"
            row.messages.append("The notebook stopped before it finished (it ended the Python process, or ran "
                                "out of memory or processes), so nothing could be graded. Scored 0.")
            _zero(row, assignment)
            return _finish(row, started)
        passed = grader.run_tests(chapter, answers, tmp / "answers.json")
        _zero(row, assignment)
        if passed is None:
            row.status = "error"
            row.messages.append("The values this notebook computed could not be read for grading. Scored 0.")
            return _finish(row, started)
        for name, spec in grader.tests[chapter].items():
            cases = spec["cases"]
            results = passed.get(name, [False] * len(cases))
            row.scores[name] = _score(spec, results)
            row.details[name] = {"cases": [{"hidden": c["hidden"], "passed": ok, "message": c["message"]}
                                           for c, ok in zip(cases, results)]}
        unreadable = sorted(n for n in (answers.get("skipped") or {}) if n in grader.public_names[chapter])
        if unreadable:
            row.messages.append(f"The grader could not read {', '.join(unreadable)}: "
                                f"{'; '.join(str(answers['skipped'][n])[:80] for n in unreadable)}.")
        errors = [e for e in answers.get("cell_errors") or [] if isinstance(e, dict)]
        if errors:
            first = errors[0]
            more = f" {len(errors) - 1} more cell(s) raised errors too." if len(errors) > 1 else ""
            hint = " (A cell that uses an unanswered question fails.)" if any(
                "ellipsis" in str(e.get("error")) for e in errors) else ""
            row.messages.append(f"A cell raised {_short(Exception(first.get('error', '')), 200)} (the cell "
                                f"starting '{str(first.get('cell', ''))[:60]}');"
                                f"{more}{hint} Questions that need those results may have lost points.")
    return _finish(row, started)


def _finish(row: Row, started: float) -> Row:
    row.seconds = time.monotonic() - started
    return row


def _short(exc: Exception, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_json(data: bytes | None) -> dict | None:
    """A JSON object that a sandbox handed back, or None (nothing, too large, not JSON, not an object)."""
    if not data:
        return None
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _score(spec: dict, results: list[bool]) -> float:
    points = [c["points"] for c in spec["cases"]]
    if spec["all_or_nothing"]:
        return float(sum(points)) if all(results) else 0.0
    return float(sum(p for p, ok in zip(points, results) if ok))


# --- the grader: sandboxes, staged files, tests ---------------------------------------------

SCRIPTS = Path(__file__).resolve().parent
STAGED_SCRIPTS = ("grading_runner.py", "grading_answers.py", "grading_tests.py")
TESTS_TIMEOUT = 120  # seconds for the tests of one submission (they run on data: a few seconds)


class Grader:
    """What every submission of a batch is graded with: a staged copy of the helper package, the
    data and the grading scripts (taken once, when grading starts), the tests read from the
    autograder zips, and the sandbox (or, with ``unsafe``, plain processes)."""

    def __init__(self, autograders: Path, assignments: dict[str, Assignment], jobs: int, unsafe: bool,
                 limits=None):
        sys.path.insert(0, str(SCRIPTS))
        import sandbox
        from grading_tests import read_test_specs

        self.sandbox_module = sandbox
        self.unsafe = unsafe
        self.limits = limits or sandbox.Limits()
        self.stage = Path(tempfile.mkdtemp(prefix="ots-grade-stage-"))
        os.chmod(self.stage, 0o755)
        (self.stage / "grader").mkdir()
        for name in STAGED_SCRIPTS:
            shutil.copyfile(SCRIPTS / name, self.stage / "grader" / name)
        book = self.stage / "book"
        shutil.copytree(ROOT / "otsbook", book / "otsbook", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copytree(ROOT / "data", book / "data", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copyfile(ROOT / "_config.yml", book / "_config.yml")
        for path in [self.stage, *self.stage.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        self.zips = {c: autograders / c / "autograder" / f"{c}-autograder.zip" for c in assignments}
        self.tests, self.public_names = {}, {}
        for chapter, zip_path in self.zips.items():
            self.tests[chapter], self.public_names[chapter] = _parse_tests(read_test_specs(str(zip_path)))
        self.slots = __import__("queue").Queue()
        for slot in range(max(1, jobs)):
            self.slots.put(slot)

    def close(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    def _run(self, argv: list[str], timeout: float, inputs: dict[str, Path], extra_binds=()):
        limits = self.sandbox_module.Limits(**{**self.limits.__dict__, "timeout": timeout})
        slot = self.slots.get()
        try:
            if self.unsafe:
                return self._run_unsafe(argv, limits, inputs, dict(extra_binds))
            box = self.sandbox_module.Sandbox(
                ro_binds=[(self.stage / "grader", "/grader"), (self.stage / "book", "/book"), *extra_binds],
                env={"PYTHONPATH": "/grader:/book"}, venv=Path(sys.prefix))
            return box.run(argv, limits, slot=slot, inputs=inputs)
        finally:
            self.slots.put(slot)

    def _run_unsafe(self, argv, limits, inputs, binds):
        """No sandbox: the same steps as plain processes (only with --unsafe-no-sandbox)."""
        work = Path(tempfile.mkdtemp(prefix="ots-grade-unsafe-"))
        try:
            for name, host in inputs.items():
                shutil.copyfile(host, work / name)
            outside = {"/grader": self.stage / "grader", "/book": self.stage / "book", "/work": work,
                       **{inside: host for host, inside in binds.items()}}
            outside = {inside: str(host) for inside, host in outside.items()}
            argv = [sys.executable if a == f"{self.sandbox_module.VENV_INSIDE}/bin/python" else
                    next((v + a[len(k):] for k, v in outside.items() if a == k or a.startswith(k + "/")), a)
                    for a in argv]
            read_fd, write_fd = os.pipe()
            env = dict(os.environ, PYTHONPATH=f"{outside['/grader']}:{outside['/book']}", PYTHONDONTWRITEBYTECODE="1",
                       OTS_OUTPUT_FD=str(write_fd))
            started = time.monotonic()
            process = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True, pass_fds=(write_fd,))
            os.close(write_fd)
            result = self.sandbox_module._Drain(os.fdopen(read_fd, "rb"), limits.output_mb * 2**20)
            timed_out = False
            try:
                process.wait(timeout=limits.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
            process.wait()
            result.join(timeout=5)
            return self.sandbox_module.Outcome(None if timed_out else process.returncode, timed_out,
                                               time.monotonic() - started,
                                               data=None if result.overflow else result.data)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def run_notebook(self, notebook: Path, timeout: float):
        """Run a notebook (a host file) in a fresh sandbox; its answers come back in ``.data``."""
        return self._run(["/opt/venv/bin/python", "/grader/grading_runner.py", f"/work/{notebook.name}"],
                         timeout, inputs={notebook.name: notebook})

    def run_tests(self, chapter: str, answers: dict, answers_file: Path) -> dict[str, list[bool]] | None:
        """Which test cases passed, per question, or None if the tests could not run."""
        answers_file.write_text(json.dumps(answers), encoding="utf-8")
        outcome = self._run(["/opt/venv/bin/python", "/grader/grading_tests.py", "/autograder/tests.zip",
                             "/work/answers.json"], TESTS_TIMEOUT, inputs={"answers.json": answers_file},
                            extra_binds=[(self.zips[chapter], "/autograder/tests.zip")])
        result = _parse_json(outcome.data)
        if outcome.timed_out or outcome.returncode != 0 or result is None:
            return None
        passed = {}
        for name, spec in self.tests[chapter].items():
            got = result.get("questions", {}).get(name)
            if not (isinstance(got, list) and len(got) == len(spec["cases"]) and all(isinstance(x, bool) for x in got)):
                return None
            passed[name] = got
        return passed


def _parse_tests(specs: dict[str, dict]) -> tuple[dict[str, dict], set[str]]:
    """Points (resolved as otter resolves them), hidden flags and hints of every test case; and the
    names that the public tests use (the only ones a message may mention)."""
    import ast

    from otter.test_files.ok_test import OKTestFile

    tests, public = {}, set()
    for name, spec in specs.items():
        test_file = OKTestFile.from_spec(spec)
        tests[name] = {"all_or_nothing": bool(test_file.all_or_nothing),
                       "cases": [{"points": float(c.points), "hidden": bool(c.hidden),
                                  "message": c.failure_message or ""} for c in test_file.test_cases]}
        for case in test_file.test_cases:
            if not case.hidden:
                code = "\n".join(line[4:] for line in case.body.splitlines() if line.startswith((">>> ", "... ")))
                public |= {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    return tests, public


def grade(folder: Path, autograders: Path, out: Path, timeout: float, jobs: int,
          unsafe: bool = False) -> list[Row]:
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder of submissions")
    assignments = all_assignments()
    missing = [c for c in assignments
               if not (autograders / c / "autograder" / f"{c}-autograder.zip").is_file()]
    if missing:
        raise SystemExit(f"No autograder for {', '.join(missing)} in {_show(autograders)}: "
                         "run `make assignments` first.")
    sys.path.insert(0, str(SCRIPTS))
    import sandbox

    if unsafe:
        print("WARNING: --unsafe-no-sandbox: student code runs with your rights, can read the tests "
              "and change files. Use this only for work you trust.", flush=True)
    else:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as exc:
            raise SystemExit(f"Refusing to grade without a sandbox: {exc}\n"
                             "Install bubblewrap, or pass --unsafe-no-sandbox (UNSAFE=1 with make) "
                             "for work you trust.") from None
    submissions = find_submissions(folder)
    jobs = max(1, jobs)
    print(f"Grading {len(submissions)} file(s) from {folder}: {jobs} at a time, time limit {timeout:g} s each, "
          f"{'NO SANDBOX' if unsafe else 'in a bubblewrap sandbox'}", flush=True)
    grader = Grader(autograders, assignments, jobs, unsafe)
    done = [0]
    lock = __import__("threading").Lock()
    begun = time.monotonic()

    def one(path: Path) -> Row:
        try:
            row = grade_one(path, folder, assignments, grader, timeout)
        except Exception as exc:  # noqa: BLE001 - the batch goes on whatever happens
            row = Row(student=student_id(path, folder), file=str(path.relative_to(folder)), status="error",
                      messages=[f"Unexpected error while grading: {_short(exc)}. Scored 0."])
        total = sum(row.scores.values())
        with lock:
            done[0] += 1
            print(f"[{done[0]:>{len(str(len(submissions)))}}/{len(submissions)}] {row.file}: "
                  f"{row.chapter or '?'} {total:g} [{row.status}] ({row.seconds:.1f} s)", flush=True)
        return row

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(one, submissions))
    finally:
        grader.close()
    write_grades(rows, assignments, out)
    print(summary(rows, assignments, time.monotonic() - begun), flush=True)
    print(f"Wrote {_show(out / 'grades.csv')} and {len({r.student for r in rows})} feedback file(s) in "
          f"{_show(out / 'feedback')}", flush=True)
    return rows


def summary(rows: list[Row], assignments: dict[str, Assignment], seconds: float) -> str:
    """A few lines for the end of a batch: how many of each status, and the mean score per assignment."""
    from collections import Counter

    statuses = Counter(r.status for r in rows)
    lines = [f"Summary: {len(rows)} file(s) in {seconds:.0f} s; "
             + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))]
    for chapter, assignment in assignments.items():
        own = [r for r in rows if r.chapter == chapter]
        if own:
            scores = [sum(r.scores.values()) for r in own]
            lines.append(f"  {chapter}: {len(own)} submission(s), mean {sum(scores) / len(scores):.1f} / "
                         f"{assignment.auto_points:g}, full marks {sum(s == assignment.auto_points for s in scores)}")
    return "\n".join(lines)


def _question_columns(assignments: dict[str, Assignment]) -> list[str]:
    names = {q.name for a in assignments.values() for q in a.questions}
    return sorted(names, key=lambda n: (int(re.sub(r"\D", "", n) or 0), n))


def write_grades(rows: list[Row], assignments: dict[str, Assignment], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    questions = _question_columns(assignments)
    header = ["student", "file", "assignment", "identified_by", "status", *questions,
              "autograded_score", "autograded_possible", "written_to_grade", "message"]
    rows = sorted(rows, key=lambda r: (r.student, r.chapter or "", r.file))
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            assignment = assignments.get(row.chapter) if row.chapter else None
            cells = []
            for q in questions:
                cells.append(f"{row.scores[q]:g}" if q in row.scores else "")
            written = "; ".join(f"{q.name} ({q.points:g} points)" for q in assignment.questions if q.manual) \
                if assignment and row.status == "graded" else ""
            writer.writerow([row.student, row.file, row.chapter or "", row.identified_by, row.status, *cells,
                             f"{sum(row.scores.values()):g}",
                             f"{assignment.auto_points:g}" if assignment else "",
                             written, " ".join(row.messages) or "graded"])
    feedback_dir = out / "feedback"
    shutil.rmtree(feedback_dir, ignore_errors=True)
    feedback_dir.mkdir()
    by_student: dict[str, list[Row]] = {}
    for row in rows:
        by_student.setdefault(row.student, []).append(row)
    for student, own in by_student.items():
        text = "\n\n".join(feedback_text(row, assignments) for row in own)
        (feedback_dir / f"{student}.txt").write_text(text + "\n", encoding="utf-8")


def feedback_text(row: Row, assignments: dict[str, Assignment]) -> str:
    assignment = assignments.get(row.chapter) if row.chapter else None
    title = (f"Assignment {assignment.number}: {assignment.title} (chapter: {assignment.chapter_title})"
             if assignment else "Assignment not recognised")
    lines = [f"Feedback for {row.student}", title, f"File: {row.file}", ""]
    if assignment:
        lines.append(f"Autograded score: {sum(row.scores.values()):g} / {assignment.auto_points:g}")
    else:
        lines.append("Autograded score: 0")
    for message in row.messages:
        lines.append(f"Note: {message}")
    if assignment:
        lines.append("")
        for q in assignment.questions:
            if q.manual:
                lines.append(f"{q.name} (written, {q.points:g} points): marked by hand by your instructor.")
                continue
            score = row.scores.get(q.name, 0.0)
            lines.append(f"{q.name}: {score:g} / {q.points:g}")
            detail = row.details.get(q.name)
            if detail is None:
                continue
            failed = [c for c in detail["cases"] if not c["passed"]]
            if not failed:
                lines.append("    All tests passed.")
            for case in failed:
                kind = "hidden test" if case["hidden"] else "public test"
                lines.append(f"    - {case['message'] or 'A test did not pass.'} ({kind})")
    return "\n".join(lines)


# --- command line ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="run otter assign for every assignment")
    p_build.add_argument("--out", type=Path, default=DIST / "assignments")
    p_build.add_argument("--student-dir", type=Path, default=STUDENT_DIR,
                         help="where to copy the student notebooks (default: assignments/student)")
    p_build.add_argument("--no-student-copy", action="store_true", help="do not refresh assignments/student")
    p_build.add_argument("--no-run-tests", action="store_true",
                         help="skip otter's check of the solutions against the tests")
    p_build.add_argument("chapters", nargs="*", help=f"some of: {', '.join(ASSIGNMENTS)} (default: all)")
    p_grade = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    p_grade.add_argument("submissions", type=Path)
    p_grade.add_argument("--autograders", type=Path, default=DIST / "assignments")
    p_grade.add_argument("--out", type=Path, default=DIST / "grades")
    p_grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                         help=f"seconds allowed for one submission (default {DEFAULT_TIMEOUT})")
    p_grade.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time")
    p_grade.add_argument("--unsafe-no-sandbox", action="store_true",
                         help="grade without the bubblewrap sandbox (student code runs with your rights)")
    args = parser.parse_args(argv)
    if args.command == "build":
        unknown = [c for c in args.chapters if c not in ASSIGNMENTS]
        if unknown:
            parser.error(f"unknown assignment(s): {', '.join(unknown)}; choose from {', '.join(ASSIGNMENTS)}")
        build(args.out, None if args.no_student_copy else args.student_dir, not args.no_run_tests,
              args.chapters or list(ASSIGNMENTS))
    elif args.command == "grade":
        grade(args.submissions.resolve(), args.autograders.resolve(), args.out, args.timeout, args.jobs,
              unsafe=args.unsafe_no_sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
