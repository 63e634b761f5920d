"""Tests of the chapter "History and institutions": figures, exercise logic, widgets, built pages."""
from __future__ import annotations


import pandas as pd
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions, numbered_figures, read_page

from otsbook.charts import history as charts
from otsbook.exercises import history as ex
from otsbook.plotting import OTS_STATUS_COLOURS, VERIFICATION_COLOURS, VERIFICATION_SYMBOLS, alt_text


# --- figures -------------------------------------------------------------------------------


def test_event_timestamp_handles_each_precision():
    assert charts.event_timestamp("2009") == pd.Timestamp("2009-07-01")
    assert charts.event_timestamp("2019-10") == pd.Timestamp("2019-10-15")
    assert charts.event_timestamp("2009-10-03") == pd.Timestamp("2009-10-03")


def test_timeline_has_one_point_per_event_with_its_status(events):
    fig = charts.timeline(events)
    points = {}
    for trace in fig.data:
        status, theme = trace.meta["status"], trace.meta["theme"]
        assert trace.marker.color == VERIFICATION_COLOURS[status]
        assert trace.marker.symbol == VERIFICATION_SYMBOLS[status]
        for (event_id, point_status, point_theme), hover in zip(trace.customdata, trace.hovertext):
            assert event_id not in points, f"{event_id} drawn twice"
            assert point_status == status and point_theme == theme
            points[event_id] = (status, hover)
    assert len(points) == len(events)
    expected = dict(zip(events["event_id"], events["status"].astype(str)))
    assert {k: v[0] for k, v in points.items()} == expected
    # the hover shows the evidence and the sources
    status, hover = points["trnc_observer_2022"]
    assert status == "corrected"
    assert "Source: famagusta_trnc" in hover and "Checked against: ots_official_about" in hover
    assert "no public source found" in points["ots_ct_task_force_2018"][1]
    assert "Evidence: “In October 2009" in points["nakhchivan_2009_oped"][1]


def test_timeline_legend_one_entry_per_status_and_theme_menu(events):
    fig = charts.timeline(events)
    legend = [t.name for t in fig.data if t.showlegend]
    assert sorted(legend) == sorted(charts.STATUS_LABELS[s] for s in events["status"].astype(str).unique())
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["All themes", "Only history", "Only energy", "Only security", "Only multipolarity"]
    only_history = buttons[1].args[0]["visible"]
    assert [t.meta["theme"] == "history" for t in fig.data] == list(only_history)
    assert str(len(events)) in alt_text(fig)


def test_membership_by_year_counts(memberships):
    table = charts.membership_by_year(memberships).set_index(["year", "status"])
    assert table.loc[(2009, "member"), "count"] == 4
    assert table.loc[(2009, "observer"), "count"] == 0
    assert table.loc[(2018, "observer"), "states"] == ["HUN"]
    assert table.loc[(2019, "member"), "states"] == ["AZE", "KAZ", "KGZ", "TUR", "UZB"]
    assert table.loc[(2022, "observer"), "states"] == ["HUN", "TKM", "XNC"]


def test_membership_growth_figure(memberships, states):
    fig = charts.membership_growth(memberships, states)
    members, observers = fig.data
    assert members.name == "Members" and observers.name == "Observers"
    assert members.marker.color == OTS_STATUS_COLOURS["member"]
    assert observers.marker.color == OTS_STATUS_COLOURS["observer"]
    assert list(members.x) == list(range(2009, 2025))
    assert list(members.y) == [4] * 10 + [5] * 6
    assert list(observers.y) == [0] * 9 + [1, 1, 1, 2, 3, 3, 3]
    assert "Uzbekistan" in members.customdata[list(members.x).index(2019)]
    assert fig.layout.barmode == "stack"
    assert "5 members and 3 observers" in alt_text(fig)


# The chapter's map is otsbook.charts.maps.ots_map, shared with the introduction: its tests
# (members and observers, colours, Northern Cyprus as a star, alt text) are in test_front.py.


# --- exercise 1: milestones ------------------------------------------------------------------


def test_milestone_order_right():
    right = ex.milestone_order()
    assert right == "ECBFAD"
    feedback = ex.check_milestone_order(right)
    assert feedback.correct is True and "Hungary became an observer (2018)" in feedback.message
    assert ex.check_milestone_order("e c b f a d").correct is True  # case and spaces do not matter


