"""Saved ipywidgets drawn as plain HTML when the book is built, so an exercise shows at once.

A page executed for the book keeps each widget as saved state (``widget-state+json`` in <head>)
and a view (``<script type="application/vnd.jupyter.widget-view+json">``) where it stood. The
ipywidgets manager (``embed.js``, 1.8 MB) would draw the views in the browser; in the static book
no Python answers behind them, so :func:`snapshot_views` draws each view here instead, with the
same elements and classes ipywidgets uses (styled by ipywidgets' own stylesheet, vendored in
``_vendor/ipywidgets/css/``). The result is a ``<div class="ots-widget-static">`` just before the
view's script: native controls a reader can use without any script. ``_static/otsbook-lazy.js``
later loads the manager once the reader engages with the page, and swaps each snapshot for the
live widget (carrying over what the reader chose).

Only the widget types the book's exercises use are drawn; any other type is reported by
:func:`snapshot_views` so that the build can warn (add it to ``_RENDERERS``).
"""
from __future__ import annotations

import html
import json
import re
from typing import Callable

VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(?P<json>.*?)</script>', re.S)
STATE_MIME = "application/vnd.jupyter.widget-state+json"
REF = "IPY_MODEL_"
_LAYOUT_SKIP = {"grid_area", "grid_auto_columns", "grid_auto_flow", "grid_auto_rows", "grid_column", "grid_gap",
                "grid_row", "grid_template_areas", "grid_template_columns", "grid_template_rows"}


