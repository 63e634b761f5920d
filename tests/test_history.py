"""Tests of the chapter "History and institutions" and of the introduction: the figures drawn by
the chapter's own cells, the summits table, the exercises, the worked analysis and the built pages."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from bookpage import (assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions,
                      numbered_figures, read_page)

import otsbook
from otsbook.domain import members_in_year, to_timestamp
from otsbook.exercises import history as ex
from otsbook.plotting import OTS_STATUS_COLOURS, VERIFICATION_COLOURS, VERIFICATION_LABELS, VERIFICATION_SYMBOLS, alt_text

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "history.md"


# --- running the chapter's own code cells (no build needed) ---------------------------------------


def code_cells(path: Path) -> list[tuple[str | None, str]]:
    """(figure name or None, source) of every code cell of a MyST notebook page."""
    cells = []
    for match in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S):
        body = match.group(1)
        name = None
        if body.startswith("---\n"):
            header, body = body[4:].split("\n---\n", 1)
            found = re.search(r"name:\s*(\S+)", header)
            name = found.group(1) if found else None
        body = "\n".join(line for line in body.splitlines() if not line.startswith(":tags:"))
        cells.append((name, body))
    return cells


def run_cell(source: str, namespace: dict):
    """Execute a cell like a notebook does and return the value of its last expression."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None


@pytest.fixture(scope="module")
def chapter():
    """The namespace after running every cell, and each named figure's object."""
    namespace: dict = {}
    figures = {}
    for name, source in code_cells(CHAPTER):
        value = run_cell(source, namespace)
        if name:
            assert isinstance(value, go.Figure), f"{name} does not end with a figure"
            figures[name] = value
    return namespace, figures


def test_every_numbered_figure_is_drawn_by_a_cell_of_the_chapter(chapter):
    _, figures = chapter
    assert set(figures) == {"fig-history-timeline", "fig-history-summits", "fig-history-growth",
                            "fig-history-map", "fig-history-shares"}
    for name, fig in figures.items():
        drawn = [getattr(t, "x", None) if getattr(t, "x", None) is not None else getattr(t, "locations", None) or getattr(t, "lon", None) or ()
                 for t in fig.data]
        assert any(len(points) for points in drawn), f"{name} draws nothing"
        assert alt_text(fig) and len(alt_text(fig)) > 40, name


def test_the_figure_code_is_in_the_chapter_not_in_a_module():
    text = CHAPTER.read_text(encoding="utf-8")
    assert "otsbook.charts import history" not in text and not (ROOT / "otsbook" / "charts" / "history.py").exists()
    for call in ("px.scatter(", "px.bar(", "px.area(", "members_in_year(", "to_timestamp"):
        assert call in text, call


# --- figure: the timeline ------------------------------------------------------------------------


def test_timeline_has_one_point_per_event_at_its_best_known_date(chapter, events):
    _, figures = chapter
    fig = figures["fig-history-timeline"]
    points = {}
    for trace in fig.data:
        status = next(s for s, label in VERIFICATION_LABELS.items() if label == trace.name)
        assert trace.marker.color == VERIFICATION_COLOURS[status]
        assert trace.marker.symbol == VERIFICATION_SYMBOLS[status]
        for x, title in zip(trace.x, trace.hovertext):
            points.setdefault(title, []).append((pd.Timestamp(x), status))
    distinct = events["same_event_as"].fillna(events["event_id"]).nunique()
    assert sum(len(v) for v in points.values()) == distinct
    by_title = events.set_index("title")
    nakhchivan = by_title.loc["Turkic Council founded by the Nakhchivan Agreement"]
    assert points[nakhchivan.name] == [(to_timestamp(nakhchivan["date"]), "confirmed")]
    assert pd.Timestamp("2009-10-03") in [p[0] for p in points[nakhchivan.name]]  # the checked day, not the source's month
    first = events.set_index("event_id").loc["hist_first_summit_1992"]
    assert points[first["title"]][0][0] == pd.Timestamp("1992-10-30")
    assert f"Timeline of {distinct} events" in alt_text(fig)


def linked_groups(events: pd.DataFrame) -> list[set[str]]:
    """Sets of event_ids that `same_event_as` ties together (followed in both directions, any length)."""
    parent = {event_id: event_id for event_id in events["event_id"]}

    def root(event_id):
        while parent[event_id] != event_id:
            event_id = parent[event_id]
        return event_id

    for event_id, same in events[["event_id", "same_event_as"]].dropna().itertuples(index=False):
        parent[root(event_id)] = root(same)
    groups: dict[str, set[str]] = {}
    for event_id in parent:
        groups.setdefault(root(event_id), set()).add(event_id)
    return [group for group in groups.values() if len(group) > 1]


