"""Tests of the chapter "Energy": the pandas steps behind its figures and analysis, the exercises,
and the built pages (figures drawn by the chapter's own cells, read back from the HTML)."""
from __future__ import annotations

import base64
import json
import re

import numpy as np

import pandas as pd
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions, numbered_figures, read_page

import otsbook
from otsbook.charts.energy import PLACES, ROUTE_PATHS
from otsbook.exercises import AnswerError, all_exercises
from otsbook.exercises import energy as ex


@pytest.fixture(scope="module")
def routes() -> pd.DataFrame:
    return otsbook.load("energy_routes")


@pytest.fixture(scope="module")
def segments(routes) -> pd.DataFrame:
    return ex.corridor_segments(routes)


# --- the corridor and its bottleneck -------------------------------------------------------------

def test_corridor_segments_in_flow_order(routes, segments):
    assert list(segments["route_id"]) == ["SCP", "TANAP", "TAP"]
    assert "TCGP" not in set(segments["route_id"])  # proposed, not part of the operating chain
    # the order and the membership of the chain come from the table, not from a list in the code
    edited = routes.copy()
    edited.loc[edited["route_id"] == "TCGP", "status"] = "operational"
    assert list(ex.corridor_segments(edited)["route_id"]) == ["TCGP", "SCP", "TANAP", "TAP"]
    edited.loc[edited["route_id"] == "TAP", "status"] = "planned"
    assert list(ex.corridor_segments(edited)["route_id"]) == ["TCGP", "SCP", "TANAP"]


def test_capacity_now_uses_built_expansion_only(routes, segments):
    scp = routes.set_index("route_id").loc["SCP"]
    assert float(scp["capacity_bcm_per_year"]) == pytest.approx(7.41)
    assert float(scp["capacity_current_bcm_per_year"]) == pytest.approx(23.4)  # after SCPX (2018)
    assert dict(zip(segments["route_id"], segments["capacity_now"])) == pytest.approx({"SCP": 23.4, "TANAP": 16, "TAP": 10})
    assert list(segments["capacity_max"]) == pytest.approx([31, 31, 20])


def test_bottleneck_moves_when_the_data_change(routes, segments):
    neck = ex.bottleneck(segments)
    assert (neck["route_id"], float(neck["capacity_now"])) == ("TAP", 10)
    edited = routes.copy()
    edited.loc[edited["route_id"] == "TAP", "capacity_current_bcm_per_year"] = 20
    assert ex.bottleneck_capacity(edited) == pytest.approx(16)
    assert ex.check_bottleneck("16", routes=edited).correct is True
    assert ex.check_bottleneck("16").correct is False


# --- capacity by direction (the worked analysis) --------------------------------------------------

def test_operating_pipelines_count_a_chain_once_and_only_the_producers(routes):
    pipes = ex.operating_pipelines(routes)
    ids = set(pipes["route_id"])
    assert {"SCP", "BTC", "CPC", "CAGP"} <= ids
    # whole corridor, downstream segments, not built, freight, a swap contract, Russia's own exports
    assert not ids & {"SGC", "TANAP", "TAP", "TCGP", "MIDDLE", "SWAP", "BLUE", "TURKS", "TAPI", "CAGPD"}
    assert (pipes["status"] == "operational").all()
    assert pipes["exporters"].str.contains(ex.PRODUCERS).all()
    assert set(pipes["direction"]) <= {"via_russia", "to_china", "to_iran", "west_bypassing_russia", "to_south_asia"}
    table = pipes.set_index("route_id")
    assert table.loc["CPC", "capacity"] == 81.5 and table.loc["CPC", "direction"] == "via_russia"
    assert table.loc["DSK", "capacity"] == 12  # current capacity where the table has one, not the 6 at opening
    assert table.loc["BTC", "capacity"] == pytest.approx(1.2 * 365 / 7.33, abs=0.1)
    assert table.loc["SCP", "capacity"] == pytest.approx(23.4)  # capacity today, not at opening
    edited = routes.copy()
    edited["capacity_other"] = "no figures here"  # the note is never parsed
    assert ex.operating_pipelines(edited)["capacity"].equals(pipes["capacity"])