class Snapshot:
    """Draws the views of one page's saved widget state; ``unknown`` collects types it cannot draw."""

    def __init__(self, state: dict):
        self.models: dict[str, dict] = state.get("state", state)
        self.unknown: set[str] = set()

    # ---------------------------------------------------------------- helpers
    def model(self, ref: str | None) -> dict:
        return self.models.get(model_id(ref), {}).get("state", {}) if ref else {}

    def name(self, ref: str) -> str:
        return self.models.get(model_id(ref), {}).get("model_name", "")

    def layout_css(self, state: dict) -> str:
        """The widget's Layout as inline CSS (ipywidgets sets the same properties on its element)."""
        layout = self.model(state.get("layout"))
        rules = [f"{key.replace('_', '-')}: {value}" for key, value in layout.items()
                 if value not in (None, "") and not key.startswith("_") and key not in _LAYOUT_SKIP]
        return "; ".join(rules)

    def element(self, classes: list[str], state: dict, inner: str) -> str:
        classes = ["jupyter-widgets", *classes, *state.get("_dom_classes", [])]
        style = self.layout_css(state)
        style_attr = f' style="{html.escape(style, quote=True)}"' if style else ""
        return f'<div class="{" ".join(classes)}"{style_attr}>{inner}</div>'

    def label(self, state: dict, control_id: str | None) -> str:
        """The description label, as ipywidgets draws it (hidden when there is no description)."""
        text = state.get("description") or ""
        if not text:
            return ""
        width = self.model(state.get("style")).get("description_width")
        style = f' style="width: {html.escape(width, quote=True)}"' if width else ""
        target = f' for="{control_id}"' if control_id else ""
        shown = text if state.get("description_allow_html") else html.escape(text)
        return f'<label class="widget-label"{target}{style}>{shown}</label>'

    @staticmethod
    def control_attrs(state: dict, control_id: str) -> str:
        """id, and the attributes every input shares: disabled, tooltip, and a name when there is no label."""
        attrs = f' id="{control_id}"'
        if state.get("disabled"):
            attrs += " disabled"
        if state.get("tooltip"):
            attrs += f' title="{html.escape(state["tooltip"], quote=True)}"'
        if not state.get("description"):
            name = state.get("tooltip") or state.get("placeholder") or "answer"
            attrs += f' aria-label="{html.escape(name, quote=True)}"'
        return attrs

    @staticmethod
    def options(labels: list[str], selected: set[int]) -> str:
        return "".join(f'<option value="{i}"{" selected" if i in selected else ""}>{html.escape(str(label))}</option>'
                       for i, label in enumerate(labels))

    # ---------------------------------------------------------------- widget types
    def box(self, state: dict, model_name: str, ref: str) -> str:
        kind = {"VBoxModel": "widget-vbox", "HBoxModel": "widget-hbox"}.get(model_name, "")
        inner = "".join(self.draw(child) for child in state.get("children", []))
        return self.element(["widget-container", "widget-box", *([kind] if kind else [])], state, inner)

    def html_widget(self, state: dict, model_name: str, ref: str) -> str:
        return self.element(["widget-inline-hbox", "widget-html"], state,
                            self.label(state, None) + f'<div class="widget-html-content">{state.get("value", "")}</div>')

    def label_widget(self, state: dict, model_name: str, ref: str) -> str:
        return self.element(["widget-label"], state, html.escape(str(state.get("value", ""))))

    def dropdown(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        index = state.get("index")
        options = self.options(state.get("_options_labels", []), {index} if index is not None else set())
        if index is None:  # ipywidgets shows an empty box until something is chosen
            options = '<option value="" selected hidden>&#160;</option>' + options
        return self.element(["widget-inline-hbox", "widget-dropdown"], state,
                            self.label(state, cid) + f"<select{self.control_attrs(state, cid)}>{options}</select>")

    def select(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        index = state.get("index")
        chosen = set(index) if isinstance(index, (list, tuple)) else ({index} if index is not None else set())
        multiple = model_name == "SelectMultipleModel"
        rows = state.get("rows") or 5
        classes = ["widget-inline-hbox", "widget-select", *(["widget-select-multiple"] if multiple else [])]
        return self.element(classes, state, self.label(state, cid)
                            + f'<select{" multiple" if multiple else ""} size="{int(rows)}"{self.control_attrs(state, cid)}>'
                            + self.options(state.get("_options_labels", []), chosen) + "</select>")

    def radio(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        index = state.get("index")
        items = "".join(
            f'<label><input type="radio" name="{cid}" value="{i}"{" checked" if i == index else ""}'
            f'{" disabled" if state.get("disabled") else ""}> {html.escape(str(label))}</label>'
            for i, label in enumerate(state.get("_options_labels", [])))
        group = f'<div class="widget-radio-box widget-radio-box-vertical" role="radiogroup" id="{cid}"'
        group += f' aria-label="{html.escape(state.get("description") or "options", quote=True)}">{items}</div>'
        return self.element(["widget-inline-hbox", "widget-radio"], state, self.label(state, None) + group)

    def text(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        kind = "number" if model_name in NUMBER_MODELS else "text"
        attrs = self.control_attrs(state, cid)
        if kind == "number":
            for key in ("min", "max", "step"):
                if state.get(key) is not None:
                    attrs += f' {key}="{state[key]}"'
        if state.get("placeholder") and state["placeholder"] != "\u200b":
            attrs += f' placeholder="{html.escape(state["placeholder"], quote=True)}"'
        value = state.get("value")
        if value not in (None, ""):
            attrs += f' value="{html.escape(str(value), quote=True)}"'
        return self.element(["widget-inline-hbox", "widget-text"], state,
                            self.label(state, cid) + f'<input type="{kind}" class="widget-input"{attrs}>')

    def textarea(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        attrs = self.control_attrs(state, cid) + f' rows="{int(state.get("rows") or 5)}"'
        if state.get("placeholder"):
            attrs += f' placeholder="{html.escape(state["placeholder"], quote=True)}"'
        return self.element(["widget-inline-hbox", "widget-textarea"], state, self.label(state, cid)
                            + f'<textarea class="widget-input"{attrs}>{html.escape(str(state.get("value") or ""))}</textarea>')

    def slider(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        value = state.get("value")
        attrs = self.control_attrs(state, cid) + "".join(
            f' {key}="{state[key]}"' for key in ("min", "max", "step", "value") if state.get(key) is not None)
        readout = (f'<output class="widget-readout" for="{cid}">{html.escape(str(value))}</output>'
                   if state.get("readout", True) else "")
        return self.element(["widget-inline-hbox", "widget-slider", "widget-hslider"], state,
                            self.label(state, cid) + f'<div class="slider-container"><input type="range"{attrs}></div>' + readout)

    def checkbox(self, state: dict, model_name: str, ref: str) -> str:
        cid = control_id(ref)
        checked = " checked" if state.get("value") else ""
        return self.element(["widget-inline-hbox", "widget-checkbox"], state,
                            f'<label class="widget-label-basic"><input type="checkbox"{self.control_attrs(state, cid)}{checked}>'
                            f' <span>{html.escape(state.get("description") or "")}</span></label>')

    def button(self, state: dict, model_name: str, ref: str) -> str:
        style = f' mod-{state["button_style"]}' if state.get("button_style") else ""
        title = f' title="{html.escape(state["tooltip"], quote=True)}"' if state.get("tooltip") else ""
        inner = html.escape(state.get("description") or "")
        css = self.layout_css(state)
        style_attr = f' style="{html.escape(css, quote=True)}"' if css else ""
        return (f'<button type="button" class="jupyter-widgets jupyter-button widget-button{style}"{title}{style_attr}'
                f'{" disabled" if state.get("disabled") else ""}>{inner}</button>')

    # ---------------------------------------------------------------- dispatch
    def draw(self, ref: str) -> str:
        model_name = self.name(ref)
        renderer = _RENDERERS.get(model_name)
        if renderer is None:
            self.unknown.add(model_name or "?")
            return ""
        return renderer(self, self.model(ref), model_name, ref)


NUMBER_MODELS = {"IntTextModel", "FloatTextModel", "BoundedIntTextModel", "BoundedFloatTextModel"}
_RENDERERS: dict[str, Callable[[Snapshot, dict, str, str], str]] = {
    **dict.fromkeys(("BoxModel", "VBoxModel", "HBoxModel"), Snapshot.box),
    "HTMLModel": Snapshot.html_widget,
    "LabelModel": Snapshot.label_widget,
    "DropdownModel": Snapshot.dropdown,
    **dict.fromkeys(("SelectModel", "SelectMultipleModel"), Snapshot.select),
    "RadioButtonsModel": Snapshot.radio,
    **dict.fromkeys(("TextModel", *NUMBER_MODELS), Snapshot.text),
    "TextareaModel": Snapshot.textarea,
    **dict.fromkeys(("IntSliderModel", "FloatSliderModel"), Snapshot.slider),
    "CheckboxModel": Snapshot.checkbox,
    "ButtonModel": Snapshot.button,
}
SUPPORTED = frozenset(_RENDERERS)


def model_id(ref: str) -> str:
    """A model's id, from a reference in saved state ("IPY_MODEL_<id>") or the id itself."""
    return ref[len(REF):] if ref.startswith(REF) else ref


def control_id(ref: str) -> str:
    return "ots-w-" + model_id(ref)


def snapshot_views(body: str, state: dict) -> tuple[str, set[str]]:
    """Put a static drawing before every widget view of ``body``; return the new body and the model
    types that could not be drawn (their views are left to the widget manager alone)."""
    snap = Snapshot(state)

    def add(match: re.Match) -> str:
        try:
            model_id = json.loads(match["json"])["model_id"]
        except (ValueError, KeyError, TypeError):
            return match[0]
        drawn = snap.draw(model_id)
        if not drawn:
            return match[0]
        return f'<div class="ots-widget-static" data-model-id="{html.escape(model_id, quote=True)}">{drawn}</div>{match[0]}'

    return VIEW.sub(add, body), snap.unknown


def saved_state(script_files) -> dict | None:
    """The page's saved widget state, from the script myst-nb adds to <head>."""
    for script in script_files:
        attrs = getattr(script, "attributes", {}) or {}
        if attrs.get("type") == STATE_MIME and attrs.get("body"):
            return json.loads(attrs["body"])
    return None
