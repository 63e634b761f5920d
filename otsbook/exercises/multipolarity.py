"""Exercises of the chapter "Multipolarity", one :class:`Exercise` declaration each.

The questions and objectives are written in ``chapters/multipolarity_exercises.md``; this module
holds what a page cannot: the answer widget, the check, and a worked solution computed from the
data (``memberships``, ``states``, ``un_resolutions``, ``un_votes``), reached through
:func:`otsbook.load` only.

1. ``STATE_MEMBERSHIPS`` - tick the organisations a chosen state is a full member of.
2. ``CSTO_EAEU`` - which OTS members belong to both the CSTO and the EAEU.
3. ``CLAIM_SORTING`` - sort statements of the op-ed into opinion and checkable fact.
4. ``UN_VOTES`` - which OTS members and observers voted yes on the General Assembly's first
   resolution on Russia's war (the chapter's worked analysis).
"""
from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

import otsbook
from otsbook.domain import state_name

from .core import AnswerError, Exercise, Feedback, as_text_set, join_names

ORGANISATIONS = ["OTS", "CIS", "CSTO", "EAEU", "SCO", "NATO", "EU"]
FIGURE_OVERLAP = "the overlap-of-memberships figure of the Multipolarity chapter"
NONE_OF_THESE = "none of these"
CHOOSE = "— choose —"
STYLE = {"description_width": "initial"}


# --------------------------------------------------------------------------- data
def ots_states(status: str) -> list[str]:
    """ISO3 codes of the OTS members (``status="member"``) or observers, from the states table."""
    states = otsbook.load("states")
    return sorted(states.loc[states["ots_status"] == status, "iso3"])


def current_ties() -> pd.DataFrame:
    """The open ties of the memberships table, one row per state and organisation.

    When a state has two open rows for one body, the later one counts: Armenia's CSTO
    suspension of 2024 outranks its membership of 1992 (the chapter's grid does the same).
    """
    memberships = otsbook.load("memberships")
    open_ties = memberships[memberships["until"].isna()]
    return open_ties.sort_values("since", ascending=False).drop_duplicates(["iso3", "organisation"])


def full_memberships(iso3: str) -> set[str]:
    """The organisations (of ``ORGANISATIONS``) in which a state is a full member today."""
    ties = current_ties()
    mine = ties[(ties["iso3"] == iso3) & (ties["status"] == "member")]
    return set(mine["organisation"]) & set(ORGANISATIONS)


def tie_history(iso3: str, organisation: str) -> str:
    """A short history of one tie from the data, e.g. 'former (1992–1999); former (2006–2012)'."""
    memberships = otsbook.load("memberships")
    rows = memberships[(memberships["iso3"] == iso3) & (memberships["organisation"] == organisation)]
    parts = []
    for row in rows.itertuples():
        since = "" if pd.isna(row.since) else str(row.since)
        until = "" if pd.isna(row.until) else str(row.until)
        span = f"{since}–{until}" if until else (f"since {since}" if since else "year not recorded")
        parts.append(f"{row.status} ({span})")
    return "; ".join(parts) or "no tie recorded"


def _names(codes) -> str:
    return join_names(state_name(c) for c in sorted(codes))


def _ticked(answer) -> set[str]:
    """The items ticked in a multiple-select widget (a tuple), or typed as comma-separated text."""
    if answer is None or isinstance(answer, (str, list, tuple, set, frozenset)):
        return as_text_set(answer)
    raise AnswerError("Tick the items from the list.")


