"""The front and back matter: the shared map, the tables and figures of the sources chapter (run
from the chapter's own cells), and the built introduction, sources chapter, glossary and bibliography."""
from __future__ import annotations

import html
import re

from pathlib import Path

import pandas as pd
import pytest

import otsbook
from conftest import chapter_code, run_cell
from otsbook.charts import maps
from otsbook.domain import to_timestamp
from otsbook.plotting import (OTS_STATUS_COLOURS, VERIFICATION_COLOURS, VERIFICATION_ORDER, VERIFICATION_PATTERNS,
                              VERIFICATION_SYMBOLS, alt_text)

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = {"AZE", "KAZ", "KGZ", "TUR", "UZB"}
OBSERVERS = {"HUN", "TKM", "XNC"}
CORE_LABELS = ["history", "energy", "security", "multipolarity"]


@pytest.fixture(scope="module")
def tables():
    return {name: otsbook.load(name) for name in ("states", "events", "memberships", "energy_routes")}


# --- the map (one function, drawn in the introduction and in the history chapter) -------------

def map_colours(fig) -> dict[str, str]:
    """Every state the map colours, with its colour (outlines and markers alike)."""
    shown = {}
    for trace in fig.data:
        if trace.type == "choropleth":
            colours = {stop[1] for stop in trace.colorscale}
            assert len(colours) == 1, f"{trace.name}: one flat colour expected, got {colours}"
            colour = next(iter(colours))
            shown.update({iso: colour for iso in trace.locations})
        elif trace.type == "scattergeo" and trace.mode == "markers":
            shown.update({iso: trace.marker.color for iso in trace.customdata})
    return shown


def test_map_shows_exactly_the_members_and_observers_in_their_colours(tables):
    states = tables["states"]
    fig = maps.ots_map(states)
    shown = map_colours(fig)
    expected = {iso: OTS_STATUS_COLOURS["member"] for iso in MEMBERS}
    expected |= {iso: OTS_STATUS_COLOURS["observer"] for iso in OBSERVERS}
    assert shown == expected
    choropleths = {t.name: t for t in fig.data if t.type == "choropleth"}
    assert set(choropleths["Members"].locations) == MEMBERS
    assert set(choropleths["Observers"].locations) == {"HUN", "TKM"}
    assert choropleths["Members"].colorscale[0][1] == OTS_STATUS_COLOURS["member"]
    assert choropleths["Observers"].colorscale[0][1] == OTS_STATUS_COLOURS["observer"]
    drawn = {code for t in choropleths.values() for code in t.locations}
    listed = set(states[states["ots_status"].isin(["member", "observer"])]["iso3"])
    assert drawn == listed - {"XNC"}  # Northern Cyprus has no outline of its own


def test_map_follows_the_states_table_not_a_fixed_list(tables):
    states = tables["states"].copy()
    states.loc[states["iso3"] == "HUN", "ots_status"] = "none"
    states.loc[states["iso3"] == "GEO", "ots_status"] = "observer"
    shown = map_colours(maps.ots_map(states))
    assert "HUN" not in shown
    assert shown["GEO"] == OTS_STATUS_COLOURS["observer"]
    assert set(shown) == MEMBERS | (OBSERVERS - {"HUN"}) | {"GEO"}


def test_map_legend_names_both_standings_and_alt_text_names_every_state(tables):
    fig = maps.ots_map(tables["states"])
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["Members", "Observers"]
    alt = alt_text(fig)
    names = tables["states"].set_index("iso3")["name"]
    for iso in MEMBERS | OBSERVERS:
        assert names[iso] in alt
    assert "Hungary" in alt
    assert "Russia" not in alt


def test_northern_cyprus_is_drawn_as_a_marker_where_the_outlines_lack_it(tables):
    fig = maps.ots_map(tables["states"])
    markers = [t for t in fig.data if t.type == "scattergeo" and t.mode == "markers"]
    assert [list(t.customdata) for t in markers] == [["XNC"]]
    assert len(markers) == 1 and "Northern Cyprus" in markers[0].text[0]
    assert markers[0].marker.symbol == "star"  # the captions say "a star"
    lat, lon = markers[0].lat[0], markers[0].lon[0]
    assert 34.5 < lat < 35.8 and 32.2 < lon < 34.7  # northern Cyprus


def test_map_arguments_change_only_title_and_window(tables):
    default = maps.ots_map(tables["states"])
    zoomed = maps.ots_map(tables["states"], title="Another title", lonaxis_range=(20, 80), height=500)
    assert zoomed.layout.title.text == "Another title" and zoomed.layout.height == 500
    assert list(zoomed.layout.geo.lonaxis.range) == [20, 80]
    assert map_colours(zoomed) == map_colours(default)


