"""Exercises of the chapter on security: the logic (pure functions) and the widgets.

Right answers come from the data (``security_priorities``, ``security_dynamics``, ``events``),
never from this file. Each ``check_*`` takes what a student gave and returns :class:`Feedback`;
``solution_*`` returns the worked answer; ``make_*_widget`` builds the ExerciseBox.

1. :func:`check_rescoring` - score the seven priorities yourself and compare with the article.
2. :func:`check_matching` - pair each external pressure with the response the article gives it.
3. :func:`check_confirmed_claims` - which of the article's dated claims public sources confirm.
"""
from __future__ import annotations

import math
import random

import ipywidgets as widgets
import pandas as pd

from ..data import table_or_load
from .core import AnswerError, Feedback, as_number, as_text_set, join_names
from .widgets import STYLE, ExerciseBox

HEATMAP = "the heatmap of the article's scores (first figure of the Security chapter)"
TABLE1 = "the figure reproducing the article's Table 1 (second figure of the Security chapter)"
TIMELINE = "the timeline of dated milestones (the last figure of the Security chapter)"
ARTICLE_SOURCE = "security_article"
CHOOSE = "— choose —"


# --------------------------------------------------------------------------- data access


def author_scores(priorities: pd.DataFrame | None = None) -> dict[str, int]:
    """The article's scores, keyed by priority, in the article's order."""
    table = table_or_load("security_priorities", priorities)
    return {str(p): int(s) for p, s in zip(table["priority"], table["score"])}