def test_timeline_draws_each_linked_event_once(chapter, events):
    _, figures = chapter
    fig = figures["fig-history-timeline"]
    by_id = events.set_index("event_id")
    # each drawn point, read back from the figure's traces: (title, date, hover sources)
    drawn = []
    for trace in fig.data:
        sources_at = int(re.search(r"Sources=%\{customdata\[(\d+)\]\}", trace.hovertemplate).group(1))
        for x, title, custom in zip(trace.x, trace.hovertext, trace.customdata):
            drawn.append((title, pd.Timestamp(x), str(custom[sources_at])))
    groups = linked_groups(events)
    assert groups, "the events table links no rows: nothing to check"
    for group in groups:
        titles = {by_id.loc[event_id, "title"] for event_id in group}
        points = [point for point in drawn if point[0] in titles]
        assert len(points) == 1, f"{sorted(group)} is drawn {len(points)} times: {points}"
        sources = points[0][2]
        for event_id in group:  # the hover names the sources of every row of the event
            assert by_id.loc[event_id, "source_id"] in sources, (event_id, sources)
    # the kept row is the best attested: confirmed and checked where a row of the group is
    kept = {title for title, _, _ in drawn}
    for group in groups:
        rows = by_id.loc[sorted(group)]
        best = rows[(rows["status"] == "confirmed") & rows["check_source_id"].notna()]
        if len(best):
            assert kept & set(best["title"]), f"{sorted(group)}: a confirmed, checked row should be drawn"


def test_timeline_rows_separate_the_four_themes(chapter, events):
    namespace, figures = chapter
    timeline = namespace["timeline"]
    rows = timeline.groupby("theme", observed=True)["row"].agg(["min", "max"])
    assert set(rows.index.astype(str)) == {"history", "energy", "security", "multipolarity"}
    assert (rows["max"] - rows["min"] <= 0.5).all()
    assert list(figures["fig-history-timeline"].layout.yaxis.ticktext) == ["Multipolarity", "Security", "Energy", "History"]
    buttons = figures["fig-history-timeline"].layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["All themes", "Only history", "Only energy", "Only security", "Only multipolarity"]
    low, high = buttons[1].args[0]["yaxis.range"]
    history_rows = timeline.loc[timeline["theme"] == "history", "row"]
    assert low < history_rows.min() and history_rows.max() < high
    others = timeline.loc[timeline["theme"] != "history", "row"]
    assert ((others < low) | (others > high)).all()


# --- the summits table and its figure ------------------------------------------------------------


@pytest.fixture(scope="module")
def summits():
    return otsbook.load("summits")


def test_summits_table_loads_typed_with_every_summit_from_1992_to_2025(summits):
    assert summits["number"].dtype == "Int64"
    regular = summits[summits["kind"] == "summit"]
    assert list(regular[regular["organisation_name"] == "Summit of the Turkic-speaking states"]["number"]) == list(range(1, 11))
    council_and_ots = regular[regular["organisation_name"] != "Summit of the Turkic-speaking states"]
    assert list(council_and_ots["number"]) == list(range(1, 13))
    assert summits["summit_id"].str.startswith("hist_").all()
    first, last = summits.iloc[0], summits.sort_values("date").iloc[-1]
    assert (first["date"], first["host_city"]) == ("1992-10-30", "Ankara")
    assert (last["date"], last["host_city"], int(last["number"])) == ("2025-10-07", "Gabala", 12)
    informal = summits[summits["kind"] != "summit"].set_index("host_city")
    assert {"Shusha", "Budapest", "Ankara", "videoconference"} <= set(informal.index)
    assert set(summits["source_id"]) <= set(otsbook.load("sources")["source_id"])


