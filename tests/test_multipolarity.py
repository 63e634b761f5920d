"""Tests of the chapter "Multipolarity": the overlap matrix, the figures, the exercises, the built pages."""
from __future__ import annotations


import pandas as pd
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions, numbered_figures, read_page

from otsbook.charts import multipolarity as charts
from otsbook.exercises import multipolarity as ex


@pytest.fixture(scope="module")
def matrix(memberships, states) -> pd.DataFrame:
    return charts.membership_matrix(memberships, states, extra_states=["RUS"])


# --------------------------------------------------------------------------- the overlap matrix
def test_matrix_orders_ots_members_first(matrix):
    assert list(matrix.index[:5]) == ["AZE", "KAZ", "KGZ", "TUR", "UZB"]
    assert set(matrix.index[5:8]) == {"HUN", "TKM", "XNC"}
    assert list(matrix.columns) == ["OTS", "CIS", "CSTO", "EAEU", "SCO", "NATO", "EU"]


def test_only_kazakhstan_and_kyrgyzstan_in_csto_and_eaeu(matrix):
    members = ["AZE", "KAZ", "KGZ", "TUR", "UZB"]
    in_csto = {c for c in members if matrix.loc[c, "CSTO"] == "member"}
    in_eaeu = {c for c in members if matrix.loc[c, "EAEU"] == "member"}
    assert in_csto == {"KAZ", "KGZ"}
    assert in_eaeu == {"KAZ", "KGZ"}


def test_statuses_of_the_other_members(matrix):
    assert matrix.loc["TUR", "NATO"] == "member"
    assert matrix.loc["TUR", "EU"] == "candidate"
    assert matrix.loc["TUR", "SCO"] == "dialogue partner"
    assert matrix.loc["AZE", "SCO"] == "dialogue partner"
    assert matrix.loc["UZB", "EAEU"] == "observer"
    assert matrix.loc["UZB", "CSTO"] == "former / suspended"
    assert matrix.loc["AZE", "CSTO"] == "former / suspended"
    assert matrix.loc["HUN", "NATO"] == "member" and matrix.loc["HUN", "EU"] == "member"
    assert matrix.loc["TKM", "CIS"] == "associate"
    assert (matrix.loc["XNC"].drop("OTS") == "none").all()
    assert {matrix.loc[c, "SCO"] for c in ("KAZ", "KGZ", "UZB")} == {"member"}


def test_no_ots_member_other_than_turkiye_in_nato(matrix):
    assert [c for c in ["AZE", "KAZ", "KGZ", "TUR", "UZB"] if matrix.loc[c, "NATO"] == "member"] == ["TUR"]


def test_current_memberships_prefers_current_over_former():
    rows = pd.DataFrame(
        {
            "iso3": ["X", "X", "Y"],
            "organisation": ["CSTO", "CSTO", "CSTO"],
            "status": ["former", "member", "member"],
            "since": [1992, 2006, 1992],
            "until": [1999, pd.NA, 2012],
        }
    )
    result = charts.current_memberships(rows).set_index("iso3")["category"]
    assert result["X"] == "member"
    assert result["Y"] == "former / suspended"


def test_current_memberships_shows_the_most_recent_current_status():
    rows = pd.DataFrame(
        {
            "iso3": ["X", "X", "Y", "Y"],
            "organisation": ["CSTO", "CSTO", "SCO", "SCO"],
            "status": ["member", "suspended", "observer", "member"],
            "since": [1992, 2024, 2015, 2024],
            "until": [pd.NA, pd.NA, 2024, pd.NA],
        }
    )
    result = charts.current_memberships(rows).set_index("iso3")["category"]
    assert result["X"] == "former / suspended"  # the later current row wins over the older "member" row
    assert result["Y"] == "member"  # an ended row never beats a current one