# --------------------------------------------------------------------------- 1. one state's memberships
def check_state_memberships(answer) -> Feedback:
    """``answer``: (ISO3 code, organisations ticked or 'none of these')."""
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise AnswerError("Choose a state, then tick the organisations it is a full member of.")
    state, selection = answer
    offered = ots_states("member") + ots_states("observer")
    if state in (None, "", CHOOSE):
        return Feedback.unusable("Choose a state from the list first.")
    state = str(state).strip().upper()
    if state not in offered:
        return Feedback.unusable(f"'{state}' is not one of the states of this exercise; choose one of {join_names(offered)}.")
    ticked = _ticked(selection)
    if not ticked:
        return Feedback.unusable(f"Tick at least one organisation, or '{NONE_OF_THESE}'.")
    unknown = sorted(ticked - set(ORGANISATIONS) - {NONE_OF_THESE})
    if unknown:
        return Feedback.unusable(f"Tick only organisations from the list ({', '.join(ORGANISATIONS)}); not {join_names(unknown)}.")
    if NONE_OF_THESE in ticked and len(ticked) > 1:
        return Feedback.unusable(f"'{NONE_OF_THESE}' cannot go together with an organisation; untick one of them.")
    truth = full_memberships(state)
    chosen = set() if NONE_OF_THESE in ticked else ticked
    who = state_name(state)
    if chosen == truth:
        if truth:
            return Feedback.right(
                f"{who} is a full member of {join_names(sorted(truth))}. Each of these ties is a row of the memberships "
                "table; compare how many of them sit with Russia and how many with the West."
            )
        return Feedback.right(f"{who} is a full member of none of them; its ties are looser. See its row in {FIGURE_OVERLAP}.")
    ties = current_ties().set_index(["iso3", "organisation"])["status"]
    hints = []
    for org in sorted(chosen - truth):
        status = ties.get((state, org))
        if status is None:
            hints.append(f"{who} has no open tie to the {org} in the data ({tie_history(state, org)}).")
        else:
            hints.append(f"{who}'s tie to the {org} is '{status}', not full membership (data: {tie_history(state, org)}).")
    missing = truth - chosen
    if missing:
        hints.append(
            f"You left out {len(missing)} organisation{'s' if len(missing) > 1 else ''} in which {who} is a full member: "
            f"look along its row in {FIGURE_OVERLAP} for the cells marked M."
        )
    return Feedback.wrong(" ".join(hints))


def solution_state_memberships() -> str:
    parts = [
        f"{state_name(c)}: {join_names(sorted(full_memberships(c))) or 'none'}"
        for c in ots_states("member") + ots_states("observer")
    ]
    return "Full memberships today (from data/memberships.csv): " + "; ".join(parts) + "."


def state_memberships_widget() -> widgets.VBox:
    state = widgets.Dropdown(
        options=[(CHOOSE, None)] + [(f"{state_name(c)} ({c})", c) for c in ots_states("member") + ots_states("observer")],
        value=None, description="State:", style=STYLE,
    )
    orgs = widgets.SelectMultiple(
        options=ORGANISATIONS + [NONE_OF_THESE], value=(), rows=len(ORGANISATIONS) + 1,
        description="Full member of:", style=STYLE,
    )
    box = widgets.VBox([state, orgs])
    box.state, box.orgs = state, orgs
    return box


STATE_MEMBERSHIPS = Exercise(
    key="multipolarity-state-memberships",
    widget=state_memberships_widget,
    check=check_state_memberships,
    solution=solution_state_memberships,
    right_answer=lambda: ("KAZ", tuple(sorted(full_memberships("KAZ")))),
    wrong_answer=lambda: ("UZB", ("OTS", "CIS", "SCO", "EAEU")),
    read_answer=lambda box: (box.state.value, box.orgs.value),
)


# --------------------------------------------------------------------------- 2. CSTO and EAEU
def members_of_both(first: str = "CSTO", second: str = "EAEU") -> set[str]:
    """OTS members that are full members of both organisations."""
    return {c for c in ots_states("member") if {first, second} <= full_memberships(c)}


