"""Tests of the chapter "Multipolarity": its figures (run from the chapter's own cells), its
exercises, the worked analysis of UN votes, and the built pages."""
from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions, numbered_figures, read_page

import otsbook
from otsbook.domain import state_name
from otsbook.exercises import Feedback
from otsbook.exercises import multipolarity as ex

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "multipolarity.md"
MEMBERS = ["AZE", "KAZ", "KGZ", "TUR", "UZB"]


@pytest.fixture(scope="module")
def chapter() -> dict:
    """The chapter's code cells run in order, as a reader runs the notebook: their variables."""
    namespace: dict = {}
    for cell in jupytext.read(CHAPTER).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, str(CHAPTER), "exec"), namespace)
    return namespace


# --------------------------------------------------------------------------- the membership grid
def test_grid_orders_ots_members_first(chapter):
    grid = chapter["grid"]
    assert list(grid.index[:5]) == MEMBERS
    assert set(grid.index[5:8]) == {"HUN", "TKM", "XNC"} and grid.index[-1] == "RUS"
    assert list(grid.columns) == ["OTS", "CIS", "CSTO", "EAEU", "SCO", "NATO", "EU"]


def test_only_kazakhstan_and_kyrgyzstan_in_csto_and_eaeu(chapter):
    grid = chapter["grid"]
    assert {c for c in MEMBERS if grid.loc[c, "CSTO"] == "member" == grid.loc[c, "EAEU"]} == {"KAZ", "KGZ"}
    assert chapter["in_both"] == ["KAZ", "KGZ"]


def test_statuses_of_the_other_members(chapter):
    grid = chapter["grid"]
    assert grid.loc["TUR", "NATO"] == "member" and grid.loc["TUR", "EU"] == "candidate"
    # the SCO merged observer and dialogue partner on 1 September 2025: the open row is 'partner'
    assert grid.loc["TUR", "SCO"] == "partner" and grid.loc["AZE", "SCO"] == "partner"
    assert grid.loc["UZB", "EAEU"] == "observer"
    assert grid.loc["UZB", "CSTO"] == "former / suspended" and grid.loc["AZE", "CSTO"] == "former / suspended"
    assert grid.loc["HUN", "NATO"] == "member" and grid.loc["HUN", "EU"] == "member"
    assert grid.loc["TKM", "CIS"] == "associate"
    assert (grid.loc["XNC"].drop("OTS") == "none").all()
    assert {grid.loc[c, "SCO"] for c in ("KAZ", "KGZ", "UZB")} == {"member"}


def test_latest_open_tie_wins(chapter):
    latest = chapter["latest"].set_index(["iso3", "organisation"])["tie"]
    assert latest[("ARM", "CSTO")] == "former / suspended"  # the suspension of 2024 outranks the 1992 row
    assert latest[("BLR", "SCO")] == "member"  # an ended observer row never beats a current membership
    assert latest[("TUR", "SCO")] == "partner"


def test_alignment_counts(chapter):
    full, every = chapter["full_only"], chapter["every_tie"]
    assert chapter["russia_orgs"] == ["CIS", "CSTO", "EAEU", "SCO"]
    assert (full.loc["KAZ"].tolist(), full.loc["TUR"].tolist(), full.loc["HUN", "with_west"]) == ([4, 0], [0, 1], 2)
    assert every.loc["TUR", "with_russia"] == 1 and every.loc["AZE", "with_russia"] == full.loc["AZE", "with_russia"] + 1
    assert every.loc["UZB", "with_russia"] == full.loc["UZB", "with_russia"] + 1  # EAEU observer
    assert every.loc["TKM", "with_russia"] == 1 and every.loc["TUR", "with_west"] == 1  # a candidate is not a member


# --------------------------------------------------------------------------- figures
def test_overlap_heatmap(chapter):
    fig, grid = chapter["overlap_fig"], chapter["grid"]
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.x) == list(grid.columns)
    assert heat.y[0].startswith("Azerbaijan") and "for reference" in heat.y[-1]
    kaz, csto, sco = list(grid.index).index("KAZ"), list(grid.columns).index("CSTO"), list(grid.columns).index("SCO")
    assert heat.text[kaz][csto] == "M" and heat.text[list(grid.index).index("TUR")][sco] == "P"
    assert heat.customdata[kaz][csto].endswith("CSTO: member")
    legend = [t.name for t in fig.data[1:]]
    assert len(legend) == len(chapter["TIE_ORDER"]) and any("SCO partner" in name for name in legend)
    assert len(fig.layout.updatemenus[0].buttons) == 1 + len(grid.columns)
    alt = fig.layout.meta["alt"]
    assert f"Grid of {len(grid)} states" in alt and f"by {len(grid.columns)} organisations" in alt
    assert "only Kazakhstan and Kyrgyzstan belong to both the CSTO and the EAEU" in alt
    assert_stepped_colour_scale(heat, [chapter["TIE_COLOURS"][t] for t in chapter["TIE_ORDER"]])


