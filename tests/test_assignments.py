"""The otter-grader assignments: notebooks, generation and grading (scripts/assignments.py)."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["history", "energy", "security", "multipolarity"]
TIMEOUT = 25  # seconds for one submission in the broken batch (a good one grades in a few)


def _load_script():
    return load_module("assignments_script", "scripts/assignments.py")


script = _load_script()


def _sandbox_flags() -> list[str]:
    """Grade in the sandbox; where bubblewrap is missing (and CI does not require it), these honest
    batches run without it. The attacks (test_grading_attacks.py) always need the sandbox."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import sandbox

    try:
        sandbox.check_available()
        return []
    except sandbox.SandboxUnavailable:
        if os.environ.get("OTSBOOK_REQUIRE_SANDBOX"):
            raise
        return ["--unsafe-no-sandbox"]


def instructor(chapter: str):
    return nbformat.read(ROOT / "assignments" / chapter / f"{chapter}.ipynb", as_version=4)


def committed_student(chapter: str):
    return nbformat.read(ROOT / "assignments" / "student" / f"{chapter}.ipynb", as_version=4)


def solution_lines(nb) -> list[str]:
    """Lines marked '# SOLUTION' or inside '# BEGIN SOLUTION' ... '# END SOLUTION' in the instructor notebook."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if re.match(r"\s*# BEGIN SOLUTION", line):
                inside = True
            elif re.match(r"\s*# END SOLUTION", line):
                inside = False
            elif inside or line.rstrip().endswith("# SOLUTION"):
                lines.append(line.replace("# SOLUTION", "").strip())
    return [line for line in lines if line]


def hidden_test_code(nb) -> list[str]:
    tests, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "raw" and re.match(r"#\s*BEGIN TESTS", cell.source):
            inside = True
        elif cell.cell_type == "raw" and re.match(r"#\s*END TESTS", cell.source):
            inside = False
        elif inside and cell.cell_type == "code" and re.search(r"^hidden:\s*true", cell.source, re.M):
            body = cell.source.split("# END TEST CONFIG", 1)[1]
            tests += [line.strip() for line in body.splitlines() if line.strip().startswith("assert")]
    return tests


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the notebooks as committed (fast) -------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_instructor_notebook_has_no_outputs(chapter):
    nb = instructor(chapter)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "no code cells"
    assert all(c.outputs == [] and c.execution_count is None for c in code), \
        f"assignments/{chapter}/{chapter}.ipynb must be committed without outputs"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_assignment_has_figure_written_question_and_both_kinds_of_test(chapter):
    nb = instructor(chapter)
    assignment = script.read_assignment(chapter)
    auto = [q for q in assignment.questions if not q.manual]
    manual = [q for q in assignment.questions if q.manual]
    assert len(auto) >= 4 and manual, "autograded questions and at least one written question"
    text = "\n".join(c.source for c in nb.cells)
    assert "otsbook.load(" in text
    assert re.search(r"fig = px\.\w+\(.*# SOLUTION", text), "a plotly figure for the student to make"
    assert "trace.type ==" in text, "the figure's trace type is autograded"
    assert hidden_test_code(nb), "hidden tests"
    assert "**Rubric" in text, "the written question has a rubric in the instructor version"
    header = nb.cells[1].source
    assert f"about {assignment.minutes} minutes" in header and assignment.chapter_title in header
    assert f"{assignment.auto_points:g} autograded + {assignment.manual_points:g} written" in header


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_student_notebook_has_no_solution_no_hidden_test_no_output(chapter):
    nb = committed_student(chapter)
    text = "\n".join(c.source for c in nb.cells)
    meta = str(nb.metadata)
    for line in solution_lines(instructor(chapter)):
        assert line not in text and line not in meta, f"solution code in the student notebook: {line}"
    for line in hidden_test_code(instructor(chapter)):
        assert line not in meta and line not in text, f"hidden test in the student notebook: {line}"
    assert not re.search(r"#\s*(BEGIN|END) (SOLUTION|TESTS|QUESTION)|# SOLUTION", text)
    assert "Rubric" not in text
    cases = [case for test in nb.metadata["otter"]["tests"].values() for suite in test["suites"]
             for case in suite["cases"]]
    assert cases and not any(case["hidden"] for case in cases)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert f'grader = Notebook("{chapter}.ipynb")' in text  # grader.check works where the file is
    assert nb.metadata["otter"]["assignment_name"] == f"ots-{chapter}"


def first_code_cell(nb) -> str:
    return next(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_first_code_cell_starts_the_grader_and_installs_nothing(chapter):
    config = next(c.source for c in instructor(chapter).cells if c.cell_type == "raw")
    assert re.search(r"^init_cell:\s*false\s*$", config, re.M), "the grader is started by our own first cell"
    for nb in (instructor(chapter), committed_student(chapter)):
        lines = first_code_cell(nb).splitlines()
        assert lines[0].startswith("# ") and len(lines) == 3
        assert lines[1:] == ["from otsbook.grading import Notebook", f'grader = Notebook("{chapter}.ipynb")']
        text = "\n".join(c.source for c in nb.cells)
        assert text.count("Notebook(") == 1, "one grader, started in the first code cell"
        assert "pip install" not in text and "%pip" not in text  # otter-grader is in the image


# A student's session: the first cell, a wrong answer and its check, then a right one.
CHECK_RUNNER = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
assert shell.run_cell(open(sys.argv[1], encoding="utf-8").read()).success
shown = {}
for label, answer in (("wrong", "members = ('AZE', 'KAZ')"), ("right", "members = ['AZE', 'KAZ']")):
    result = shell.run_cell(answer + "\nchecked = grader.check('q1')")
    assert result.success, result
    checked = shell.user_ns["checked"]
    shown[label] = {"text": repr(checked), "html": checked._repr_html_()}
print(json.dumps(shown))
"""