def test_armenia_csto_cell_shows_the_2024_suspension(memberships, states):
    rows = memberships[(memberships["iso3"] == "ARM") & (memberships["organisation"] == "CSTO")]
    assert set(rows["status"]) == {"member", "suspended"}  # both rows are kept in the data
    grid = charts.membership_matrix(memberships, states, extra_states=["RUS", "BLR", "ARM"])
    assert grid.loc["ARM", "CSTO"] == "former / suspended"
    assert grid.loc["ARM", "EAEU"] == "member" and grid.loc["ARM", "CIS"] == "member"
    assert grid.loc["BLR", "CSTO"] == "member"
    fig = charts.overlap_heatmap(grid, states)
    heat = fig.data[0]
    row = [i for i, label in enumerate(heat.y) if "(ARM)" in str(label)][0]
    col = list(heat.x).index("CSTO")
    assert heat.text[row][col] == charts.STATUS_LABELS["former / suspended"]
    assert heat.customdata[row][col].endswith("CSTO: former / suspended")


def test_alignment_counts(matrix, memberships):
    russia = charts.russia_organisations(memberships)
    assert set(russia) == {"CIS", "CSTO", "EAEU", "SCO"}
    strict = charts.alignment_counts(matrix.drop(index="RUS"), russia)
    assert strict.loc["KAZ", "with_russia"] == 4 and strict.loc["KAZ", "with_west"] == 0
    assert strict.loc["TUR", "with_russia"] == 0 and strict.loc["TUR", "with_west"] == 1
    assert strict.loc["HUN", "with_west"] == 2
    loose = charts.alignment_counts(matrix.drop(index="RUS"), russia, ties=charts.LOOSE_TIES)
    assert loose.loc["TUR", "with_russia"] == 1  # SCO dialogue partner
    assert loose.loc["UZB", "with_russia"] == strict.loc["UZB", "with_russia"] + 1  # EAEU observer
    assert loose.loc["TUR", "with_west"] == 1  # an EU candidate is not a member


# --------------------------------------------------------------------------- figures
def test_overlap_heatmap(matrix, states):
    fig = charts.overlap_heatmap(matrix, states)
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert list(heat.x) == list(matrix.columns)
    assert heat.y[0].startswith("Azerbaijan")
    # the KAZ row, CSTO column carries the "member" label
    kaz, csto = list(matrix.index).index("KAZ"), list(matrix.columns).index("CSTO")
    assert heat.text[kaz][csto] == "M"
    legend = [t.name for t in fig.data[1:]]
    assert any("observer" in name for name in legend) and any("dialogue partner" in name for name in legend)
    assert len(fig.layout.updatemenus[0].buttons) == 1 + len(matrix.columns)
    assert "Kazakhstan and Kyrgyzstan" in fig.layout.meta["alt"]


def test_organisations_timeline(organisations):
    fig = charts.organisations_timeline(organisations)
    visible = [t for t in fig.data if t.visible is not False]
    labels = {y for t in visible for y in t.y}
    assert {"OTS", "CIS", "CSTO", "EAEU"} <= labels
    ots = next(t for t in visible if "OTS" in t.y)
    assert ots.name == "no single leading state"
    assert ots.x[list(ots.y).index("OTS")] == 2009
    imperial = next(t for t in visible if t.name == "led by a former imperial power")
    assert {"CIS", "CSTO", "EAEU"} <= set(imperial.y)
    assert len(fig.layout.updatemenus[0].buttons) == 2
    assert fig.layout.meta["alt"]


def test_alignment_bars(matrix, states, memberships):
    fig = charts.alignment_bars(matrix.drop(index="RUS"), states, charts.russia_organisations(memberships))
    russia, west = fig.data
    assert list(russia.x)[:5] == ["Azerbaijan", "Kazakhstan", "Kyrgyzstan", "Türkiye", "Uzbekistan"]
    assert list(russia.y)[1] == 4 and list(west.y)[3] == 1
    loose = fig.layout.updatemenus[0].buttons[1].args[0]["y"]
    assert list(loose[0])[3] == 1  # Türkiye, counting the SCO dialogue partnership
    assert fig.layout.meta["alt"]