def check_csto_eaeu(selection) -> Feedback:
    """``selection``: ISO3 codes of the OTS members thought to be in both the CSTO and the EAEU."""
    members = ots_states("member")
    chosen = {s.upper() for s in _ticked(selection)}
    if not chosen:
        return Feedback.unusable("Tick at least one OTS member.")
    outside = sorted(chosen - set(members))
    if outside:
        return Feedback.unusable(
            f"Only the five full members of the OTS count here ({join_names(members)}); {join_names(outside)} is not one of them."
        )
    truth = members_of_both()
    if chosen == truth:
        return Feedback.right(
            f"{_names(truth)}: the only OTS members in both Russian-led bodies. Kuzio states this too, and the "
            "memberships table confirms it from public sources; so here the op-ed's claim is also a checked fact."
        )
    hints = [f"{state_name(c)}: CSTO {tie_history(c, 'CSTO')}; EAEU {tie_history(c, 'EAEU')}." for c in sorted(chosen - truth)]
    if truth - chosen:
        hints.append(f"You missed {len(truth - chosen)} state(s): read the CSTO and EAEU columns of {FIGURE_OVERLAP} side by side.")
    return Feedback.wrong("Not every state you ticked is a full member of both. " + " ".join(hints))


def solution_csto_eaeu() -> str:
    truth = members_of_both()
    others = [c for c in ots_states("member") if c not in truth]
    detail = "; ".join(f"{state_name(c)} – CSTO {tie_history(c, 'CSTO')}, EAEU {tie_history(c, 'EAEU')}" for c in others)
    return f"{_names(truth)}. The others: {detail}."


def csto_eaeu_widget() -> widgets.SelectMultiple:
    options = [(f"{state_name(c)} ({c})", c) for c in ots_states("member")]
    return widgets.SelectMultiple(options=options, value=(), rows=len(options), description="In both:", style=STYLE)


CSTO_EAEU = Exercise(
    key="multipolarity-csto-eaeu",
    widget=csto_eaeu_widget,
    check=check_csto_eaeu,
    solution=solution_csto_eaeu,
    right_answer=lambda: tuple(sorted(members_of_both())),
    wrong_answer=lambda: tuple(sorted(members_of_both() | {"UZB"})),
)


# --------------------------------------------------------------------------- 3. opinion or checkable fact
OPINION = "opinion or judgement"
FACT = "checkable fact"
KINDS = [OPINION, FACT]

# Statements of the op-ed (paraphrased), what kind each is, and the hint for a wrong answer.
# A checkable fact names the data row that checks it: (iso3, organisation).
STATEMENTS = [
    {"text": "Only Kazakhstan and Kyrgyzstan, of the OTS members, are in both the CSTO and the EAEU.", "kind": FACT,
     "check": ("KAZ", "CSTO"),
     "hint": "A membership list can prove or disprove it: see the CSTO and EAEU columns of the overlap figure."},
    {"text": "The OTS is a union of equals, unlike organisations dominated by global powers.", "kind": OPINION, "check": None,
     "hint": "'Equal' is a judgement: the charter may give each member one vote, yet Türkiye holds over half the members' "
             "population and hosts the secretariat. Which record could settle it?"},
    {"text": "Türkiye is a member of NATO.", "kind": FACT, "check": ("TUR", "NATO"),
     "hint": "NATO publishes its member list and accession dates: the memberships table has the row."},
    {"text": "The other members do not feel that Ankara is hegemonic.", "kind": OPINION, "check": None,
     "hint": "The op-ed gives no survey or statement for this; it reports how others supposedly feel."},
    {"text": "Turkmenistan and Hungary are the OTS's observers.", "kind": FACT, "check": ("XNC", "OTS"),
     "hint": "A list of observers can be checked, and checking it shows the op-ed's list is out of date "
             "(the data marks the Turkish Republic of Northern Cyprus as an observer since 2022)."},
    {"text": "OTS members favour a multipolar world but are not anti-Western.", "kind": OPINION, "check": None,
     "hint": "This reads intentions and attitudes. Memberships and votes can support or weaken it, but cannot prove it."},
    {"text": "The Russian World looks to the past rather than to the future.", "kind": OPINION, "check": None,
     "hint": "An interpretation of a political idea; no record could show it to be false."},
]