def article_claims(events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """The article's dated milestones: every event the data takes from the article.

    The article presents all of them, the founding documents included, as steps of the OTS's
    security trajectory, so none is left out.
    """
    table = table_or_load("events", events)
    article = article_source_ids(sources)
    mask = table["source_id"].astype(str).isin(article)
    return table[mask].sort_values("date", kind="stable").reset_index(drop=True)


def article_source_ids(sources: pd.DataFrame | None = None) -> set[str]:
    """The ``source_id`` (or ids) under which the data records the academic article."""
    ids = {ARTICLE_SOURCE}
    try:
        table = table_or_load("sources", sources)
    except Exception:  # sources table missing: fall back to the bibliography key
        return ids
    kind = table.get("kind", pd.Series("", index=table.index)).astype(str).str.lower()
    title = table.get("title", pd.Series("", index=table.index)).astype(str).str.lower()
    hits = table[(kind.str.contains("article") & ~kind.str.contains("op")) | title.str.contains("international security")]
    ids.update(hits["source_id"].astype(str))
    return ids


def claim_label(row) -> str:
    return f"{row['date']}: {row['title']}"


# --------------------------------------------------------------------------- 1. re-scoring
def _ranks(values: list[float]) -> list[float]:
    """Average ranks (1 = highest), as used by Spearman's rank correlation."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation of two equally long lists (nan if either has no spread)."""
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / math.sqrt(va * vb) if va and vb else float("nan")


def check_rescoring(answer: dict, priorities: pd.DataFrame | None = None) -> Feedback:
    """``answer`` maps each priority to the student's score (1-9).

    There is no single right set of scores: the feedback compares the student's ranking with the
    author's and names where they differ most, which is what the exercise is for.
    """
    author = author_scores(priorities)
    if not isinstance(answer, dict) or not answer:
        return Feedback.unusable(f"Give each of the {len(author)} priorities a score from 1 to 9.")
    missing = [p for p in author if answer.get(p) in (None, "")]
    if missing:
        return Feedback.unusable(f"Score every priority; missing: {join_names(missing)}.")
    try:
        mine = {p: as_number(answer[p], low=1, high=9, what=f"a whole-number score for {p}") for p in author}
    except AnswerError as problem:
        return Feedback.unusable(str(problem))
    fractional = [p for p, v in mine.items() if v != int(v)]
    if fractional:
        return Feedback.unusable(f"Scores are whole numbers from 1 to 9; check {join_names(fractional)}.")
    if len(set(mine.values())) == 1:
        return Feedback.unusable(
            "All your scores are equal, so they rank nothing. Give higher scores to the priorities you think weigh more."
        )
    names = list(author)
    rho = spearman([mine[p] for p in names], [author[p] for p in names])
    gaps = {p: mine[p] - author[p] for p in names}
    biggest = max(abs(g) for g in gaps.values())
    if biggest == 0:
        return Feedback.right(
            "Your scores are the author's, point for point (rank correlation 1.00). Now ask what evidence would make "
            "you move one of them: the article gives no coding procedure, so agreement is not proof."
        )
    far = [p for p in names if abs(gaps[p]) == biggest]
    detail = "; ".join(f"{p}: you {int(mine[p])}, the author {author[p]}" for p in far)
    agreement = (
        "you rank the priorities much as the author does"
        if rho >= 0.7
        else "your ranking partly agrees with the author's"
        if rho >= 0.3
        else "your ranking differs clearly from the author's"
    )
    return Feedback.right(
        f"Rank correlation with the author's scores: {rho:.2f} ({agreement}). You differ most on {detail}. "
        f"Compare with {HEATMAP} and write down the evidence for your score: the article states its scores "
        "without a coding procedure, so neither set is a measurement."
    )


def solution_rescoring(priorities: pd.DataFrame | None = None) -> str:
    author = author_scores(priorities)
    listing = "; ".join(f"{p} {s}" for p, s in author.items())
    return (
        f"The article's scores are: {listing}. There is no single right answer: a good answer states, for each score "
        "that differs from the author's, the evidence behind it (a treaty, an exercise, a working body that public "
        "sources confirm)."
    )


def make_rescoring_widget(priorities: pd.DataFrame | None = None) -> ExerciseBox:
    author = author_scores(priorities)
    sliders = {
        p: widgets.IntSlider(value=5, min=1, max=9, step=1, description=str(p).capitalize(), style={"description_width": "11em"}, layout=widgets.Layout(width="32em"))
        for p in author
    }
    box = widgets.VBox(list(sliders.values()))
    box.sliders = sliders
    return ExerciseBox(
        "<b>Objective 3: judge a qualitative score.</b> Score each priority from 1 (minor) to 9 (pressing) for the OTS as "
        "you read the evidence, then press <b>Check</b> to compare your ranking with the article's.",
        box,
        check=lambda answer: check_rescoring(answer, priorities),
        solution=lambda: solution_rescoring(priorities),
        read_answer=lambda w: {p: s.value for p, s in w.sliders.items()},
    )


# --------------------------------------------------------------------------- 2. matching
def pairings(dynamics: pd.DataFrame | None = None) -> dict[str, str]:
    """External factor -> internal response, as in the article's Table 1."""
    table = table_or_load("security_dynamics", dynamics)
    return {str(f): str(r) for f, r in zip(table["external_factor"], table["internal_response"])}


def check_matching(answer: dict, dynamics: pd.DataFrame | None = None) -> Feedback:
    """``answer`` maps each external factor to the response the student chose."""
    truth = pairings(dynamics)
    if not isinstance(answer, dict):
        return Feedback.unusable("Choose a response for every external pressure.")
    chosen = {f: (answer.get(f) or "").strip() if isinstance(answer.get(f), str) else "" for f in truth}
    empty = [f for f, r in chosen.items() if not r or r == CHOOSE]
    if len(empty) == len(truth):
        return Feedback.unusable("Choose a response for each external pressure first.")
    if empty:
        return Feedback.unusable(f"Choose a response for every pressure; still open: {join_names(empty)}.")
    responses = set(truth.values())
    unknown = [f for f, r in chosen.items() if r not in responses]
    if unknown:
        return Feedback.unusable(f"Pick a response from the list for {join_names(unknown)}.")
    wrong = [f for f in truth if chosen[f] != truth[f]]
    if not wrong:
        return Feedback.right(
            f"All {len(truth)} pairs match the article's Table 1. Note that the pairing is the author's: the article "
            "links each pressure to one response, though a pressure such as the Russia–Ukraine war plausibly touches several."
        )
    first = wrong[0]
    return Feedback.wrong(
        f"{len(truth) - len(wrong)} of {len(truth)} pairs match the article. Look again at: {join_names(wrong)}. "
        f"For instance, find the row '{first}' in {TABLE1}: which response does the author set beside it?"
    )


def solution_matching(dynamics: pd.DataFrame | None = None) -> str:
    return " | ".join(f"{f} → {r}" for f, r in pairings(dynamics).items())


def make_matching_widget(dynamics: pd.DataFrame | None = None, seed: int = 3) -> ExerciseBox:
    truth = pairings(dynamics)
    options = sorted(set(truth.values()))
    random.Random(seed).shuffle(options)
    dropdowns = {
        f: widgets.Dropdown(options=[CHOOSE] + options, value=CHOOSE, description=f, style={"description_width": "22em"}, layout=widgets.Layout(width="95%"))
        for f in truth
    }
    box = widgets.VBox(list(dropdowns.values()))
    box.dropdowns = dropdowns
    return ExerciseBox(
        "<b>Objective 2: connect pressures and responses.</b> For each external pressure, choose the internal response "
        "the article pairs with it in its Table 1.",
        box,
        check=lambda answer: check_matching(answer, dynamics),
        solution=lambda: solution_matching(dynamics),
        read_answer=lambda w: {f: d.value for f, d in w.dropdowns.items()},
    )


# --------------------------------------------------------------------------- 3. confirmed claims
def claim_options(events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> list[str]:
    return [claim_label(row) for _, row in article_claims(events, sources).iterrows()]


def confirmed_claims(events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> set[str]:
    claims = article_claims(events, sources)
    return {claim_label(row) for _, row in claims.iterrows() if str(row["status"]).lower() == "confirmed"}


def check_confirmed_claims(answer, events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> Feedback:
    """``answer``: the claims (labels from :func:`claim_options`) the student marks as confirmed."""
    options = claim_options(events, sources)
    chosen = as_text_set(answer) if not isinstance(answer, str) else ({answer.strip()} if answer.strip() else set())
    if not chosen:
        return Feedback.unusable("Select the claims you think public sources confirm (at least one).")
    unknown = chosen - set(options)
    if unknown:
        return Feedback.unusable(f"Select from the listed claims only; not in the list: {join_names(unknown)}.")
    truth = confirmed_claims(events, sources)
    if chosen == truth:
        return Feedback.right(
            f"These {len(truth)} are confirmed by public sources; the others rest on the article alone (or were corrected). "
            "An unconfirmed claim is not thereby false: it is a claim until someone finds the record."
        )
    missed, extra = truth - chosen, chosen - truth
    parts = []
    if extra:
        parts.append(f"{len(extra)} of your choices lack public confirmation in the data")
    if missed:
        parts.append(f"you left out {len(missed)} that a public source confirms")
    return Feedback.wrong(
        "; ".join(parts).capitalize() + f". Check each marker's colour and symbol in {TIMELINE} "
        "(filled green circle = confirmed), or the 'status' column of the events table."
    )


def solution_confirmed_claims(events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> str:
    claims = article_claims(events, sources)
    lines = [f"{claim_label(row)} — {row['status']}" for _, row in claims.iterrows()]
    return "Status of each dated claim in the data: " + " | ".join(lines)


def make_confirmed_claims_widget(events: pd.DataFrame | None = None, sources: pd.DataFrame | None = None) -> ExerciseBox:
    options = claim_options(events, sources)
    select = widgets.SelectMultiple(options=options, value=(), rows=min(12, max(4, len(options))), description="Confirmed:", style=STYLE, layout=widgets.Layout(width="95%"))
    return ExerciseBox(
        "<b>Objective 4: tell a claim from an established fact.</b> Which of the article's dated security milestones do "
        "public sources confirm? Select all that apply (Ctrl/Cmd-click to select several).",
        select,
        check=lambda answer: check_confirmed_claims(answer, events, sources),
        solution=lambda: solution_confirmed_claims(events, sources),
        read_answer=lambda w: tuple(w.value),
    )
