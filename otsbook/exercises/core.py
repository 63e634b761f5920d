"""Shared pieces of the exercise logic: the feedback type, answer parsing, and the
:class:`Exercise` declaration with its registry (:func:`all_exercises`)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable


@dataclass(frozen=True)
class Feedback:
    """What a student is told after checking an answer.

    ``correct`` is True (right), False (wrong) or None (no usable answer yet: empty,
    unreadable or out of range; the message says what is expected).
    """

    correct: bool | None
    message: str

    @classmethod
    def right(cls, why: str) -> "Feedback":
        return cls(True, why)

    @classmethod
    def wrong(cls, hint: str) -> "Feedback":
        return cls(False, hint)

    @classmethod
    def unusable(cls, what_is_expected: str) -> "Feedback":
        return cls(None, what_is_expected)


class AnswerError(ValueError):
    """The answer cannot be read; the message tells the student what is expected."""


def as_number(answer, *, low: float | None = None, high: float | None = None, what: str = "a number") -> float:
    """Read a number from a widget value or typed text, or raise :class:`AnswerError`."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        raise AnswerError(f"Enter {what} first.")
    try:
        value = float(str(answer).replace(",", ".").strip()) if isinstance(answer, str) else float(answer)
    except (TypeError, ValueError):
        raise AnswerError(f"'{answer}' is not {what}.") from None
    if math.isnan(value) or math.isinf(value):
        raise AnswerError(f"Enter {what}.")
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            expected = f"between {low:g} and {high:g}"
        else:
            expected = f"of at least {low:g}" if low is not None else f"of at most {high:g}"
        raise AnswerError(f"{what[0].upper() + what[1:]} {expected} is expected; {value:g} is outside that range.")
    return value


def as_text_set(answer, *, what: str = "a selection") -> set[str]:
    """Read a selection (a tuple from a multiple-select widget, or comma-separated text).

    Nothing selected gives an empty set; a number or any other value that is not a selection
    raises :class:`AnswerError`.
    """
    if answer is None:
        return set()
    if isinstance(answer, str):
        return {part.strip() for part in answer.split(",") if part.strip()}
    if isinstance(answer, (list, tuple, set, frozenset)):
        return {str(item).strip() for item in answer if str(item).strip()}
    raise AnswerError(f"Expected {what}: choose from the list, or type the names separated by commas.")


def join_names(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = sorted(names)
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- one declaration per exercise ------------------------------------------------------------

_REGISTRY: dict[str, "Exercise"] = {}
_KEY = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


@dataclass(frozen=True, eq=False)
class Exercise:
    """Everything about one exercise except its question, which is written in the page.

    ``key``           a unique id, ``<chapter>-<name>`` (e.g. ``"history-milestones"``);
    ``widget``        callable returning a fresh ipywidgets widget for the answer;
    ``check``         pure function: answer -> :class:`Feedback` (may raise :class:`AnswerError`
                      for an answer it cannot read);
    ``solution``      callable -> the worked solution as text, computed from the data;
    ``right_answer``  callable -> an answer that ``check`` marks right (used by the tests);
    ``wrong_answer``  callable -> an answer that ``check`` marks wrong (used by the tests);
    ``read_answer``   optional callable: widget -> answer (default: the widget's ``value``).

    Declaring one registers it: :func:`all_exercises` lists every declared exercise, and the
    generic tests check each of them. A page shows it with ``NAME.box()``.
    """

    key: str
    widget: Callable[[], Any]
    check: Callable[[Any], Feedback]
    solution: Callable[[], str]
    right_answer: Callable[[], Any]
    wrong_answer: Callable[[], Any]
    read_answer: Callable[[Any], Any] | None = None

    def __post_init__(self):
        if not _KEY.match(self.key):
            raise ValueError(f"Exercise key {self.key!r}: expected '<chapter>-<name>' in lower case, e.g. 'history-milestones'")
        previous = _REGISTRY.get(self.key)
        if previous is not None and _origin(previous) != _origin(self):
            raise ValueError(f"Exercise key {self.key!r} is declared twice: in {_origin(previous)} and in {_origin(self)}")
        _REGISTRY[self.key] = self  # a module imported again replaces its own declarations

    def evaluate(self, answer) -> Feedback:
        """``check(answer)``, with an unreadable answer (:class:`AnswerError`) turned into feedback.

        Any other exception is a bug in the exercise and is raised (the tests catch it;
        :class:`~otsbook.exercises.widgets.ExerciseBox` shows the student a polite message instead).
        """
        try:
            result = self.check(answer)
        except AnswerError as problem:
            return Feedback.unusable(str(problem))
        if not isinstance(result, Feedback):
            raise TypeError(f"{self.key}: check() returned {type(result).__name__}, not Feedback")
        return result

    def box(self):
        """The exercise as shown in a page: answer widget, Check, Show solution and feedback."""
        from .widgets import ExerciseBox

        return ExerciseBox(answer_widget=self.widget(), check=self.evaluate, solution=self.solution,
                           read_answer=self.read_answer, key=self.key)


def _origin(exercise: Exercise) -> str:
    return getattr(exercise.check, "__module__", None) or "?"


def all_exercises() -> list[Exercise]:
    """Every declared :class:`Exercise`, sorted by key (imports each chapter module first)."""
    import importlib
    import pkgutil

    from . import __path__ as package_path

    for module in pkgutil.iter_modules(package_path):
        if module.name not in ("core", "widgets"):
            importlib.import_module(f"{__package__}.{module.name}")
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]
