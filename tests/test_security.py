"""Tests of the security chapter: its exercises, its text and its built pages (figures with their data)."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, discussion_questions, numbered_figures, read_page

import otsbook
from otsbook.exercises import security as ex

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "security.md"

# The article's seven priorities and scores, in the order it gives them.
ARTICLE_SCORES = [
    ("military cooperation", 9),
    ("regional integration", 9),
    ("economic security", 8),
    ("counterterrorism", 8),
    ("cybersecurity", 7),
    ("energy security", 7),
    ("border security", 6),
]


@pytest.fixture(scope="module")
def priorities():
    return otsbook.load("security_priorities")


@pytest.fixture(scope="module")
def dynamics():
    return otsbook.load("security_dynamics")


def _decoded(value):
    """plotly stores numeric arrays as base64 typed arrays ({'dtype', 'bdata'}); turn them into lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def plotly_traces(figure_html: str) -> list[dict]:
    """The data list passed to Plotly.newPlot in a built figure, with typed arrays decoded."""
    start = figure_html.index("Plotly.newPlot(")
    start = figure_html.index("[", figure_html.index(",", start))
    data, _ = json.JSONDecoder().raw_decode(figure_html[start:])
    return _decoded(data)


# ----------------------------------------------------------------------------- exercise 1: a coding rule
def test_the_rule_lowers_exactly_the_priorities_resting_on_unconfirmed_bodies(priorities, dynamics, events):
    bodies = ex.unfound_bodies(dynamics, events)
    claims = events[events["source_id"] == "security_article"]
    for priority, body in bodies.items():
        rows = claims[claims["title"].str.lower().str.contains(body.lower(), regex=False)]
        assert len(rows) and not (rows["status"] == "confirmed").any()
    # today the data confirms neither the counterterrorism task force nor the cyber working group
    assert set(bodies) == {"counterterrorism", "cybersecurity"}
    target = ex.rule_scores(priorities, dynamics, events)
    assert target["counterterrorism"] == 6 and target["cybersecurity"] == 5  # the rule takes two points off
    assert target["military cooperation"] == 9 and target["border security"] == 6


def test_the_rule_follows_the_data_when_a_body_is_confirmed(priorities, dynamics, events):
    confirmed = events.copy()
    confirmed.loc[confirmed["title"].str.contains("counterterrorism task force", case=False), "status"] = "confirmed"
    assert set(ex.unfound_bodies(dynamics, confirmed)) == {"cybersecurity"}
    assert ex.rule_scores(priorities, dynamics, confirmed)["counterterrorism"] == 8


def test_rescoring_right_wrong_and_correlation(priorities, dynamics, events):
    right = ex.check_rescoring(ex.rule_scores(priorities, dynamics, events), priorities, dynamics, events)
    assert right.correct is True and "counterterrorism and cybersecurity lose 2 points" in right.message
    wrong = ex.check_rescoring(dict(ARTICLE_SCORES), priorities, dynamics, events)
    assert wrong.correct is False
    assert "5 of 7 scores follow the rule" in wrong.message and "counterterrorism and cybersecurity" in wrong.message
    assert "correlation with the author's is 1.00" in wrong.message
    reverse = ex.check_rescoring({p: 10 - s for p, s in ARTICLE_SCORES}, priorities, dynamics, events)
    assert reverse.correct is False and "-1.00" in reverse.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({}, "score from 1 to 9"),
        (None, "score from 1 to 9"),
        ({"military cooperation": 9}, "missing"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": 12}, "between 1 and 9"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": "high"}, "not a whole-number score"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": 6.5}, "whole numbers"),
    ],
)
def test_rescoring_unusable_answers(answer, expected):
    feedback = ex.RESCORING.evaluate(answer)
    assert feedback.correct is None
    assert expected in feedback.message


def test_rescoring_solution_shows_the_changes_from_the_data(priorities, dynamics, events):
    text = ex.solution_rescoring(priorities, dynamics, events)
    assert "counterterrorism: 8 → 6 (OTS Counterterrorism Task Force not found)" in text
    assert "cybersecurity: 7 → 5" in text and "military cooperation 9" in text