def test_intro_and_history_draw_the_same_map_function():
    for page in ("intro", "history"):
        text = (ROOT / "chapters" / f"{page}.md").read_text(encoding="utf-8")
        assert "from otsbook.charts.maps import ots_map" in text, page
        assert re.search(r"^(fig = )?ots_map\(states", text, flags=re.M), page
    # nowhere else is a map of the members drawn: not in a chapter's cells, not in another module
    others = [p for p in (ROOT / "otsbook").rglob("*.py") if p.name != "maps.py"] + sorted((ROOT / "chapters").glob("*.md"))
    assert len(others) > 10
    for path in others:
        text = path.read_text(encoding="utf-8")
        assert "go.Choropleth(" not in text and "px.choropleth(" not in text, path.name


# --- the sources chapter: its tables and figures, computed in the chapter's own cells -------------

@pytest.fixture(scope="module")
def sources_chapter(run_chapter):
    return run_chapter("sources")


def test_unconfirmed_table_lists_every_unconfirmed_event_and_membership(sources_chapter, tables):
    events, memberships = tables["events"], tables["memberships"]
    rows = sources_chapter["not_confirmed"]
    assert list(rows.columns) == ["statement", "date", "document's date", "from", "status", "note", "checked against"]
    open_events = events[events["status"] != "confirmed"]
    open_memberships = memberships[memberships["verification"] != "confirmed"]
    assert len(rows) == len(open_events) + len(open_memberships) > 0
    assert set(open_events["title"]) <= set(rows["statement"])
    assert "confirmed" not in set(rows["status"].astype(str))
    # an event keeps both dates: the best-known one and the one the document gave
    energy = rows[rows["statement"] == events.set_index("event_id").loc["ots_energy_wg_2022", "title"]].iloc[0]
    assert (energy["date"], energy["document's date"]) == ("2021-02-23", "2022-09")
    # a membership reads as a sentence, with the state's name from the states table
    trnc = rows[rows["statement"] == "Turkish Republic of Northern Cyprus: observer of the OTS"]
    assert len(trnc) == 1
    assert trnc.iloc[0][["date", "from", "status", "checked against"]].astype(str).tolist() == [
        "2022", "famagusta_trnc", "corrected", "ots_official_about"]


def test_unconfirmed_table_is_sorted_by_status_then_document_and_names_missing_checks(sources_chapter):
    rows = sources_chapter["not_confirmed"]
    assert list(rows["status"].cat.categories) == ["claim", "disputed", "corrected"]
    keys = list(zip(rows["status"].cat.codes, rows["from"]))
    assert keys == sorted(keys)
    task_force = rows[rows["statement"].str.contains("counterterrorism task force")].iloc[0]
    assert task_force["status"] == "claim" and task_force["checked against"] == "none found"
    assert rows["checked against"].notna().all()


def expected_counts(tables) -> dict[tuple[str, str, str], int]:
    """Counted row by row, independently of the chapter's pandas code."""
    column = {"events": "status", "memberships": "verification", "energy_routes": "verification"}
    documents = {"kuzio_oped": "Kuzio's op-ed", "security_article": "The security article"}
    label = {"events": "events", "memberships": "memberships", "energy_routes": "energy routes"}
    counts: dict[tuple[str, str, str], int] = {}
    for name in column:
        table = tables[name]
        for source_id, status in zip(table["source_id"], table[column[name]]):
            key = (label[name], documents.get(source_id, "Public sources"), str(status))
            counts[key] = counts.get(key, 0) + 1
    return counts


def bar_counts(fig) -> dict[tuple[str, str, str], int]:
    found = {}
    for trace in fig.data:
        for group, rows in zip(trace.y, trace.x):
            table, source = group.split(": ", 1)
            found[(table, source, trace.name)] = int(rows)
    return found


def test_verification_counts_and_chart_equal_the_data(sources_chapter, tables):
    expected = expected_counts(tables)
    counts = sources_chapter["counts"]
    assert {(r.table, r.source, str(r.status)): int(r.rows) for r in counts.itertuples()} == expected
    fig = sources_chapter["figures"]["fig-sources-verification"]
    assert bar_counts(fig) == expected
    shown = [t.name for t in fig.data]
    assert shown == [s for s in VERIFICATION_ORDER if any(k[2] == s for k in expected)]
    for trace in fig.data:
        assert trace.marker.color == VERIFICATION_COLOURS[trace.name]
        assert trace.marker.pattern.shape == VERIFICATION_PATTERNS[trace.name]
    assert len({t.marker.pattern.shape for t in fig.data}) == len(fig.data)  # survives greyscale printing
    total, not_confirmed = sum(expected.values()), sum(n for k, n in expected.items() if k[2] != "confirmed")
    assert f"{total} rows" in alt_text(fig) and f"{not_confirmed} of them are claims" in alt_text(fig)