# --------------------------------------------------------------------------- exercise 1
def test_state_memberships_right():
    assert ex.check_state_memberships("KAZ", ("OTS", "CIS", "CSTO", "EAEU", "SCO")).correct is True
    assert ex.check_state_memberships("TUR", ("OTS", "NATO")).correct is True
    assert ex.check_state_memberships("TKM", (ex.NONE_OF_THESE,)).correct is True


def test_state_memberships_wrong_points_at_evidence():
    fb = ex.check_state_memberships("UZB", ("OTS", "CIS", "SCO", "EAEU"))
    assert fb.correct is False
    assert "observer" in fb.message and "EAEU" in fb.message and "2020" in fb.message
    fb = ex.check_state_memberships("TUR", ("OTS",))
    assert fb.correct is False and "left out 1" in fb.message and "figure" in fb.message


def test_state_memberships_unusable():
    assert ex.check_state_memberships(None, ("CIS",)).correct is None
    assert ex.check_state_memberships("KAZ", ()).correct is None
    assert ex.check_state_memberships("RUS", ("CIS",)).correct is None  # not a state of the exercise
    assert ex.check_state_memberships("KAZ", ("WTO",)).correct is None  # not an organisation of the list
    assert ex.check_state_memberships("KAZ", ("CIS", ex.NONE_OF_THESE)).correct is None


def test_state_memberships_solution():
    text = ex.solution_state_memberships()
    assert "Kazakhstan: CIS, CSTO, EAEU, OTS and SCO" in text and "Turkmenistan: none" in text


# --------------------------------------------------------------------------- exercise 2
def test_csto_eaeu_logic():
    assert ex.check_csto_eaeu(("KAZ", "KGZ")).correct is True
    wrong = ex.check_csto_eaeu(("KAZ", "KGZ", "UZB"))
    assert wrong.correct is False and "Uzbekistan" in wrong.message and "2012" in wrong.message
    missed = ex.check_csto_eaeu(("KAZ",))
    assert missed.correct is False and "missed 1" in missed.message
    assert ex.check_csto_eaeu(()).correct is None
    assert ex.check_csto_eaeu(("RUS",)).correct is None  # out of range: not an OTS member
    assert ex.solution_csto_eaeu().startswith("Kazakhstan and Kyrgyzstan")


# --------------------------------------------------------------------------- exercise 3
def test_claim_sorting_logic():
    key = [s["kind"] for s in ex.STATEMENTS]
    right = ex.check_claim_sorting(key)
    assert right.correct is True and "corrected" in right.message  # the observers list is out of date
    flipped = [ex.FACT if k == ex.OPINION else ex.OPINION for k in key]
    wrong = ex.check_claim_sorting(flipped)
    assert wrong.correct is False and f"{len(key)} of {len(key)}" in wrong.message
    assert ex.check_claim_sorting([ex.CHOOSE] * len(key)).correct is None
    assert ex.check_claim_sorting(key[:-1]).correct is None
    assert ex.check_claim_sorting(key[:-1] + ["maybe"]).correct is None
    assert "1. checkable fact (data: confirmed)" in ex.solution_claim_sorting()


def test_claim_key_agrees_with_the_data(memberships):
    facts = [s for s in ex.STATEMENTS if s["kind"] == ex.FACT]
    assert facts and all(s["check"] for s in facts)
    for s in facts:
        _, code, org = s["check"]
        assert ((memberships["iso3"] == code) & (memberships["organisation"] == org)).any()


