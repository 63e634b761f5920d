"""Exercises of the chapter "History and institutions".

Pure logic first (``check_*`` take an answer and return :class:`Feedback`; ``solution_*`` return
the worked answer), then ``make_*_widget()`` functions that wrap each one in an ExerciseBox.
The answers come from ``data/`` (events and memberships), so a correction there reaches the
exercises too.
"""
from __future__ import annotations

import string
from functools import lru_cache

import ipywidgets as widgets
import pandas as pd

from .core import AnswerError, Feedback, join_names
from .widgets import STYLE, ExerciseBox

# --- shared data ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    from .. import load

    return load("events")


@lru_cache(maxsize=1)
def _memberships() -> pd.DataFrame:
    from .. import load

    return load("memberships")


@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    from .. import load

    states = load("states")
    return dict(zip(states["iso3"], states["name"]))


# --- exercise 1: put the milestones in order -----------------------------------------------

# Shown to the student in this (scrambled) order, one letter each.
MILESTONE_IDS = (
    "renaming_2021",
    "hungary_observer_2018",
    "nakhchivan_2009_oped",
    "trnc_observer_2022",
    "council_proposed_2006",
    "uzbekistan_joins_2019",
)
MILESTONE_LABELS = {
    "renaming_2021": "The Turkic Council is renamed the Organisation of Turkic States",
    "hungary_observer_2018": "Hungary becomes an observer",
    "nakhchivan_2009_oped": "The Nakhchivan Agreement founds the Turkic Council",
    "trnc_observer_2022": "The Turkish Republic of Northern Cyprus becomes an observer",
    "council_proposed_2006": "Nazarbayev proposes a council of Turkic-speaking states",
    "uzbekistan_joins_2019": "Uzbekistan becomes a full member",
}


