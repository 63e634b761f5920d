"""The shared exercise layer: feedback for every kind of answer, and an honest static page."""
from __future__ import annotations

import json
import re

import ipywidgets as widgets
import pytest

from otsbook.book import toc_files
from otsbook.exercises import ExerciseBox, Feedback, as_number
from otsbook.exercises.core import AnswerError


def check_sum(answer) -> Feedback:
    value = as_number(answer, low=0, high=100, what="a whole number of bcm")
    return Feedback.right("2 + 2 is 4.") if value == 4 else Feedback.wrong("Add the two capacities again.")


def make_box() -> ExerciseBox:
    return ExerciseBox("<p>2 + 2?</p>", widgets.Text(description="Answer:"), check_sum, lambda: "4, because 2 + 2 = 4.")


def test_live_exercise_answers_right_wrong_empty_out_of_range_and_broken(monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    box = make_box()
    assert box.check_button in box.children[2].children and box.solution_button in box.children[2].children
    box.answer_widget.value = "4"
    assert box.submit().correct is True and "Right." in box.feedback.value and "2 + 2 is 4." in box.feedback.value
    box.answer_widget.value = "5"
    assert box.submit().correct is False and "Not yet." in box.feedback.value and "Add the two" in box.feedback.value
    box.answer_widget.value = "  "
    assert box.submit().correct is None and "Enter a whole number of bcm first." in box.feedback.value
    box.answer_widget.value = "250"
    assert box.submit().correct is None and "between 0 and 100" in box.feedback.value
    box.answer_widget.value = "four"
    assert box.submit().correct is None and "is not a whole number" in box.feedback.value
    box._check = lambda answer: 1 / 0  # a bug in an exercise still gives feedback, not a traceback
    assert box.submit().correct is None and "could not be read (ZeroDivisionError)" in box.feedback.value
    box.check_button.click()  # the button runs the same path
    assert "could not be read" in box.feedback.value
    box.solution_button.click()
    assert "Solution." in box.feedback.value and "2 + 2 = 4" in box.feedback.value


def test_static_exercise_shows_a_kernel_free_solution_and_no_dead_buttons(monkeypatch):
    monkeypatch.setenv("OTSBOOK_STATIC_BOOK", "1")
    box = make_box()
    controls = box.children[2]
    assert isinstance(controls, widgets.HTML)
    assert "<details" in controls.value and "no Python needed" in controls.value and "2 + 2 = 4" in controls.value
    assert "live notebook" in box.feedback.value and "Press" not in box.feedback.value
    assert not any(isinstance(child, widgets.Button) for child in box.children)


def test_as_number_rejects_nan_and_infinity():
    for bad in ("nan", "inf", float("nan")):
        with pytest.raises(AnswerError):
            as_number(bad)


def test_built_exercise_pages_carry_solutions_and_no_stale_feedback(built_html):
    pages = [name for name in toc_files() if name.endswith("_exercises")]
    assert len(pages) == 4
    for name in pages:
        html = (built_html / f"{name}.html").read_text(encoding="utf-8")
        state = json.loads(re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S).group(1))
        values = [model["state"].get("value") for model in state["state"].values() if model["model_name"] == "HTMLModel"]
        solutions = [v for v in values if v and "no Python needed" in v]
        assert len(solutions) >= 2, f"{name}: exercises without a kernel-free solution"
        assert not any(v and ("Right." in v or "Not yet." in v) for v in values), f"{name}: a stale answer is shown"
        assert not any(model["model_name"] == "ButtonModel" for model in state["state"].values()), f"{name}: dead buttons"
