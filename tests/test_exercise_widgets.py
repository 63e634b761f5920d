"""The shared exercise layer: one declaration per exercise, feedback for every kind of answer,
an honest static page; and the generic checks that every declared exercise must pass."""
from __future__ import annotations

import json
import pkgutil
import re

import ipywidgets as widgets
import pytest

from otsbook.book import toc_files
from otsbook.exercises import AnswerError, Exercise, ExerciseBox, Feedback, all_exercises, as_number, as_text_set, run_this_exercise
from otsbook import exercises
from otsbook.exercises import core

# --- a small exercise declared for these tests ------------------------------------------------


def check_sum(answer) -> Feedback:
    value = as_number(answer, low=0, high=100, what="a whole number of bcm")
    return Feedback.right("2 + 2 is 4.") if value == 4 else Feedback.wrong("Add the two capacities again.")


@pytest.fixture
def sample():
    """An Exercise registered for one test, then removed from the registry again."""
    exercise = Exercise(key="test-sum", widget=lambda: widgets.Text(description="Answer:"), check=check_sum,
                        solution=lambda: "4, because 2 + 2 = 4.", right_answer=lambda: "4", wrong_answer=lambda: "5")
    yield exercise
    core._REGISTRY.pop("test-sum", None)


def test_declaring_an_exercise_registers_it_once(sample):
    assert sample in all_exercises()
    assert [e.key for e in all_exercises()] == sorted(e.key for e in all_exercises())
    with pytest.raises(ValueError, match="declared twice"):
        Exercise(key="test-sum", widget=widgets.Text, check=json.dumps, solution=str,  # another module
                 right_answer=str, wrong_answer=str)
    assert core._REGISTRY["test-sum"] is sample


@pytest.mark.parametrize("key", ["Sum", "sum", "history_milestones", "history-", "-x", "history milestones"])
def test_an_exercise_key_is_chapter_dash_name(key):
    with pytest.raises(ValueError, match="<chapter>-<name>"):
        Exercise(key=key, widget=widgets.Text, check=check_sum, solution=str, right_answer=str, wrong_answer=str)
    assert key not in core._REGISTRY


def test_evaluate_turns_an_unreadable_answer_into_feedback_but_raises_a_bug(sample):
    assert sample.evaluate("4").correct is True
    unreadable = sample.evaluate("four")
    assert unreadable.correct is None and "is not a whole number of bcm" in unreadable.message
    broken = Exercise(key="test-broken", widget=widgets.Text, check=lambda a: 1 / 0, solution=str,
                      right_answer=str, wrong_answer=str)
    try:
        with pytest.raises(ZeroDivisionError):
            broken.evaluate("4")
    finally:
        core._REGISTRY.pop("test-broken")