# ----------------------------------------------------------------------------- exercise 2: matching
def test_matching_right_wrong_and_unusable(dynamics):
    truth = dict(zip(dynamics["external_factor"], dynamics["internal_response"]))
    assert ex.check_matching(truth, dynamics).correct is True
    answer = dict(truth) | {"Central Asia security threats": "Military cooperation"}
    feedback = ex.check_matching(answer, dynamics)
    assert feedback.correct is False and "6 of 7" in feedback.message
    assert "Central Asia security threats" in feedback.message
    assert ex.check_matching({"South Caucasus conflicts": ex.CHOOSE}, dynamics).correct is None
    partial = dict(truth) | {"Terrorism and transnational security threats": ""}
    assert "still open" in ex.check_matching(partial, dynamics).message
    unknown = dict(truth) | {"Terrorism and transnational security threats": "Invade a neighbour"}
    assert "from the list" in ex.check_matching(unknown, dynamics).message


def test_matching_declared_wrong_answer_misses_every_pair():
    feedback = ex.MATCHING.evaluate(ex.MATCHING.wrong_answer())
    assert feedback.correct is False and feedback.message.startswith("0 of 7")


# ----------------------------------------------------------------------------- exercise 3: claims
def test_confirmed_claims_come_from_the_data(events):
    claims = ex.article_claims(events)
    truth = ex.confirmed_claims(events)
    assert len(truth) == int((claims["status"] == "confirmed").sum()) >= 8
    assert any("Shusha Declaration" in c for c in truth)
    assert not any("counterterrorism task force" in c.lower() for c in truth)
    assert not any("Turkey-Kazakhstan military" in c for c in truth)  # corrected, not confirmed
    # the options show the date the article gives, not the checked one
    assert any(c.startswith("2019: Turkey-Kazakhstan military") for c in ex.claim_options(events))


def test_confirmed_claims_right_wrong_and_unusable(events):
    truth = ex.confirmed_claims(events)
    assert ex.check_confirmed_claims(tuple(truth), events).correct is True
    task_force = next(o for o in ex.claim_options(events) if "counterterrorism task force" in o)
    feedback = ex.check_confirmed_claims(tuple(truth | {task_force}), events)
    assert feedback.correct is False and "lack public confirmation" in feedback.message
    assert "left out 1" in ex.check_confirmed_claims(tuple(sorted(truth)[1:]), events).message
    for garbage in [(), None, "", "1999: something invented", 10**12]:
        assert ex.check_confirmed_claims(garbage, events).correct is None


