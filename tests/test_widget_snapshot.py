"""The exercises' widgets drawn as plain HTML at build time (_ext/widget_snapshot.py).

Unit tests build saved widget state the way ipywidgets saves it (the state of real widgets,
via ipywidgets' own ``get_state``) and check the drawing; the built-page test checks that every
widget view of the book has its drawing, with the labels and options the saved state holds.
"""
from __future__ import annotations

import json
import re
from html import escape
from html.parser import HTMLParser

import ipywidgets as widgets
import pytest

from conftest import load_module

snap = load_module("widget_snapshot", "_ext/widget_snapshot.py")


def saved(*roots: widgets.Widget) -> dict:
    """The saved state of these widgets and everything they reference, as a notebook stores it."""
    state, todo = {}, list(roots)
    while todo:
        w = todo.pop()
        if w.model_id in state:
            continue
        s = w.get_state()
        state[w.model_id] = {"model_name": s["_model_name"], "model_module": s["_model_module"],
                             "model_module_version": s["_model_module_version"], "state": json.loads(json.dumps(s, default=str))}
        for name in w.keys:  # the widgets it references: children, layout, style
            value = getattr(w, name)
            todo.extend(v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, widgets.Widget))
    return {"version_major": 2, "version_minor": 0, "state": state}


def view(w: widgets.Widget) -> str:
    return ('<div class="cell_output"><script type="application/vnd.jupyter.widget-view+json">'
            + json.dumps({"version_major": 2, "version_minor": 0, "model_id": w.model_id}) + "</script></div>")


def draw(w: widgets.Widget) -> str:
    body, unknown = snap.snapshot_views(view(w), saved(w))
    assert not unknown, unknown
    match = re.search(r'<div class="ots-widget-static" data-model-id="(\w+)">(.*)</div><script', body, re.S)
    assert match and match[1] == w.model_id, body
    assert body.endswith(view(w)[len('<div class="cell_output">'):]), "the view's <script> must stay for the widget manager"
    return match[2]


class Elements(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag):
        return [a for t, a in self.found if t == tag]


def test_dropdown_is_a_labelled_select_with_the_chosen_option():
    w = widgets.Dropdown(options=["— choose —", "Fact", "Claim <b>"], value="Fact", description="Statement 1 is:",
                         style={"description_width": "initial"}, layout=widgets.Layout(width="29em"))
    html = draw(w)
    (select,) = Elements(html).all("select")
    (label,) = Elements(html).all("label")
    assert label["for"] == select["id"] == f"ots-w-{w.model_id}"
    assert 'style="width: initial"' in html and ">Statement 1 is:</label>" in html
    assert re.findall(r"<option[^>]*>([^<]*)</option>", html) == ["— choose —", "Fact", "Claim &lt;b&gt;"]
    assert re.findall(r'<option value="(\d)" selected>', html) == ["1"]
    assert 'class="jupyter-widgets widget-inline-hbox widget-dropdown" style="width: 29em"' in html


def test_dropdown_without_a_value_shows_an_empty_box_as_ipywidgets_does():
    html = draw(widgets.Dropdown(options=["a", "b"], value=None, description="Pick:"))
    assert html.count(" selected") == 1 and '<option value="" selected hidden>&#160;</option>' in html


def test_select_multiple_keeps_rows_and_every_chosen_option():
    w = widgets.SelectMultiple(options=["Azerbaijan", "Hungary", "Türkiye"], value=("Azerbaijan", "Türkiye"), rows=3,
                               description="Members:")
    html = draw(w)
    (select,) = Elements(html).all("select")
    assert "multiple" in select and select["size"] == "3"
    assert re.findall(r'<option value="(\d)" selected>', html) == ["0", "2"]
    assert "widget-select widget-select-multiple" in html


def test_text_and_number_inputs_keep_placeholder_value_and_step():
    text = draw(widgets.Text(value="", placeholder='for "example" 12.5', description="Bottleneck (bcm a year):"))
    (box,) = Elements(text).all("input")
    assert box["type"] == "text" and box["placeholder"] == 'for "example" 12.5' and "value" not in box
    number = draw(widgets.FloatText(value=1.5, step=0.1, description="Times larger:"))
    (box,) = Elements(number).all("input")
    assert box["type"] == "number" and box["step"] == "0.1" and box["value"] == "1.5"