# --------------------------------------------------------------------------- widgets
def test_state_memberships_widget_submit():
    box = ex.make_state_memberships_widget()
    box.answer_widget.state.value = "KGZ"
    box.answer_widget.orgs.value = ("OTS", "CIS", "CSTO", "EAEU", "SCO")
    assert box.submit().correct is True
    assert "ots-right" in box.feedback.value and "Kyrgyzstan" in box.feedback.value
    box.answer_widget.orgs.value = ("OTS", "NATO")
    assert box.submit().correct is False
    assert "ots-wrong" in box.feedback.value
    box.answer_widget.state.value = None
    assert box.submit().correct is None and "Choose a state" in box.feedback.value
    assert "Solution" in (box.show_solution() and box.feedback.value)


def test_csto_eaeu_widget_submit():
    box = ex.make_csto_eaeu_widget()
    box.answer_widget.value = ("KAZ", "KGZ")
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box.answer_widget.value = ("AZE",)
    assert box.submit().correct is False and "Azerbaijan" in box.feedback.value
    box.answer_widget.value = ()
    assert box.submit().correct is None and "Tick at least one" in box.feedback.value


def test_claim_sorting_widget_submit():
    box = ex.make_claim_sorting_widget()
    for picker, statement in zip(box.answer_widget.pickers, ex.STATEMENTS):
        picker.value = statement["kind"]
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box.answer_widget.pickers[0].value = ex.OPINION
    assert box.submit().correct is False and "No. 1" in box.feedback.value
    box.answer_widget.pickers[2].value = ex.CHOOSE
    assert box.submit().correct is None and "still open" in box.feedback.value


# --------------------------------------------------------------------------- the built pages
@pytest.fixture(scope="module")
def chapter_html(built_html) -> str:
    return read_page(built_html, "multipolarity")


def test_chapter_has_objectives_and_discussion(chapter_html):
    assert "Learning objectives" in chapter_html and "90 minutes" in chapter_html
    assert len(discussion_questions(chapter_html)) >= 4
    assert 'id="summary"' in chapter_html and 'id="overview"' in chapter_html


def test_chapter_has_three_numbered_plotly_figures(chapter_html):
    figures = numbered_figures(chapter_html, "fig-multipolarity-")
    for name in ("fig-multipolarity-overlap", "fig-multipolarity-alignment", "fig-multipolarity-organisations"):
        assert name in figures, f"figure {name} missing"
        assert_plotly_figure_with_caption_and_alt(figures[name], min_alt_length=40)


def test_chapter_cites_into_bibliography(chapter_html, built_html):
    links = citation_anchors(chapter_html)
    assert len(links) >= 10
    bibliography = read_page(built_html, "bibliography")
    for anchor in links:
        assert f'id="{anchor}"' in bibliography
    assert "Vanderhill" in bibliography and "Kuzio" in bibliography


def test_chapter_links_glossary_and_exercises(chapter_html):
    assert "glossary.html#term-Multipolarity" in chapter_html
    assert 'href="multipolarity_exercises.html"' in chapter_html


def test_exercises_page_shows_widgets_and_run_links(built_html):
    page = read_page(built_html, "multipolarity_exercises")
    assert "Exercises: multipolarity" in page
    assert page.count("application/vnd.jupyter.widget-view+json") >= 3
    assert "mybinder.org" in page and "Run this exercise" in page
    assert "Objective 2" in page and "Objective 4" in page


def test_population_prose_agrees_with_the_data(states):
    from pathlib import Path

    members = states[states["ots_status"] == "member"].set_index("iso3")
    text = (Path(__file__).resolve().parent.parent / "chapters" / "multipolarity.md").read_text(encoding="utf-8")
    prose = " ".join(text.split())
    turkiye = float(members.loc["TUR", "population_millions"])
    total = float(members["population_millions"].sum())
    assert members.loc["TUR", "population_date"] == "2023-12-31"
    assert f"about {turkiye:.1f} million residents at the end of 2023" in prose
    assert f"out of about {round(total, -1):.0f} million in all five member states" in prose
    assert turkiye / total > 0.5  # "more than half"