def test_verification_crosstab_follows_an_edited_table(run_chapter, tables):
    """Change a status in a copy of the events and run the chapter's counting cell on it."""
    namespace = dict(run_chapter("sources"))
    events = tables["events"].copy()
    events.loc[events["event_id"] == "nakhchivan_2009_oped", "status"] = "claim"
    namespace["events"] = events
    code = next(c for c in chapter_code("sources") if "pd.crosstab" in c)
    run_cell(code, namespace)
    before = run_chapter("sources")["checked"]
    after = namespace["checked"]
    claim = lambda t: int(((t["table"] == "events") & (t["status"].astype(str) == "claim")).sum())  # noqa: E731
    assert claim(after) == claim(before) + 1


def test_dates_chart_places_every_event_of_the_two_documents_by_the_date_convention(sources_chapter, tables):
    events = tables["events"].set_index("event_id")
    fig = sources_chapter["figures"]["fig-sources-dates"]
    from_documents = events[events["source_id"].isin(["kuzio_oped", "security_article"])]
    plotted = {}
    for trace in fig.data:
        assert trace.marker.symbol == VERIFICATION_SYMBOLS[trace.name]
        assert trace.marker.color == trace.marker.line.color == VERIFICATION_COLOURS[trace.name]
        for x, row in zip(trace.x, trace.customdata):
            plotted[row[0]] = (pd.Timestamp(x), trace.name)
    assert set(plotted) == set(from_documents.index)
    for event_id, (x, status) in plotted.items():
        assert x == to_timestamp(events.loc[event_id, "date"]), event_id  # a year at 1 July, a month at the 15th
        assert status == str(events.loc[event_id, "status"])
    assert plotted["council_proposed_2006"][0] == pd.Timestamp(2006, 7, 1)
    assert f"the {len(from_documents)} dated events" in alt_text(fig)


def test_sources_chapter_uses_the_shared_helpers_and_keeps_its_figure_code_in_view():
    text = (ROOT / "chapters" / "sources.md").read_text(encoding="utf-8")
    assert "otsbook.charts" not in text and not (ROOT / "otsbook" / "charts" / "overview.py").exists()
    assert "px.bar(" in text and "px.scatter(" in text and "pd.crosstab(" in text and "pd.concat(" in text
    assert "from otsbook.domain import" in text


def test_the_prose_of_the_sources_chapter_agrees_with_the_data(tables):
    """What the chapter says in words about the statuses, checked against the tables."""
    events, memberships = tables["events"], tables["memberships"]
    documents = {"kuzio_oped", "security_article"}
    # "Every claim comes from one of the two documents, and all of them are events ... So do the disputed events."
    routes = tables["energy_routes"]
    assert not (memberships["verification"] == "claim").any() and not (routes["verification"] == "claim").any()
    assert set(events.loc[events["status"].isin(["claim", "disputed"]), "source_id"]) <= documents
    # "The disputed energy routes ... were added from public sources that give different capacities"
    disputed_routes = routes[routes["verification"] == "disputed"]
    assert len(disputed_routes) > 0
    assert not set(disputed_routes["source_id"]) & documents
    assert disputed_routes["note"].str.contains("capacit", case=False).all()
    assert not (memberships["verification"] == "disputed").any()
    # "Most rows are confirmed"
    statuses = pd.concat([events["status"].astype(str), memberships["verification"].astype(str)])
    assert (statuses == "confirmed").mean() > 0.5
    # "The unconfirmed statements all fall in 2016 or later"
    from_documents = events[events["source_id"].isin(documents)]
    unconfirmed = from_documents[from_documents["status"] != "confirmed"]
    assert unconfirmed["date"].map(to_timestamp).min().year >= 2016
    # the op-ed's unconfirmed rows fall in 2020-2023
    oped = unconfirmed[unconfirmed["source_id"] == "kuzio_oped"]["date"].map(to_timestamp).dt.year
    assert (oped.min(), oped.max()) == (2020, 2023)
    # the article's early milestones are confirmed
    status = events.set_index("event_id")["status"].astype(str)
    assert status["nakhchivan_2009_article"] == status["almaty_summit_2011"] == "confirmed"


# --- the built pages ---------------------------------------------------------------------------

def article(built_html, page: str) -> str:
    text = (built_html / "chapters" / f"{page}.html").read_text(encoding="utf-8")
    start = text.index('<article class="bd-article"')
    return text[start:text.index("</article>", start)]


def plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def figures(page_html: str) -> dict[str, str]:
    """Figure id -> the HTML of the figure element."""
    return dict(re.findall(r'<figure[^>]*id="([^"]+)"[^>]*>(.*?)</figure>', page_html, flags=re.S))


def assert_drawn_figure(figure_html: str):
    assert "plotly-graph-div" in figure_html, "the figure holds no plotly chart"
    alt = re.search(r'class="ots-figure" role="figure" aria-label="([^"]+)"', figure_html)
    assert alt and len(alt.group(1)) > 40, "the figure has no alt text"
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure_html, flags=re.S)
    assert caption and len(plain(caption.group(1))) > 40, "the figure has no caption"


def test_intro_has_the_teaser_map(built_html):
    found = figures(article(built_html, "intro"))
    assert list(found) == ["fig-intro-map"]
    assert_drawn_figure(found["fig-intro-map"])
    assert "Northern Cyprus" in plain(found["fig-intro-map"])


def test_intro_links_to_every_chapter(built_html):
    page = article(built_html, "intro")
    for label in CORE_LABELS + ["sources", "datasets", "glossary"]:
        assert f'href="{label}.html#{label}"' in page, f"no link to {label}"
    assert 'href="instructors.html' in page


def test_intro_covers_audience_launching_classroom_licence_citing_and_errors(built_html):
    text = plain(article(built_html, "intro"))
    for phrase in ("Who it is for", "Learning path", "Binder", "JupyterHub", "Colab", "make book",
                   "Using the book in a classroom", "Week", "CC BY 4.0", "How to cite", "open issue"):
        assert phrase in text, phrase


def test_sources_page_has_objectives_and_discussion_questions(built_html):
    page = article(built_html, "sources")
    text = plain(page)
    assert "Learning objectives" in text
    questions = re.search(r'id="discussion-questions".*?<ol[^>]*>(.*?)</ol>', page, flags=re.S)
    assert questions and questions.group(1).count("<li") >= 4


def test_sources_page_lists_every_unconfirmed_row(built_html, tables):
    page = article(built_html, "sources")
    tables_html = re.findall(r"<table.*?</table>", page, flags=re.S)
    claims = next((t for t in tables_html if "checked against" in t), None)
    assert claims, "no table of unconfirmed rows"
    claims_text = plain(claims)
    events = tables["events"]
    for title in events.loc[events["status"] != "confirmed", "title"]:
        assert html.unescape(title) in claims_text, title
    for title in events.loc[events["status"] == "confirmed", "title"]:
        assert title not in claims_text, title
    assert "Turkish Republic of Northern Cyprus: observer of the OTS" in claims_text


def test_sources_page_figures_have_captions_and_alt_text(built_html):
    found = figures(article(built_html, "sources"))
    assert {"fig-sources-verification", "fig-sources-dates"} <= set(found)
    for figure_html in found.values():
        assert_drawn_figure(figure_html)


def test_glossary_defines_the_general_terms(built_html):
    page = (built_html / "chapters" / "glossary.html").read_text(encoding="utf-8")
    for term in ("Organisation-of-Turkic-States-OTS", "Turkic-Council", "Summit", "Observer-state",
                 "Secretariat", "Op-ed", "Primary-source", "Secondary-source", "Claim", "Established-fact",
                 "Verification-status", "Provenance", "Heatmap"):
        match = re.search(rf'<dt id="term-{term}">.*?</dt>\s*<dd>(.*?)</dd>', page, flags=re.S)
        assert match and len(plain(match.group(1))) > 30, term


def test_bibliography_lists_the_two_documents(built_html):
    page = article(built_html, "bibliography")
    entries = plain(page[page.index('class="citation-list"'):]).lower()  # the list, not its introduction
    assert "taras kuzio. as russian power declines, turkic military cooperation grows" in entries
    assert re.search(r"international security as a determinant of [^.]{0,30}organization of turkic states", entries)
    assert "eurasiareview.com" in entries


def test_the_book_renderer_sends_plain_json_for_dates_and_numpy_values():
    """A px figure of dates holds numpy datetime64 values; the kernel must be able to send it."""
    import json

    import plotly.express as px
    import plotly.io as pio

    frame = pd.DataFrame({"when": pd.to_datetime(["2009-10-03", "2019-10-15"]), "n": [4, 5]})
    fig = px.scatter(frame, x="when", y="n")
    bundle = pio.renderers["otsbook"].to_mimebundle(fig.to_dict())
    sent = json.loads(json.dumps(bundle))  # what ipykernel does; raises on numpy values
    assert sent["application/vnd.plotly.v1+json"]["data"][0]["x"][0].startswith("2009-10-03")
    assert 'class="ots-figure"' in sent["text/html"]
