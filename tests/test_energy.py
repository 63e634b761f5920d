"""Tests of the chapter "Energy": figures, exercise logic, widgets and the built pages."""
from __future__ import annotations


import pandas as pd
import pytest
from bookpage import assert_plotly_figure_with_caption_and_alt, citation_anchors, discussion_questions, numbered_figures, read_page

import otsbook
from otsbook.charts import energy as charts
from otsbook.exercises import energy as ex
from otsbook.plotting import alt_text


@pytest.fixture(scope="module")
def routes() -> pd.DataFrame:
    return otsbook.load("energy_routes")


@pytest.fixture(scope="module")
def segments(routes) -> pd.DataFrame:
    return charts.corridor_segments(routes)


# --- data helpers --------------------------------------------------------------------------------

def test_corridor_segments_in_flow_order(routes, segments):
    expected = routes[(routes["segment_of"] == charts.CORRIDOR) & (routes["status"] == "operational")]
    assert list(segments["route_id"]) == list(expected.sort_values("order_in_corridor")["route_id"])
    assert list(segments["route_id"]) == ["SCP", "TANAP", "TAP"]
    assert "TCGP" not in set(segments["route_id"])  # proposed, not part of the operating chain


def test_capacity_now_uses_built_expansion_only(routes, segments):
    table = routes.set_index("route_id")
    scp = table.loc["SCP"]
    assert float(scp["capacity_bcm_per_year"]) == pytest.approx(7.41)
    assert float(scp["capacity_current_bcm_per_year"]) == pytest.approx(23.4)  # after SCPX (2018)
    tanap = table.loc["TANAP"]
    assert float(tanap["capacity_current_bcm_per_year"]) == pytest.approx(float(tanap["capacity_bcm_per_year"]))
    assert dict(zip(segments["route_id"], segments["capacity_now"])) == pytest.approx({"SCP": 23.4, "TANAP": 16, "TAP": 10})
    corridor = table.loc[list(segments["route_id"])]
    assert list(segments["capacity_at_opening"]) == pytest.approx(list(corridor["capacity_bcm_per_year"].astype(float)))
    assert list(segments["capacity_now"]) == pytest.approx(list(corridor["capacity_current_bcm_per_year"].astype(float)))


def test_capacities_come_from_typed_columns_not_the_note(routes):
    edited = routes.copy()
    edited["capacity_other"] = "no figures here"  # the note is never parsed
    assert charts.route_capacities(edited).equals(charts.route_capacities(routes))
    edited.loc[edited["route_id"] == "TAP", "capacity_current_bcm_per_year"] = 20
    neck = charts.bottleneck(charts.corridor_segments(edited))
    assert (neck["route_id"], float(neck["capacity_now"])) == ("TANAP", pytest.approx(16))
    assert ex.bottleneck_capacity(edited) == pytest.approx(16)


def test_bottleneck_is_the_minimum(segments):
    neck = charts.bottleneck(segments)
    assert float(neck["capacity_now"]) == pytest.approx(float(segments["capacity_now"].min()))
    assert neck["route_id"] == "TAP"


def test_route_capacities_units_and_oil_conversion(routes):
    caps = charts.route_capacities(routes).set_index("route_id")
    assert {"SCP", "TANAP", "TAP", "BTC", "CAGP", "CPC", "TCGP"} <= set(caps.index)
    assert caps.loc["CPC", "capacity"] == 81.5 and caps.loc["CPC", "unit"] == "Mt/yr"
    btc = routes.set_index("route_id").loc["BTC"]
    assert float(btc["oil_capacity_mbd"]) == pytest.approx(1.2)
    assert caps.loc["BTC", "capacity"] == pytest.approx(1.2 * 365 / 7.33, abs=0.1) and caps.loc["BTC", "unit"] == "Mt/yr"
    assert caps.loc["SCP", "capacity"] == pytest.approx(23.4) and caps.loc["SCP", "unit"] == "bcm/yr"
    assert caps.loc["TCGP", "capacity"] == pytest.approx(30)  # proposed: its planned capacity
    # an oil route without a figure has no capacity, and the figure leaves it out
    blank = routes.copy()
    blank.loc[blank["route_id"] == "CPC", "oil_capacity_mt_per_year"] = pd.NA
    assert pd.isna(charts.route_capacities(blank).set_index("route_id").loc["CPC", "capacity"])
    assert all("CPC" not in t.x for t in charts.bypass_capacity(blank).data)


# --- figures -------------------------------------------------------------------------------------

