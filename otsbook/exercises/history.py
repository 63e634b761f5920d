"""Exercises of the chapter "History and institutions", one declaration each.

The questions and objectives are written in ``chapters/history_exercises.md``; here each
:class:`~otsbook.exercises.Exercise` holds its answer widget, a pure ``check`` function, a worked
solution and a right and a wrong answer. Every fact in a solution or a hint comes from ``data/``
through :func:`otsbook.load`, so a correction there reaches the exercises too.
"""
from __future__ import annotations

import string

import ipywidgets as widgets
import pandas as pd

from .. import load
from ..domain import members_in_year, state_names, to_timestamp
from .core import AnswerError, Exercise, Feedback, as_number, join_names

STYLE = {"description_width": "initial"}


def _names(codes) -> str:
    names = state_names()
    return join_names(names.get(code, code) for code in codes)


# --- 1. put the milestones in order ----------------------------------------------------------

# Shown to the student in this (scrambled) order, one letter each; labels and dates come from
# data/events.csv.
MILESTONE_IDS = (
    "renaming_2021",
    "hungary_observer_2018",
    "nakhchivan_2009_oped",
    "trnc_observer_2022",
    "hist_first_summit_1992",
    "uzbekistan_joins_2019",
    "hist_eco_observer_2023",
)


def milestones() -> pd.DataFrame:
    """The milestones with their letter, title and best-known date (the ``date`` column)."""
    rows = load("events").set_index("event_id").loc[list(MILESTONE_IDS)]
    return pd.DataFrame({
        "letter": list(string.ascii_uppercase[: len(MILESTONE_IDS)]),
        "event_id": list(MILESTONE_IDS),
        "title": rows["title"].astype(str).tolist(),
        "date": rows["date"].astype(str).tolist(),
    })


def milestone_order() -> str:
    """The letters in chronological order."""
    table = milestones()
    return "".join(table.assign(when=table["date"].map(to_timestamp)).sort_values("when")["letter"])


def _read_letters(answer, n: int) -> list[str]:
    valid = string.ascii_uppercase[:n]
    if answer is None or not str(answer).strip():
        raise AnswerError(f"Type the {n} letters {', '.join(valid)} in the order the events happened, earliest first.")
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


def check_milestone_order(answer) -> Feedback:
    """Answer: a string of letters such as 'EBC…' (spaces and commas are ignored)."""
    table = milestones().set_index("letter")
    letters = _read_letters(answer, len(table))
    right = milestone_order()
    if "".join(letters) == right:
        dates = "; ".join(f"{ch} {table.loc[ch, 'date']}" for ch in right)
        return Feedback.right(f"That is the order of the best-known dates in data/events.csv ({dates}).")
    position, given, expected = next((i, g, e) for i, (g, e) in enumerate(zip(letters, right), start=1) if g != e)
    return Feedback.wrong(
        f"Position {position} is not yet right: you placed '{table.loc[given, 'title']}' ({given}) there. "
        f"Compare the dates of the rows {table.loc[given, 'event_id']!r} and {table.loc[expected, 'event_id']!r} "
        "in data/events.csv, or hover over their points on the chapter's timeline."
    )


def solution_milestone_order() -> str:
    table = milestones().set_index("letter")
    right = milestone_order()
    steps = "; ".join(f"{ch}: {table.loc[ch, 'title']} ({table.loc[ch, 'date']})" for ch in right)
    return f"{right}. Sort the rows of data/events.csv by their best-known date: {steps}."


def _milestone_widget() -> widgets.VBox:
    items = "".join(f"<li><b>{row.letter}</b> — {row.title}</li>" for row in milestones().itertuples())
    text = widgets.Text(placeholder="e.g. " + string.ascii_uppercase[: len(MILESTONE_IDS)], description="Order:",
                        style=STYLE)
    box = widgets.VBox([widgets.HTML(f"<ul>{items}</ul>"), text])
    box.text = text
    return box


MILESTONES = Exercise(
    key="history-milestones",
    widget=_milestone_widget,
    check=check_milestone_order,
    solution=solution_milestone_order,
    right_answer=milestone_order,
    wrong_answer=lambda: milestone_order()[::-1],
    read_answer=lambda box: box.text.value,
)


