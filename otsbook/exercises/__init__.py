"""Exercises with instant feedback.

The logic of every exercise is a pure function in a module of this package (one per chapter):
it takes the student's answer and returns :class:`Feedback`. The widget in
:mod:`otsbook.exercises.widgets` is a thin layer over it, so the logic is tested without a browser.
"""
from .core import Feedback, as_number, as_text_set, join_names
from .widgets import ExerciseBox, run_this_exercise

__all__ = ["Feedback", "ExerciseBox", "run_this_exercise", "as_number", "as_text_set", "join_names"]