def test_milestone_order_wrong_points_at_the_evidence():
    feedback = ex.check_milestone_order("ECFBAD")  # Uzbekistan before Hungary
    assert feedback.correct is False
    assert "Position 3" in feedback.message
    assert "'uzbekistan_joins_2019'" in feedback.message and "data/events.csv" in feedback.message
    assert "Fig. 1.1" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("", "Type the 6 letters"),
        (None, "Type the 6 letters"),
        ("ABCDEZ", "'Z' is not one of them"),
        ("ECBFAA", "A appears more than once"),
        ("ECB", "missing: A, D, F"),
    ],
)
def test_milestone_order_unusable(answer, expected):
    feedback = ex.check_milestone_order(answer)
    assert feedback.correct is None and expected in feedback.message


def test_milestone_solution_and_widget():
    assert ex.solution_milestone_order().startswith("ECBFAD.")
    box = ex.make_milestone_widget()
    box.answer_widget.value = "ECBFAD"
    assert box.submit().correct is True
    assert "ots-right" in box.feedback.value and "✔ Right." in box.feedback.value
    box.answer_widget.value = "ABCDEF"
    assert box.submit().correct is False
    assert "ots-wrong" in box.feedback.value and "Position 1" in box.feedback.value
    box.answer_widget.value = "XYZ"
    assert box.submit().correct is None and "ots-info" in box.feedback.value
    assert "ECBFAD" in box.show_solution() and "Solution." in box.feedback.value


# --- exercise 2: standing in a year ----------------------------------------------------------

FOUNDERS = ["AZE", "KAZ", "KGZ", "TUR"]


def test_standing_in_years():
    assert ex.standing_in(2010) == {"member": set(FOUNDERS), "observer": set()}
    assert ex.standing_in(2021) == {"member": set(FOUNDERS) | {"UZB"}, "observer": {"HUN", "TKM"}}


def test_standing_right():
    feedback = ex.check_standing((2020, FOUNDERS + ["UZB"], ["HUN"]))
    assert feedback.correct is True
    assert "Uzbekistan" in feedback.message and "Hungary as observer" in feedback.message


def test_standing_wrong_hints():
    early = ex.check_standing((2018, FOUNDERS + ["UZB"], ["HUN"]))
    assert early.correct is False
    assert "Uzbekistan had not joined as member by the end of 2018" in early.message
    assert "data/memberships.csv" in early.message and "Fig. 1.2" in early.message
    swapped = ex.check_standing((2022, FOUNDERS + ["UZB", "HUN"], ["TKM", "XNC"]))
    assert swapped.correct is False and "Hungary had a different status in 2022" in swapped.message
    never = ex.check_standing((2010, FOUNDERS, ["TJK"]))
    assert never.correct is False and "Tajikistan has never been a member or an observer" in never.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ((2005, FOUNDERS, []), "Choose a year between 2009"),
        ((2026, FOUNDERS, []), "2026 is outside"),
        ((2020, [], []), "Select at least one member"),
        ((2020, FOUNDERS, ["AZE"]), "not both: Azerbaijan"),
        (None, "Choose a year"),
        (("next year", FOUNDERS, []), "Choose a year between"),
    ],
)
def test_standing_unusable(answer, expected):
    feedback = ex.check_standing(answer)
    assert feedback.correct is None and expected in feedback.message


def test_standing_solution_and_widget():
    assert "Northern Cyprus observer 2022" in ex.solution_standing(2022)
    box = ex.make_standing_widget()
    box.year.value = 2019
    box.members.value = tuple(FOUNDERS + ["UZB"])
    box.observers.value = ("HUN",)
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box.observers.value = ()
    assert box.submit().correct is False and "you left out 1 of the observers" in box.feedback.value
    box.year.value = 2006
    assert box.submit().correct is None and "Choose a year between 2009" in box.feedback.value
    assert "In 2006" in box.show_solution()


# --- exercise 3: fact, claim or opinion --------------------------------------------------------

RIGHT_KINDS = {"s1": "fact", "s2": "opinion", "s3": "claim", "s4": "claim", "s5": "opinion", "s6": "fact"}