# --- 2. who belonged, and when? ----------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2009, 2026
CANDIDATES = ("AZE", "HUN", "KAZ", "KGZ", "TJK", "TKM", "TUR", "UZB", "XNC")


def standing_in(year: int) -> dict[str, set[str]]:
    """ISO3 codes of OTS member and observer states at the end of ``year``."""
    memberships = load("memberships")
    return {status: set(members_in_year(memberships, year, statuses=(status,))) for status in ("member", "observer")}


def check_standing(answer) -> Feedback:
    """Answer: (year, members, observers); members and observers are collections of ISO3 codes."""
    try:
        year, members, observers = answer
        year = int(year)
    except (TypeError, ValueError):
        raise AnswerError(f"Choose a year between {FIRST_YEAR} and {LAST_YEAR}, then select the members and the observers.") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise AnswerError(f"Choose a year between {FIRST_YEAR} (the Nakhchivan Agreement) and {LAST_YEAR}; "
                          f"{year} is outside the period the membership table covers.")
    members, observers = set(members or ()), set(observers or ())
    if not members:
        raise AnswerError("Select at least one member state (hold Ctrl or Cmd to select several).")
    both = members & observers
    if both:
        raise AnswerError(f"A state is either a member or an observer, not both: {_names(both)}.")
    truth = standing_in(year)
    if members == truth["member"] and observers == truth["observer"]:
        obs = f"{_names(truth['observer'])} as observer states" if truth["observer"] else "no observer states yet"
        return Feedback.right(f"At the end of {year} the members were {_names(truth['member'])}, with {obs}. "
                              "Each comes from the 'since' column of the OTS rows in data/memberships.csv.")
    ever = set(load("memberships").query("organisation == 'OTS'")["iso3"])
    hints = []
    for label, given, right, other in (("member", members, truth["member"], truth["observer"]),
                                       ("observer", observers, truth["observer"], truth["member"])):
        extra = given - right
        if extra & other:
            hints.append(f"{_names(extra & other)} had a different status in {year}")
        if (extra - other) & ever:
            hints.append(f"{_names((extra - other) & ever)} had not joined as {label} by the end of {year}")
        if (extra - other) - ever:
            hints.append(f"{_names((extra - other) - ever)} has never been a member or an observer")
        if right - given:
            hints.append(f"you left out {len(right - given)} of the {label}s")
    return Feedback.wrong("Not quite: " + "; ".join(hints) + ". Check the 'since' column of the OTS rows in "
                          f"data/memberships.csv, or hover over the {year} bar of the membership chart.")


def solution_standing(year: int = 2022) -> str:
    truth = standing_in(year)
    joined = (load("memberships").query("organisation == 'OTS'").sort_values(["since", "iso3"])
              .apply(lambda r: f"{state_names().get(r['iso3'], r['iso3'])} {r['status']} {r['since']}", axis=1))
    return (f"Keep the OTS rows of data/memberships.csv whose 'since' is {year} or earlier. In {year}: members "
            f"{_names(truth['member'])}; observer states {_names(truth['observer'])}. All steps: "
            + "; ".join(joined) + ".")


def _standing_widget() -> widgets.VBox:
    names = state_names()
    options = [(names.get(code, code), code) for code in CANDIDATES]
    year = widgets.IntSlider(value=2022, min=2005, max=2030, description="Year:", style=STYLE, continuous_update=False)
    members = widgets.SelectMultiple(options=options, rows=len(options), description="Members:", style=STYLE,
                                     layout=widgets.Layout(width="25em"))
    observers = widgets.SelectMultiple(options=options, rows=len(options), description="Observers:", style=STYLE,
                                       layout=widgets.Layout(width="25em"))
    box = widgets.VBox([year, widgets.HBox([members, observers])])
    box.year, box.members, box.observers = year, members, observers
    return box


STANDING = Exercise(
    key="history-standing",
    widget=_standing_widget,
    check=check_standing,
    solution=solution_standing,
    right_answer=lambda: (2022, sorted(standing_in(2022)["member"]), sorted(standing_in(2022)["observer"])),
    wrong_answer=lambda: (2018, sorted(standing_in(2019)["member"]), sorted(standing_in(2018)["observer"])),
    read_answer=lambda box: (box.year.value, box.members.value, box.observers.value),
)


