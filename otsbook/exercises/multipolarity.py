"""Exercises of the chapter "Multipolarity": the logic (pure functions) and the widgets.

Right answers about memberships come from ``data/memberships.csv`` through the overlap matrix
of :mod:`otsbook.charts.multipolarity`, never from this file. Each ``check_*`` takes what a
student gave and returns :class:`Feedback`; ``solution_*`` returns the worked answer;
``make_*_widget`` builds the ExerciseBox.

1. :func:`check_state_memberships` - tick the organisations a chosen state is a full member of.
2. :func:`check_csto_eaeu` - which OTS members belong to both the CSTO and the EAEU.
3. :func:`check_claim_sorting` - sort statements of the op-ed into opinion and checkable fact.
"""
from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ..charts.multipolarity import ORGANISATIONS, membership_matrix, ots_states
from ..data import table_or_load
from .core import Feedback, as_text_set, join_names
from .widgets import STYLE, ExerciseBox

FIGURE_OVERLAP = "the overlap-of-memberships figure of the Multipolarity chapter"
NONE_OF_THESE = "none of these"
CHOOSE = "— choose —"


# --------------------------------------------------------------------------- data access


def overlap(memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> pd.DataFrame:
    """The state × organisation matrix of status categories (OTS members, then observers)."""
    ms = table_or_load("memberships", memberships)
    try:
        st = table_or_load("states", states)
    except Exception:  # without the states table the default member/observer order is used
        st = None
    return membership_matrix(ms, st)


def _names(states: pd.DataFrame | None) -> dict[str, str]:
    try:
        table = table_or_load("states", states)
        return dict(zip(table["iso3"].astype(str), table["name"].astype(str)))
    except Exception:  # the names are a courtesy; codes will do
        return {}


def _name(code: str, names: dict[str, str]) -> str:
    return names.get(code, code)


def full_memberships(code: str, matrix: pd.DataFrame) -> set[str]:
    """The organisations in which a state is a full member today."""
    return {o for o in matrix.columns if matrix.loc[code, o] == "member"}


def _since_until(memberships: pd.DataFrame, code: str, org: str) -> str:
    """A short history of one tie from the data, e.g. 'former (1992-1999); former (2006-2012)'."""
    rows = memberships[(memberships["iso3"].astype(str) == code) & (memberships["organisation"].astype(str) == org)]
    parts = []
    for row in rows.itertuples():
        since = "" if pd.isna(row.since) else str(row.since)
        until = "" if pd.isna(row.until) else str(row.until)
        span = f"{since}–{until}" if until else (f"since {since}" if since else "year not recorded")
        parts.append(f"{row.status} ({span})")
    return "; ".join(parts) or "no tie recorded"


# --------------------------------------------------------------------------- 1. one state's memberships
def exercise1_states(matrix: pd.DataFrame, states: pd.DataFrame | None = None) -> list[str]:
    """States offered in exercise 1: OTS members and observers present in the matrix."""
    return [c for c in ots_states("member", states) + ots_states("observer", states) if c in matrix.index]


def check_state_memberships(
    state: str | None,
    selection,
    memberships: pd.DataFrame | None = None,
    states: pd.DataFrame | None = None,
) -> Feedback:
    """``state``: an ISO3 code; ``selection``: the organisations ticked (or 'none of these')."""
    ms = table_or_load("memberships", memberships)
    matrix = overlap(ms, states)
    names = _names(states)
    offered = exercise1_states(matrix, states)
    if state in (None, "", CHOOSE):
        return Feedback.unusable("Choose a state from the list first.")
    state = str(state).strip().upper()
    if state not in offered:
        return Feedback.unusable(f"'{state}' is not one of the states of this exercise; choose one of {join_names(offered)}.")
    ticked = as_text_set(selection)
    if not ticked:
        return Feedback.unusable(f"Tick at least one organisation, or '{NONE_OF_THESE}'.")
    allowed = set(ORGANISATIONS) | {NONE_OF_THESE}
    unknown = sorted(ticked - allowed)
    if unknown:
        return Feedback.unusable(f"Tick only organisations from the list ({', '.join(ORGANISATIONS)}); not {join_names(unknown)}.")
    if NONE_OF_THESE in ticked and len(ticked) > 1:
        return Feedback.unusable(f"'{NONE_OF_THESE}' cannot go together with an organisation; untick one of them.")
    truth = full_memberships(state, matrix)
    chosen = set() if NONE_OF_THESE in ticked else ticked
    who = _name(state, names)
    if chosen == truth:
        if truth:
            return Feedback.right(
                f"{who} is a full member of {join_names(truth)}. Each of these ties is a row of the memberships table; "
                "compare how many of them sit with Russia and how many with the West."
            )
        return Feedback.right(
            f"{who} is a full member of none of them; its ties are looser. See its row in {FIGURE_OVERLAP}."
        )
    hints = []
    for org in sorted(chosen - truth):
        status = matrix.loc[state, org]
        if status == "none":
            hints.append(f"{who} has no tie to the {org} in the data.")
        else:
            hints.append(f"{who}'s tie to the {org} is '{status}', not full membership (data: {_since_until(ms, state, org)}).")
    missing = truth - chosen
    if missing:
        hints.append(
            f"You left out {len(missing)} organisation{'s' if len(missing) > 1 else ''} in which {who} is a full member: "
            f"look along its row in {FIGURE_OVERLAP} for the cells marked M."
        )
    return Feedback.wrong(" ".join(hints))


def solution_state_memberships(memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> str:
    matrix = overlap(memberships, states)
    names = _names(states)
    parts = [f"{_name(c, names)}: {join_names(full_memberships(c, matrix))}" for c in exercise1_states(matrix, states)]
    return "Full memberships today (from data/memberships.csv): " + "; ".join(parts) + "."


def make_state_memberships_widget(memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> ExerciseBox:
    matrix = overlap(memberships, states)
    names = _names(states)
    state = widgets.Dropdown(
        options=[(CHOOSE, None)] + [(f"{_name(c, names)} ({c})", c) for c in exercise1_states(matrix, states)],
        value=None, description="State:", style=STYLE,
    )
    orgs = widgets.SelectMultiple(
        options=ORGANISATIONS + [NONE_OF_THESE], value=(), rows=len(ORGANISATIONS) + 1,
        description="Full member of:", style=STYLE,
    )
    box = widgets.VBox([state, orgs])
    box.state, box.orgs = state, orgs
    return ExerciseBox(
        "<b>Objective 2: read overlapping memberships.</b> Choose a state, then tick every organisation of which it is a "
        "<i>full member</i> today (hold Ctrl or ⌘ to tick several). Observers, associates, candidates and dialogue partners "
        "do not count.",
        box,
        check=lambda answer: check_state_memberships(answer[0], answer[1], memberships, states),
        solution=lambda: solution_state_memberships(memberships, states),
        read_answer=lambda w: (w.state.value, w.orgs.value),
    )


# --------------------------------------------------------------------------- 2. CSTO and EAEU
def members_of_both(matrix: pd.DataFrame, first: str = "CSTO", second: str = "EAEU", states: pd.DataFrame | None = None) -> set[str]:
    """OTS members that are full members of both organisations."""
    return {c for c in ots_states("member", states) if c in matrix.index and matrix.loc[c, first] == "member" and matrix.loc[c, second] == "member"}


def check_csto_eaeu(selection, memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> Feedback:
    """``selection``: ISO3 codes of the OTS members the student thinks are in both the CSTO and the EAEU."""
    ms = table_or_load("memberships", memberships)
    matrix = overlap(ms, states)
    names = _names(states)
    members = [c for c in ots_states("member", states) if c in matrix.index]
    chosen = {s.upper() for s in as_text_set(selection)}
    if not chosen:
        return Feedback.unusable("Tick at least one OTS member.")
    outside = sorted(chosen - set(members))
    if outside:
        return Feedback.unusable(
            f"Only the five full members of the OTS count here ({join_names(members)}); {join_names(outside)} is not one of them."
        )
    truth = members_of_both(matrix, states=states)
    if chosen == truth:
        return Feedback.right(
            f"{join_names(_name(c, names) for c in truth)}: the only OTS members in both Russian-led bodies. "
            "Kuzio states this too, and the memberships table confirms it from public sources; so here the op-ed's "
            "claim is also a checked fact."
        )
    hints = []
    for code in sorted(chosen - truth):
        hints.append(
            f"{_name(code, names)}: CSTO {_since_until(ms, code, 'CSTO')}; EAEU {_since_until(ms, code, 'EAEU')}."
        )
    if truth - chosen:
        hints.append(f"You missed {len(truth - chosen)} state(s): read the CSTO and EAEU columns of {FIGURE_OVERLAP} side by side.")
    return Feedback.wrong("Not every state you ticked is a full member of both. " + " ".join(hints))


def solution_csto_eaeu(memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> str:
    ms = table_or_load("memberships", memberships)
    matrix = overlap(ms, states)
    names = _names(states)
    truth = members_of_both(matrix, states=states)
    others = [c for c in ots_states("member", states) if c in matrix.index and c not in truth]
    detail = "; ".join(f"{_name(c, names)} – CSTO {_since_until(ms, c, 'CSTO')}, EAEU {_since_until(ms, c, 'EAEU')}" for c in others)
    return f"{join_names(_name(c, names) for c in truth)}. The others: {detail}."


def make_csto_eaeu_widget(memberships: pd.DataFrame | None = None, states: pd.DataFrame | None = None) -> ExerciseBox:
    matrix = overlap(memberships, states)
    names = _names(states)
    options = [(f"{_name(c, names)} ({c})", c) for c in ots_states("member", states) if c in matrix.index]
    pick = widgets.SelectMultiple(options=options, value=(), rows=len(options), description="In both:", style=STYLE)
    return ExerciseBox(
        "<b>Objective 2: read overlapping memberships.</b> Which OTS members are full members of <i>both</i> the "
        "Russian-led CSTO and the Eurasian Economic Union (EAEU) today? Tick all that apply.",
        pick,
        check=lambda answer: check_csto_eaeu(answer, memberships, states),
        solution=lambda: solution_csto_eaeu(memberships, states),
    )


# --------------------------------------------------------------------------- 3. opinion or checkable fact
OPINION = "opinion or judgement"
FACT = "checkable fact"
KINDS = [OPINION, FACT]

# Statements of the op-ed (paraphrased), what kind each is, and the hint for a wrong answer.
# A checkable fact carries the data row that checks it: (table, iso3, organisation) or None.
STATEMENTS = [
    {
        "text": "Only Kazakhstan and Kyrgyzstan, of the OTS members, are in both the CSTO and the EAEU.",
        "kind": FACT,
        "check": ("memberships", "KAZ", "CSTO"),
        "hint": "A membership list can prove or disprove it: see the CSTO and EAEU columns of the overlap figure.",
    },
    {
        "text": "The OTS is a union of equals, unlike organisations dominated by global powers.",
        "kind": OPINION,
        "check": None,
        "hint": "'Equal' is a judgement: the charter may give each member one vote, yet Türkiye holds over half the members' "
        "population and hosts the secretariat. Which record could settle it?",
    },
    {
        "text": "Türkiye is a member of NATO.",
        "kind": FACT,
        "check": ("memberships", "TUR", "NATO"),
        "hint": "NATO publishes its member list and accession dates: the memberships table has the row.",
    },
    {
        "text": "The other members do not feel that Ankara is hegemonic.",
        "kind": OPINION,
        "check": None,
        "hint": "The op-ed gives no survey or statement for this; it reports how others supposedly feel.",
    },
    {
        "text": "Turkmenistan and Hungary are the OTS's observers.",
        "kind": FACT,
        "check": ("memberships", "XNC", "OTS"),
        "hint": "A list of observers can be checked, and checking it shows the op-ed's list is out of date "
        "(the data marks the Turkish Republic of Northern Cyprus as an observer since 2022).",
    },
    {
        "text": "OTS members favour a multipolar world but are not anti-Western.",
        "kind": OPINION,
        "check": None,
        "hint": "This reads intentions and attitudes. Memberships can support or weaken it, but cannot prove it.",
    },
    {
        "text": "The Russian World looks to the past rather than to the future.",
        "kind": OPINION,
        "check": None,
        "hint": "An interpretation of a political idea; no record could show it to be false.",
    },
]


def statement_labels() -> list[str]:
    return [f"{i}. {s['text']}" for i, s in enumerate(STATEMENTS, start=1)]


def _verification(memberships: pd.DataFrame, check) -> str:
    if not check:
        return ""
    _, code, org = check
    rows = memberships[(memberships["iso3"].astype(str) == code) & (memberships["organisation"].astype(str) == org)]
    if rows.empty:
        return "not in the data"
    return str(rows.iloc[0]["verification"])


def check_claim_sorting(answer, memberships: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a list (one kind per statement, in order) or a dict {statement number: kind}."""
    n = len(STATEMENTS)
    if isinstance(answer, dict):
        answer = [answer.get(i) for i in range(1, n + 1)]
    if not isinstance(answer, (list, tuple)) or len(answer) != n:
        return Feedback.unusable(f"Sort all {n} statements: choose a kind for each.")
    given = [(a or "").strip() if isinstance(a, str) else "" for a in answer]
    open_ = [str(i) for i, a in enumerate(given, start=1) if not a or a == CHOOSE]
    if len(open_) == n:
        return Feedback.unusable(f"Choose '{OPINION}' or '{FACT}' for each statement first.")
    if open_:
        return Feedback.unusable(f"Choose a kind for every statement; still open: number {join_names(open_)}.")
    odd = [str(i) for i, a in enumerate(given, start=1) if a not in KINDS]
    if odd:
        return Feedback.unusable(f"The kinds are '{OPINION}' and '{FACT}'; check number {join_names(odd)}.")
    wrong = [i for i, (a, s) in enumerate(zip(given, STATEMENTS), start=1) if a != s["kind"]]
    if not wrong:
        ms = table_or_load("memberships", memberships)
        checked = [f"no. {i}: {_verification(ms, s['check'])}" for i, s in enumerate(STATEMENTS, start=1) if s["check"]]
        return Feedback.right(
            "All sorted. A fact is checkable, not automatically true: the data's verification status for the facts is "
            + "; ".join(checked) + ". The opinions can be argued with evidence, but no single record settles them."
        )
    hints = " ".join(f"No. {i}: {STATEMENTS[i - 1]['hint']}" for i in wrong)
    return Feedback.wrong(f"{len(wrong)} of {n} sorted differently from the key. Ask of each: which record could prove it false? {hints}")


def solution_claim_sorting(memberships: pd.DataFrame | None = None) -> str:
    ms = table_or_load("memberships", memberships)
    parts = []
    for i, s in enumerate(STATEMENTS, start=1):
        extra = f" (data: {_verification(ms, s['check'])})" if s["check"] else ""
        parts.append(f"{i}. {s['kind']}{extra}")
    return "; ".join(parts) + ". Facts can be checked against a record; opinions interpret, predict or judge."


def make_claim_sorting_widget(memberships: pd.DataFrame | None = None) -> ExerciseBox:
    pickers = [
        widgets.Dropdown(options=[CHOOSE] + KINDS, value=CHOOSE, description=label, style=STYLE, layout=widgets.Layout(width="100%"))
        for label in statement_labels()
    ]
    box = widgets.VBox(pickers)
    box.pickers = pickers
    return ExerciseBox(
        "<b>Objective 4: tell a source's claim from an established fact.</b> For each statement from Kuzio's op-ed "
        "(paraphrased), choose whether it is an <i>opinion or judgement</i> or a <i>checkable fact</i> "
        "(one a public record could confirm or refute).",
        box,
        check=lambda answer: check_claim_sorting(answer, memberships),
        solution=lambda: solution_claim_sorting(memberships),
        read_answer=lambda w: [p.value for p in w.pickers],
    )