def test_live_box_answers_right_wrong_empty_out_of_range_and_broken(sample, monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    box = sample.box()
    assert isinstance(box, ExerciseBox) and box.key == "test-sum"
    assert "ots-exercise-test-sum" in box._dom_classes
    assert box.children[0] is box.answer_widget  # no question in Python: the page's Markdown asks it
    assert list(box.controls.children) == [box.check_button, box.solution_button]
    box.answer_widget.value = "4"
    assert box.submit().correct is True and "Right." in box.feedback.value and "2 + 2 is 4." in box.feedback.value
    box.answer_widget.value = "5"
    assert box.submit().correct is False and "Not yet." in box.feedback.value and "Add the two" in box.feedback.value
    box.answer_widget.value = "  "
    assert box.submit().correct is None and "Enter a whole number of bcm first." in box.feedback.value
    box.answer_widget.value = "250"
    assert box.submit().correct is None and "between 0 and 100" in box.feedback.value
    assert box.last_error is None
    box._check = lambda answer: 1 / 0  # a bug in an exercise still gives feedback, not a traceback
    assert box.submit().correct is None and "could not be read (ZeroDivisionError)" in box.feedback.value
    assert isinstance(box.last_error, ZeroDivisionError)
    box.check_button.click()  # the button runs the same path
    assert "could not be read" in box.feedback.value
    box.solution_button.click()
    assert "Solution." in box.feedback.value and "2 + 2 = 4" in box.feedback.value


def test_static_box_shows_a_kernel_free_solution_and_no_dead_buttons(sample, monkeypatch):
    monkeypatch.setenv("OTSBOOK_STATIC_BOOK", "1")
    box = sample.box()
    assert isinstance(box.controls, widgets.HTML)
    assert "<details" in box.controls.value and "no Python needed" in box.controls.value
    assert "2 + 2 = 4" in box.controls.value
    assert "live notebook" in box.feedback.value and "Press" not in box.feedback.value
    assert not any(isinstance(child, widgets.Button) for child in box.children)


def test_a_box_needs_its_widget_check_and_solution_by_name(monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    with pytest.raises(TypeError):
        ExerciseBox(answer_widget=widgets.Text(), check=check_sum)  # no solution
    with pytest.raises(TypeError):
        ExerciseBox(widgets.Text(), check_sum, lambda: "4")  # the question is the page's, never an argument


def test_run_this_exercise_note_appears_only_in_the_static_book(monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    assert run_this_exercise("chapters/history_exercises.md") is None
    monkeypatch.setenv("OTSBOOK_STATIC_BOOK", "1")
    note = run_this_exercise("chapters/history_exercises.md").data
    assert "Run this exercise" in note and "live notebook" in note and "<a href=" in note


def test_as_text_set_reads_a_selection_or_text_and_refuses_anything_else():
    assert as_text_set(("KAZ", " KGZ ", "")) == {"KAZ", "KGZ"}
    assert as_text_set("KAZ, KGZ,") == {"KAZ", "KGZ"}
    assert as_text_set(None) == set() and as_text_set(()) == set()
    for bad in (10**12, 3.5, float("nan"), object(), {"KAZ": 1}):
        with pytest.raises(AnswerError, match="choose from the list"):
            as_text_set(bad)


def test_as_number_rejects_nan_infinity_and_reads_commas():
    for bad in ("nan", "inf", float("nan"), "-inf"):
        with pytest.raises(AnswerError):
            as_number(bad)
    assert as_number("2,5") == 2.5
    with pytest.raises(AnswerError, match="of at least 0"):
        as_number(-1, low=0)
    with pytest.raises(AnswerError, match="of at most 10"):
        as_number(11, high=10)


# --- every declared exercise -------------------------------------------------------------------

EXERCISES = all_exercises()
GARBAGE = [None, "", "   ", "zzz", 10**12, -1, float("nan"), 3.5, (), [], {}, {"zzz": "zzz"}, ("zzz",), object()]
TYPED_FIGURE_NUMBER = re.compile(r"\b(Fig(ure)?s?\.?|Table)\s*\d+(\.\d+)?", re.I)


def ids(exercise: Exercise) -> str:
    return exercise.key


def test_the_generic_checks_below_see_every_chapter_module():
    """The parametrised tests run over all_exercises(): it must hold each chapter module's exercises
    (an empty list would turn every generic test into no test at all)."""
    modules = {m.name for m in pkgutil.iter_modules(exercises.__path__)} - {"core", "widgets"}
    assert len(modules) >= 4
    by_chapter = {e.key.split("-", 1)[0] for e in EXERCISES}
    assert by_chapter == modules
    assert len(EXERCISES) >= 3 * len(modules)


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_right_answer_is_marked_right(exercise):
    result = exercise.evaluate(exercise.right_answer())
    assert result.correct is True, result.message
    assert result.message.strip()


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_wrong_answer_is_marked_wrong_with_a_hint(exercise):
    result = exercise.evaluate(exercise.wrong_answer())
    assert result.correct is False, result.message
    assert result.message.strip()


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: "object()" if type(g) is object else repr(g))
def test_garbage_gets_feedback_never_an_exception(exercise, garbage):
    result = exercise.evaluate(garbage)
    assert isinstance(result, Feedback) and result.correct is not True and result.message.strip()


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_declaration_is_complete_and_its_texts_carry_no_typed_figure_numbers(exercise):
    chapter = exercise.key.split("-", 1)[0]
    assert _module(exercise) == f"otsbook.exercises.{chapter}", "declare an exercise in the module of its chapter"
    solution = exercise.solution()
    assert isinstance(solution, str) and len(solution) > 20
    texts = [solution, exercise.evaluate(exercise.right_answer()).message, exercise.evaluate(exercise.wrong_answer()).message]
    for text in texts:
        assert not TYPED_FIGURE_NUMBER.search(text), f"a typed-in figure number: {text!r}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_box_reads_its_own_widget_without_error(exercise, monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    box = exercise.box()
    assert isinstance(box.answer_widget, widgets.Widget)
    result = box.submit()  # the untouched widget: a real answer or a request for one, never a crash
    assert box.last_error is None, repr(box.last_error)
    assert isinstance(result, Feedback)


def _module(exercise: Exercise) -> str:
    return getattr(exercise.check, "__module__", "")


def test_exercise_pages_show_every_declared_exercise_and_nothing_else(repo_root):
    """A page calls `ex.NAME.box()`; NAME must be an Exercise of that chapter's module, and every
    Exercise a module declares is shown on its page."""
    import importlib

    pages = sorted((repo_root / "chapters").glob("*_exercises.md"))
    assert len(pages) >= 4
    for page in pages:
        chapter = page.stem.removesuffix("_exercises")
        module = importlib.import_module(f"otsbook.exercises.{chapter}")
        shown = re.findall(r"^\s*ex\.(\w+)\.box\(\)", page.read_text(encoding="utf-8"), flags=re.M)
        assert shown, f"{page.name} shows no exercise"
        for name in shown:
            assert isinstance(getattr(module, name, None), Exercise), f"{page.name}: ex.{name} is not an Exercise"
        declared = {name for name, value in vars(module).items() if isinstance(value, Exercise)}
        assert declared <= set(shown), f"{page.name} does not show {sorted(declared - set(shown))}"


# --- the built pages -----------------------------------------------------------------------------

def test_built_exercise_pages_carry_solutions_and_no_stale_feedback(built_html):
    pages = [name for name in toc_files() if name.endswith("_exercises")]
    modules = {m.name for m in pkgutil.iter_modules(exercises.__path__)} - {"core", "widgets"}
    assert {name.split("/")[-1].removesuffix("_exercises") for name in pages} == modules, \
        "each chapter module of otsbook/exercises has an exercise page in _toc.yml, and the reverse"
    for name in pages:
        html = (built_html / f"{name}.html").read_text(encoding="utf-8")
        state = json.loads(re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S).group(1))
        values = [model["state"].get("value") for model in state["state"].values() if model["model_name"] == "HTMLModel"]
        solutions = [v for v in values if v and "no Python needed" in v]
        assert len(solutions) >= 2, f"{name}: exercises without a kernel-free solution"
        assert not any(v and ("Right." in v or "Not yet." in v) for v in values), f"{name}: a stale answer is shown"
        assert not any(model["model_name"] == "ButtonModel" for model in state["state"].values()), f"{name}: dead buttons"
        assert "Run this exercise" in html, f"{name}: no note on how to run the exercises"