def test_sgc_capacity_figure_traces(routes, segments):
    fig = charts.sgc_capacity(routes)
    by_name = {t.name: t for t in fig.data}
    now = by_name["Now (built expansions included)"]
    assert list(now.x) == [f"{o}. {i}" for o, i in zip(segments["order"], segments["route_id"])]
    assert list(now.customdata) == [f"{n} ({i})" for n, i in zip(segments["name"], segments["route_id"])]
    assert list(now.y) == pytest.approx([23.4, 16.0, 10.0])
    assert list(by_name["At opening"].y) == pytest.approx(list(segments["capacity_at_opening"]))
    assert list(by_name["Design maximum (if expanded)"].y) == pytest.approx([31.0, 31.0, 20.0])
    # the bottleneck bar is highlighted and the dotted line sits at its capacity
    colours = list(now.marker.color)
    assert colours.count(charts.OKABE_ITO["vermillion"]) == 1
    assert colours[list(segments["route_id"]).index("TAP")] == charts.OKABE_ITO["vermillion"]
    line = next(t for t in fig.data if t.name.startswith("bottleneck"))
    assert list(line.y) == pytest.approx([float(segments["capacity_now"].min())] * len(segments)) and "TAP" in line.name
    assert "TAP" in alt_text(fig) and "bottleneck" in alt_text(fig)


def test_routes_map_draws_every_route(routes):
    fig = charts.routes_map(routes)
    lines = [t for t in fig.data if t.mode == "lines"]
    ids = {t.meta["route_id"] for t in lines}
    assert ids == set(charts.ROUTE_PATHS)
    dash = {t.meta["route_id"]: t.line.dash for t in lines}
    assert dash["TCGP"] == "dash" and dash["MIDDLE"] == "dot" and dash["SCP"] == "solid"
    cpc = next(t for t in lines if t.meta["route_id"] == "CPC")
    assert (cpc.lon[-1], cpc.lat[-1]) == charts.PLACES["Novorossiysk"]
    assert fig.data[0].type == "scattergeo" and alt_text(fig)


def test_bypass_figure_capacity_by_commodity_and_status(routes):
    fig = charts.bypass_capacity(routes)
    bars = {(t.xaxis, t.name): dict(zip(t.x, t.y)) for t in fig.data}
    gas_bypass = bars[("x", "avoids Russian territory")]
    assert {k: gas_bypass[k] for k in ("CAGP", "TCGP", "SCP", "TANAP", "TAP")} == pytest.approx({"CAGP": 55, "TCGP": 30, "SCP": 23.4, "TANAP": 16, "TAP": 10})
    assert bars[("x2", "crosses Russia")] == pytest.approx({"CPC": 81.5, "AS": 17.5, "BN": 4.9})
    assert bars[("x2", "avoids Russian territory")]["BTC"] == pytest.approx(59.8, abs=0.1)
    assert bars[("x", "crosses Russia")] == pytest.approx({"CAC": 50, "BLUE": 16, "TURKS": 31.5})
    assert "Crossing Russia: CPC, CAC, AS, BN, BLUE, TURKS" in alt_text(fig)


def test_timeline_has_routes_and_checked_event(routes, events):
    fig = charts.energy_timeline(routes, events)
    bars = [t for t in fig.data if t.type == "bar"]
    bases = {y: b for t in bars for y, b in zip(t.y, t.base)}
    assert bases["Baku-Tbilisi-Ceyhan oil pipeline (BTC)"] == 2006
    assert bases["Trans Adriatic Pipeline (TAP)"] == 2020
    assert bases["Caspian Pipeline Consortium (Tengiz-Novorossiysk) (CPC)"] == 2001
    disputed = next(t for t in fig.data if t.name == "event (disputed)")
    assert list(disputed.x) == pytest.approx([2021 + 1 / 12])  # placed at the checked date
    assert any("checked 2021-02-23" in (a.text or "") for a in fig.layout.annotations)


# --- exercise logic ------------------------------------------------------------------------------

def test_corridor_order_logic():
    assert ex.corridor_order() == ["SCP", "TANAP", "TAP"]
    right = ex.check_corridor_order(["SCP", "TANAP", "TAP"])
    assert right.correct is True and "Sangachal" in right.message
    swapped = ex.check_corridor_order(["TANAP", "SCP", "TAP"])
    assert swapped.correct is False and "first segment starts at Sangachal" in swapped.message
    outsider = ex.check_corridor_order(["BTC", "TANAP", "TAP"])
    assert outsider.correct is False and "segment_of" in outsider.message
    proposed = ex.check_corridor_order(["TCGP", "TANAP", "TAP"])
    assert proposed.correct is False and "proposed" in proposed.message
    with pytest.raises(ex.AnswerError, match="each of the 3 positions"):
        ex.check_corridor_order(["", "TANAP", "TAP"])
    with pytest.raises(ex.AnswerError, match="different pipeline"):
        ex.check_corridor_order(["SCP", "SCP", "TAP"])
    with pytest.raises(ex.AnswerError, match="not one of the routes"):
        ex.check_corridor_order(["XYZ", "TANAP", "TAP"])
    assert "SCP" in ex.solution_corridor_order() and "order_in_corridor" in ex.solution_corridor_order()