def milestones(events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The milestones with their letter, label and the best-known date (public check first)."""
    events = _events() if events is None else events
    rows = events.set_index("event_id").loc[list(MILESTONE_IDS)]
    best = rows["date"]  # the best-known date: the checked one where a public check exists
    return pd.DataFrame({
        "letter": list(string.ascii_uppercase[: len(MILESTONE_IDS)]),
        "event_id": list(MILESTONE_IDS),
        "label": [MILESTONE_LABELS[e] for e in MILESTONE_IDS],
        "date": [str(d) for d in best],
    })


def milestone_order(events: pd.DataFrame | None = None) -> str:
    """The letters in chronological order."""
    table = milestones(events)
    from ..charts.history import event_timestamp

    table = table.assign(when=table["date"].map(event_timestamp)).sort_values("when")
    return "".join(table["letter"])


def _read_letters(answer, n: int) -> list[str]:
    valid = string.ascii_uppercase[:n]
    if answer is None or not str(answer).strip():
        raise AnswerError(f"Type the {n} letters {', '.join(valid)} in the order the events happened, earliest first (e.g. 'FBA…').")
    letters = [ch for ch in str(answer).upper() if ch.isalnum()]
    unknown = sorted({ch for ch in letters if ch not in valid})
    if unknown:
        raise AnswerError(f"Only the letters {', '.join(valid)} are used here; '{''.join(unknown)}' is not one of them.")
    repeated = sorted({ch for ch in letters if letters.count(ch) > 1})
    if repeated:
        raise AnswerError(f"Use each letter once; {', '.join(repeated)} appears more than once.")
    if len(letters) != n:
        missing = [ch for ch in valid if ch not in letters]
        raise AnswerError(f"Put all {n} letters in order; missing: {', '.join(missing)}.")
    return letters


def check_milestone_order(answer, events: pd.DataFrame | None = None) -> Feedback:
    """Answer: a string of letters such as 'EABCDF' (spaces and commas are ignored)."""
    table = milestones(events).set_index("letter")
    try:
        letters = _read_letters(answer, len(table))
    except AnswerError as problem:
        return Feedback.unusable(str(problem))
    right = milestone_order(events)
    if "".join(letters) == right:
        dates = "; ".join(f"{ch} {table.loc[ch, 'date'][:7]}" for ch in right)
        return Feedback.right(
            f"That is the order in the events table ({dates}). Note that Hungary became an observer "
            "(2018) a year before Uzbekistan became a member (2019)."
        )
    for position, (given, expected) in enumerate(zip(letters, right), start=1):
        if given != expected:
            label = table.loc[given, "label"]
            return Feedback.wrong(
                f"Position {position} is not yet right: you placed '{label}' ({given}) there. Look up the rows "
                f"{table.loc[given, 'event_id']!r} and {table.loc[expected, 'event_id']!r} in data/events.csv, or hover over "
                "the points of the timeline (Fig. 1.1 in the chapter), and compare their dates."
            )
    return Feedback.wrong("Compare the dates in the timeline (Fig. 1.1).")  # pragma: no cover - loop always finds a difference


def solution_milestone_order(events: pd.DataFrame | None = None) -> str:
    table = milestones(events).set_index("letter")
    right = milestone_order(events)
    steps = "; ".join(f"{ch}: {table.loc[ch, 'label']} ({table.loc[ch, 'date']})" for ch in right)
    return (f"{right}. Sort the rows of data/events.csv by date: {steps}. "
            "The 2006 proposal is the op-ed's date; the other dates were checked against public sources.")


def make_milestone_widget() -> ExerciseBox:
    table = milestones()
    items = "".join(f"<li><b>{row.letter}</b> — {row.label}</li>" for row in table.itertuples())
    question = (
        "<p><b>Exercise 1 (objective 1: place the key milestones in order).</b> Type the letters of these "
        "events in the order they happened, earliest first.</p>"
        f"<ul>{items}</ul>"
    )
    box = widgets.Text(value="", placeholder="e.g. ABCDEF", description="Order:", style=STYLE)
    return ExerciseBox(question, box, check_milestone_order, solution_milestone_order)


# --- exercise 2: who belonged in a given year? -----------------------------------------------

FIRST_YEAR, LAST_YEAR = 2009, 2024
CANDIDATES = ("AZE", "HUN", "KAZ", "KGZ", "TJK", "TKM", "TUR", "UZB", "XNC")


def standing_in(year: int, memberships: pd.DataFrame | None = None) -> dict[str, set[str]]:
    """ISO3 codes of OTS members and observers at the end of ``year``."""
    memberships = _memberships() if memberships is None else memberships
    rows = memberships[memberships["organisation"] == "OTS"]
    result = {"member": set(), "observer": set()}
    for row in rows.itertuples():
        until = getattr(row, "until", None)
        ended = until is not None and not pd.isna(until) and int(until) <= year
        if int(row.since) <= year and not ended and row.status in result:
            result[row.status].add(row.iso3)
    return result


def _memberships_ots(memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    memberships = _memberships() if memberships is None else memberships
    return memberships[memberships["organisation"] == "OTS"]


def _names(codes) -> str:
    names = _state_names()
    return join_names(names.get(code, code) for code in codes)


def check_standing(answer, memberships: pd.DataFrame | None = None) -> Feedback:
    """Answer: (year, members, observers); members and observers are collections of ISO3 codes."""
    try:
        year, members, observers = answer
    except (TypeError, ValueError):
        return Feedback.unusable("Choose a year, then select the members and the observers.")
    try:
        year = int(year)
    except (TypeError, ValueError):
        return Feedback.unusable(f"Choose a year between {FIRST_YEAR} and {LAST_YEAR}.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return Feedback.unusable(
            f"Choose a year between {FIRST_YEAR} (the Nakhchivan Agreement) and {LAST_YEAR}; "
            f"{year} is outside the period the membership table covers."
        )
    members, observers = set(members or ()), set(observers or ())
    if not members:
        return Feedback.unusable("Select at least one member state (hold Ctrl or Cmd to select several).")
    both = members & observers
    if both:
        return Feedback.unusable(f"A state is either a member or an observer, not both: {_names(both)}.")
    truth = standing_in(year, memberships)
    if members == truth["member"] and observers == truth["observer"]:
        obs = f"{_names(truth['observer'])} as observer{'s' if len(truth['observer']) > 1 else ''}" if truth["observer"] else "no observers yet"
        return Feedback.right(
            f"At the end of {year} the members were {_names(truth['member'])}, with {obs}. "
            "Each comes from the 'since' column of the OTS rows in data/memberships.csv."
        )
    hints = []
    for label, given, right in (("members", members, truth["member"]), ("observers", observers, truth["observer"])):
        early = given - right
        if early:
            wrong_status = [c for c in early if c in truth["observer" if label == "members" else "member"]]
            if wrong_status:
                hints.append(f"{_names(wrong_status)} had a different status in {year}")
            ever = set(_memberships_ots(memberships)["iso3"])
            never = [c for c in early if c not in wrong_status and c not in ever]
            joined_later = [c for c in early if c not in wrong_status and c in ever]
            if joined_later:
                hints.append(f"{_names(joined_later)} had not joined as {label[:-1]} by the end of {year}")
            if never:
                hints.append(f"{_names(never)} has never been a member or an observer")
        if right - given:
            hints.append(f"you left out {len(right - given)} of the {label}")
    return Feedback.wrong(
        "Not quite: " + "; ".join(hints) + ". Check the 'since' column of the OTS rows in data/memberships.csv "
        f"or hover over the {year} bar of the membership chart (Fig. 1.2)."
    )


def solution_standing(year: int = 2020, memberships: pd.DataFrame | None = None) -> str:
    truth = standing_in(year, memberships)
    return (
        f"Keep the OTS rows of data/memberships.csv whose 'since' is {year} or earlier. In {year}: members "
        f"{_names(truth['member'])}; observers {_names(truth['observer']) if truth['observer'] else 'none'}. "
        "Founders 2009; Hungary observer 2018; Uzbekistan member 2019; Turkmenistan observer 2021; "
        "Northern Cyprus observer 2022. Tajikistan has never joined."
    )


def make_standing_widget(year: int = 2020) -> ExerciseBox:
    names = _state_names()
    options = [(names.get(code, code), code) for code in CANDIDATES]
    slider = widgets.IntSlider(value=year, min=2005, max=2026, description="Year:", style=STYLE,
                               continuous_update=False)
    wide = widgets.Layout(width="25em")
    members = widgets.SelectMultiple(options=options, rows=len(options), description="Members:", style=STYLE, layout=wide)
    observers = widgets.SelectMultiple(options=options, rows=len(options), description="Observers:", style=STYLE,
                                       layout=widgets.Layout(width="25em"))
    answer = widgets.VBox([slider, widgets.HBox([members, observers])])
    question = (
        "<p><b>Exercise 2 (objective 3: describe how membership grew).</b> Pick a year with the slider, then "
        "select the states that were <i>members</i> and those that were <i>observers</i> of the Turkic Council / "
        "OTS at the end of that year. Hold Ctrl (Cmd on a Mac) to select several.</p>"
    )
    box = ExerciseBox(question, answer, check_standing, lambda: solution_standing(slider.value),
                      read_answer=lambda w: (slider.value, members.value, observers.value))
    box.year, box.members, box.observers = slider, members, observers
    return box


# --- exercise 3: fact, claim or opinion? -------------------------------------------------------

KINDS = {
    "fact": "Established fact (a public source confirms it)",
    "claim": "Claim (not confirmed, or corrected, by public sources)",
    "opinion": "Opinion or judgement (cannot be checked as true or false)",
}
STATEMENTS = (
    {
        "id": "s1",
        "text": "The Nakhchivan Agreement founding the Turkic Council was signed in October 2009 (op-ed).",
        "kind": "fact",
        "why": "Row 'nakhchivan_2009_oped' of data/events.csv is 'confirmed': public sources give 3 October 2009.",
    },
    {
        "id": "s2",
        "text": "The OTS is an equal union whose other members do not feel that Ankara is hegemonic (op-ed).",
        "kind": "opinion",
        "why": "This is Kuzio's reading of how members feel; no register can confirm or refute it. "
               "The section 'An equal union?' sets it beside Türkiye's size.",
    },
    {
        "id": "s3",
        "text": "An OTS counterterrorism task force was created in 2018 (article).",
        "kind": "claim",
        "why": "Row 'ots_ct_task_force_2018' of data/events.csv has status 'claim': no public trace was found.",
    },
    {
        "id": "s4",
        "text": "The observers of the OTS are Turkmenistan and Hungary (op-ed, 2024).",
        "kind": "claim",
        "why": "It was out of date when published: Northern Cyprus has been an observer since November 2022 "
               "(row 'trnc_observer_2022', status 'corrected'; map, Fig. 1.3).",
    },
    {
        "id": "s5",
        "text": "Military cooperation and regional integration are the OTS's top security priorities, both scoring 9 of 9 (article).",
        "kind": "opinion",
        "why": "The scores are the article author's own judgement on a scale the author chose; the data "
               "record them as what the author wrote, not as measurements.",
    },
    {
        "id": "s6",
        "text": "Uzbekistan became a full member of the Turkic Council in 2019.",
        "kind": "fact",
        "why": "Row 'uzbekistan_joins_2019' of data/events.csv is 'confirmed' (Baku summit, 15 October 2019).",
    },
)


def check_statement_kinds(answer) -> Feedback:
    """Answer: a dict statement id -> one of 'fact', 'claim', 'opinion' (None for unanswered)."""
    if not isinstance(answer, dict):
        return Feedback.unusable("Choose a kind for each statement from its drop-down list.")
    known = {s["id"] for s in STATEMENTS}
    unanswered = [s["id"] for s in STATEMENTS if not answer.get(s["id"])]
    if len(unanswered) == len(STATEMENTS):
        return Feedback.unusable("Choose fact, claim or opinion for each of the six statements first.")
    if unanswered:
        numbers = ", ".join(sid[1:] for sid in unanswered)
        return Feedback.unusable(f"Choose a kind for every statement; still open: statement {numbers}.")
    invalid = sorted(k for k, v in answer.items() if k in known and v not in KINDS)
    if invalid:
        return Feedback.unusable(
            f"Use only the kinds 'fact', 'claim' or 'opinion' (statement {', '.join(s[1:] for s in invalid)})."
        )
    wrong = [s for s in STATEMENTS if answer[s["id"]] != s["kind"]]
    if not wrong:
        return Feedback.right(
            "All six sorted. Facts are confirmed by a public source; claims are dated, checkable statements "
            "that public sources do not (or no longer) support; opinions are judgements no record can settle."
        )
    first = wrong[0]
    return Feedback.wrong(
        f"{len(STATEMENTS) - len(wrong)} of {len(STATEMENTS)} right. Look again at statement {first['id'][1:]}: "
        + _hint(first)
    )


def _hint(statement: dict) -> str:
    return {
        "s1": "is there a public source for the date? See the Nakhchivan row of data/events.csv and the timeline (Fig. 1.1).",
        "s2": "could any document or register show whether members 'feel' Türkiye is hegemonic? Reread 'An equal union?'.",
        "s3": "find row 'ots_ct_task_force_2018' in data/events.csv and read its status and note.",
        "s4": "compare it with the observers on the map (Fig. 1.3) and the 2022 row of data/memberships.csv.",
        "s5": "who chose the scores, and on what scale? See the section 'Reading the two sources'.",
        "s6": "find row 'uzbekistan_joins_2019' in data/events.csv and read its status.",
    }[statement["id"]]


def solution_statement_kinds() -> str:
    return " ".join(f"{s['id'][1:]}: {s['kind']} — {s['why']}" for s in STATEMENTS)


def make_statement_widget() -> ExerciseBox:
    choices = [("— choose —", None)] + [(label, key) for key, label in KINDS.items()]
    dropdowns = {}
    rows = []
    for number, statement in enumerate(STATEMENTS, start=1):
        dropdown = widgets.Dropdown(options=choices, value=None, description=f"Statement {number} is:", style=STYLE,
                                    layout=widgets.Layout(width="29em"))
        dropdowns[statement["id"]] = dropdown
        rows.append(widgets.VBox([widgets.HTML(f"<b>{number}.</b> {statement['text']}"), dropdown],
                                 layout=widgets.Layout(margin="0 0 0.4em 0")))
    question = (
        "<p><b>Exercise 3 (objective 4: tell an established fact from a claim and from an opinion).</b> "
        "Sort each statement.</p>"
    )
    box = ExerciseBox(question, widgets.VBox(rows), check_statement_kinds, solution_statement_kinds,
                      read_answer=lambda w: {sid: d.value for sid, d in dropdowns.items()})
    box.dropdowns = dropdowns
    return box


__all__ = [
    "check_milestone_order", "solution_milestone_order", "make_milestone_widget", "milestones", "milestone_order",
    "check_standing", "solution_standing", "make_standing_widget", "standing_in",
    "check_statement_kinds", "solution_statement_kinds", "make_statement_widget", "STATEMENTS", "KINDS",
]
