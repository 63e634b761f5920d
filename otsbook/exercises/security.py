"""Exercises of the chapter on security, one :class:`Exercise` declaration each.

The questions and objectives are written in ``chapters/security_exercises.md``; here are the
answer widgets, the checks, the worked solutions and a right and a wrong answer for the tests.
Every fact in a solution or a feedback text comes from the data (``security_priorities``,
``security_dynamics``, ``events``, ``world_bank``, ``states``), read with ``otsbook.load``.

1. ``RESCORING``: re-score the priorities with one explicit coding rule.
2. ``MATCHING``: pair each external pressure with the response the article gives it.
3. ``CONFIRMED_CLAIMS``: which of the article's dated claims public sources confirm.
4. ``GDP_GAP``: how far apart the members' GDP per head is (the worked analysis).
"""
from __future__ import annotations

import math
import random

import ipywidgets as widgets
import pandas as pd

from ..data import load
from .core import Exercise, Feedback, as_number, as_text_set, join_names

ARTICLE = "security_article"
CHOOSE = "— choose —"
PENALTY = 2  # points the coding rule takes off a priority whose evidence was not found


def _table(name: str, given: pd.DataFrame | None) -> pd.DataFrame:
    return load(name) if given is None else given


# --------------------------------------------------------------------------- 1. re-scoring
def author_scores(priorities: pd.DataFrame | None = None) -> dict[str, int]:
    """The article's scores, keyed by priority, in the article's order."""
    table = _table("security_priorities", priorities)
    return {str(p): int(s) for p, s in zip(table["priority"], table["score"])}


def unfound_bodies(dynamics: pd.DataFrame | None = None, events: pd.DataFrame | None = None) -> dict[str, str]:
    """Priority -> the OTS body its row of Table 1 cites that public sources did not confirm.

    A body counts when the article's example names an "OTS ..." body and the events table holds
    the article's claim about it with any status other than ``confirmed``.
    """
    dynamics = _table("security_dynamics", dynamics)
    events = _table("events", events)
    claims = events[events["source_id"].astype(str) == ARTICLE]
    found = {}
    for priority, examples in zip(dynamics["related_priority"], dynamics["response_examples"]):
        if pd.isna(examples):
            continue
        for example in str(examples).split(";"):
            body = example.strip()
            if not body.startswith("OTS "):
                continue
            rows = claims[claims["title"].str.lower().str.contains(body.lower(), regex=False)]
            if len(rows) and (rows["status"].astype(str) != "confirmed").all():
                found[str(priority)] = body
    return found


def rule_scores(priorities=None, dynamics=None, events=None) -> dict[str, int]:
    """The author's scores with the coding rule applied: minus ``PENALTY`` where the evidence is missing."""
    scores = author_scores(priorities)
    for priority in unfound_bodies(dynamics, events):
        scores[priority] = max(1, scores[priority] - PENALTY)
    return scores


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


def check_rescoring(answer, priorities=None, dynamics=None, events=None) -> Feedback:
    """``answer`` maps each priority to the student's score (1-9)."""
    author = author_scores(priorities)
    if not isinstance(answer, dict) or not answer:
        return Feedback.unusable(f"Give each of the {len(author)} priorities a score from 1 to 9.")
    missing = [p for p in author if answer.get(p) in (None, "")]
    if missing:
        return Feedback.unusable(f"Score every priority; missing: {join_names(missing)}.")
    mine = {p: as_number(answer[p], low=1, high=9, what=f"a whole-number score for {p}") for p in author}
    fractional = [p for p, v in mine.items() if v != int(v)]
    if fractional:
        return Feedback.unusable(f"Scores are whole numbers from 1 to 9; check {join_names(fractional)}.")
    target = rule_scores(priorities, dynamics, events)
    names = list(author)
    rho = spearman([mine[p] for p in names], [author[p] for p in names])
    agreement = "" if math.isnan(rho) else f" Your ranking's correlation with the author's is {rho:.2f}."
    off = [p for p in names if mine[p] != target[p]]
    if not off:
        lowered = join_names(unfound_bodies(dynamics, events))
        return Feedback.right(
            f"Your scores follow the rule: {lowered} lose {PENALTY} points, the rest keep the author's score.{agreement} "
            "A written rule makes a score reproducible: anyone applying it to the same evidence gets your numbers."
        )
    return Feedback.wrong(
        f"{len(names) - len(off)} of {len(names)} scores follow the rule; look again at {join_names(off)}. "
        "Which rows of the article's table of pressures and responses cite an OTS body that the timeline of "
        f"milestones does not mark as confirmed? Only those lose {PENALTY} points.{agreement}"
    )