def statement_labels() -> list[str]:
    return [f"{i}. {s['text']}" for i, s in enumerate(STATEMENTS, start=1)]


def _verification(check) -> str:
    memberships = otsbook.load("memberships")
    code, org = check
    rows = memberships[(memberships["iso3"] == code) & (memberships["organisation"] == org)]
    return "not in the data" if rows.empty else str(rows.iloc[0]["verification"])


def check_claim_sorting(answer) -> Feedback:
    """``answer``: a list (one kind per statement, in order) or a dict {statement number: kind}."""
    n = len(STATEMENTS)
    if isinstance(answer, dict):
        answer = [answer.get(i) for i in range(1, n + 1)]
    if not isinstance(answer, (list, tuple)) or len(answer) != n:
        return Feedback.unusable(f"Sort all {n} statements: choose a kind for each.")
    given = [a.strip() if isinstance(a, str) else "" for a in answer]
    still_open = [str(i) for i, a in enumerate(given, start=1) if not a or a == CHOOSE]
    if len(still_open) == n:
        return Feedback.unusable(f"Choose '{OPINION}' or '{FACT}' for each statement first.")
    if still_open:
        return Feedback.unusable(f"Choose a kind for every statement; still open: number {join_names(still_open)}.")
    odd = [str(i) for i, a in enumerate(given, start=1) if a not in KINDS]
    if odd:
        return Feedback.unusable(f"The kinds are '{OPINION}' and '{FACT}'; check number {join_names(odd)}.")
    wrong = [i for i, (a, s) in enumerate(zip(given, STATEMENTS), start=1) if a != s["kind"]]
    if not wrong:
        checked = [f"no. {i}: {_verification(s['check'])}" for i, s in enumerate(STATEMENTS, start=1) if s["check"]]
        return Feedback.right(
            "All sorted. A fact is checkable, not automatically true: the data's verification status for the facts is "
            + "; ".join(checked) + ". The opinions can be argued with evidence, but no single record settles them."
        )
    hints = " ".join(f"No. {i}: {STATEMENTS[i - 1]['hint']}" for i in wrong)
    return Feedback.wrong(f"{len(wrong)} of {n} sorted differently from the key. Ask of each: which record could prove it false? {hints}")


def solution_claim_sorting() -> str:
    parts = [
        f"{i}. {s['kind']}" + (f" (data: {_verification(s['check'])})" if s["check"] else "")
        for i, s in enumerate(STATEMENTS, start=1)
    ]
    return "; ".join(parts) + ". Facts can be checked against a record; opinions interpret, predict or judge."


def claim_sorting_widget() -> widgets.VBox:
    pickers = [
        widgets.Dropdown(options=[CHOOSE] + KINDS, value=CHOOSE, description=label, style=STYLE, layout=widgets.Layout(width="100%"))
        for label in statement_labels()
    ]
    box = widgets.VBox(pickers)
    box.pickers = pickers
    return box


CLAIM_SORTING = Exercise(
    key="multipolarity-claim-sorting",
    widget=claim_sorting_widget,
    check=check_claim_sorting,
    solution=solution_claim_sorting,
    right_answer=lambda: [s["kind"] for s in STATEMENTS],
    wrong_answer=lambda: [FACT if s["kind"] == OPINION else OPINION for s in STATEMENTS],
    read_answer=lambda box: [p.value for p in box.pickers],
)


# --------------------------------------------------------------------------- 4. UN votes (worked analysis)
ASKED_VOTE = "abstain"  # the exercise asks which states abstained on the first resolution


def first_resolution() -> pd.Series:
    """The earliest General Assembly resolution of the ``un_resolutions`` table."""
    return otsbook.load("un_resolutions").sort_values("date").iloc[0]