def test_a_wrong_answer_shows_the_hint_not_a_traceback(tmp_path):
    shutil.copy(ROOT / "assignments" / "student" / "history.ipynb", tmp_path / "history.ipynb")  # as on a hub
    (tmp_path / "cell.py").write_text(first_code_cell(committed_student("history")), encoding="utf-8")
    (tmp_path / "runner.py").write_text(CHECK_RUNNER, encoding="utf-8")
    done = subprocess.run([sys.executable, "runner.py", "cell.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    hint = "members should be a list of three-letter codes such as 'AZE', sorted alphabetically."
    for form in ("text", "html"):
        wrong = shown["wrong"][form]
        assert ("q1" in wrong and "not yet" in wrong and (hint in wrong or hint.replace("'", "&#x27;") in wrong))
        assert not re.search(r"Traceback|assert|Error|>>>", wrong), wrong
        assert "passed" in shown["right"][form]


def test_energy_bottleneck_question_uses_todays_capacity():
    import otsbook

    nb = instructor("energy")
    text = "\n".join(c.source for c in nb.cells)
    assert "capacity_other" not in text
    q2 = next(c.source for c in nb.cells if c.source.startswith("**Question 2**"))
    assert "`capacity_current_bcm_per_year`" in q2
    hidden = [c.source for c in nb.cells if c.cell_type == "code" and "hidden: true" in c.source
              and "bottleneck_route ==" in c.source]
    assert hidden and 'sort_values("capacity_current_bcm_per_year")' in hidden[0]
    # the written question compares today's bottleneck with the design-capacity one: they must differ
    routes = otsbook.load("energy_routes")
    sgc = routes[(routes["segment_of"] == "Southern Gas Corridor") & (routes["status"] == "operational")]
    today = sgc.loc[sgc["capacity_current_bcm_per_year"].idxmin()]
    design = sgc.loc[sgc["capacity_bcm_per_year"].idxmin()]
    assert (today["route_id"], float(today["capacity_current_bcm_per_year"])) == ("TAP", 10.0)
    assert (design["route_id"], float(design["capacity_bcm_per_year"])) == ("SCP", 7.41)
    assert "capacity_bcm_per_year" in next(c.source for c in nb.cells if c.source.startswith("**Question 7**"))


def test_instructors_page_table_matches_the_notebooks():
    page = (ROOT / "chapters" / "instructors.md").read_text(encoding="utf-8")
    assert page.split("---\n", 2)[2].startswith("(instructors)=")
    for chapter, assignment in script.all_assignments().items():
        row = next((line for line in page.splitlines()
                    if line.startswith("|") and f"assignments/student/{chapter}.ipynb" in line), None)
        assert row, f"no table row names the {chapter} student notebook"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert f"{assignment.minutes} min" in row
        assert f"{assignment.auto_points:g}" in cells and f"{assignment.manual_points:g}" in cells
        assert f"assignments/{chapter}/{chapter}.ipynb" not in row  # never the instructor version
    # launch links are never typed in: the page builds them from _config.yml
    assert "mybinder.org" not in page and "git-pull?" not in page and "hub.example.edu" not in page


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def test_instructors_page_links_follow_the_config(built_html):
    from otsbook.book import book_config

    config = book_config()
    repo_url = config["repository"]["url"].rstrip("/")
    branch = config["repository"]["branch"]
    owner_repo = urlsplit(repo_url).path.strip("/")
    hub = urlsplit(config["launch_buttons"]["jupyterhub_url"])
    binder = urlsplit(config["launch_buttons"]["binderhub_url"])
    parser = _Links()
    parser.feed((built_html / "chapters" / "instructors.html").read_text(encoding="utf-8"))
    hrefs = parser.hrefs  # attribute values as a browser reads them (HTML entities decoded)
    for chapter in CHAPTERS:
        path = f"assignments/student/{chapter}.ipynb"
        pulls = [urlsplit(h) for h in hrefs if "/hub/user-redirect/git-pull" in h and chapter in h]
        assert len(pulls) == 1, (chapter, pulls)
        pull = pulls[0]
        assert (pull.scheme, pull.netloc, pull.path) == (hub.scheme, hub.netloc, "/hub/user-redirect/git-pull")
        assert "&amp;" not in pull.query and "%25" not in pull.query, pull.query  # escaped exactly once
        assert parse_qs(pull.query) == {"repo": [repo_url], "branch": [branch],
                                        "urlpath": [f"lab/tree/{owner_repo.split('/')[1]}/{path}"]}
        binders = [urlsplit(h) for h in hrefs if h.startswith(f"{binder.scheme}://{binder.netloc}/v2/gh/") and chapter in h]
        assert len(binders) == 1 and binders[0].path == f"/v2/gh/{owner_repo}/{branch}", binders
        assert parse_qs(binders[0].query) == {"urlpath": [f"lab/tree/{path}"]}
        assert f"{repo_url}/raw/{branch}/{path}" in hrefs


# --- generation and grading (slow) -----------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("assignments")
    dist, student = base / "dist", base / "student"
    assert script.main(["build", "--out", str(dist), "--student-dir", str(student), "--no-run-tests"]) == 0
    return {"dist": dist, "student": student, "base": base}


def _read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


@pytest.mark.slow
def test_build_writes_autograders_and_matches_committed_student_notebooks(built):
    for chapter in CHAPTERS:
        assert (built["dist"] / chapter / "autograder" / f"{chapter}-autograder.zip").is_file()
        fresh = (built["student"] / f"{chapter}.ipynb").read_text(encoding="utf-8")
        committed = (ROOT / "assignments" / "student" / f"{chapter}.ipynb").read_text(encoding="utf-8")
        assert fresh == committed, (f"assignments/student/{chapter}.ipynb is out of date: "
                                    "run `python scripts/assignments.py build`")


PARTIAL = {
    "history": {
        "members = ...": 'members = sorted(states.loc[states["ots_status"] == "member", "iso3"])',
        "ots_and_csto = ...": 'ots_and_csto = {"KAZ", "KGZ", "UZB"}',
        "turkiye_share_2009 = ...": 'in_2009 = world_bank[world_bank["year"] == 2009].set_index("iso3")["gdp_current_usd"]\n'
                                    'turkiye_share_2009 = float(100 * in_2009["TUR"] / in_2009.sum())',
    },
    "energy": {  # the Soviet-era line without an opening year is left out
        "oil_by_direction_2010 = ...": 'oil_by_direction_2010 = energy_routes[(energy_routes["commodity"] == "oil") '
                                       '& (energy_routes["status"] == "operational") & (energy_routes["operational_since"] '
                                       '<= 2010)].groupby("direction", observed=True)["oil_capacity_mt_per_year"].sum()',
    },
    "security": {  # the last year of the table, which has no figures yet
        "gap_year = ...": "gap_year = int(per_head.index.max())",
        "gap_ratio = ...": "gap_ratio = float(per_head.dropna().iloc[-1].max() / per_head.dropna().iloc[-1].min())",
    },
    "multipolarity": {  # every state that abstained, not only OTS members and observers
        "abstained = ...": 'abstained = sorted(un_votes.loc[(un_votes["resolution"] == "A/RES/ES-11/4") '
                           '& (un_votes["vote"] == "abstain"), "iso3"])',
    },
}
# the question on each chapter's worked analysis, and the hint of its hidden test
ANALYSIS_QUESTION = {
    "history": ("q5", "divide Türkiye's GDP in 2009 by the total of the five members in 2009"),
    "energy": ("q6", "count a route with no opening year"),
    "security": ("q6", "take the latest year in which none of the five values is missing"),
    "multipolarity": ("q5", "by OTS members and observers only"),
}


@pytest.fixture(scope="module")
def good_batch(built):
    """Instructor solutions, untouched student notebooks and a partly right one, graded together."""
    subs = built["base"] / "good"
    subs.mkdir()
    for chapter in CHAPTERS:
        shutil.copy(built["dist"] / chapter / "autograder" / f"{chapter}.ipynb", subs / f"solution_{chapter}.ipynb")
        shutil.copy(built["student"] / f"{chapter}.ipynb", subs / f"untouched_{chapter}.ipynb")
    # Partly right (history): q1 solved; q2 a set of the right kind with the wrong states, and q5
    # a percentage of every state's GDP instead of the five members' (public tests pass, hidden
    # tests fail); q3 and q4 left as given.
    # The other chapters: only the question on the chapter's worked analysis answered, with the
    # slip its hidden test is there to catch (public test passes, hidden test fails).
    for chapter, answers in PARTIAL.items():
        nb = nbformat.read(built["student"] / f"{chapter}.ipynb", as_version=4)
        for cell in nb.cells:
            for stub, answer in answers.items():
                if cell.cell_type == "code" and stub in cell.source:
                    cell.source = cell.source.replace(stub, answer)
        nbformat.write(nb, subs / f"partial_{chapter}.ipynb")
    hashes = {p.name: sha(p) for p in subs.iterdir()}
    out = built["base"] / "grades-good"
    script.main(["grade", str(subs), "--autograders", str(built["dist"]), "--out", str(out), "--jobs", "2",
                 *_sandbox_flags()])
    return {"rows": _read_csv(out / "grades.csv"), "out": out, "subs": subs, "hashes": hashes}


@pytest.mark.slow
def test_solutions_get_full_marks(good_batch):
    for chapter in CHAPTERS:
        row = good_batch["rows"][f"solution_{chapter}.ipynb"]
        assignment = script.read_assignment(chapter)
        assert row["status"] == "graded" and row["assignment"] == chapter, row
        for q in assignment.questions:
            expected = "" if q.manual else f"{q.points:g}"
            assert row[q.name] == expected, (chapter, q.name, row)
        assert row["autograded_score"] == row["autograded_possible"] == f"{assignment.auto_points:g}"
        assert row["written_to_grade"].startswith(next(q.name for q in assignment.questions if q.manual))


@pytest.mark.slow
def test_untouched_student_notebooks_score_zero(good_batch):
    for chapter in CHAPTERS:
        row = good_batch["rows"][f"untouched_{chapter}.ipynb"]
        assignment = script.read_assignment(chapter)
        assert row["status"] == "graded" and row["assignment"] == chapter
        assert all(row[q.name] == "0" for q in assignment.questions if not q.manual), row
        assert row["autograded_score"] == "0"
        auto = [q.name for q in assignment.questions if not q.manual]
        assert f"Still unanswered (the placeholder `...` is still there): {', '.join(auto)}." in row["message"]


@pytest.mark.slow
def test_partly_right_submission_gets_the_partial_score(good_batch):
    row = good_batch["rows"]["partial_history.ipynb"]
    assert (row["q1"], row["q2"], row["q3"], row["q4"], row["q5"]) == ("2", "1", "0", "0", "1")
    assert "Still unanswered (the placeholder `...` is still there): q3, q4." in row["message"]
    assert row["autograded_score"] == "4" and row["autograded_possible"] == "11"
    feedback = (good_batch["out"] / "feedback" / "partial_history.txt").read_text(encoding="utf-8")
    assert "Autograded score: 4 / 11" in feedback
    assert "q1: 2 / 2\n    All tests passed." in feedback
    assert "keep only rows whose status is 'member'" in feedback and "(hidden test)" in feedback
    assert "q5: 1 / 2\n    - turkiye_share_2009 is not right" in feedback
    assert "q6 (written, 4 points): marked by hand" in feedback
    assert "assert" not in feedback  # test code is never shown to students


@pytest.mark.slow
@pytest.mark.parametrize("chapter", ["energy", "security", "multipolarity"])
def test_slip_in_the_worked_analysis_question_earns_the_public_point_only(good_batch, chapter):
    row = good_batch["rows"][f"partial_{chapter}.ipynb"]
    question, hint = ANALYSIS_QUESTION[chapter]
    assignment = script.read_assignment(chapter)
    assert row["status"] == "graded" and row[question] == "1", row
    assert all(row[q.name] == "0" for q in assignment.questions if not q.manual and q.name != question), row
    assert row["autograded_score"] == "1" and row["autograded_possible"] == f"{assignment.auto_points:g}"
    feedback = (good_batch["out"] / "feedback" / f"partial_{chapter}.txt").read_text(encoding="utf-8")
    assert f"{question}: 1 / 2" in feedback and hint in feedback and "(hidden test)" in feedback
    assert "assert" not in feedback


@pytest.mark.slow
def test_good_batch_leaves_submissions_untouched(good_batch):
    assert {p.name: sha(p) for p in good_batch["subs"].iterdir()} == good_batch["hashes"]
    assert len(good_batch["rows"]) == 12
    assert len(list((good_batch["out"] / "feedback").glob("*.txt"))) == 12


@pytest.mark.slow
def test_broken_submissions_are_scored_with_messages_in_one_batch(built):
    subs = built["base"] / "broken"
    (subs / "dana").mkdir(parents=True)
    solution = built["dist"] / "energy" / "autograder" / "energy.ipynb"
    # raises: a cell in the middle throws, later answers that need it lose their points
    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("segments_km ="):
            cell.source = 'raise RuntimeError("unfinished")\n' + cell.source
    nbformat.write(nb, subs / "raises.ipynb")
    # never ends
    nb = nbformat.read(built["dist"] / "security" / "autograder" / "security.ipynb", as_version=4)
    first_answer = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("ranked ="))
    first_answer.source = "while True:\n    pass\n" + first_answer.source
    nbformat.write(nb, subs / "loops.ipynb")
    # renamed, in a student's folder: recognised from metadata
    shutil.copy(built["dist"] / "multipolarity" / "autograder" / "multipolarity.ipynb", subs / "dana" / "final v2.ipynb")
    # renamed and without otter metadata: recognised from its cells
    nb = nbformat.read(built["dist"] / "history" / "autograder" / "history.ipynb", as_version=4)
    nb.metadata.pop("otter")
    nbformat.write(nb, subs / "copied_cells.ipynb")
    (subs / "essay_history.docx").write_bytes(b"PK\x03\x04 not a notebook at all")
    (subs / "empty.ipynb").write_bytes(b"")
    hashes = {p: sha(p) for p in subs.rglob("*") if p.is_file()}
    out = built["base"] / "grades-broken"

    script.main(["grade", str(subs), "--autograders", str(built["dist"]), "--out", str(out),
                 "--timeout", str(TIMEOUT), "--jobs", "2", *_sandbox_flags()])

    rows = _read_csv(out / "grades.csv")
    assert set(rows) == {"raises.ipynb", "loops.ipynb", "dana/final v2.ipynb", "copied_cells.ipynb",
                         "essay_history.docx", "empty.ipynb"}
    raises = rows["raises.ipynb"]
    assert raises["status"] == "graded" and raises["assignment"] == "energy"
    assert (raises["q1"], raises["q2"], raises["q3"]) == ("2", "2", "0")
    assert raises["q6"] == "2"  # a later answer that does not need the failed cell keeps its points
    assert "RuntimeError: unfinished" in raises["message"]
    loops = rows["loops.ipynb"]
    assert loops["status"] == "timeout" and loops["assignment"] == "security"
    assert loops["autograded_score"] == "0" and loops["q1"] == "0"
    assert f"stopped after {TIMEOUT} seconds" in loops["message"]
    renamed = rows["dana/final v2.ipynb"]
    assert renamed["student"] == "dana" and renamed["assignment"] == "multipolarity"
    assert renamed["identified_by"] == "notebook metadata" and renamed["autograded_score"] == "11"
    assert "differs from 'multipolarity.ipynb'" in renamed["message"]
    copied = rows["copied_cells.ipynb"]
    assert copied["assignment"] == "history" and copied["identified_by"].startswith("notebook content")
    assert copied["autograded_score"] == "11"
    essay = rows["essay_history.docx"]
    assert essay["status"] == "not a notebook" and essay["autograded_score"] == "0"
    assert "not a Jupyter notebook" in essay["message"] and essay["q1"] == "0"
    empty = rows["empty.ipynb"]
    assert empty["status"] == "empty" and empty["autograded_score"] == "0"
    assert "empty" in empty["message"]
    # every student has feedback, and no submission was changed
    names = {p.stem for p in (out / "feedback").glob("*.txt")}
    assert names == {"raises", "loops", "dana", "copied_cells", "essay_history", "empty"}
    assert "Grading was stopped" in (out / "feedback" / "loops.txt").read_text(encoding="utf-8")
    assert {p: sha(p) for p in subs.rglob("*") if p.is_file()} == hashes
    assert sorted(p.relative_to(subs).as_posix() for p in subs.rglob("*") if p.is_file()) == sorted(
        p.relative_to(subs).as_posix() for p in hashes)