def solution_rescoring(priorities=None, dynamics=None, events=None) -> str:
    bodies = unfound_bodies(dynamics, events)
    author = author_scores(priorities)
    target = rule_scores(priorities, dynamics, events)
    changes = "; ".join(f"{p}: {author[p]} → {target[p]} ({body} not found)" for p, body in bodies.items())
    rho = spearman(list(target.values()), list(author.values()))
    return (
        f"Apply the rule row by row. {changes}. Every other priority keeps the author's score: "
        + "; ".join(f"{p} {s}" for p, s in target.items() if p not in bodies)
        + f". The rank correlation of the re-scored list with the author's is {rho:.2f}: the rule moves the two "
        "priorities down without changing the top of the ranking."
    )


def _rescoring_widget() -> widgets.VBox:
    sliders = {
        p: widgets.IntSlider(value=s, min=1, max=9, step=1, description=str(p).capitalize(),
                             style={"description_width": "11em"}, layout=widgets.Layout(width="32em"))
        for p, s in author_scores().items()
    }
    box = widgets.VBox(list(sliders.values()))
    box.sliders = sliders
    return box


RESCORING = Exercise(
    key="security-rescoring",
    widget=_rescoring_widget,
    check=check_rescoring,
    solution=solution_rescoring,
    right_answer=rule_scores,
    wrong_answer=author_scores,
    read_answer=lambda w: {p: s.value for p, s in w.sliders.items()},
)


# --------------------------------------------------------------------------- 2. matching
def pairings(dynamics: pd.DataFrame | None = None) -> dict[str, str]:
    """External factor -> internal response, as in the article's Table 1."""
    table = _table("security_dynamics", dynamics)
    return {str(f): str(r) for f, r in zip(table["external_factor"], table["internal_response"])}


def check_matching(answer, dynamics: pd.DataFrame | None = None) -> Feedback:
    """``answer`` maps each external factor to the response the student chose."""
    truth = pairings(dynamics)
    if not isinstance(answer, dict):
        return Feedback.unusable("Choose a response for every external pressure.")
    chosen = {f: answer.get(f).strip() if isinstance(answer.get(f), str) else "" for f in truth}
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
            f"All {len(truth)} pairs match the article's table. Note that the pairing is the author's: the article "
            "links each pressure to one response, though a pressure such as the Russia–Ukraine war plausibly touches several."
        )
    return Feedback.wrong(
        f"{len(truth) - len(wrong)} of {len(truth)} pairs match the article. Look again at: {join_names(wrong)}. "
        f"For instance, find the row '{wrong[0]}' in the chapter's reproduction of the article's table: "
        "which response does the author set beside it?"
    )


def solution_matching(dynamics: pd.DataFrame | None = None) -> str:
    return " | ".join(f"{f} → {r}" for f, r in pairings(dynamics).items())


def _matching_widget(seed: int = 3) -> widgets.VBox:
    truth = pairings()
    options = sorted(set(truth.values()))
    random.Random(seed).shuffle(options)
    dropdowns = {
        f: widgets.Dropdown(options=[CHOOSE] + options, value=CHOOSE, description=f,
                            style={"description_width": "22em"}, layout=widgets.Layout(width="95%"))
        for f in truth
    }
    box = widgets.VBox(list(dropdowns.values()))
    box.dropdowns = dropdowns
    return box