# ----------------------------------------------------------------------------- the declarations
# (right and wrong answers and a box that reads its widget are checked for every exercise in
# test_exercise_widgets.py; here only what is particular to these boxes)
@pytest.mark.parametrize("exercise", [ex.MATCHING, ex.CONFIRMED_CLAIMS], ids=lambda e: e.key)
def test_an_untouched_box_is_not_already_right(exercise, monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    box = exercise.box()
    assert box.submit().correct is not True
    assert box.last_error is None


def test_rescoring_box_reads_its_sliders(monkeypatch):
    monkeypatch.delenv("OTSBOOK_STATIC_BOOK", raising=False)
    box = ex.RESCORING.box()
    assert box.submit().correct is False  # untouched sliders hold the author's scores
    for name, value in ex.rule_scores().items():
        box.answer_widget.sliders[name].value = value
    assert box.submit().correct is True and "ots-right" in box.feedback.value


# ----------------------------------------------------------------------------- the chapter's text
def test_the_fixed_errors_stay_fixed():
    text = CHAPTER.read_text(encoding="utf-8")
    assert not re.search(r"left the (CSTO|collective security treaty) in 1999", text, flags=re.I)
    assert "near-identical" not in text
    assert "otsbook.charts" not in text and "charts." not in text  # every figure's code is in the page


# ----------------------------------------------------------------------------- built pages
def test_chapter_page_has_objectives_figures_citations_questions(built_html):
    page = read_page(built_html, "security")
    assert "Learning objectives" in page and "Estimated time" in page
    figures = numbered_figures(page, "fig-security-")
    assert len(figures) >= 4
    for figure in figures.values():
        assert_plotly_figure_with_caption_and_alt(figure)
    assert re.search(r"Fig\. \d", page)  # numbered references in the text
    assert len(re.findall(r'href="bibliography\.html#id\d+"', page)) >= 40
    assert len(discussion_questions(page)) >= 6
    assert 'href="security_exercises.html"' in page
    for heading in ("Since the documents were written", "Limits and counter-arguments", "Further reading"):
        assert heading in page


def test_built_heatmap_carries_the_articles_scores(built_html):
    (trace,) = plotly_traces(numbered_figures(read_page(built_html, "security"), "fig-security-")["fig-security-heatmap"])
    assert trace["type"] == "heatmap"
    assert [row[0] for row in trace["z"]] == [score for _, score in ARTICLE_SCORES]
    assert [name.lower() for name in trace["y"]] == [name for name, _ in ARTICLE_SCORES]
    assert (trace["zmin"], trace["zmax"]) == (1, 9)


def test_built_table_and_sankey_follow_the_articles_table(built_html, dynamics):
    figures = numbered_figures(read_page(built_html, "security"), "fig-security-")
    (table,) = plotly_traces(figures["fig-security-table1"])
    columns = [[text.replace("<br>", " ") for text in column] for column in table["cells"]["values"]]
    assert [len(c) for c in columns] == [len(dynamics)] * 3
    assert "South Caucasus conflicts" in columns[0][0] and "Shusha Declaration" in columns[1][0]
    (sankey,) = plotly_traces(figures["fig-security-sankey"])
    labels = [label.replace("<br>", " ") for label in sankey["node"]["label"]]
    pairs = {(labels[s], labels[t]) for s, t in zip(sankey["link"]["source"], sankey["link"]["target"])}
    assert ("South Caucasus conflicts", "Military cooperation") in pairs
    assert ("Military cooperation", "Military cooperation (9/9)") in pairs
    assert not any("Border security" in label for label in labels)  # no row of Table 1 leads there
    assert sum(sankey["link"]["value"]) == 2 * len(dynamics)


def test_built_timeline_marks_each_status_as_the_data_does(built_html, events):
    traces = plotly_traces(numbered_figures(read_page(built_html, "security"), "fig-security-")["fig-security-timeline"])
    claims = ex.article_claims(events)
    from otsbook.plotting import VERIFICATION_LABELS, VERIFICATION_SYMBOLS

    drawn = {}
    for trace in traces:
        status = next((s for s, label in VERIFICATION_LABELS.items() if label == trace.get("name")), None)
        if status:
            assert trace["marker"]["symbol"] == VERIFICATION_SYMBOLS[status]
            drawn[status] = len(trace["x"])
    expected = claims["status"].astype(str).value_counts()
    assert drawn == {s: int(n) for s, n in expected.items() if n}
    # markers sit at the best-known date: the Turkey-Kazakhstan agreement in September 2018, not 2019
    corrected = next(t for t in traces if t.get("name") == VERIFICATION_LABELS["corrected"])
    assert corrected["x"] == ["2018-09-13"]


def test_exercise_page_shows_widgets(built_html):
    page = read_page(built_html, "security_exercises")
    assert page.count("application/vnd.jupyter.widget-view+json") >= 3
    assert "Objective 3" in page and "Objective 2" in page and "Objective 4" in page


# ----------------------------------------------------------------------------- worked analysis: GDP per head
@pytest.fixture(scope="module")
def world_bank():
    return otsbook.load("world_bank")


def test_gdp_gap_is_computed_from_the_members_latest_common_year(world_bank, memberships):
    gap = ex.gdp_gap(world_bank, memberships)
    members = ["AZE", "KAZ", "KGZ", "TUR", "UZB"]
    year_rows = world_bank[(world_bank["year"] == gap["year"]) & world_bank["iso3"].isin(members)]
    values = year_rows.set_index("iso3")["gdp_per_capita_current_usd"]
    assert values.notna().all() and len(values) == 5
    assert gap["ratio"] == pytest.approx(values.max() / values.min())
    assert gap["richest"] == values.idxmax() and gap["poorest"] == values.idxmin()
    later = world_bank[(world_bank["year"] > gap["year"]) & world_bank["iso3"].isin(members)]
    assert later["gdp_per_capita_current_usd"].isna().any() or later.empty  # no later year is complete
    assert 2 < gap["ratio"] < 20  # a plausible gap between the richest and the poorest member


def test_gdp_gap_exercise_right_wrong_and_comparators(world_bank, memberships):
    gap = ex.gdp_gap(world_bank, memberships)
    assert ex.check_gdp_gap(round(gap["ratio"], 1), world_bank, memberships).correct is True
    assert ex.check_gdp_gap(f"{gap['ratio']:.1f}".replace(".", ","), world_bank, memberships).correct is True
    far = ex.check_gdp_gap(gap["ratio"] + 1, world_bank, memberships)
    assert far.correct is False and str(gap["year"]) in far.message
    # counting Russia and China changes the ratio by more than the tolerance, so the hint can be tested
    assert abs(gap["ratio_with_comparators"] - gap["ratio"]) > ex.TOLERANCE
    feedback = ex.check_gdp_gap(gap["ratio_with_comparators"], world_bank, memberships)
    assert feedback.correct is False and "Russia or China" in feedback.message
    assert ex.GDP_GAP.evaluate("zzz").correct is None


def test_built_gdp_figure_draws_members_and_comparators(built_html, world_bank):
    page = read_page(built_html, "security")
    traces = plotly_traces(numbered_figures(page, "fig-security-")["fig-security-gdp"])
    names = {t["name"] for t in traces}
    assert {"Azerbaijan", "Kazakhstan", "Kyrgyzstan", "Türkiye", "Uzbekistan", "Russia", "China"} <= names
    kgz = next(t for t in traces if t["name"] == "Kyrgyzstan")
    expected = world_bank[(world_bank["iso3"] == "KGZ")].dropna(subset=["gdp_per_capita_current_usd"])
    assert len(kgz["x"]) == len(expected) and kgz["y"][-1] == pytest.approx(expected["gdp_per_capita_current_usd"].iloc[-1])
    dashed = {t["name"] for t in traces if t["line"].get("dash") == "dash"}
    assert dashed == {"Russia", "China"}
    gap = ex.gdp_gap()
    assert f"{gap['ratio']:.1f} times" in page or f"{gap['ratio']:.1f}</span> times" in page  # the glued number


def test_the_gap_the_text_describes_as_narrowed_did_narrow(world_bank, memberships):
    """The chapter says the gap narrowed since 2009; the data must bear that out."""
    wide = ex.gdp_per_head(world_bank, memberships)
    ratio = wide.max(axis=1) / wide.min(axis=1)
    assert ratio.loc[wide.index.max()] < ratio.loc[2009]
    assert "the gap has narrowed since the Turkic Council was founded" in CHAPTER.read_text(encoding="utf-8")


def test_russia_is_richer_per_head_than_every_member_as_the_summary_says(world_bank, memberships):
    wide = ex.gdp_per_head(world_bank, memberships)
    year = wide.index.max()
    russia = world_bank[(world_bank["iso3"] == "RUS") & (world_bank["year"] == year)]["gdp_per_capita_current_usd"].iloc[0]
    assert wide.loc[year].notna().sum() == 5 and (wide.loc[year] < russia).all()  # all five members compared
    assert "Russia\n  is richer per head than every member" in CHAPTER.read_text(encoding="utf-8")


NUMBER_WORDS = {0: "None", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def test_the_worked_analysis_prose_states_the_numbers_the_data_give(world_bank, memberships):
    """The worked analysis writes its numbers into the prose (no glue, so that the page reads the same
    in a live notebook); recompute them from the data exactly as the chapter does and find them in the text."""
    from otsbook.domain import members_in_year, state_name

    members = members_in_year(memberships, 2025)
    per_head = (world_bank[world_bank["iso3"].isin(members + ["RUS", "CHN"])]
                .pivot(index="year", columns="iso3", values="gdp_per_capita_current_usd")
                .dropna(how="all"))
    latest = int(per_head.index.max())
    row = per_head.loc[latest]
    gap = per_head[members].max(axis=1) / per_head[members].min(axis=1)
    above_russia = int((row[members] > row["RUS"]).sum())
    above_china = int((row[members] > row["CHN"]).sum())
    text = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    assert "glue" not in text and "myst_nb" not in text
    assert (f"In {latest} the richest member by this measure, {state_name(row[members].idxmax())}, produced "
            f"{gap.loc[latest]:.1f} times as much per head as the poorest, {state_name(row[members].idxmin())}; "
            f"in 2009 the ratio was {gap.loc[2009]:.1f}.") in text
    russia = ("None of the five members has a higher GDP per head than Russia" if above_russia == 0
              else f"{NUMBER_WORDS[above_russia].capitalize()} of the five members")
    assert russia in text
    assert f"{NUMBER_WORDS[above_china]} have a higher one than China" in text