def assert_stepped_colour_scale(heat, colours):
    """plotly.js ignores a colour scale that does not run exactly from 0 to 1 in order: the
    legend's colours must be the ones the cells get, one band per category."""
    positions = [float(step[0]) for step in heat.colorscale]
    assert positions[0] == 0 and positions[-1] == 1 and positions == sorted(positions)
    assert [step[1] for step in heat.colorscale][::2] == colours
    assert heat.zmin == -0.5 and heat.zmax == len(colours) - 0.5


def test_alignment_bars(chapter):
    fig = chapter["alignment_fig"]
    russia, west = fig.data
    assert list(russia.x)[:5] == ["Azerbaijan", "Kazakhstan", "Kyrgyzstan", "Türkiye", "Uzbekistan"]
    assert list(russia.y)[1] == 4 and list(west.y)[3] == 1
    loose = fig.layout.updatemenus[0].buttons[1].args[0]["y"]
    assert list(loose[0])[3] == 1  # Türkiye, counting the SCO partnership
    alt = fig.layout.meta["alt"]
    assert f"bars for {len(russia.x)} states" in alt
    assert "Kazakhstan shares the most with Russia (4)" in alt and "Hungary the most with the West (2)" in alt


def test_organisations_timeline(chapter):
    fig = chapter["timeline_fig"]
    shown = [t for t in fig.data if t.visible is not False]
    assert {y for t in shown for y in t.y} >= {"OTS", "CIS", "CSTO", "EAEU"}
    ots = next(t for t in shown if "OTS" in t.y)
    assert ots.name == "no single leading state" and ots.x[list(ots.y).index("OTS")] == 2009
    imperial = next(t for t in shown if t.name == "led by a former imperial power")
    assert {"CIS", "CSTO", "EAEU"} <= set(imperial.y)
    buttons = fig.layout.updatemenus[0].buttons
    assert len(buttons) == 2
    two_way = buttons[1].args[0]["visible"]
    assert [t.name for t, v in zip(fig.data, two_way) if v] == ["led by a former imperial power", "not led by a former imperial power"]
    alt = fig.layout.meta["alt"]
    drawn = {y for t in shown for y in t.y}
    assert f"Timeline of {len(drawn)} organisations" in alt
    assert f"{len(imperial.y)} are coded as led by a former imperial power" in alt
    newest = max(((x, y) for t in shown for x, y in zip(t.x, t.y)))
    assert f"{newest[1]} ({newest[0]})" in alt  # "to the EAEU (2015)"
    assert "Without a founding year: Russian World" in alt


# --------------------------------------------------------------------------- worked analysis: UN votes
def test_vote_table_covers_every_ots_state_with_a_un_seat(chapter):
    table = chapter["vote_table"]
    assert set(table.index) == {"AZE", "KAZ", "KGZ", "TUR", "UZB", "HUN", "TKM"}  # not Northern Cyprus
    assert list(table.columns) == chapter["resolutions"]["resolution"].tolist()
    assert table.notna().all().all()
    assert set(table.stack().astype(str)) <= {"yes", "no", "abstain", "absent", "unknown"}
    # an empty vote in the data is 'unknown' in the table, never a guess
    raw = otsbook.load("un_votes").set_index(["iso3", "resolution"])["vote"]
    for (iso3, resolution), vote in raw.items():
        if iso3 in table.index:
            assert table.loc[iso3, resolution] == ("unknown" if vote is None or vote != vote else vote)


def test_the_notice_box_agrees_with_the_votes(chapter):
    """The prose says: Kazakhstan and Kyrgyzstan never voted yes and opposed only the HRC suspension;
    Türkiye voted yes wherever known; Hungary voted no in 2025; Azerbaijan was absent wherever known."""
    table = chapter["vote_table"]
    known = lambda iso3: table.loc[iso3][table.loc[iso3] != "unknown"]
    hrc = chapter["resolutions"].loc[chapter["resolutions"]["short_title"].str.contains("Human Rights Council"), "resolution"].item()
    for iso3 in ("KAZ", "KGZ"):
        assert "yes" not in set(known(iso3))
        assert set(known(iso3).drop(hrc)) == {"abstain"} and table.loc[iso3, hrc] == "no"
    assert table.loc["UZB", hrc] == "no"
    assert set(known("TUR")) == {"yes"} and set(known("AZE")) == {"absent"}
    resolutions = chapter["resolutions"]
    february_2025 = resolutions.loc[resolutions["date"].str.startswith("2025-02"), "resolution"]
    assert len(february_2025) >= 1 and "no" in set(table.loc["HUN", february_2025])  # Hungary broke away in 2025
    assert "Human Rights Council (April 2022)" in " ".join(CHAPTER.read_text(encoding="utf-8").split())


