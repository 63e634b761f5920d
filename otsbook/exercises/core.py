"""Shared pieces of the exercise logic: the feedback type and answer parsing."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable


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
        raise AnswerError(f"{what[0].upper() + what[1:]} between {low:g} and {high:g} is expected; {value:g} is outside that range.")
    return value


def as_text_set(answer) -> set[str]:
    """Read a selection (a tuple from a multiple-select widget, or comma-separated text)."""
    if answer is None:
        return set()
    if isinstance(answer, str):
        return {part.strip() for part in answer.split(",") if part.strip()}
    return {str(item).strip() for item in answer if str(item).strip()}


def join_names(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = sorted(names)
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