def test_capacity_by_direction_adds_routes_as_they_open(routes):
    cumulative = ex.capacity_by_direction(routes)
    pipes = ex.operating_pipelines(routes)
    last = cumulative[cumulative["year"] == cumulative["year"].max()]
    for commodity in ("gas", "oil"):
        assert last.loc[last["commodity"] == commodity, "capacity"].sum() == pytest.approx(
            pipes.loc[pipes["commodity"] == commodity, "capacity"].sum())
        totals = cumulative[cumulative["commodity"] == commodity].groupby("year")["capacity"].sum()
        assert totals.is_monotonic_increasing  # operating routes only ever join the series
    # the CPC joins the oil line through Russia in the year it opened, not before
    oil_russia = cumulative[(cumulative["commodity"] == "oil") & (cumulative["direction"] == "via_russia")].set_index("year")["capacity"]
    assert oil_russia[2001] - oil_russia[2000] == pytest.approx(81.5)
    # a Soviet-era route without an opening year (Atyrau-Samara) counts from 1991
    assert oil_russia[1991] == pytest.approx(17.5)
    # BTC (2006) adds its capacity to the westward oil line
    oil_west = cumulative[(cumulative["commodity"] == "oil") & (cumulative["direction"] == "west_bypassing_russia")].set_index("year")["capacity"]
    assert oil_west[2006] - oil_west.get(2005, 0) == pytest.approx(1.2 * 365 / 7.33, abs=0.1)


def test_russia_share_is_a_share_and_falls_after_btc(routes):
    oil = ex.russia_share(routes, "oil")
    assert ((oil >= 0) & (oil <= 1)).all()
    assert oil[2006] < oil[2005]  # BTC and the line to China opened in 2006
    gas = ex.russia_share(routes, "gas")
    assert gas[2010] < gas[2008]  # the China lines from December 2009
    # moving BTC's opening year moves the share
    edited = routes.copy()
    edited.loc[edited["route_id"] == "BTC", "operational_since"] = 2010
    assert ex.russia_share(edited, "oil")[2007] > oil[2007]


def test_map_geometry_is_consistent(routes):
    assert set(ROUTE_PATHS) & set(routes["route_id"]) >= {"SCP", "BTC", "CPC", "CAGP", "TCGP"}
    for path in ROUTE_PATHS.values():
        assert len(path) >= 2 and all(place in PLACES for place in path)
    for lon, lat in PLACES.values():
        assert 15 <= lon <= 84 and 33 <= lat <= 56  # inside the map's frame


# --- exercises ------------------------------------------------------------------------------------

ENERGY = [e for e in all_exercises() if e.key.startswith("energy-")]


def test_four_energy_exercises_declared():
    assert {e.key for e in ENERGY} == {"energy-corridor-order", "energy-bottleneck", "energy-avoiding-russia",
                                        "energy-russia-share"}


@pytest.mark.parametrize("exercise", ENERGY, ids=lambda e: e.key)
def test_an_answer_of_the_wrong_kind_is_unusable(exercise):
    # right and wrong answers and the worked solution are checked for every exercise in test_exercise_widgets.py
    garbage = {"energy-corridor-order": "SCP", "energy-bottleneck": "ten", "energy-avoiding-russia": ("ABC",),
               "energy-russia-share": "lots"}[exercise.key]
    feedback = exercise.evaluate(garbage)
    assert feedback.correct is None and feedback.message.strip()


def test_corridor_order_feedback():
    assert ex.corridor_order() == ["SCP", "TANAP", "TAP"]
    right = ex.check_corridor_order(["SCP", "TANAP", "TAP"])
    assert right.correct is True and "Sangachal" in right.message
    swapped = ex.check_corridor_order(["TANAP", "SCP", "TAP"])
    assert swapped.correct is False and "first segment starts at Sangachal" in swapped.message
    proposed = ex.check_corridor_order(["TCGP", "TANAP", "TAP"])
    assert proposed.correct is False and "proposed" in proposed.message
    outsider = ex.check_corridor_order(["CAGP", "TANAP", "TAP"])
    assert outsider.correct is False and "not part of the Southern Gas Corridor" in outsider.message
    with pytest.raises(AnswerError, match="different pipeline"):
        ex.check_corridor_order(["SCP", "SCP", "TAP"])
    assert ex.solution_corridor_order().startswith("1. South Caucasus Pipeline (SCP)")


def test_bottleneck_feedback(segments):
    before = ex.check_bottleneck("7.41")
    assert before.correct is False and "when it opened" in before.message and "23.4" in before.message
    assert "narrower" in ex.check_bottleneck("16").message
    assert "expanded" in ex.check_bottleneck("20").message
    assert "do not add up" in ex.check_bottleneck(str(float(segments["capacity_now"].sum()))).message
    assert ex.check_bottleneck("10.4").correct is True  # within tolerance
    with pytest.raises(AnswerError, match="outside that range"):
        ex.check_bottleneck("-5")
    assert "TAP at 10" in ex.solution_bottleneck()


def test_avoiding_russia_feedback(routes):
    right = ex.avoiding_russia()
    expected = routes[(routes["route_id"] != "SGC") & (routes["status"] == "operational") & routes["bypasses_russia"]]
    assert right == set(expected["route_id"]) and {"BTC", "CAGP", "SCP"} <= right and "CPC" not in right
    with_cpc = ex.check_avoiding_russia(tuple(right | {"CPC"}))
    assert with_cpc.correct is False and "crosses Russia" in with_cpc.message
    with_tcgp = ex.check_avoiding_russia(tuple(right | {"TCGP"}))
    assert with_tcgp.correct is False and "proposed" in with_tcgp.message
    assert "more" in ex.check_avoiding_russia(("SCP",)).message
    assert ex.check_avoiding_russia(", ".join(sorted(right)).lower()).correct is True


