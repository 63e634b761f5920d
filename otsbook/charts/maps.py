"""The map of OTS members and observers, drawn in the introduction and in the history chapter.

:func:`ots_map` takes the ``states`` table and colours every state by its ``ots_status``; the
chapters differ only by the arguments they pass (title, map window, height).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..plotting import OTS_STATUS_COLOURS, with_alt

# Legend label of each standing drawn on the map, in legend order.
OTS_STATUS_LABELS = {"member": "Members", "observer": "Observers"}

# States without an outline of their own on plotly's 1:110m world map are drawn as a star at
# (lat, lon), with a short name beside it. Northern Cyprus has no ISO 3166 code and no outline.
POINT_LOCATIONS = {"XNC": (35.25, 33.55)}
POINT_NAMES = {"XNC": "Northern Cyprus"}
POINT_SYMBOL = "star"

# The window of the map: from Central Europe (Hungary) to the Chinese border of Central Asia.
LONAXIS_RANGE = (12, 92)
LATAXIS_RANGE = (28, 58)


def _since(value) -> str:
    return "" if pd.isna(value) else f" since {int(value)}"


def ots_map(states: pd.DataFrame, title: str = "OTS members and observers",
            lonaxis_range: tuple[float, float] = LONAXIS_RANGE,
            lataxis_range: tuple[float, float] = LATAXIS_RANGE, height: int = 430) -> go.Figure:
    """Map of the OTS members (blue) and observers (orange) listed in the ``states`` table.

    One choropleth per standing, named as in ``OTS_STATUS_LABELS``; a state listed in
    ``POINT_LOCATIONS`` is drawn as a star in its standing's colour instead of an outline.
    Short names are written on the map so it reads without hovering.
    """
    in_ots = states[states["ots_status"].isin(list(OTS_STATUS_LABELS))]
    is_point = in_ots["iso3"].isin(list(POINT_LOCATIONS))
    fig = go.Figure()
    for status, label in OTS_STATUS_LABELS.items():
        colour = OTS_STATUS_COLOURS[status]
        rows = in_ots[in_ots["ots_status"] == status]
        hover = [f"<b>{r.name}</b><br>{status}{_since(r.ots_since)}" for r in rows.itertuples()]
        outlined = ~rows["iso3"].isin(list(POINT_LOCATIONS))
        fig.add_trace(go.Choropleth(
            locations=[str(v) for v in rows.loc[outlined, "iso3"]], z=[1] * int(outlined.sum()),
            locationmode="ISO-3", colorscale=[[0, colour], [1, colour]], showscale=False,
            marker_line_color="white", marker_line_width=0.8, name=label, legendgroup=status, showlegend=True,
            text=[h for h, keep in zip(hover, outlined) if keep], hovertemplate="%{text}<extra></extra>",
        ))
        points = rows[~outlined]
        if len(points):
            fig.add_trace(go.Scattergeo(
                lat=[POINT_LOCATIONS[iso][0] for iso in points["iso3"]],
                lon=[POINT_LOCATIONS[iso][1] for iso in points["iso3"]],
                mode="markers", name=label, legendgroup=status, showlegend=False,
                marker=dict(size=13, color=colour, symbol=POINT_SYMBOL, line=dict(color="black", width=1)),
                customdata=[str(v) for v in points["iso3"]],
                text=[h + "<br>drawn as a star: no outline of its own on the map"
                      for h, keep in zip(hover, outlined) if not keep],
                hovertemplate="%{text}<extra></extra>",
            ))
    labelled = in_ots[~is_point]
    fig.add_trace(go.Scattergeo(
        locations=[str(v) for v in labelled["iso3"]], locationmode="ISO-3", mode="text",
        text=[str(v) for v in labelled["name"]], textfont=dict(size=11, color="#111111"),
        hoverinfo="skip", showlegend=False, name="names",
    ))
    point_codes = [str(v) for v in in_ots.loc[is_point, "iso3"]]
    if point_codes:
        fig.add_trace(go.Scattergeo(
            lat=[POINT_LOCATIONS[iso][0] - 2.2 for iso in point_codes],
            lon=[POINT_LOCATIONS[iso][1] for iso in point_codes],
            mode="text", text=[POINT_NAMES.get(iso, iso) for iso in point_codes],
            textfont=dict(size=11, color="#111111"), hoverinfo="skip", showlegend=False, name="point names",
        ))
    fig.update_geos(
        projection_type="natural earth", resolution=110, showcountries=True, countrycolor="white",
        showland=True, landcolor=OTS_STATUS_COLOURS["none"], showocean=True, oceancolor="#F2F7FA",
        showlakes=True, lakecolor="#F2F7FA", showframe=False,
        lonaxis_range=list(lonaxis_range), lataxis_range=list(lataxis_range),
    )
    fig.update_layout(
        title=title, height=height, margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=0.0, xanchor="left", x=0.0),
    )
    members = ", ".join(in_ots.loc[in_ots["ots_status"] == "member", "name"])
    observers = ", ".join(in_ots.loc[in_ots["ots_status"] == "observer", "name"])
    stars = ", ".join(POINT_NAMES.get(iso, iso) for iso in point_codes)
    star_note = f"; {stars}, which has no outline on the map, is marked by a star" if stars else ""
    return with_alt(fig, f"Map from Central Europe to Central Asia: the OTS member states ({members}) are "
                         f"shaded blue and the observer states ({observers}) orange{star_note}.")
