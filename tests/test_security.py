"""Tests of the security chapter: its figures, its exercises and its built pages."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, discussion_questions, numbered_figures, read_page

import otsbook
from otsbook.charts import security as charts
from otsbook.exercises import security as ex
from otsbook.plotting import VERIFICATION_COLOURS, VERIFICATION_SYMBOLS, alt_text

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


# ----------------------------------------------------------------------------- figures
def test_heatmap_carries_the_seven_scores_in_the_articles_order(priorities):
    fig = charts.priority_heatmap(priorities)
    (trace,) = fig.data
    assert trace.type == "heatmap"
    assert [row[0] for row in trace.z] == [score for _, score in ARTICLE_SCORES]
    assert [name.lower() for name in trace.y] == [name for name, _ in ARTICLE_SCORES]
    assert [row[0] for row in trace.text] == [str(score) for _, score in ARTICLE_SCORES]
    assert (trace.zmin, trace.zmax) == (1, 9)
    assert trace.texttemplate == "%{text}"
    assert "military cooperation 9" in alt_text(fig) and "border security 6" in alt_text(fig)


def test_heatmap_follows_a_changed_score(priorities):
    changed = priorities.copy()
    changed.loc[changed["priority"] == "regional integration", "score"] = 2
    trace = charts.priority_heatmap(changed).data[0]
    assert list(trace.y)[-1].lower() == "regional integration"
    assert list(trace.z)[-1] == [2]


def test_table1_figure_has_seven_rows_matching_the_data(dynamics):
    fig = charts.dynamics_table(dynamics)
    (trace,) = fig.data
    assert trace.type == "table"
    columns = [[text.replace("<br>", " ") for text in column] for column in trace.cells.values]
    assert all(len(column) == 7 for column in columns)
    assert "South Caucasus conflicts" in columns[0][0]
    assert "Shusha Declaration" in columns[1][0]
    assert "Counterterrorism cooperation" in columns[1][6]
    assert alt_text(fig).startswith("Table with 7 rows")


def test_sankey_links_each_factor_to_its_response(dynamics, priorities):
    fig = charts.dynamics_sankey(dynamics, priorities)
    (trace,) = fig.data
    labels = [label.replace("<br>", " ") for label in trace.node.label]
    pairs = {(labels[s], labels[t]) for s, t in zip(trace.link.source, trace.link.target)}
    assert ("South Caucasus conflicts", "Military cooperation") in pairs
    assert ("Military cooperation", "Military cooperation (9/9)") in pairs
    assert not any("Border security" in label for label in labels)  # no row of Table 1 leads there
    assert sum(trace.link.value) == 14  # 7 factor->response + 7 response->priority


def test_timeline_colours_and_symbols_follow_the_status(events):
    milestones = ex.article_claims(events)
    fig = charts.milestone_timeline(milestones)
    statuses = {}
    for trace in fig.data:
        status = next((s for s, label in charts.STATUS_LABELS.items() if label == trace.name), None)
        if status:
            assert trace.marker.color == VERIFICATION_COLOURS[status]
            assert trace.marker.symbol == VERIFICATION_SYMBOLS[status]
            statuses[status] = len(trace.x)
    expected = milestones["status"].astype(str).value_counts()
    assert statuses == {s: int(n) for s, n in expected.items() if n}
    assert sum(statuses.values()) == len(milestones) == 14
    assert "8 confirmed" in alt_text(fig)


def test_parse_date_respects_precision():
    assert charts.parse_date("2018") == pd.Timestamp(2018, 7, 1)
    assert charts.parse_date("2021-06") == pd.Timestamp(2021, 6, 15)
    assert charts.parse_date("2021-06-15") == pd.Timestamp(2021, 6, 15)


# ----------------------------------------------------------------------------- exercise 1
def authors_answer():
    return dict(ARTICLE_SCORES)


def test_rescoring_identical_scores_get_full_agreement(priorities):
    feedback = ex.check_rescoring(authors_answer(), priorities)
    assert feedback.correct is True
    assert "1.00" in feedback.message


def test_rescoring_different_scores_name_the_biggest_gap(priorities):
    answer = authors_answer() | {"regional integration": 2}
    feedback = ex.check_rescoring(answer, priorities)
    assert feedback.correct is True
    assert "regional integration: you 2, the author 9" in feedback.message
    assert "heatmap" in feedback.message


def test_rescoring_reverse_order_gives_negative_correlation(priorities):
    answer = {name: 10 - score for name, score in ARTICLE_SCORES}
    feedback = ex.check_rescoring(answer, priorities)
    assert "-1.00" in feedback.message and "differs clearly" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({}, "score from 1 to 9"),
        (None, "score from 1 to 9"),
        ({"military cooperation": 9}, "missing"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": 12}, "between 1 and 9"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": 0}, "between 1 and 9"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": "high"}, "not a whole-number score"),
        ({name: 5 for name, _ in ARTICLE_SCORES}, "rank nothing"),
        (dict(ARTICLE_SCORES) | {"cybersecurity": 6.5}, "whole numbers"),
    ],
)
def test_rescoring_unusable_answers(priorities, answer, expected):
    feedback = ex.check_rescoring(answer, priorities)
    assert feedback.correct is None
    assert expected in feedback.message


def test_rescoring_solution_lists_the_articles_scores(priorities):
    assert "military cooperation 9" in ex.solution_rescoring(priorities)
    assert "border security 6" in ex.solution_rescoring(priorities)


# ----------------------------------------------------------------------------- exercise 2
def test_matching_right(dynamics):
    truth = dict(zip(dynamics["external_factor"], dynamics["internal_response"]))
    feedback = ex.check_matching(truth, dynamics)
    assert feedback.correct is True and "All 7 pairs" in feedback.message


def test_matching_wrong_points_to_table1(dynamics):
    truth = dict(zip(dynamics["external_factor"], dynamics["internal_response"]))
    answer = dict(truth)
    answer["Central Asia security threats"] = "Military cooperation"
    feedback = ex.check_matching(answer, dynamics)
    assert feedback.correct is False
    assert "6 of 7" in feedback.message
    assert "Central Asia security threats" in feedback.message and "Table 1" in feedback.message


@pytest.mark.parametrize("answer", [None, {}, {"South Caucasus conflicts": ex.CHOOSE}])
def test_matching_empty(dynamics, answer):
    assert ex.check_matching(answer, dynamics).correct is None


def test_matching_partial_and_unknown_answers(dynamics):
    truth = dict(zip(dynamics["external_factor"], dynamics["internal_response"]))
    partial = dict(truth) | {"Terrorism and transnational security threats": ""}
    assert "still open" in ex.check_matching(partial, dynamics).message
    unknown = dict(truth) | {"Terrorism and transnational security threats": "Invade a neighbour"}
    feedback = ex.check_matching(unknown, dynamics)
    assert feedback.correct is None and "from the list" in feedback.message


def test_matching_solution(dynamics):
    assert "South Caucasus conflicts → Military cooperation" in ex.solution_matching(dynamics)


# ----------------------------------------------------------------------------- exercise 3
def test_confirmed_claims_come_from_the_data(events):
    truth = ex.confirmed_claims(events)
    assert len(truth) == 8
    assert any("Shusha Declaration" in c for c in truth)
    assert not any("counterterrorism task force" in c.lower() for c in truth)
    assert not any("Turkey-Kazakhstan military" in c for c in truth)  # corrected, not confirmed


def test_confirmed_claims_right_and_wrong(events):
    truth = ex.confirmed_claims(events)
    assert ex.check_confirmed_claims(tuple(truth), events).correct is True
    task_force = next(o for o in ex.claim_options(events) if "counterterrorism task force" in o)
    feedback = ex.check_confirmed_claims(tuple(truth | {task_force}), events)
    assert feedback.correct is False
    assert "lack public confirmation" in feedback.message and "timeline" in feedback.message
    fewer = tuple(sorted(truth)[1:])
    assert "left out 1" in ex.check_confirmed_claims(fewer, events).message


@pytest.mark.parametrize("answer", [(), None, "", "1999: something invented"])
def test_confirmed_claims_unusable(events, answer):
    assert ex.check_confirmed_claims(answer, events).correct is None


def test_confirmed_claims_solution_gives_each_status(events):
    text = ex.solution_confirmed_claims(events)
    assert "claim" in text and "corrected" in text and "confirmed" in text


# ----------------------------------------------------------------------------- widgets
def test_rescoring_widget_submit():
    box = ex.make_rescoring_widget()
    for name, slider in box.answer_widget.sliders.items():
        slider.value = dict(ARTICLE_SCORES)[name]
    assert box.submit().correct is True
    assert "1.00" in box.feedback.value and "ots-right" in box.feedback.value
    for slider in box.answer_widget.sliders.values():
        slider.value = 4
    assert box.submit().correct is None
    assert "rank nothing" in box.feedback.value
    assert "military cooperation 9" in box.show_solution()


def test_matching_widget_submit(dynamics):
    box = ex.make_matching_widget()
    truth = dict(zip(dynamics["external_factor"], dynamics["internal_response"]))
    assert box.submit().correct is None  # nothing chosen yet
    for factor, dropdown in box.answer_widget.dropdowns.items():
        dropdown.value = truth[factor]
    assert box.submit().correct is True
    assert "ots-right" in box.feedback.value
    box.answer_widget.dropdowns["South Caucasus conflicts"].value = "Cybersecurity collaborations"
    assert box.submit().correct is False
    assert "ots-wrong" in box.feedback.value and "South Caucasus conflicts" in box.feedback.value


def test_claims_widget_submit(events):
    box = ex.make_confirmed_claims_widget()
    assert box.submit().correct is None
    box.answer_widget.value = tuple(sorted(ex.confirmed_claims(events)))
    assert box.submit().correct is True
    assert "ots-right" in box.feedback.value
    box.answer_widget.value = (box.answer_widget.options[0],)
    assert box.submit().correct is False


# ----------------------------------------------------------------------------- built pages
def test_chapter_page_has_objectives_figures_citations_questions(built_html):
    page = read_page(built_html, "security")
    assert "Learning objectives" in page and "Estimated time" in page
    figures = numbered_figures(page, "fig-security-")
    assert len(figures) >= 3
    for figure in figures.values():
        assert_plotly_figure_with_caption_and_alt(figure)
    assert len(re.findall(r'class="ots-figure"', page)) >= 4
    assert re.search(r'Fig\. \d', page)  # numbered references in the text
    assert len(re.findall(r'href="bibliography\.html#id\d+"', page)) >= 10
    assert len(discussion_questions(page)) >= 4
    assert 'href="security_exercises.html"' in page


def test_exercise_page_shows_widgets_and_run_links(built_html):
    page = read_page(built_html, "security_exercises")
    assert "application/vnd.jupyter.widget-view+json" in page
    assert page.count("application/vnd.jupyter.widget-view+json") >= 3
    assert "Run this exercise" in page and "mybinder.org" in page
    assert "Objective 3" in page and "Objective 2" in page and "Objective 4" in page