def test_russia_share_feedback(routes):
    oil = ex.russia_share(routes, "oil")
    right = float(oil.iloc[-1])
    assert ex.check_russia_share(f"{right * 100:.1f}").correct is True
    assert ex.check_russia_share(f"{right:.3f}").correct is True  # a fraction is read as a fraction
    as_1991 = ex.check_russia_share(f"{float(oil.iloc[0]) * 100:.0f}")
    assert as_1991.correct is False and "1991" in as_1991.message
    complement = ex.check_russia_share(f"{(1 - right) * 100:.1f}")
    assert complement.correct is False and "does not run through Russia" in complement.message
    assert f"{right:.0%}" in ex.solution_russia_share()


def test_widget_round_trip():
    box = ex.CORRIDOR_ORDER.box()
    for dropdown, value in zip(box.answer_widget.children, ["SCP", "TANAP", "TAP"]):
        dropdown.value = value
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box = ex.RUSSIA_SHARE.box()
    box.answer_widget.value = "lots"
    assert box.submit().correct is None and "not a share" in box.feedback.value


# --- the built book: figures drawn by the chapter's own cells --------------------------------------

def plotly_traces(figure_html: str) -> list[dict]:
    """The trace list passed to Plotly.newPlot in a built figure block."""
    start = figure_html.index("Plotly.newPlot(")
    body = figure_html[start + len("Plotly.newPlot("):]
    body = body[body.index(",") + 1:].lstrip()  # skip the div id
    traces, _ = json.JSONDecoder().raw_decode(body)
    return traces