def test_summits_table_is_the_last_resource_of_the_datapackage():
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    resource = descriptor["resources"][-1]
    assert resource["name"] == "summits" and resource["path"] == "summits.csv"
    fields = [f["name"] for f in resource["schema"]["fields"]]
    assert fields == ["summit_id", "date", "date_end", "number", "kind", "host_city", "host_iso3",
                      "organisation_name", "theme", "outcomes", "source_id", "status", "note"]
    assert resource["schema"]["foreignKeys"] == [{"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}}]


def test_summits_loader_refuses_a_bad_kind(tmp_path):
    import shutil

    from otsbook.data import DATA_DIR, DataError, load

    for path in DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    table = (tmp_path / "summits.csv").read_text(encoding="utf-8").replace(",informal_summit,", ",coffee_morning,", 1)
    (tmp_path / "summits.csv").write_text(table, encoding="utf-8")
    with pytest.raises(DataError, match="summits.csv.*kind"):
        load("summits", data_dir=tmp_path)


def test_summits_figure_places_every_summit_and_names_the_outcomes(chapter, summits):
    _, figures = chapter
    fig = figures["fig-history-summits"]
    assert sum(len(t.x) for t in fig.data) == len(summits)
    assert {t.legendgroup.split(",")[0].strip() for t in fig.data} == set(summits["organisation_name"].astype(str))
    hover = " ".join(str(v) for t in fig.data for row in t.customdata for v in row)
    assert "Gabala Declaration" in hover and "Nakhchivan Agreement" in hover
    regular = int((summits["kind"] == "summit").sum())
    assert (f"Strip chart of {len(summits)} summits from {summits['date'].min()[:4]} to {summits['date'].max()[:4]}: "
            f"{regular} regular summits, {len(summits) - regular} informal or extraordinary ones") in alt_text(fig)


# --- figure: membership growth ------------------------------------------------------------------

FOUNDERS = ["AZE", "KAZ", "KGZ", "TUR"]


def test_growth_counts_members_and_observer_states_each_year(chapter, memberships):
    _, figures = chapter
    members, observers = figures["fig-history-growth"].data
    assert members.name == "Members" and observers.name == "Observers"
    assert members.marker.color == OTS_STATUS_COLOURS["member"]
    assert observers.marker.color == OTS_STATUS_COLOURS["observer"]
    assert list(members.x) == list(range(2009, 2027))
    assert list(members.y) == [4] * 10 + [5] * 8
    assert list(observers.y) == [0] * 9 + [1, 1, 1, 2, 3, 3, 3, 3, 3]
    assert "Uzbekistan" in members.customdata[list(members.x).index(2019)][0]
    assert [len(members_in_year(memberships, y, statuses=("observer",))) for y in (2019, 2020)] == [1, 1]
    assert "5 members and 3 observer states" in alt_text(figures["fig-history-growth"])


def test_growth_what_to_notice_no_longer_claims_one_state_a_year():
    text = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    assert "one state a year" not in text
    assert "Nobody joined in 2020" in text


# --- worked analysis: shares of population and GDP ---------------------------------------------


def test_shares_add_up_to_100_in_every_complete_year(chapter):
    namespace, figures = chapter
    shares = namespace["shares"]
    totals = shares.groupby(["indicator", "year"])["share"].sum()
    assert ((totals - 100).abs() < 1e-6).all()
    assert shares["year"].min() <= 1995 and shares["year"].max() >= 2022
    fig = figures["fig-history-shares"]
    assert {t.name for t in fig.data} == set(shares["state"])
    assert f"{shares['year'].min()} to {shares['year'].max()}: Türkiye's share of the population" in alt_text(fig)
    assert len(fig.layout.annotations) >= 2  # one panel per indicator


def test_turkiye_holds_more_than_half_of_population_and_gdp_throughout(chapter):
    namespace, _ = chapter
    turkiye = namespace["turkiye"]
    for indicator in ("Population", "GDP (current US$)"):
        known = turkiye[indicator].dropna()
        assert len(known) >= 30, indicator  # a share for (nearly) every year since 1992
        assert (known > 50).all(), indicator


def test_what_it_shows_agrees_with_the_shares(chapter):
    """Every number in the 'What it shows' paragraph, checked against the computed shares."""
    namespace, _ = chapter
    shares, turkiye = namespace["shares"], namespace["turkiye"]
    people, gdp = turkiye["Population"].dropna(), turkiye["GDP (current US$)"].dropna()
    assert 53 <= people.min() and people.max() <= 56
    assert 69 <= gdp.min() and gdp.max() <= 88
    assert 1998 <= gdp.idxmax() <= 2002  # "around the turn of the century"
    assert 69 <= gdp.loc[2010:].min() and gdp.loc[2010:].max() <= 77
    assert people.loc[:2005].idxmax() >= 2000 and people.iloc[-1] < people.max()  # rose, then edged down
    largest = shares.groupby(["indicator", "iso3"])["share"].max()
    assert largest.loc[("GDP (current US$)", "KAZ")] <= 18
    assert largest.loc[("Population", "UZB")] <= 23
    others = largest.drop(index="TUR", level="iso3")
    assert others.loc["GDP (current US$)"].idxmax() == "KAZ" and others.loc["Population"].idxmax() == "UZB"
    text = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    assert "between about 53 and 56 per cent" in text and "between about 69 and 88 per cent" in text


def test_shares_exercise_agrees_with_the_chapter(chapter):
    namespace, _ = chapter
    turkiye = namespace["turkiye"]["GDP (current US$)"].dropna()
    year, share = ex.latest_gdp_share()
    assert year == turkiye.index.max()
    assert abs(share - turkiye.loc[year]) < 0.05


# --- exercise 1: milestones -------------------------------------------------------------------------


def test_milestone_order_follows_the_best_known_dates(events):
    table = ex.milestones()
    dates = table.set_index("letter")["date"]
    order = ex.milestone_order()
    assert [to_timestamp(dates[ch]) for ch in order] == sorted(to_timestamp(d) for d in dates)
    assert order[0] == table.set_index("event_id").loc["hist_first_summit_1992", "letter"]
    assert order[-1] == table.set_index("event_id").loc["hist_eco_observer_2023", "letter"]


def test_milestone_right_wrong_and_unusable():
    right = ex.milestone_order()
    assert ex.MILESTONES.evaluate(right).correct is True
    assert ex.MILESTONES.evaluate(" ".join(right.lower())).correct is True
    wrong = ex.MILESTONES.evaluate(right[1] + right[0] + right[2:])
    assert wrong.correct is False and "Position 1" in wrong.message and "data/events.csv" in wrong.message
    assert "Fig." not in wrong.message
    for answer, expected in [("", "Type the 7 letters"), (None, "Type the 7 letters"), ("ABCDEFZ", "'Z' is not one of them"),
                             ("AABCDEF", "A appears more than once"), ("ABC", "missing: D, E, F, G")]:
        feedback = ex.MILESTONES.evaluate(answer)
        assert feedback.correct is None and expected in feedback.message, answer


def test_milestone_solution_is_computed_from_the_data(events):
    solution = ex.MILESTONES.solution()
    assert solution.startswith(ex.milestone_order() + ".")
    assert len(ex.MILESTONE_IDS) == len(ex.milestone_order()) == 7
    for event_id in ex.MILESTONE_IDS:
        assert events.set_index("event_id").loc[event_id, "date"] in solution


# --- exercise 2: standing in a year --------------------------------------------------------------


def test_standing_follows_the_membership_table():
    assert ex.standing_in(2010) == {"member": set(FOUNDERS), "observer": set()}
    assert ex.standing_in(2021) == {"member": set(FOUNDERS) | {"UZB"}, "observer": {"HUN", "TKM"}}
    assert ex.standing_in(2026)["observer"] == {"HUN", "TKM", "XNC"}


def test_standing_right_wrong_and_unusable():
    assert ex.STANDING.evaluate((2020, FOUNDERS + ["UZB"], ["HUN"])).correct is True
    early = ex.STANDING.evaluate((2018, FOUNDERS + ["UZB"], ["HUN"]))
    assert early.correct is False and "Uzbekistan had not joined as member by the end of 2018" in early.message
    swapped = ex.STANDING.evaluate((2022, FOUNDERS + ["UZB", "HUN"], ["TKM", "XNC"]))
    assert swapped.correct is False and "Hungary had a different status in 2022" in swapped.message
    never = ex.STANDING.evaluate((2010, FOUNDERS, ["TJK"]))
    assert never.correct is False and "Tajikistan has never been a member or an observer" in never.message
    for answer, expected in [((2005, FOUNDERS, []), "Choose a year between 2009"), ((2031, FOUNDERS, []), "2031 is outside"),
                             ((2020, [], []), "Select at least one member"), ((2020, FOUNDERS, ["AZE"]), "not both: Azerbaijan"),
                             (None, "Choose a year"), (("next year", FOUNDERS, []), "Choose a year between")]:
        feedback = ex.STANDING.evaluate(answer)
        assert feedback.correct is None and expected in feedback.message, answer


def test_standing_widget_reads_the_year_and_both_lists():
    box = ex.STANDING.widget()
    box.year.value = 2019
    box.members.value = tuple(FOUNDERS + ["UZB"])
    box.observers.value = ("HUN",)
    assert ex.STANDING.evaluate(ex.STANDING.read_answer(box)).correct is True
    assert "Northern Cyprus observer 2022" in ex.STANDING.solution()


# --- exercise 3: fact, claim or opinion --------------------------------------------------------


def test_statement_kinds_come_from_the_events_table(events):
    status = dict(zip(events["event_id"], events["status"].astype(str)))
    kinds = ex.statement_kinds()
    assert kinds["s2"] == kinds["s5"] == "opinion"
    assert kinds["s1"] == ("fact" if status["nakhchivan_2009_oped"] == "confirmed" else "claim")
    assert kinds["s3"] == "claim" and kinds["s4"] == "claim" and kinds["s6"] == "fact"


def test_statement_kinds_right_wrong_and_unusable():
    right = ex.statement_kinds()
    assert ex.STATEMENT_KINDS.evaluate(right).correct is True
    wrong = ex.STATEMENT_KINDS.evaluate({**right, "s3": "fact"})
    assert wrong.correct is False and wrong.message.startswith("5 of 6 right. Look again at statement 3")
    assert "ots_ct_task_force_2018" in wrong.message and "'claim'" in wrong.message
    for answer, expected in [({}, "for each of the six statements"), ({"s1": "fact"}, "still open: statement 2"),
                             ({**right, "s5": "rumour"}, "(statement 5)"), ("fact", "drop-down")]:
        feedback = ex.STATEMENT_KINDS.evaluate(answer)
        assert feedback.correct is None and expected in feedback.message, answer
    box = ex.STATEMENT_KINDS.widget()
    for sid, kind in right.items():
        box.dropdowns[sid].value = kind
    assert ex.STATEMENT_KINDS.evaluate(ex.STATEMENT_KINDS.read_answer(box)).correct is True


# --- exercise 4: the shares ----------------------------------------------------------------------


def test_shares_exercise_right_wrong_and_unusable():
    year, share = ex.latest_gdp_share()
    assert ex.SHARES.evaluate(round(share)).correct is True
    assert ex.SHARES.evaluate(f"{share:.1f}").correct is True
    population_share = ex.latest_population_share()[1]
    wrong = ex.SHARES.evaluate(round(population_share))
    assert wrong.correct is False and "population" in wrong.message
    assert ex.SHARES.evaluate(20).correct is False
    for answer, expected in [("", "Enter"), ("about half", "is not"), (150, "between 0 and 100")]:
        feedback = ex.SHARES.evaluate(answer)
        assert feedback.correct is None and expected in feedback.message, answer
    assert str(year) in ex.SHARES.solution() and f"{share:.1f}" in ex.SHARES.solution()


# --- the course text ---------------------------------------------------------------------------------


def prose_words(path: Path) -> int:
    """Words of prose: without code cells, admonitions, directives, figure captions and tables."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r":::\{admonition\}.*?:::", "", text, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("|"))
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", "", text)
    return len(re.findall(r"[A-Za-zÀ-ž0-9]+(?:['’-][A-Za-zÀ-ž0-9]+)*", text))


def test_chapter_is_a_lecture_of_reading():
    assert prose_words(CHAPTER) >= 4000


def test_chapter_covers_the_story_to_the_latest_summit_and_the_required_sections():
    text = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    for heading in ("## Since the documents were written", "## Limits and counter-arguments", "## Further reading",
                    "## Worked analysis"):
        assert heading in text, heading
    for fact in ("Gabala", "7 October 2025", "Shusha", "Budapest", "Bishkek", "Halil Akıncı", "Ramil Hasanov",
                 "Baghdad Amreyev", "Kubanychbek Omuraliev", "Strategy for 2022–2026", "Turkic Investment Fund",
                 "Economic Cooperation Organization", "OTS+", "1 December 2026"):
        assert fact in text, fact
    # issue 10, error 9: Kazakhstan's decision to move to Latin script is stated
    assert "Kazakhstan** has officially decided to move from Cyrillic" in text
    assert "Kyrgyzstan** has made no such decision" in text


SCHOLARLY = ("hist_sucu2021", "hist_costaburanelli2021", "hist_hasan_topuz2025", "hist_bolukbasi2025")


def test_chapter_cites_four_confirmed_scholarly_articles():
    text = CHAPTER.read_text(encoding="utf-8")
    bib = (ROOT / "bib" / "history.bib").read_text(encoding="utf-8")
    sources = otsbook.load("sources").set_index("source_id")
    for key in SCHOLARLY:
        assert re.search(rf"\{{cite:[pt]\}}`[^`]*\b{key}\b", text), key
        entry = re.search(rf"@article\{{{key},(.*?)\n\}}", bib, flags=re.S).group(1)
        assert re.search(r"journal = \{.+\}", entry) and re.search(r"year = \{\d{4}\}", entry)
        assert "doi = {" in entry or "url = {http" in entry
        assert sources.loc[key, "kind"] == "journal article"


# --- the introduction ----------------------------------------------------------------------------


def test_intro_counts_the_observer_organisation_and_states_the_date():
    text = " ".join((ROOT / "chapters" / "intro.md").read_text(encoding="utf-8").split())
    assert "and three observers" not in text
    assert "four observers: three states" in text and "Economic Cooperation Organization" in text
    assert "current to 1 December 2026" in text
    observers = otsbook.load("states").query("ots_status == 'observer'")
    assert len(observers) == 3  # the map's three observer states; the fourth observer is an organisation


def test_built_intro_shows_the_date_and_the_observers(built_html):
    page = read_page(built_html, "intro")
    plain = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "current to 1 December 2026" in plain
    assert "Economic Cooperation Organization" in plain


# --- the built pages -----------------------------------------------------------------------------


def plotly_data(figure_html: str) -> list[dict]:
    """The trace list a built figure passes to Plotly.newPlot, with plotly's base64-packed
    arrays ({"dtype": ..., "bdata": ...}) decoded to lists."""
    import base64

    import numpy as np

    def unpack(value):
        if isinstance(value, dict) and "bdata" in value:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
        if isinstance(value, dict):
            return {k: unpack(v) for k, v in value.items()}
        return value

    start = figure_html.index("Plotly.newPlot(")
    start = figure_html.index("[", start)
    data, _ = json.JSONDecoder().raw_decode(figure_html[start:])
    return [unpack(trace) for trace in data]


def test_built_chapter(built_html, summits):
    page = read_page(built_html, "history")
    assert "Learning objectives" in page and "Estimated time" in page
    figures = numbered_figures(page, "fig-history-")
    assert set(figures) == {"fig-history-timeline", "fig-history-summits", "fig-history-growth",
                            "fig-history-map", "fig-history-shares"}
    for figure in figures.values():
        assert_plotly_figure_with_caption_and_alt(figure)
    drawn = plotly_data(figures["fig-history-summits"])
    assert sum(len(trace["x"]) for trace in drawn) == len(summits)
    growth = plotly_data(figures["fig-history-growth"])
    assert [trace["name"] for trace in growth] == ["Members", "Observers"] and growth[0]["y"][-1] == 5
    assert len(citation_anchors(page)) >= 40, "citations should link into the bibliography"
    assert len(discussion_questions(page)) >= 4
    assert 'href="history_exercises.html"' in page
    assert "glossary.html#term-Nakhchivan-Agreement" in page
    assert "show code" in page.lower() or "toggle-hidden" in page or "hide-input" in page


def test_built_exercises_page(built_html):
    page = read_page(built_html, "history_exercises")
    assert page.count("application/vnd.jupyter.widget-view+json") >= 4
    assert "Run this exercise" in page
    assert "Exercise 1: put the milestones in order" in page and "Exercise 4" in page


# --- the populations: computed from data/states.csv, and the prose agrees ----------------------


def test_population_prose_agrees_with_the_data(states):
    members = states[states["ots_status"] == "member"].set_index("iso3")
    turkiye = members.loc["TUR"]
    others = members.drop(index="TUR")["population_millions"].sum()
    prose = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    assert f"about {float(turkiye['population_millions']):.1f} million residents at the end of 2023" in prose
    assert f"together had about {round(float(others))} million" in prose
    assert float(turkiye["population_millions"]) / float(members["population_millions"].sum()) > 0.5


def test_built_timeline_draws_each_linked_event_once(built_html, events):
    page = read_page(built_html, "history")
    drawn = plotly_data(numbered_figures(page, "fig-history-")["fig-history-timeline"])
    titles = [title for trace in drawn for title in trace["hovertext"]]
    assert len(titles) == events["same_event_as"].fillna(events["event_id"]).nunique()
    by_id = events.set_index("event_id")
    for group in linked_groups(events):
        assert sum(titles.count(by_id.loc[event_id, "title"]) for event_id in group) == 1, sorted(group)
