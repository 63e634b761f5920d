"""Build and grade the course's otter-grader assignments.

    python scripts/assignments.py build                 # make assignments
    python scripts/assignments.py grade SUBMISSIONS     # make grade SUBMISSIONS=folder

``build`` runs ``otter assign`` on each instructor notebook ``assignments/<chapter>/<chapter>.ipynb``
and writes ``dist/assignments/<chapter>/{student,autograder}/`` (the autograder zip is renamed
``<chapter>-autograder.zip``). It also refreshes the committed student notebooks
``assignments/student/<chapter>.ipynb`` (no outputs, stable cell ids) that the book links to.

``grade`` grades every file in a folder of submissions with otter-grader's own grader (the
``otter.api.grade_submission`` API: no Docker, no network) against the autograder zips and writes
``dist/grades/grades.csv`` (one row per submission, one column per question) and one feedback file
per student in ``dist/grades/feedback/``. Each submission is copied to a private temporary folder
and graded there in its own process with a time limit, so a notebook that raises, never ends, is
renamed, is not a notebook, or is empty gets a row with a clear message and the batch goes on.
Submissions are only ever read. Student code runs with your user's rights: grade untrusted work in
a container or a throwaway account.
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
        if re.search(rf"otter\.Notebook\(\s*['\"]{re.escape(chapter)}\.ipynb['\"]", text):
            return chapter, "notebook content (otter.Notebook cell)"
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


def grade_one(path: Path, folder: Path, assignments: dict[str, Assignment], autograders: Path,
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
        zip_path = autograders / chapter / "autograder" / f"{chapter}-autograder.zip"
        # The graded copy carries the canonical name, the assignment's name and a Python kernel.
        nb.metadata.setdefault("otter", {})
        nb.metadata["otter"]["assignment_name"] = assignment.otter_name
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        work = tmp / "grading"
        work.mkdir()
        graded = work / f"{chapter}.ipynb"
        nbformat.write(nb, graded)
        result_file = tmp / "result.json"
        outcome = _run_worker(zip_path, graded, result_file, tmp, timeout)
        if outcome == "timeout":
            row.status = "timeout"
            row.messages.append(f"Grading was stopped after {timeout:g} seconds: the notebook did not "
                                "finish (a loop that never ends, or a very slow cell). Scored 0; "
                                "fix the cell and hand it in again.")
            _zero(row, assignment)
            return _finish(row, started)
        if outcome != "ok" or not result_file.exists():
            row.status = "error"
            row.messages.append(f"The grader could not grade this notebook: {outcome}. Scored 0.")
            _zero(row, assignment)
            return _finish(row, started)
        result = json.loads(result_file.read_text(encoding="utf-8"))
        if result.get("error"):
            row.status = "error"
            row.messages.append(f"The grader could not grade this notebook: {result['error']}. Scored 0.")
            _zero(row, assignment)
            return _finish(row, started)
        _zero(row, assignment)
        for name, detail in result["questions"].items():
            row.scores[name] = float(detail["score"])
            row.details[name] = detail
        errors = result.get("cell_errors", [])
        if errors:
            first = errors[0]
            more = f" {len(errors) - 1} more cell(s) raised errors too." if len(errors) > 1 else ""
            hint = " (A cell that uses an unanswered question fails.)" if any(
                "ellipsis" in e["error"] for e in errors) else ""
            row.messages.append(f"A cell raised {first['error']} (the cell starting '{first['cell']}');"
                                f"{more}{hint} Questions that need those results may have lost points.")
    return _finish(row, started)


def _finish(row: Row, started: float) -> Row:
    row.seconds = time.monotonic() - started
    return row


def _short(exc: Exception, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _run_worker(zip_path: Path, notebook: Path, result_file: Path, tmp: Path, timeout: float) -> str:
    """Grade in a separate process; kill the process and its kernel when time runs out."""
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, str(Path(__file__).resolve()), "_grade-one", str(zip_path), str(notebook),
               str(result_file)]
    process = subprocess.Popen(command, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)
        process.communicate()
        return "timeout"
    finally:
        _kill_tree(process.pid)  # a kernel left behind by a crash
    if process.returncode != 0:
        lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
        return _short(Exception(lines[-1] if lines else f"exit code {process.returncode}"))
    return "ok"


def _kill_tree(pid: int) -> None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        try:
            os.killpg(pid, 9)
        except OSError:
            pass
        return
    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for process in family:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=5)


def worker(zip_path: str, notebook: str, result_file: str) -> int:
    """Child process: grade one notebook with otter's API and write a small JSON summary."""
    from otter.api import grade_submission

    summary: dict = {"questions": {}, "cell_errors": []}
    try:
        results = grade_submission(notebook, zip_path, quiet=True)
    except Exception as exc:  # noqa: BLE001
        summary["error"] = _short(exc)
        Path(result_file).write_text(json.dumps(summary), encoding="utf-8")
        return 0
    if results.has_catastrophic_failure():
        summary["error"] = _short(Exception(results.summary()))
    for name in results.test_files:
        test_file = results.get_result(name)
        summary["questions"][name] = {
            "score": float(test_file.score),
            "possible": float(test_file.possible),
            "cases": [{"hidden": bool(r.test_case.hidden), "passed": bool(r.passed),
                       "message": r.test_case.failure_message or ""}
                      for r in test_file.test_case_results],
        }
    executed = getattr(results, "notebook", None)
    for cell in (executed.cells if executed is not None else []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = next((line.strip() for line in str(cell.source).splitlines() if line.strip()), "")
                summary["cell_errors"].append({"error": f"{out.get('ename')}: {_short(Exception(out.get('evalue', '')), 120)}",
                                               "cell": first[:60]})
    Path(result_file).write_text(json.dumps(summary), encoding="utf-8")
    return 0


def grade(folder: Path, autograders: Path, out: Path, timeout: float, jobs: int) -> list[Row]:
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder of submissions")
    assignments = all_assignments()
    missing = [c for c in assignments
               if not (autograders / c / "autograder" / f"{c}-autograder.zip").is_file()]
    if missing:
        raise SystemExit(f"No autograder for {', '.join(missing)} in {_show(autograders)}: "
                         "run `make assignments` first.")
    submissions = find_submissions(folder)
    print(f"Grading {len(submissions)} file(s) from {folder} (time limit {timeout:g} s each)", flush=True)

    def one(path: Path) -> Row:
        try:
            row = grade_one(path, folder, assignments, autograders, timeout)
        except Exception as exc:  # noqa: BLE001 - the batch goes on whatever happens
            row = Row(student=student_id(path, folder), file=str(path.relative_to(folder)), status="error",
                      messages=[f"Unexpected error while grading: {_short(exc)}. Scored 0."])
        total = sum(row.scores.values())
        print(f"  {row.file}: {row.chapter or '?'} {total:g} [{row.status}] ({row.seconds:.1f} s)", flush=True)
        return row

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(one, submissions))
    write_grades(rows, assignments, out)
    print(f"Wrote {_show(out / 'grades.csv')} and {len({r.student for r in rows})} feedback file(s) in "
          f"{_show(out / 'feedback')}", flush=True)
    return rows


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
    p_worker = sub.add_parser("_grade-one", help=argparse.SUPPRESS)
    p_worker.add_argument("zip")
    p_worker.add_argument("notebook")
    p_worker.add_argument("result")
    args = parser.parse_args(argv)
    if args.command == "build":
        unknown = [c for c in args.chapters if c not in ASSIGNMENTS]
        if unknown:
            parser.error(f"unknown assignment(s): {', '.join(unknown)}; choose from {', '.join(ASSIGNMENTS)}")
        build(args.out, None if args.no_student_copy else args.student_dir, not args.no_run_tests,
              args.chapters or list(ASSIGNMENTS))
    elif args.command == "grade":
        grade(args.submissions.resolve(), args.autograders.resolve(), args.out, args.timeout, args.jobs)
    else:
        return worker(args.zip, args.notebook, args.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