def values(array) -> list:
    """A trace's x or y as a list: plotly writes numeric arrays as base64 typed arrays."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


POSITIONS = ("x", "y", "lon", "lat", "locations", "z")


def drawn_points(trace) -> int:
    """How many points a trace places (a built trace as a dict, or a plotly trace object)."""
    get = trace.get if isinstance(trace, dict) else (lambda key: getattr(trace, key, None))
    return max((len(values(get(key))) for key in POSITIONS if get(key) is not None), default=0)


@pytest.fixture(scope="module")
def energy_page(built_html) -> str:
    return read_page(built_html, "energy")


@pytest.fixture(scope="module")
def figures(energy_page) -> dict[str, str]:
    return numbered_figures(energy_page, "fig-energy-")


def test_every_figure_numbered_captioned_with_alt(figures):
    assert {"fig-energy-sgc-capacity", "fig-energy-map", "fig-energy-bypass", "fig-energy-direction",
            "fig-energy-timeline"} <= set(figures)
    for block in figures.values():
        assert_plotly_figure_with_caption_and_alt(block)
        assert any(drawn_points(trace) for trace in plotly_traces(block))  # no figure that draws nothing


def test_built_corridor_figure(figures):
    traces = {t["name"]: t for t in plotly_traces(figures["fig-energy-sgc-capacity"])}
    now = traces["Now (built expansions included)"]
    assert values(now["x"]) == ["1. SCP", "2. TANAP", "3. TAP"]
    assert values(now["y"]) == pytest.approx([23.4, 16.0, 10.0])
    assert any(name.startswith("bottleneck: TAP") for name in traces)


def test_built_map_and_capacity_figures(figures, routes):
    lines = [t for t in plotly_traces(figures["fig-energy-map"]) if t.get("mode") == "lines"]
    drawn = {t["meta"]["route_id"] for t in lines}
    assert drawn == set(ROUTE_PATHS) & set(routes["route_id"])
    bars = plotly_traces(figures["fig-energy-bypass"])
    shown = {x for t in bars for x in values(t["x"])}
    assert shown == set(ex.operating_pipelines(routes)["route_id"])
    assert "TANAP" not in shown and "SGC" not in shown


def test_built_direction_figure(figures, routes):
    traces = plotly_traces(figures["fig-energy-direction"])
    assert {t["stackgroup"] for t in traces} == {"gas", "oil"}
    labels = {t["name"] for t in traces}
    assert {"through Russia", "west, around Russia", "to China"} <= labels
    oil_russia = next(t for t in traces if t["stackgroup"] == "oil" and t["name"] == "through Russia")
    assert values(oil_russia["x"])[0] == 1991
    cumulative = ex.capacity_by_direction(routes)
    expected = cumulative[(cumulative["commodity"] == "oil") & (cumulative["direction"] == "via_russia")]
    assert values(oil_russia["y"])[-1] == pytest.approx(float(expected["capacity"].iloc[-1]))


def test_built_timeline_holds_only_ots_events(figures):
    traces = plotly_traces(figures["fig-energy-timeline"])
    markers = [t for t in traces if t.get("mode") == "markers"]
    titles = [row[0] for t in markers for row in t["customdata"]]
    assert titles and not any("TANAP" in s or "TAP " in s for s in titles)
    assert any("working group" in s for s in titles)
    assert {t["name"] for t in markers} >= {"OTS event (disputed)", "OTS event (confirmed)"}


def test_built_chapter_text(energy_page):
    assert "Learning objectives" in energy_page and "Estimated time" in energy_page
    assert len(citation_anchors(energy_page)) >= 40
    cited = set(re.findall(r'href="bibliography\.html#[^"]+" title="([^".]+)\.', energy_page))
    scholars = {"Paul Kubicek", "Alexander Cooley", "Pauline Jones Luong and Erika Weinthal",
                "Karen Smith Stegen and Julia Kusznir", "Matthew Edwards", "Neil Collins and Kristina Bekenova"}
    assert len(scholars & cited) >= 4, cited
    assert len(discussion_questions(energy_page)) >= 5
    assert 'href="energy_exercises.html"' in energy_page
    text = re.sub(r"<[^>]+>", " ", energy_page)
    assert "1997" in text and "Supsa" in text and "swap" in text
    assert "Since the documents were written" in text and "Limits and counter-arguments" in text


def test_built_exercises_page(built_html):
    html = read_page(built_html, "energy_exercises")
    assert "Exercises: energy" in html
    assert html.count("application/vnd.jupyter.widget-view+json") >= 4
    for objective in ("Objective 2", "Objective 3", "Objective 4", "Objective 5"):
        assert objective in html
    assert "Show the solution (no Python needed)" in html


# --- the chapter's own cells, run without a build (part of `make check`) ---------------------------

@pytest.fixture(scope="module")
def chapter(run_chapter) -> dict:
    return run_chapter("energy")


def test_chapter_draws_five_figures_from_its_own_cells(chapter):
    figures = chapter["figures"]
    assert set(figures) == {"fig-energy-sgc-capacity", "fig-energy-map", "fig-energy-bypass",
                            "fig-energy-direction", "fig-energy-timeline"}
    for name, fig in figures.items():
        assert any(drawn_points(trace) for trace in fig.data), f"{name} draws nothing"


def test_chapter_tables_agree_with_the_exercise_logic(chapter, routes):
    assert list(chapter["corridor"]["route_id"]) == ex.corridor_order()
    assert chapter["neck"]["route_id"] == "TAP"
    assert set(chapter["operating"]["route_id"]) == set(ex.operating_pipelines()["route_id"])
    mine = chapter["cumulative"].drop(columns="share").sort_values(["commodity", "direction", "year"]).reset_index(drop=True)
    theirs = ex.capacity_by_direction().sort_values(["commodity", "direction", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False, check_categorical=False)
    share = chapter["via_russia_share"]
    assert share["oil"].to_list() == pytest.approx(ex.russia_share(commodity="oil").to_list())


def test_the_prose_about_the_shares_matches_the_data(chapter):
    """The text says 'just over half' of the oil and 'about a third' of the gas capacity runs through Russia."""
    latest = chapter["via_russia_share"].iloc[-1]
    assert 0.5 < latest["oil"] < 0.6, "update the 'What to notice' box and the analysis text"
    assert 0.28 < latest["gas"] < 0.4, "update the 'What to notice' box and the analysis text"
    assert chapter["via_russia_share"].loc[1991].to_list() == [1.0, 1.0]  # all through Russia at independence


def test_chapter_figures_hold_the_data(chapter, routes):
    figures = chapter["figures"]
    bars = figures["fig-energy-bypass"].data
    assert {x for t in bars for x in t.x} == set(ex.operating_pipelines()["route_id"])
    direction = figures["fig-energy-direction"].data
    oil_russia = next(t for t in direction if t.stackgroup == "oil" and t.name == "through Russia")
    assert list(oil_russia.x)[0] == 1991 and list(oil_russia.y)[-1] == pytest.approx(
        ex.capacity_by_direction().query("commodity == 'oil' and direction == 'via_russia'")["capacity"].iloc[-1])
    timeline = figures["fig-energy-timeline"].data
    ots = [t for t in timeline if t.type == "scatter" and t.mode == "markers"]
    titles = [row[0] for t in ots for row in t.customdata]
    assert titles and not any("TANAP" in s or "TAP " in s for s in titles)
    lines = {t.meta["route_id"] for t in figures["fig-energy-map"].data if t.mode == "lines"}
    assert lines == set(ROUTE_PATHS) & set(routes["route_id"])