def _mismatched_pairs() -> dict[str, str]:
    truth = pairings()
    factors, responses = list(truth), list(truth.values())
    return dict(zip(factors, responses[1:] + responses[:1]))  # every response moved one row down


MATCHING = Exercise(
    key="security-matching",
    widget=_matching_widget,
    check=check_matching,
    solution=solution_matching,
    right_answer=pairings,
    wrong_answer=_mismatched_pairs,
    read_answer=lambda w: {f: d.value for f, d in w.dropdowns.items()},
)


# --------------------------------------------------------------------------- 3. confirmed claims
def article_claims(events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The article's dated milestones: every event the data takes from the article, by date."""
    from ..domain import to_timestamp

    table = _table("events", events)
    claims = table[table["source_id"].astype(str) == ARTICLE].copy()
    claims["when"] = claims["date"].map(to_timestamp)
    return claims.sort_values("when", kind="stable").reset_index(drop=True)


def claim_label(row) -> str:
    """A milestone as the article gives it: its date in the article, then the title."""
    given = row.get("source_date")
    return f"{given if isinstance(given, str) and given else row['date']}: {row['title']}"


def claim_options(events: pd.DataFrame | None = None) -> list[str]:
    return [claim_label(row) for _, row in article_claims(events).iterrows()]


def confirmed_claims(events: pd.DataFrame | None = None) -> set[str]:
    claims = article_claims(events)
    return {claim_label(row) for _, row in claims.iterrows() if str(row["status"]) == "confirmed"}


def check_confirmed_claims(answer, events: pd.DataFrame | None = None) -> Feedback:
    """``answer``: the claims (labels from :func:`claim_options`) the student marks as confirmed."""
    if not isinstance(answer, (str, tuple, list, set, frozenset)):
        return Feedback.unusable("Select the claims you think public sources confirm (at least one).")
    chosen = as_text_set([answer] if isinstance(answer, str) else answer)
    if not chosen:
        return Feedback.unusable("Select the claims you think public sources confirm (at least one).")
    unknown = chosen - set(claim_options(events))
    if unknown:
        return Feedback.unusable(f"Select from the listed claims only; not in the list: {join_names(unknown)}.")
    truth = confirmed_claims(events)
    if chosen == truth:
        return Feedback.right(
            f"These {len(truth)} are confirmed by public sources; the others rest on the article alone or were "
            "corrected. An unconfirmed claim is not thereby false: it is a claim until someone finds the record."
        )
    missed, extra = truth - chosen, chosen - truth
    parts = []
    if extra:
        parts.append(f"{len(extra)} of your choices lack public confirmation in the data")
    if missed:
        parts.append(f"you left out {len(missed)} that a public source confirms")
    return Feedback.wrong(
        "; ".join(parts).capitalize() + ". Check each marker's colour and symbol in the chapter's timeline of "
        "milestones (filled green circle = confirmed), or the 'status' column of the events table."
    )


def solution_confirmed_claims(events: pd.DataFrame | None = None) -> str:
    claims = article_claims(events)
    return "Status of each dated claim in the data: " + " | ".join(
        f"{claim_label(row)} — {row['status']}" for _, row in claims.iterrows()
    )


def _claims_widget() -> widgets.SelectMultiple:
    options = claim_options()
    return widgets.SelectMultiple(options=options, value=(), rows=min(14, max(4, len(options))), description="Confirmed:",
                                  style={"description_width": "initial"}, layout=widgets.Layout(width="95%"))


def _claims_with_one_extra() -> tuple[str, ...]:
    truth = confirmed_claims()
    extra = next(label for label in claim_options() if label not in truth)
    return tuple(sorted(truth | {extra}))


CONFIRMED_CLAIMS = Exercise(
    key="security-confirmed-claims",
    widget=_claims_widget,
    check=check_confirmed_claims,
    solution=solution_confirmed_claims,
    right_answer=lambda: tuple(sorted(confirmed_claims())),
    wrong_answer=_claims_with_one_extra,
    read_answer=lambda w: tuple(w.value),
)


# --------------------------------------------------------------------------- 4. the GDP gap (worked analysis)
TOLERANCE = 0.15  # an answer within this of the ratio counts as right (one decimal, rounding either way)


def gdp_per_head(world_bank: pd.DataFrame | None = None, memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Years x member states (today's five) of GDP per head in current US$, years with any data."""
    from ..domain import members_in_year

    world_bank = _table("world_bank", world_bank)
    members = members_in_year(_table("memberships", memberships), 2025)
    wide = (world_bank[world_bank["iso3"].isin(members)]
            .pivot(index="year", columns="iso3", values="gdp_per_capita_current_usd"))
    return wide.dropna(how="any")  # only years in which every member has a value


def gdp_gap(world_bank=None, memberships=None) -> dict:
    """The latest year in which every member has data, the richest and poorest member, their ratio,
    and (for the feedback) the ratio one gets by wrongly counting Russia or China as members."""
    wide = gdp_per_head(world_bank, memberships)
    year = int(wide.index.max())
    row = wide.loc[year]
    world_bank = _table("world_bank", world_bank)
    others = world_bank[(world_bank["year"] == year) & world_bank["iso3"].isin(["RUS", "CHN"])]
    with_others = pd.concat([row, others.set_index("iso3")["gdp_per_capita_current_usd"]])
    return {
        "year": year,
        "richest": str(row.idxmax()), "poorest": str(row.idxmin()),
        "ratio": float(row.max() / row.min()),
        "ratio_with_comparators": float(with_others.max() / with_others.min()),
        "richest_value": float(row.max()), "poorest_value": float(row.min()),
    }


def check_gdp_gap(answer, world_bank=None, memberships=None) -> Feedback:
    from ..domain import state_name

    value = as_number(answer, low=1, high=1000, what="a ratio (how many times larger)")
    gap = gdp_gap(world_bank, memberships)
    rich, poor = state_name(gap["richest"]), state_name(gap["poorest"])
    if abs(value - gap["ratio"]) <= TOLERANCE:
        return Feedback.right(
            f"In {gap['year']} {rich} had a GDP per head of about {gap['richest_value']:,.0f} US$ and {poor} about "
            f"{gap['poorest_value']:,.0f} US$: {gap['ratio']:.1f} times as much. Equal votes, very unequal economies."
        )
    if abs(value - gap["ratio_with_comparators"]) <= TOLERANCE and abs(gap["ratio_with_comparators"] - gap["ratio"]) > TOLERANCE:
        return Feedback.wrong("That ratio counts Russia or China as if they were members. Use the five members only.")
    return Feedback.wrong(
        f"Not quite. Take the latest year in which all five members have a value, divide the highest member value by "
        f"the lowest, and round to one decimal. Hint: in the chapter's table the year is {gap['year']}."
    )


def solution_gdp_gap(world_bank=None, memberships=None) -> str:
    from ..domain import state_name

    gap = gdp_gap(world_bank, memberships)
    return (
        f"The latest year with a value for every member is {gap['year']}. The highest GDP per head is {state_name(gap['richest'])}'s "
        f"(about {gap['richest_value']:,.0f} US$), the lowest {state_name(gap['poorest'])}'s (about {gap['poorest_value']:,.0f} US$). "
        f"Their ratio is {gap['ratio']:.1f}. In pandas: wide = per_head[members].dropna(); "
        "row = wide.loc[wide.index.max()]; row.max() / row.min()."
    )


GDP_GAP = Exercise(
    key="security-gdp-gap",
    widget=lambda: widgets.FloatText(value=0.0, description="Times larger:", step=0.1, style={"description_width": "initial"}),
    check=check_gdp_gap,
    solution=solution_gdp_gap,
    right_answer=lambda: round(gdp_gap()["ratio"], 1),
    wrong_answer=lambda: round(gdp_gap()["ratio"] * 2, 1),
)
