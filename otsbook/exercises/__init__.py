"""Exercises with instant feedback.

Each exercise is declared once, as an :class:`Exercise` in the module of its chapter
(``otsbook/exercises/<chapter>.py``): a widget for the answer, a pure ``check`` function that
returns :class:`Feedback`, a worked ``solution`` computed from the data, and a right and a wrong
answer for the tests. The question and the objective are written in the page's Markdown; the
page shows the exercise with ``NAME.box()``. :func:`all_exercises` lists every declaration, so
the generic tests check each exercise without a browser.
"""
from .core import AnswerError, Exercise, Feedback, all_exercises, as_number, as_text_set, join_names
from .widgets import ExerciseBox, run_this_exercise

__all__ = [
    "Exercise",
    "Feedback",
    "AnswerError",
    "ExerciseBox",
    "all_exercises",
    "run_this_exercise",
    "as_number",
    "as_text_set",
    "join_names",
]