def ots_votes_on(resolution: str) -> pd.DataFrame:
    """The votes of the OTS members and observers (UN members only) on one resolution.

    Columns ``vote`` ('unknown' where the data could not confirm it) and ``status``; index iso3.
    """
    votes = otsbook.load("un_votes")
    ots = set(ots_states("member")) | set(ots_states("observer"))
    mine = votes[(votes["resolution"] == resolution) & votes["iso3"].isin(ots)]
    table = mine.set_index("iso3")[["vote", "status"]].sort_index()
    return table.assign(vote=table["vote"].astype("string").fillna("unknown"), status=table["status"].astype(str))


def _described(iso3: str, row) -> str:
    caveat = " (from a secondary compilation only)" if row["status"] == "claim" and row["vote"] != "unknown" else ""
    return f"{state_name(iso3)}: {row['vote']}{caveat}"


def check_un_votes(selection) -> Feedback:
    """``selection``: ISO3 codes of the OTS states thought to have abstained on the first resolution."""
    resolution = first_resolution()["resolution"]
    cast = ots_votes_on(resolution)
    chosen = {s.upper() for s in _ticked(selection)}
    if not chosen:
        return Feedback.unusable("Tick at least one state.")
    outside = sorted(chosen - set(cast.index))
    if outside:
        return Feedback.unusable(
            f"Tick only OTS members and observers with a seat at the UN ({join_names(cast.index)}); not {join_names(outside)}."
        )
    truth = set(cast.index[cast["vote"] == ASKED_VOTE])
    if chosen == truth:
        return Feedback.right(
            f"{_names(truth)} abstained on {resolution}"
            + (": exactly the OTS members that belong to both the CSTO and the EAEU" if truth == members_of_both() else "")
            + ". The others: "
            + "; ".join(_described(c, row) for c, row in cast.iterrows() if c not in truth)
            + ". An abstention is not a vote for Russia; ask what else it could mean."
        )
    hints = [f"{_described(c, cast.loc[c])}, not an abstention." for c in sorted(chosen - truth)]
    if truth - chosen:
        hints.append(f"You missed {len(truth - chosen)} state(s) that abstained: read the first column of the UN votes figure.")
    return Feedback.wrong(" ".join(hints))


def solution_un_votes() -> str:
    first = first_resolution()
    cast = ots_votes_on(first["resolution"])
    votes = "; ".join(_described(c, row) for c, row in cast.iterrows())
    abstained = cast.index[cast["vote"] == ASKED_VOTE]
    in_both = [c for c in abstained if {"CSTO", "EAEU"} <= full_memberships(c)]
    return (
        f"{first['resolution']} ({first['short_title']}, adopted with {first['yes']} votes in favour, {first['no']} "
        f"against and {first['abstain']} abstentions). Abstained: {_names(abstained)}, of which "
        f"{len(in_both)} belong to both the CSTO and the EAEU. All votes of OTS states: {votes}."
    )


def un_votes_widget() -> widgets.SelectMultiple:
    cast = ots_votes_on(first_resolution()["resolution"])
    options = [(f"{state_name(c)} ({c})", c) for c in cast.index]
    return widgets.SelectMultiple(options=options, value=(), rows=len(options), description="Abstained:", style=STYLE)


def _abstained_on_first() -> set[str]:
    cast = ots_votes_on(first_resolution()["resolution"])
    return set(cast.index[cast["vote"] == ASKED_VOTE])


UN_VOTES = Exercise(
    key="multipolarity-un-votes",
    widget=un_votes_widget,
    check=check_un_votes,
    solution=solution_un_votes,
    right_answer=lambda: tuple(sorted(_abstained_on_first())),
    wrong_answer=lambda: tuple(sorted(set(ots_votes_on(first_resolution()["resolution"]).index) - _abstained_on_first())),
)