# --- 3. fact, claim or opinion? -----------------------------------------------------------------

KINDS = {
    "fact": "Established fact (a public source confirms it)",
    "claim": "Claim (not confirmed, disputed or corrected by public sources)",
    "opinion": "Opinion or judgement (cannot be checked as true or false)",
}
# Statements backed by a row of data/events.csv take their kind from that row's status;
# the two opinions have no row, because no record could settle them.
STATEMENTS = (
    ("s1", "The Nakhchivan Agreement founding the Turkic Council was signed in October 2009 (op-ed).", "nakhchivan_2009_oped"),
    ("s2", "The OTS is an equal union whose other members do not feel that Ankara is hegemonic (op-ed).", None),
    ("s3", "An OTS counterterrorism task force was created in 2018 (article).", "ots_ct_task_force_2018"),
    ("s4", "The observers of the OTS are Turkmenistan and Hungary (op-ed, 2024).", "trnc_observer_2022"),
    ("s5", "Military cooperation and regional integration are the OTS's top security priorities, both scoring 9 of 9 (article).", None),
    ("s6", "Uzbekistan became a full member of the Turkic Council in 2019.", "uzbekistan_joins_2019"),
)
OPINION_WHY = {
    "s2": "a judgement about how members feel; no register can confirm or refute it (see 'An equal union?').",
    "s5": "the scores are the article author's own judgement on a scale the author chose, not measurements.",
}


def statement_kinds() -> dict[str, str]:
    """The right kind of each statement: opinions as declared, the others from the event's status."""
    status = dict(zip(load("events")["event_id"], load("events")["status"].astype(str)))
    return {sid: "opinion" if row is None else ("fact" if status[row] == "confirmed" else "claim")
            for sid, _, row in STATEMENTS}


def _why(sid: str) -> str:
    row = dict((s, r) for s, _, r in STATEMENTS)[sid]
    if row is None:
        return OPINION_WHY[sid]
    event = load("events").set_index("event_id").loc[row]
    return f"row {row!r} of data/events.csv has status '{event['status']}' (best-known date {event['date']})."


def check_statement_kinds(answer) -> Feedback:
    """Answer: a dict statement id -> 'fact', 'claim' or 'opinion' (None for unanswered)."""
    if not isinstance(answer, dict):
        raise AnswerError("Choose a kind for each statement from its drop-down list.")
    unanswered = [sid for sid, _, _ in STATEMENTS if not answer.get(sid)]
    if len(unanswered) == len(STATEMENTS):
        raise AnswerError("Choose fact, claim or opinion for each of the six statements first.")
    if unanswered:
        raise AnswerError("Choose a kind for every statement; still open: statement "
                          + ", ".join(sid[1:] for sid in unanswered) + ".")
    invalid = sorted(sid for sid, _, _ in STATEMENTS if answer[sid] not in KINDS)
    if invalid:
        raise AnswerError("Use only the kinds 'fact', 'claim' or 'opinion' (statement "
                          + ", ".join(sid[1:] for sid in invalid) + ").")
    right = statement_kinds()
    wrong = [sid for sid, _, _ in STATEMENTS if answer[sid] != right[sid]]
    if not wrong:
        return Feedback.right("All six sorted. Facts are confirmed by a public source; claims are dated, checkable "
                              "statements that public sources do not (or no longer) support; opinions are judgements "
                              "no record can settle.")
    return Feedback.wrong(f"{len(STATEMENTS) - len(wrong)} of {len(STATEMENTS)} right. Look again at statement "
                          f"{wrong[0][1:]}: {_why(wrong[0])}")


def solution_statement_kinds() -> str:
    right = statement_kinds()
    return " ".join(f"{sid[1:]}: {right[sid]}, because {_why(sid)}" for sid, _, _ in STATEMENTS)