def test_statement_kinds_match_the_data(events):
    status = dict(zip(events["event_id"], events["status"].astype(str)))
    assert status["nakhchivan_2009_oped"] == "confirmed"  # s1
    assert status["ots_ct_task_force_2018"] == "claim"  # s3
    assert status["trnc_observer_2022"] == "corrected"  # s4
    assert status["uzbekistan_joins_2019"] == "confirmed"  # s6
    assert {s["id"]: s["kind"] for s in ex.STATEMENTS} == RIGHT_KINDS


def test_statement_kinds_right_and_wrong():
    assert ex.check_statement_kinds(RIGHT_KINDS).correct is True
    wrong = ex.check_statement_kinds({**RIGHT_KINDS, "s2": "fact"})
    assert wrong.correct is False
    assert wrong.message.startswith("5 of 6 right. Look again at statement 2")
    assert "An equal union?" in wrong.message
    two_wrong = ex.check_statement_kinds({**RIGHT_KINDS, "s3": "fact", "s4": "fact"})
    assert two_wrong.message.startswith("4 of 6 right. Look again at statement 3")
    assert "ots_ct_task_force_2018" in two_wrong.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({}, "Choose fact, claim or opinion for each of the six statements"),
        ({k: None for k in RIGHT_KINDS}, "Choose fact, claim or opinion for each of the six statements"),
        ({"s1": "fact", "s2": "opinion"}, "still open: statement 3, 4, 5, 6"),
        ({**RIGHT_KINDS, "s5": "rumour"}, "Use only the kinds 'fact', 'claim' or 'opinion' (statement 5)"),
        ("fact", "Choose a kind for each statement"),
    ],
)
def test_statement_kinds_unusable(answer, expected):
    feedback = ex.check_statement_kinds(answer)
    assert feedback.correct is None and expected in feedback.message


def test_statement_widget():
    box = ex.make_statement_widget()
    assert box.submit().correct is None and "ots-info" in box.feedback.value
    for sid, kind in RIGHT_KINDS.items():
        box.dropdowns[sid].value = kind
    assert box.submit().correct is True and "All six sorted" in box.feedback.value
    box.dropdowns["s5"].value = "fact"
    assert box.submit().correct is False and "statement 5" in box.feedback.value
    assert "5: opinion" in box.show_solution()


# --- the built pages -----------------------------------------------------------------------------


def test_built_chapter(built_html):
    page = read_page(built_html, "history")
    assert "Learning objectives" in page and "Estimated time" in page
    figures = numbered_figures(page, "fig-history-")
    assert len(figures) >= 3
    for figure in figures.values():
        assert_plotly_figure_with_caption_and_alt(figure)
    assert page.count("plotly-graph-div") >= 3
    assert citation_anchors(page), "citations should link into the bibliography"
    assert len(discussion_questions(page)) >= 4
    assert "Northern Cyprus is" in page and "not drawn as a" in page
    assert 'href="history_exercises.html"' in page
    assert "glossary.html#term-Nakhchivan-Agreement" in page


def test_built_exercises_page(built_html):
    page = read_page(built_html, "history_exercises")
    assert page.count("application/vnd.jupyter.widget-view+json") >= 3
    assert "Run this exercise" in page
    assert "mybinder.org/v2/gh/" in page and "history_exercises.md" in page
    assert "Exercise 1: put the milestones in order" in page


# --- the populations: computed from data/states.csv, and the prose agrees ----------------------


def test_population_prose_agrees_with_the_data(states):
    from pathlib import Path

    members = states[states["ots_status"] == "member"].set_index("iso3")
    turkiye = members.loc["TUR"]
    assert turkiye["population_date"] == "2023-12-31"
    others = members.drop(index="TUR")["population_millions"].sum()
    text = (Path(__file__).resolve().parent.parent / "chapters" / "history.md").read_text(encoding="utf-8")
    prose = " ".join(text.split())
    assert f"about {float(turkiye['population_millions']):.1f} million residents at the end of 2023" in prose
    assert f"together had about {round(float(others))} million" in prose
    assert "pd.Series(" not in text  # the table is computed from `states`, not typed in
    assert 'states[states["ots_status"] == "member"]' in text and '"population_millions"' in text
    share = float(turkiye["population_millions"]) / float(members["population_millions"].sum())
    assert share > 0.5  # "Türkiye alone holds more than half"