def test_slider_is_a_native_range_with_its_readout():
    w = widgets.IntSlider(value=2022, min=2005, max=2030, description="Year:")
    html = draw(w)
    (rng,) = Elements(html).all("input")
    assert (rng["type"], rng["min"], rng["max"], rng["step"], rng["value"]) == ("range", "2005", "2030", "1", "2022")
    (out,) = Elements(html).all("output")
    assert out["for"] == rng["id"] and ">2022</output>" in html


def test_boxes_nest_their_children_in_order_with_layout_and_classes():
    inner = widgets.HTML("<ul><li>A</li></ul>")
    box = widgets.VBox([inner, widgets.HBox([widgets.Text(description="x"), widgets.Text(description="y")])],
                       layout=widgets.Layout(border="1px solid #d0d7de", padding="0.5em 1em"))
    box.add_class("ots-exercise")
    html = draw(box)
    assert html.startswith('<div class="jupyter-widgets widget-container widget-box widget-vbox ots-exercise"')
    assert "border-top: 1px solid #d0d7de" in html and "padding: 0.5em 1em" in html
    assert html.index("<ul><li>A</li></ul>") < html.index(">x</label>") < html.index(">y</label>")
    assert "widget-hbox" in html
    assert "<label" not in html.split("<ul>")[0], "an HTML widget without description has no label"


def test_a_description_is_escaped_unless_it_allows_html():
    assert "&lt;i&gt;Year&lt;/i&gt;" in draw(widgets.IntText(description="<i>Year</i>"))
    assert "<i>Year</i>" in draw(widgets.IntText(description="<i>Year</i>", description_allow_html=True))


def test_an_unnamed_control_gets_an_accessible_name():
    (box,) = Elements(draw(widgets.Text(placeholder="e.g. ABC"))).all("input")
    assert box["aria-label"] == "e.g. ABC"


def test_unknown_widget_types_are_reported_and_left_to_the_widget_manager():
    w = widgets.ColorPicker(description="Colour")
    body, unknown = snap.snapshot_views(view(w), saved(w))
    assert unknown == {"ColorPickerModel"} and "ots-widget-static" not in body and "widget-view+json" in body


def test_a_broken_view_is_left_as_it_is():
    body = '<script type="application/vnd.jupyter.widget-view+json">{not json</script>'
    assert snap.snapshot_views(body, {"state": {}}) == (body, set())


def test_every_exercise_widget_type_can_be_drawn():
    """Every widget type an exercise of the book builds has a static drawing."""
    from otsbook.exercises import all_exercises

    seen = set()
    for exercise in all_exercises():
        todo = [exercise.widget()]
        while todo:
            w = todo.pop()
            seen.add(w.get_state()["_model_name"])
            todo.extend(getattr(w, "children", ()))
    drawable = {n for n in seen if not n.endswith(("LayoutModel", "StyleModel"))}
    assert drawable and drawable <= snap.SUPPORTED, sorted(drawable - snap.SUPPORTED)


@pytest.mark.parametrize("page", ["history_exercises", "energy_exercises", "security_exercises", "multipolarity_exercises"])
def test_built_exercise_pages_draw_every_widget_without_scripts(built_html, page):
    html = (built_html / "chapters" / f"{page}.html").read_text(encoding="utf-8")
    state = json.loads(re.search(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', html, re.S)[1])
    views = [json.loads(m)["model_id"] for m in re.findall(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', html, re.S)]
    drawn = re.findall(r'<div class="ots-widget-static" data-model-id="(\w+)">', html)
    assert views and drawn == views, f"{page}: views {views}, drawn {drawn}"
    # every description and every option of the saved state is on the page as text
    for entry in state["state"].values():
        s = entry["state"]
        if s.get("description"):
            assert f">{escape(s['description'])}</label>" in html or f"<span>{escape(s['description'])}</span>" in html, s["description"]
        for option in s.get("_options_labels", []):
            assert f">{escape(option)}</option>" in html, option
    assert re.search(r'<link rel="stylesheet" href="(\.\./)*_static/otsbook-\w+\.css">', html)
    bundle = re.search(r'href="((?:\.\./)*_static/otsbook-\w+\.css)"', html)[1]
    css = (built_html / "chapters" / bundle).resolve().read_text(encoding="utf-8")
    assert ".widget-inline-hbox" in css and "--jp-widgets-inline-height" in css, "ipywidgets' stylesheet is not in the page's bundle"