def test_votes_by_camp_counts_every_vote_once(chapter):
    by_camp, table, camps = chapter["votes_by_camp"], chapter["vote_table"], chapter["camps"]
    assert int(by_camp.values.sum()) == table.size
    assert {camps[c] for c in ("KAZ", "KGZ")} == {"CSTO and EAEU"} and {camps[c] for c in ("TUR", "HUN")} == {"NATO"}
    assert {camps[c] for c in ("AZE", "UZB", "TKM")} == {"neither bloc"}


def test_un_votes_figure(chapter):
    fig, table = chapter["un_fig"], chapter["vote_table"]
    heat = fig.data[0]
    assert len(heat.y) == len(table) and len(heat.x) == table.shape[1]
    assert heat.y[0].endswith("(CSTO and EAEU)") and heat.y[-1].endswith("(NATO)")
    first = chapter["resolutions"]["resolution"].iloc[0]
    row = [i for i, label in enumerate(heat.y) if label.startswith("Türkiye")][0]
    assert heat.customdata[row][0].endswith(f": {table.loc['TUR', first]} [confirmed]")
    hungary = [i for i, label in enumerate(heat.y) if label.startswith("Hungary")][0]
    assert heat.text[hungary][0] == "Yes*"  # a vote known only from a secondary compilation is marked
    assert "?" in {t for line in heat.text for t in line}  # an unconfirmed vote is shown as unknown
    assert [t.name.split(" = ")[1] for t in fig.data[1:]] == chapter["VOTE_ORDER"]
    alt = fig.layout.meta["alt"]
    assert f"Grid of {len(table)} OTS members and observers by {table.shape[1]} General Assembly resolutions" in alt
    yes = sorted(state_name(c) for c in table.index[table[first] == "yes"])
    assert first in alt and len(yes) >= 1 and all(name in alt for name in yes)
    assert "Hungary (a claim)" in alt
    assert_stepped_colour_scale(heat, [chapter["VOTE_COLOURS"][v] for v in chapter["VOTE_ORDER"]])


# --------------------------------------------------------------------------- exercises
# (the declared right and wrong answers, the solution and the absence of typed figure numbers are
# checked for every exercise in test_exercise_widgets.py)


def test_state_memberships_feedback_points_at_evidence():
    fb = ex.STATE_MEMBERSHIPS.evaluate(("UZB", ("OTS", "CIS", "SCO", "EAEU")))
    assert fb.correct is False and "observer" in fb.message and "2020" in fb.message
    fb = ex.STATE_MEMBERSHIPS.evaluate(("TUR", ("OTS",)))
    assert fb.correct is False and "left out 1" in fb.message and "figure" in fb.message
    assert ex.STATE_MEMBERSHIPS.evaluate(("TKM", (ex.NONE_OF_THESE,))).correct is True
    assert "Kazakhstan: CIS, CSTO, EAEU, OTS and SCO" in ex.STATE_MEMBERSHIPS.solution()


@pytest.mark.parametrize(
    "answer",
    [(None, ("CIS",)), ("KAZ", ()), ("RUS", ("CIS",)), ("KAZ", ("WTO",)), ("KAZ", ("CIS", ex.NONE_OF_THESE))],
)
def test_state_memberships_unusable(answer):
    assert ex.STATE_MEMBERSHIPS.evaluate(answer).correct is None


def test_csto_eaeu_feedback():
    wrong = ex.CSTO_EAEU.evaluate(("KAZ", "KGZ", "UZB"))
    assert wrong.correct is False and "Uzbekistan" in wrong.message and "2012" in wrong.message
    assert "missed 1" in ex.CSTO_EAEU.evaluate(("KAZ",)).message
    assert ex.CSTO_EAEU.evaluate(()).correct is None and ex.CSTO_EAEU.evaluate(("RUS",)).correct is None
    assert ex.CSTO_EAEU.solution().startswith("Kazakhstan and Kyrgyzstan")


def test_claim_sorting_feedback(memberships):
    key = ex.CLAIM_SORTING.right_answer()
    assert "corrected" in ex.CLAIM_SORTING.evaluate(key).message  # the op-ed's observer list is out of date
    assert f"{len(key)} of {len(key)}" in ex.CLAIM_SORTING.evaluate(ex.CLAIM_SORTING.wrong_answer()).message
    assert ex.CLAIM_SORTING.evaluate([ex.CHOOSE] * len(key)).correct is None
    assert ex.CLAIM_SORTING.evaluate(key[:-1]).correct is None
    assert ex.CLAIM_SORTING.evaluate(key[:-1] + ["maybe"]).correct is None
    checkable = [statement["check"] for statement in ex.STATEMENTS if statement["check"]]
    assert len(checkable) >= 3
    for code, org in checkable:  # every checkable fact names a row that exists
        assert ((memberships["iso3"] == code) & (memberships["organisation"] == org)).any()


