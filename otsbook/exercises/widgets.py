"""The widget layer of the exercises: an input, a Check button, a solution button, feedback.

In the HTML book the widgets are drawn from saved state but no Python runs behind them, so the
feedback area starts empty and says how to get a live notebook; it never shows a stale answer.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
from IPython.display import HTML

from ..launch import launch_links
from .core import AnswerError, Feedback

WAITING = "Press <b>Check</b> for feedback. (In the web book, run this page as a notebook first: see the links above.)"
STYLE = {"description_width": "initial"}


def _feedback_html(feedback: Feedback) -> str:
    icon, css = {True: ("✔ Right.", "ots-right"), False: ("✘ Not yet.", "ots-wrong"), None: ("ℹ", "ots-info")}[feedback.correct]
    return f'<div class="ots-feedback {css}" role="status"><b>{icon}</b> {html.escape(feedback.message)}</div>'


class ExerciseBox(widgets.VBox):
    """One exercise: ``question`` (HTML), an ``answer_widget``, and the logic behind it.

    ``check`` takes the answer (as returned by ``read_answer``) and returns :class:`Feedback`;
    ``solution`` returns the worked answer as text. Any error while checking becomes feedback,
    never a traceback.
    """

    def __init__(
        self,
        question: str,
        answer_widget: widgets.Widget,
        check: Callable[[Any], Feedback],
        solution: Callable[[], str],
        read_answer: Callable[[widgets.Widget], Any] | None = None,
    ):
        self.answer_widget = answer_widget
        self._check = check
        self._solution = solution
        self._read_answer = read_answer or (lambda w: w.value)
        self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Check my answer")
        self.solution_button = widgets.Button(description="Show solution", tooltip="Show the worked solution")
        self.feedback = widgets.HTML(value=f'<div class="ots-feedback ots-info" role="status">{WAITING}</div>')
        self.check_button.on_click(lambda _: self.submit())
        self.solution_button.on_click(lambda _: self.show_solution())
        super().__init__(
            [widgets.HTML(question), answer_widget, widgets.HBox([self.check_button, self.solution_button]), self.feedback],
            layout=widgets.Layout(border="1px solid #d0d7de", padding="0.5em 1em", margin="0.5em 0"),
        )

    def submit(self) -> Feedback:
        """Check the current answer and show the feedback (also what tests call)."""
        try:
            result = self._check(self._read_answer(self.answer_widget))
        except AnswerError as problem:
            result = Feedback.unusable(str(problem))
        except Exception as problem:  # a student must never see a traceback
            result = Feedback.unusable(f"That answer could not be read ({type(problem).__name__}). Try again.")
        self.feedback.value = _feedback_html(result)
        return result

    def show_solution(self) -> str:
        text = self._solution()
        self.feedback.value = f'<div class="ots-feedback ots-solution" role="status"><b>Solution.</b> {html.escape(text)}</div>'
        return text


def run_this_exercise(path_in_repo: str) -> HTML:
    """A notice with links that open this page as a live notebook."""
    links = " · ".join(f'<a href="{url}">{name}</a>' for name, url in launch_links(path_in_repo).items())
    return HTML(
        '<div class="ots-run-note admonition note"><p class="admonition-title">Run this exercise</p>'
        "<p>The checks below run Python. In the web book the widgets are shown but cannot answer; "
        f"open this page as a live notebook to get feedback: {links}.</p></div>"
    )