def test_bottleneck_logic(segments):
    answer = float(segments["capacity_now"].min())
    assert ex.bottleneck_capacity() == pytest.approx(answer)
    assert ex.check_bottleneck(str(answer)).correct is True
    assert ex.check_bottleneck(answer + 0.4).correct is True  # within tolerance
    before = ex.check_bottleneck("7.41")
    assert before.correct is False and "when it opened" in before.message
    assert "capacity_current_bcm_per_year reads 23.4" in before.message
    wider = ex.check_bottleneck("16")
    assert wider.correct is False and "narrower" in wider.message
    expanded = ex.check_bottleneck("20")
    assert expanded.correct is False and "expanded" in expanded.message
    summed = ex.check_bottleneck(str(float(segments["capacity_now"].sum())))
    assert summed.correct is False and "do not add up" in summed.message
    assert ex.check_bottleneck("3").correct is False
    with pytest.raises(ex.AnswerError, match="first"):
        ex.check_bottleneck("")
    with pytest.raises(ex.AnswerError, match="is not a capacity"):
        ex.check_bottleneck("ten")
    with pytest.raises(ex.AnswerError, match="outside that range"):
        ex.check_bottleneck("-5")
    with pytest.raises(ex.AnswerError, match="outside that range"):
        ex.check_bottleneck("500")
    assert "TAP at 10" in ex.solution_bottleneck()


def test_avoiding_russia_logic(routes):
    right = ex.avoiding_russia()
    expected = set(routes[(routes["route_id"] != "SGC") & (routes["status"] == "operational") & routes["bypasses_russia"]]["route_id"])
    assert right == expected == {"SCP", "TANAP", "TAP", "BTC", "CAGP", "MIDDLE", "BS", "KCOP", "KKK", "DSK", "SWAP"}
    ok = ex.check_avoiding_russia(tuple(right))
    assert ok.correct is True and "Caspian Pipeline Consortium" in ok.message
    with_cpc = ex.check_avoiding_russia(tuple(right | {"CPC"}))
    assert with_cpc.correct is False and "KAZ;RUS" in with_cpc.message
    with_tcgp = ex.check_avoiding_russia(tuple(right | {"TCGP"}))
    assert with_tcgp.correct is False and "proposed" in with_tcgp.message
    partial = ex.check_avoiding_russia(("SCP", "TAP"))
    assert partial.correct is False and "9 more" in partial.message
    assert ex.check_avoiding_russia("scp, tanap, tap, btc, cagp, middle, bs, kcop, kkk, dsk, swap").correct is True
    with pytest.raises(ex.AnswerError, match="at least one"):
        ex.check_avoiding_russia(())
    with pytest.raises(ex.AnswerError, match="not a route"):
        ex.check_avoiding_russia(("ABC",))
    assert "CPC (crosses Russia)" in ex.solution_avoiding_russia()


# --- widgets -------------------------------------------------------------------------------------

def test_corridor_widget_submit():
    box = ex.make_corridor_order_widget()
    for dropdown, value in zip(box.answer_widget.children, ["SCP", "TANAP", "TAP"]):
        dropdown.value = value
    assert box.submit().correct is True
    assert "ots-right" in box.feedback.value and "Sangachal" in box.feedback.value
    box.answer_widget.children[0].value = ""
    assert box.submit().correct is None
    assert "ots-info" in box.feedback.value and "positions" in box.feedback.value


def test_bottleneck_widget_submit():
    box = ex.make_bottleneck_widget()
    box.answer_widget.value = "16"
    assert box.submit().correct is False
    assert "ots-wrong" in box.feedback.value and "narrower" in box.feedback.value
    box.answer_widget.value = "10"
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box.answer_widget.value = "lots"
    assert box.submit().correct is None and "not a capacity" in box.feedback.value
    assert "TAP" in box.show_solution() and "Solution" in box.feedback.value


def test_avoiding_russia_widget_submit():
    box = ex.make_avoiding_russia_widget()
    box.answer_widget.value = ("CPC",)
    assert box.submit().correct is False and "crosses Russia" in box.feedback.value
    box.answer_widget.value = tuple(sorted(ex.avoiding_russia()))
    assert box.submit().correct is True and "ots-right" in box.feedback.value
    box.answer_widget.value = ()
    assert box.submit().correct is None and "Select at least one" in box.feedback.value


# --- the built book ------------------------------------------------------------------------------

def test_built_chapter(built_html):
    html = read_page(built_html, "energy")
    assert "Learning objectives" in html and "Estimated time" in html
    figures = numbered_figures(html, "fig-energy-")
    assert len(figures) >= 3
    for fig in figures.values():
        assert_plotly_figure_with_caption_and_alt(fig)
    assert {"fig-energy-sgc-capacity", "fig-energy-map", "fig-energy-bypass", "fig-energy-timeline"} <= set(figures)
    assert citation_anchors(html)
    assert len(discussion_questions(html)) >= 4
    assert 'href="energy_exercises.html"' in html


def test_built_exercises(built_html):
    html = read_page(built_html, "energy_exercises")
    assert "Exercises: energy" in html
    assert html.count("application/vnd.jupyter.widget-view+json") >= 3
    assert "Run this exercise" in html and "mybinder.org" in html
    assert "chapters%2Fenergy_exercises.md" in html or "chapters/energy_exercises.md" in html
    for objective in ("Learning objective 2", "Learning objective 3", "Learning objective 4"):
        assert objective in html