def test_un_votes_exercise_agrees_with_the_data():
    votes = otsbook.load("un_votes")
    first = otsbook.load("un_resolutions").sort_values("date")["resolution"].iloc[0]
    abstained = set(votes[(votes["resolution"] == first) & (votes["vote"] == "abstain")]["iso3"])
    assert set(ex.UN_VOTES.right_answer()) == abstained & {"AZE", "KAZ", "KGZ", "TUR", "UZB", "HUN", "TKM"} == {"KAZ", "KGZ"}
    right = ex.UN_VOTES.evaluate(("KAZ", "KGZ"))
    assert right.correct is True and "both the CSTO and the EAEU" in right.message and "secondary compilation" in right.message
    wrong = ex.UN_VOTES.evaluate(("KAZ", "KGZ", "AZE"))
    assert wrong.correct is False and "Azerbaijan: absent" in wrong.message
    assert ex.UN_VOTES.evaluate(()).correct is None
    assert ex.UN_VOTES.evaluate(("XNC",)).correct is None  # no UN seat
    assert first in ex.UN_VOTES.solution() and "141" in ex.UN_VOTES.solution()


def test_exercise_boxes_submit():
    box = ex.STATE_MEMBERSHIPS.box()
    box.answer_widget.state.value = "KGZ"
    box.answer_widget.orgs.value = ("OTS", "CIS", "CSTO", "EAEU", "SCO")
    assert box.submit().correct is True and "Kyrgyzstan" in box.feedback.value
    box.answer_widget.orgs.value = ("OTS", "NATO")
    assert box.submit().correct is False
    box = ex.CLAIM_SORTING.box()
    for picker, statement in zip(box.answer_widget.pickers, ex.STATEMENTS):
        picker.value = statement["kind"]
    assert isinstance(box.submit(), Feedback) and box.submit().correct is True


# --------------------------------------------------------------------------- prose that must agree with the data
def test_population_prose_agrees_with_the_data(states):
    members = states[states["ots_status"] == "member"].set_index("iso3")
    prose = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    turkiye, total = float(members.loc["TUR", "population_millions"]), float(members["population_millions"].sum())
    assert f"about {turkiye:.1f} million residents at the end of 2023" in prose
    assert f"out of about {round(total, -1):.0f} million in all five member states" in prose
    assert turkiye / total > 0.5  # "more than half"


def test_csto_is_dated_from_2002_not_1999():
    prose = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    assert "left the CSTO in 1999" not in prose and "7 October 2002" in prose
    assert "three tiers" not in prose and "Tianjin Declaration of 1 September 2025" in prose


# --------------------------------------------------------------------------- the built pages
@pytest.fixture(scope="module")
def chapter_html(built_html) -> str:
    return read_page(built_html, "multipolarity")


def test_chapter_has_objectives_sections_and_discussion(chapter_html):
    assert "Learning objectives" in chapter_html and "90 minutes" in chapter_html
    assert len(discussion_questions(chapter_html)) >= 6
    for section in ("overview", "summary", "since-the-documents-were-written", "limits-and-counter-arguments", "further-reading"):
        assert f'id="{section}"' in chapter_html, section


def test_chapter_has_four_numbered_plotly_figures(chapter_html):
    figures = numbered_figures(chapter_html, "fig-multipolarity-")
    for name in ("fig-multipolarity-overlap", "fig-multipolarity-alignment", "fig-multipolarity-organisations", "fig-multipolarity-un-votes"):
        assert name in figures, f"figure {name} missing"
        assert_plotly_figure_with_caption_and_alt(figures[name], min_alt_length=40)


def test_chapter_cites_scholarship_into_bibliography(chapter_html, built_html):
    links = citation_anchors(chapter_html)
    assert len(links) >= 30
    bibliography = read_page(built_html, "bibliography")
    for anchor in links:
        assert f'id="{anchor}"' in bibliography
    for author in ("Vanderhill", "Allison", "Ambrosio", "Libman", "Cooley"):
        assert author in bibliography, author


def test_chapter_links_glossary_and_exercises(chapter_html):
    assert "glossary.html#term-Multipolarity" in chapter_html and "glossary.html#term-SCO-partner" in chapter_html
    assert 'href="multipolarity_exercises.html"' in chapter_html


def test_exercises_page_shows_four_boxes_with_questions(built_html):
    page = read_page(built_html, "multipolarity_exercises")
    assert "Exercises: multipolarity" in page
    assert page.count("application/vnd.jupyter.widget-view+json") >= 4
    assert "Objective 2" in page and "Objective 5" in page
    assert page.count("Show the solution (no Python needed)") >= 4
