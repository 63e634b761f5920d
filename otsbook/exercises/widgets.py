"""The widget layer of the exercises: an input, a Check button, a solution button, feedback.

In the HTML book the widgets are drawn from saved state but no Python runs behind them. So when
the book is built (``OTSBOOK_STATIC_BOOK=1``, set by the build extension) an exercise shows, in
place of the buttons, a note on how to get a live notebook and the worked solution in a
drop-down that opens without a kernel: the page never shows a stale answer or a dead button.
The "Run this exercise" notice (:func:`run_this_exercise`) likewise appears only there.
"""
from __future__ import annotations

import html
import os
from typing import Any, Callable

import ipywidgets as widgets
from IPython.display import HTML

from ..launch import launch_links
from .core import AnswerError, Feedback

WAITING = "Press <b>Check</b> for feedback."
STATIC_NOTE = "Feedback on your answer needs Python: open this page as a live notebook with the links above."
STYLE = {"description_width": "initial"}


def _feedback_html(feedback: Feedback) -> str:
    icon, css = {True: ("✔ Right.", "ots-right"), False: ("✘ Not yet.", "ots-wrong"), None: ("ℹ", "ots-info")}[feedback.correct]
    return f'<div class="ots-feedback {css}" role="status"><b>{icon}</b> {html.escape(feedback.message)}</div>'


class ExerciseBox(widgets.VBox):
    """One exercise as a page shows it: the answer widget, Check, Show solution, and feedback.

    Made by :meth:`otsbook.exercises.Exercise.box`; the question is written in the page's
    Markdown, not here. ``check`` takes the answer (as returned by ``read_answer``, by default
    the widget's ``value``) and returns :class:`Feedback`; ``solution`` returns the worked answer
    as text. An error while checking becomes feedback, never a traceback; the last such error
    is kept in ``last_error`` for tests.
    """

    def __init__(
        self,
        *,
        answer_widget: widgets.Widget,
        check: Callable[[Any], Feedback],
        solution: Callable[[], str],
        read_answer: Callable[[widgets.Widget], Any] | None = None,
        key: str | None = None,
    ):
        self.key = key
        self.answer_widget = answer_widget
        self.last_error: Exception | None = None
        self._check = check
        self._solution = solution
        self._read_answer = read_answer or (lambda w: w.value)
        if in_static_book():  # no kernel behind the page: a solution that opens without Python, no buttons
            self.check_button = self.solution_button = None
            self.feedback = widgets.HTML(value=f'<div class="ots-feedback ots-info">{STATIC_NOTE}</div>')
            controls = widgets.HTML(
                '<details class="ots-static-solution"><summary>Show the solution (no Python needed)</summary>'
                f"<p>{html.escape(solution())}</p></details>"
            )
        else:
            self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Check my answer")
            self.solution_button = widgets.Button(description="Show solution", tooltip="Show the worked solution")
            self.check_button.on_click(lambda _: self.submit())
            self.solution_button.on_click(lambda _: self.show_solution())
            self.feedback = widgets.HTML(value=f'<div class="ots-feedback ots-info" role="status">{WAITING}</div>')
            controls = widgets.HBox([self.check_button, self.solution_button])
        children = [answer_widget, controls, self.feedback]
        super().__init__(children, layout=widgets.Layout(border="1px solid #d0d7de", padding="0.5em 1em", margin="0.5em 0"))
        self.add_class("ots-exercise")
        if key:
            self.add_class(f"ots-exercise-{key}")

    @property
    def controls(self) -> widgets.Widget:
        """The Check and Show-solution buttons (live), or the solution drop-down (static book)."""
        return self.children[-2]

    def submit(self) -> Feedback:
        """Check the current answer and show the feedback (also what tests call)."""
        self.last_error = None
        try:
            result = self._check(self._read_answer(self.answer_widget))
        except AnswerError as problem:
            result = Feedback.unusable(str(problem))
        except Exception as problem:  # a student must never see a traceback
            self.last_error = problem
            result = Feedback.unusable(f"That answer could not be read ({type(problem).__name__}). Try again.")
        self.feedback.value = _feedback_html(result)
        return result

    def show_solution(self) -> str:
        text = self._solution()
        self.feedback.value = f'<div class="ots-feedback ots-solution" role="status"><b>Solution.</b> {html.escape(text)}</div>'
        return text


def in_static_book() -> bool:
    """True while the notebook is executed to build the HTML book (no kernel behind the page)."""
    return os.environ.get("OTSBOOK_STATIC_BOOK") == "1"


def run_this_exercise(path_in_repo: str) -> HTML | None:
    """In the static book, a notice with links that open this page as a live notebook.

    In a live notebook (JupyterLab, a hub, Binder, Colab) the exercises already run, so nothing
    is shown: the function returns None.
    """
    if not in_static_book():
        return None
    links = " · ".join(f'<a href="{url}">{name}</a>' for name, url in launch_links(path_in_repo).items())
    return HTML(
        '<div class="ots-run-note admonition note"><p class="admonition-title">Run this exercise</p>'
        "<p>The checks below run Python. In the web book the widgets are shown but cannot answer; "
        f"open this page as a live notebook to get feedback: {links}.</p></div>"
    )
