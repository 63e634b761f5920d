"""The book's figure style, and a plotly renderer that works in the book and in JupyterLab.

Every figure of the book goes through this module so that a country has the same colour in
every chapter and every figure has alt text.

Names say what they colour or label, one set per concept: ``COUNTRY_COLOURS`` (a state),
``OTS_STATUS_COLOURS`` (standing in the OTS: member / observer / none), ``VERIFICATION_*``
(how far a row is confirmed: confirmed / claim / disputed / corrected) and ``THEME_COLOURS``
(the four themes). A chapter that needs a label set of its own gives it a name of its own
(for example ``TIE_ABBREVIATIONS``), never a bare ``STATUS_LABELS``.

Why a renderer of our own: since plotly 6.1 the default renderer emits only plotly's own MIME
type. JupyterLab draws that, but the HTML book skips it and a page would show nothing. Our
renderer emits both: plotly's MIME type for live notebooks and a ``text/html`` div for the
book, which expects plotly.js to be loaded once per site (see ``_ext/otsbook_build.py``).
"""
from __future__ import annotations

import base64
import html
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

# Okabe–Ito palette: stays distinguishable for the common kinds of colour blindness.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
GREY = "#8C8C8C"
LIGHT_GREY = "#D9D9D9"

# One colour per state, the same in every figure of the book.
COUNTRY_COLOURS = {
    "AZE": OKABE_ITO["blue"],
    "KAZ": OKABE_ITO["sky_blue"],
    "KGZ": OKABE_ITO["vermillion"],
    "TUR": OKABE_ITO["orange"],
    "UZB": OKABE_ITO["green"],
    "TKM": OKABE_ITO["purple"],
    "HUN": OKABE_ITO["yellow"],
    "XNC": "#A6761D",
}

# Membership standing, used on maps and membership charts.
OTS_STATUS_COLOURS = {"member": OKABE_ITO["blue"], "observer": OKABE_ITO["orange"], "none": LIGHT_GREY}

# How far a statement can be trusted (see the chapter on sources and evidence).
# Colour and marker symbol both carry the status, so it survives greyscale printing.
VERIFICATION_COLOURS = {
    "confirmed": OKABE_ITO["green"],
    "claim": OKABE_ITO["orange"],
    "disputed": OKABE_ITO["vermillion"],
    "corrected": OKABE_ITO["purple"],
}
VERIFICATION_SYMBOLS = {"confirmed": "circle", "claim": "diamond-open", "disputed": "x", "corrected": "square"}
# Bars carry the status by a fill pattern as well as by colour.
VERIFICATION_PATTERNS = {"confirmed": "", "claim": "/", "disputed": "x", "corrected": "."}
VERIFICATION_ORDER = ["confirmed", "claim", "disputed", "corrected"]
VERIFICATION_LABELS = {
    "confirmed": "Confirmed by a public source",
    "claim": "Claim not confirmed by a public source",
    "disputed": "Disputed by a public source",
    "corrected": "Corrected by a public source",
}

# The four themes of the book.
THEME_COLOURS = {
    "history": OKABE_ITO["blue"],
    "energy": OKABE_ITO["orange"],
    "security": OKABE_ITO["vermillion"],
    "multipolarity": OKABE_ITO["green"],
}

FONT_FAMILY = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"


def country_colour(iso3: str) -> str:
    """The book's colour for a state (grey for states without one of their own)."""
    return COUNTRY_COLOURS.get(iso3, GREY)


def country_colours(iso3_codes: Iterable[str]) -> dict[str, str]:
    """A ``color_discrete_map`` for plotly express, keyed by ISO3 code."""
    return {code: country_colour(code) for code in iso3_codes}


def _book_template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.font = dict(family=FONT_FAMILY, size=14, color="#222222")
    template.layout.title = dict(font=dict(size=18), x=0, xanchor="left")
    template.layout.colorway = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky_blue", "purple", "yellow", "black")]
    template.layout.margin = dict(l=60, r=30, t=70, b=60)
    template.layout.hoverlabel = dict(font=dict(family=FONT_FAMILY, size=13))
    template.layout.legend = dict(bgcolor="rgba(255,255,255,0.8)")
    return template


def with_alt(fig: go.Figure, alt: str) -> go.Figure:
    """Attach a one-sentence text alternative, read by screen readers in the book."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "alt": alt})
    return fig


def alt_text(fig: go.Figure | dict) -> str | None:
    layout = fig["layout"] if isinstance(fig, dict) else fig.to_dict()["layout"]
    meta = layout.get("meta")
    return meta.get("alt") if isinstance(meta, dict) else None


# Figures drawn in the static book: no plotly logo, a PNG download in the mode bar, responsive.
FIGURE_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


# The book's own world outlines (plotly's, vendored; see _vendor/README.md). The HTML book points
# plotly.js at them once per page (_ext/otsbook_build.py); in a live notebook every map carries them
# in its MIME bundle, so maps draw in JupyterLab without the network.
TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "_vendor" / "topojson"
GEO_TRACES = {"scattergeo", "choropleth"}


@lru_cache(maxsize=4)
def offline_topojson_url(name: str = "world_110m") -> str:
    """A ``topojsonURL`` for plotly.js that needs no network: the outlines inline, as a data URL.

    plotly.js fetches ``<topojsonURL>/<name>.json``; after the ``#`` that part is only a fragment."""
    data = base64.b64encode((TOPOJSON_DIR / f"{name}.json").read_bytes()).decode("ascii")
    return f"data:application/json;base64,{data}#"


def notebook_config(fig_dict: dict) -> dict:
    """The plotly.js config of a figure in a live notebook: the book's, plus offline outlines for maps."""
    if any(trace.get("type") in GEO_TRACES for trace in fig_dict.get("data", [])):
        return {**FIGURE_CONFIG, "topojsonURL": offline_topojson_url()}
    return FIGURE_CONFIG


class BookRenderer(MimetypeRenderer):
    """Emit plotly's MIME bundle (JupyterLab) and a self-contained div (the HTML book)."""

    def to_mimebundle(self, fig_dict):
        # Through plotly's JSON encoder first: numpy arrays, datetimes and pandas values become plain
        # JSON, which the kernel can send (a px figure of dates carries numpy datetime64 values).
        fig_dict = json.loads(pio.to_json(fig_dict, validate=False))
        html_div = pio.to_html(fig_dict, full_html=False, include_plotlyjs=False, config=FIGURE_CONFIG, validate=False)
        alt = alt_text(fig_dict) or (fig_dict.get("layout", {}).get("title", {}) or {}).get("text") or "Figure"
        wrapped = f'<div class="ots-figure" role="figure" aria-label="{html.escape(alt, quote=True)}">{html_div}</div>'
        return {
            "application/vnd.plotly.v1+json": {"data": fig_dict.get("data", []), "layout": fig_dict.get("layout", {}), "config": notebook_config(fig_dict)},
            "text/html": wrapped,
        }


def use_book_style() -> None:
    """Register the template and the renderer; called once when ``otsbook`` is imported."""
    pio.templates["otsbook"] = _book_template()
    pio.templates.default = "otsbook"
    pio.renderers["otsbook"] = BookRenderer()
    # Colab renders neither plotly's MIME type nor a div that expects a page-level plotly.js.
    pio.renderers.default = "colab" if "google.colab" in sys.modules else "otsbook"