def _statement_widget() -> widgets.VBox:
    choices = [("— choose —", None)] + [(label, key) for key, label in KINDS.items()]
    dropdowns, rows = {}, []
    for number, (sid, text, _) in enumerate(STATEMENTS, start=1):
        dropdown = widgets.Dropdown(options=choices, value=None, description=f"Statement {number} is:", style=STYLE,
                                    layout=widgets.Layout(width="29em"))
        dropdowns[sid] = dropdown
        rows.append(widgets.VBox([widgets.HTML(f"<b>{number}.</b> {text}"), dropdown],
                                 layout=widgets.Layout(margin="0 0 0.4em 0")))
    box = widgets.VBox(rows)
    box.dropdowns = dropdowns
    return box


STATEMENT_KINDS = Exercise(
    key="history-statements",
    widget=_statement_widget,
    check=check_statement_kinds,
    solution=solution_statement_kinds,
    right_answer=statement_kinds,
    wrong_answer=lambda: {**statement_kinds(), "s2": "fact"},
    read_answer=lambda box: {sid: dropdown.value for sid, dropdown in box.dropdowns.items()},
)


# --- 4. how large is Türkiye? (the worked analysis) ------------------------------------------------

TOLERANCE = 2.0  # percentage points


def turkiye_shares(column: str) -> pd.Series:
    """Türkiye's share (%) of the five current members' total of ``column``, by year, in the years
    where all five have a value: the same steps as the chapter's worked analysis."""
    five = members_in_year(load("memberships"), LAST_YEAR)
    panel = load("world_bank").query("iso3 in @five").dropna(subset=[column])
    panel = panel[panel.groupby("year")["iso3"].transform("nunique").eq(len(five))]
    share = 100 * panel[column] / panel.groupby("year")[column].transform("sum")
    return pd.Series(share[panel["iso3"] == "TUR"].to_numpy(), index=panel.loc[panel["iso3"] == "TUR", "year"].to_numpy())


def latest_gdp_share() -> tuple[int, float]:
    shares = turkiye_shares("gdp_current_usd")
    return int(shares.index.max()), float(shares.loc[shares.index.max()])


def latest_population_share() -> tuple[int, float]:
    shares = turkiye_shares("population")
    return int(shares.index.max()), float(shares.loc[shares.index.max()])


def check_gdp_share(answer) -> Feedback:
    """Answer: Türkiye's share of the five members' GDP in the latest complete year, in per cent."""
    value = as_number(answer, low=0, high=100, what="a percentage")
    year, share = latest_gdp_share()
    if abs(value - share) <= TOLERANCE:
        return Feedback.right(f"In {year} Türkiye produced {share:.1f}% of the five members' combined GDP in current "
                              "US dollars: the last value of the 'GDP' column of `turkiye` in the worked analysis.")
    _, population = latest_population_share()
    if abs(value - population) <= TOLERANCE:
        return Feedback.wrong(f"That is close to Türkiye's share of the members' population in {year}. The question asks "
                              "about GDP: read the other column of `turkiye`.")
    return Feedback.wrong(f"Not quite. Run the worked analysis and read the {year} row of `turkiye`, or hover over "
                          f"Türkiye's area in the GDP panel of the shares figure at {year}.")


def solution_gdp_share() -> str:
    year, share = latest_gdp_share()
    first = turkiye_shares("gdp_current_usd")
    return (f"{share:.1f}% in {year}. Keep the five current members' rows of data/world_bank.csv, keep the years in "
            "which all five have a GDP figure, divide Türkiye's GDP by the five-state total and multiply by 100. "
            f"Türkiye's share was {first.iloc[0]:.1f}% in {int(first.index[0])}; it has stayed above half throughout.")


def _share_widget() -> widgets.Text:
    return widgets.Text(placeholder="e.g. 50", description="Share (%):", style=STYLE)


SHARES = Exercise(
    key="history-shares",
    widget=_share_widget,
    check=check_gdp_share,
    solution=solution_gdp_share,
    right_answer=lambda: round(latest_gdp_share()[1], 1),
    wrong_answer=lambda: 10,
)


__all__ = ["MILESTONES", "STANDING", "STATEMENT_KINDS", "milestones", "milestone_order", "standing_in",
           "statement_kinds", "STATEMENTS", "KINDS", "FIRST_YEAR", "LAST_YEAR", "SHARES", "turkiye_shares",
           "latest_gdp_share", "latest_population_share"]
