"""Figures of the chapter "Energy": the Southern Gas Corridor, routes around Russia, dates.

Every builder takes DataFrames loaded with ``otsbook.load`` and returns a plotly Figure with
alt text. The small table helpers (``corridor_segments``, ``bottleneck``, ``route_capacities``)
are shared with the exercises of the chapter, so a figure and the answer it supports are
computed the same way.

Capacities are read from typed columns of ``energy_routes``:

* ``capacity_bcm_per_year``: a gas pipeline's design capacity when it opened;
* ``capacity_current_bcm_per_year``: its capacity today, built expansions included (SCP 23.4
  after the SCPX loop of 2018, against 7.41 at opening);
* ``capacity_expandable_bcm_per_year``: what it could carry after a planned expansion;
* ``oil_capacity_mt_per_year``: an oil pipeline's capacity today in million tonnes a year
  (BTC converted from 1.2 million barrels a day at 7.33 barrels a tonne).

``capacity_other`` is a note in the sources' words and is never parsed.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..plotting import GREY, LIGHT_GREY, OKABE_ITO, VERIFICATION_COLOURS, VERIFICATION_SYMBOLS, with_alt

CORRIDOR = "Southern Gas Corridor"
BYPASS_COLOURS = {True: OKABE_ITO["green"], False: OKABE_ITO["vermillion"]}
BYPASS_LABELS = {True: "avoids Russian territory", False: "crosses Russia"}

# --- table helpers -------------------------------------------------------------------------

def corridor_segments(routes: pd.DataFrame, corridor: str = CORRIDOR, operational_only: bool = True) -> pd.DataFrame:
    """The segments of a corridor in order from source to market, with their capacities."""
    seg = routes[routes["segment_of"].fillna("") == corridor].copy()
    if operational_only:
        seg = seg[seg["status"].astype(str) == "operational"]
    seg = seg.sort_values("order_in_corridor")
    out = pd.DataFrame(
        {
            "order": seg["order_in_corridor"].astype(int).to_numpy(),
            "route_id": seg["route_id"].astype(str).to_numpy(),
            "name": seg["name"].astype(str).to_numpy(),
            "from_place": seg["from_place"].astype(str).to_numpy(),
            "to_place": seg["to_place"].astype(str).to_numpy(),
            "length_km": seg["length_km"].astype(float).to_numpy(),
            "opened": seg["operational_since"].astype("Int64").to_numpy(),
            "capacity_at_opening": seg["capacity_bcm_per_year"].astype(float).to_numpy(),
            "capacity_now": seg["capacity_current_bcm_per_year"].astype(float).to_numpy(),
            "capacity_max": seg["capacity_expandable_bcm_per_year"].astype(float).to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def bottleneck(segments: pd.DataFrame) -> pd.Series:
    """The segment with the smallest capacity today: it caps what reaches the end of the chain."""
    return segments.loc[segments["capacity_now"].astype(float).idxmin()]


def label(name: str, route_id: str) -> str:
    return f"{name} ({route_id})" if route_id not in name else name


def route_capacities(routes: pd.DataFrame) -> pd.DataFrame:
    """Every pipeline (not the corridor as a whole, not the transport route) with its capacity.

    Gas in bcm/yr, oil in Mt/yr: the capacity today, or the planned capacity of a proposed pipeline.
    ``bypasses_russia`` and ``status`` as in the data.
    """
    pipes = routes[routes["commodity"].astype(str).isin(["gas", "oil"]) & (routes["route_id"] != "SGC")]
    oil = pipes["commodity"].astype(str) == "oil"
    operational = pipes["status"].astype(str) == "operational"
    gas_capacity = pipes["capacity_current_bcm_per_year"].where(operational, pipes["capacity_bcm_per_year"])
    return pd.DataFrame(
        {
            "route_id": pipes["route_id"].astype(str),
            "name": pipes["name"].astype(str),
            "commodity": pipes["commodity"].astype(str),
            "capacity": pipes["oil_capacity_mt_per_year"].where(oil, gas_capacity).astype(float),
            "unit": oil.map({True: "Mt/yr", False: "bcm/yr"}),
            "bypasses_russia": pipes["bypasses_russia"].astype(bool),
            "status": pipes["status"].astype(str),
            "countries": pipes["countries"].astype(str),
        }
    ).reset_index(drop=True)


# --- figure 1: the corridor's segments -------------------------------------------------------

def sgc_capacity(routes: pd.DataFrame) -> go.Figure:
    """Grouped bars: each segment's capacity at opening, now and at full expansion; bottleneck marked."""
    seg = corridor_segments(routes)
    neck = bottleneck(seg)
    x = [f"{o}. {i}" for o, i in zip(seg["order"], seg["route_id"])]
    names = [label(n, i) for n, i in zip(seg["name"], seg["route_id"])]
    now_colours = [OKABE_ITO["vermillion"] if i == neck["route_id"] else OKABE_ITO["blue"] for i in seg["route_id"]]
    fig = go.Figure()
    fig.add_bar(name="At opening", x=x, y=seg["capacity_at_opening"], marker_color=LIGHT_GREY,
                marker_line_color=GREY, marker_line_width=1,
                customdata=names, hovertemplate="%{customdata}<br>at opening: %{y} bcm/yr<extra></extra>")
    fig.add_bar(name="Now (built expansions included)", x=x, y=seg["capacity_now"], marker_color=now_colours,
                text=[f"{v:g}" for v in seg["capacity_now"]], textposition="outside",
                customdata=names, hovertemplate="%{customdata}<br>now: %{y} bcm/yr<extra></extra>")
    fig.add_bar(name="Design maximum (if expanded)", x=x, y=seg["capacity_max"], marker_color="white",
                marker_line_color=OKABE_ITO["blue"], marker_line_width=2, marker_pattern_shape="/",
                marker_pattern_fgcolor=OKABE_ITO["sky_blue"],
                customdata=names, hovertemplate="%{customdata}<br>design maximum: %{y} bcm/yr<extra></extra>")
    fig.add_trace(go.Scatter(
        x=x, y=[float(neck["capacity_now"])] * len(x), mode="lines", line=dict(dash="dot", color=OKABE_ITO["vermillion"], width=2),
        name=f"bottleneck: {neck['route_id']}, {float(neck['capacity_now']):g} bcm/yr", hoverinfo="skip",
    ))
    fig.update_layout(
        title="Southern Gas Corridor: capacity of each segment, source to market",
        barmode="group",
        yaxis_title="capacity (billion cubic metres a year)",
        xaxis_title="segment, in the order the gas flows (1 = nearest the Caspian)",
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0),
        margin=dict(t=120),
        height=520,
    )
    return with_alt(
        fig,
        "Grouped bar chart of the three operating segments of the Southern Gas Corridor in flow order: "
        + "; ".join(f"{n} {float(c):g} bcm a year now" for n, c in zip(seg["route_id"], seg["capacity_now"]))
        + f". The smallest, {neck['route_id']}, is marked as the bottleneck.",
    )


# --- figure 2: the routes on a map ------------------------------------------------------------

# Approximate places (longitude, latitude); the lines drawn through them are schematic.
PLACES = {
    "Sangachal (Baku)": (49.46, 40.18),
    "Tbilisi": (44.79, 41.72),
    "Georgia–Türkiye border": (42.85, 41.55),
    "Erzurum": (41.27, 39.90),
    "Eskişehir": (30.52, 39.78),
    "Kipoi (Greece–Türkiye border)": (26.38, 40.92),
    "Fier (Albania)": (19.56, 40.72),
    "Melendugno (Italy)": (18.34, 40.27),
    "Ceyhan": (35.82, 37.03),
    "Tengiz": (53.38, 46.15),
    "Atyrau": (51.92, 47.10),
    "Astrakhan": (48.03, 46.35),
    "Kropotkin": (40.57, 45.43),
    "Novorossiysk": (37.77, 44.72),
    "Amu Darya (Turkmen–Uzbek border)": (63.60, 39.10),
    "Bukhara": (64.42, 39.77),
    "Tashkent": (69.24, 41.30),
    "Shymkent": (69.59, 42.34),
    "Almaty": (76.95, 43.24),
    "Horgos (China)": (80.42, 44.21),
    "Türkmenbaşy": (52.97, 40.02),
    "Aktau": (51.20, 43.65),
    "Kars": (43.10, 40.60),
    "Istanbul": (28.98, 41.01),
}

ROUTE_PATHS = {
    "SCP": ["Sangachal (Baku)", "Tbilisi", "Georgia–Türkiye border"],
    "TANAP": ["Georgia–Türkiye border", "Erzurum", "Eskişehir", "Kipoi (Greece–Türkiye border)"],
    "TAP": ["Kipoi (Greece–Türkiye border)", "Fier (Albania)", "Melendugno (Italy)"],
    "BTC": ["Sangachal (Baku)", "Tbilisi", "Erzurum", "Ceyhan"],
    "CPC": ["Tengiz", "Atyrau", "Astrakhan", "Kropotkin", "Novorossiysk"],
    "CAGP": ["Amu Darya (Turkmen–Uzbek border)", "Bukhara", "Tashkent", "Shymkent", "Almaty", "Horgos (China)"],
    "TCGP": ["Türkmenbaşy", "Sangachal (Baku)"],
    "MIDDLE": ["Horgos (China)", "Almaty", "Aktau", "Sangachal (Baku)", "Tbilisi", "Kars", "Istanbul"],
}

ROUTE_STYLE = {  # colour per route; dash shows what is not a built pipeline
    "SCP": OKABE_ITO["blue"],
    "TANAP": OKABE_ITO["sky_blue"],
    "TAP": OKABE_ITO["purple"],
    "BTC": OKABE_ITO["orange"],
    "CPC": OKABE_ITO["vermillion"],
    "CAGP": OKABE_ITO["green"],
    "TCGP": OKABE_ITO["black"],
    "MIDDLE": GREY,
}


def _short_name(row: pd.Series) -> str:
    """'CPC: oil, crosses Russia', 'TCGP: gas, proposed', for a compact legend."""
    rid = str(row["route_id"])
    what = "freight" if str(row["commodity"]) == "transport" else str(row["commodity"])
    extra = "" if str(row["status"]) == "operational" else f", {row['status']}"
    extra += "" if bool(row["bypasses_russia"]) else ", crosses Russia"
    return f"{'Middle Corridor' if rid == 'MIDDLE' else rid}: {what}{extra}"


def routes_map(routes: pd.DataFrame) -> go.Figure:
    """Schematic lines of the routes on a map; proposed routes dashed, the transport corridor dotted."""
    fig = go.Figure()
    for _, r in routes.iterrows():
        rid = str(r["route_id"])
        if rid not in ROUTE_PATHS:
            continue
        lon, lat = zip(*(PLACES[p] for p in ROUTE_PATHS[rid]))
        status = str(r["status"])
        dash = "dot" if str(r["commodity"]) == "transport" else ("dash" if status != "operational" else "solid")
        bypass = BYPASS_LABELS[bool(r["bypasses_russia"])]
        fig.add_trace(
            go.Scattergeo(
                lon=list(lon), lat=list(lat), mode="lines", name=_short_name(r),
                line=dict(width=4 if rid != "MIDDLE" else 2, color=ROUTE_STYLE[rid], dash=dash),
                hovertemplate=f"<b>{r['name']}</b><br>{r['commodity']}, {status}, {bypass}<extra></extra>",
                meta=dict(route_id=rid),
            )
        )
    names = sorted({p for path in ROUTE_PATHS.values() for p in path})
    fig.add_trace(
        go.Scattergeo(
            lon=[PLACES[p][0] for p in names], lat=[PLACES[p][1] for p in names], mode="markers",
            marker=dict(size=6, color="#222222"), name="places (approximate)", text=names,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.update_geos(
        projection_type="mercator", lonaxis_range=[15, 84], lataxis_range=[34, 50],
        showcountries=True, countrycolor="#9a9a9a", showland=True, landcolor="#f4f1ea",
        showocean=True, oceancolor="#e6f0f7", showlakes=True, lakecolor="#e6f0f7", resolution=110,
    )
    fig.update_layout(title="Export routes from the Caspian and Central Asia (schematic)", height=440,
                      margin=dict(l=10, r=10, t=60, b=10), legend=dict(orientation="h", y=-0.02, font=dict(size=12)))
    return with_alt(
        fig,
        "Map with schematic lines: the Southern Gas Corridor from Baku through Georgia and Türkiye to Italy, "
        "the BTC oil pipeline to Ceyhan, the CPC oil pipeline from Tengiz through Russia to Novorossiysk, "
        "the Central Asia–China gas pipeline to Horgos, the proposed Trans-Caspian pipeline dashed across "
        "the Caspian Sea and the Middle Corridor dotted from China to Istanbul.",
    )


# --- figure 3: around Russia or through it ---------------------------------------------------------

def bypass_capacity(routes: pd.DataFrame) -> go.Figure:
    """Capacity of each pipeline by commodity (two panels, two units), coloured by bypass status."""
    caps = route_capacities(routes).dropna(subset=["capacity"])
    fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.12,
                        subplot_titles=("Gas (bcm a year)", "Oil (Mt a year)"))
    for col, commodity in ((1, "gas"), (2, "oil")):
        part = caps[caps["commodity"] == commodity].sort_values("capacity", ascending=False)
        for bypass in (True, False):
            sub = part[part["bypasses_russia"] == bypass]
            if sub.empty:
                continue
            proposed = sub["status"] != "operational"
            fig.add_bar(
                row=1, col=col, x=sub["route_id"], y=sub["capacity"], name=BYPASS_LABELS[bypass],
                legendgroup=str(bypass), showlegend=(col == 1) or not bypass,
                marker_color=BYPASS_COLOURS[bypass],
                marker_pattern_shape=["x" if p else "" for p in proposed],
                text=[f"{v:g}" + ("<br>proposed" if p else "") for v, p in zip(sub["capacity"], proposed)],
                textposition="outside", customdata=sub[["name", "unit", "status"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{y} %{customdata[1]}, %{customdata[2]}<extra></extra>",
            )
    fig.update_yaxes(title_text="bcm/yr", row=1, col=1)
    fig.update_yaxes(title_text="Mt/yr", row=1, col=2)
    fig.update_layout(title="Around Russia or through it: pipeline capacity today", height=500,
                      legend=dict(orientation="h", y=-0.15), bargap=0.25)
    through = caps[~caps["bypasses_russia"]]
    return with_alt(
        fig,
        "Two bar charts of pipeline capacity, gas in bcm a year and oil in million tonnes a year, coloured by "
        "whether the route avoids Russia. Crossing Russia: "
        + ", ".join(through["route_id"]) + "; "
        + "; ".join(f"{i} {c:g} {u}" for i, c, u in zip(caps["route_id"], caps["capacity"], caps["unit"])) + ".",
    )


# --- figure 4: dates -------------------------------------------------------------------------------

def energy_timeline(routes: pd.DataFrame, events: pd.DataFrame) -> go.Figure:
    """One row per route (a bar from the year it entered service) and a row of the energy events."""
    built = routes[(routes["route_id"] != "SGC")].copy()
    built["opened"] = built["operational_since"].astype("Float64")
    built = built.sort_values("opened", ascending=False, na_position="first")
    energy = events[events["theme"].astype(str) == "energy"].copy()
    energy["year"] = [_decimal_year(d) for d in energy["date"].astype(str)]
    end = int(max(2025, float(energy["year"].max()) + 1 if len(energy) else 2025))
    events_row = "OTS energy events"
    fig = go.Figure()
    for bypass in (True, False):
        part = built[(built["bypasses_russia"] == bypass) & built["opened"].notna()]
        if part.empty:
            continue
        fig.add_bar(
            orientation="h", y=[label(n, i) for n, i in zip(part["name"], part["route_id"])],
            base=part["opened"].astype(float), x=end - part["opened"].astype(float),
            marker_color=BYPASS_COLOURS[bypass], name=f"in service, {BYPASS_LABELS[bypass]}",
            text=part["opened"].astype(int).astype(str), textposition="inside", insidetextanchor="start",
            customdata=part[["route_id"]].to_numpy(), hovertemplate="%{y}: in service since %{base}<extra></extra>",
        )
    proposed = built[built["opened"].isna() & (built["status"].astype(str) != "operational")]
    if not proposed.empty:
        fig.add_trace(go.Scatter(
            y=[label(n, i) for n, i in zip(proposed["name"], proposed["route_id"])], x=[end - 0.5] * len(proposed),
            mode="markers+text", marker=dict(symbol="diamond-open", size=12, color=GREY), text=["proposed, not built"] * len(proposed),
            textposition="middle left", name="proposed", hovertemplate="%{y}: proposed<extra></extra>"))
    for status, group in energy.groupby(energy["status"].astype(str)):
        colour = VERIFICATION_COLOURS.get(status, GREY)
        fig.add_trace(go.Scatter(
            x=group["year"], y=[events_row] * len(group), mode="markers", name=f"event ({status})",
            marker=dict(size=14, symbol=VERIFICATION_SYMBOLS.get(status, "circle"), color=colour, line=dict(width=2, color=colour)),
            customdata=group[["title", "date"]].to_numpy(), hovertemplate="%{customdata[0]} (%{customdata[1]})<extra></extra>"))
    # a disputed or corrected date: an arrow from the claimed date to the date that checks out
    for _, e in energy.iterrows():
        claimed, checked = e.get("source_date"), str(e["date"])
        if str(e["status"]) in ("disputed", "corrected") and isinstance(claimed, str) and claimed[:7] != checked[:7]:
            fig.add_annotation(x=_decimal_year(checked), y=events_row, ax=_decimal_year(claimed), ay=events_row, xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowwidth=1.5,
                               arrowcolor=VERIFICATION_COLOURS["disputed"])
            fig.add_annotation(x=_decimal_year(checked), y=events_row, text=f"claimed {claimed}, checked {checked}",
                               showarrow=False, yshift=-18, font=dict(size=11, color=VERIFICATION_COLOURS["disputed"]))
    fig.add_vline(x=2022 + 1 / 12, line_dash="dot", line_color=GREY)
    fig.add_annotation(x=2022 + 1 / 12, y=1.0, yref="paper", yanchor="bottom", text="Russia invades Ukraine (Feb 2022)",
                       showarrow=False, xanchor="right", font=dict(size=11, color=GREY))
    fig.update_layout(title="When the routes entered service, and the OTS's energy events", height=520, barmode="overlay",
                      xaxis=dict(title="year", dtick=2, range=[1999.5, end + 0.2]),
                      yaxis=dict(title="", categoryorder="array",
                                 categoryarray=[events_row] + [label(n, i) for n, i in zip(built["name"], built["route_id"])]),
                      legend=dict(orientation="h", y=-0.18), margin=dict(l=330, t=90))
    opened = built.dropna(subset=["opened"]).sort_values("opened")
    return with_alt(
        fig,
        "Timeline from 2000: a bar for each route from the year it entered service ("
        + ", ".join(f"{i} {int(y)}" for i, y in zip(opened["route_id"], opened["opened"]))
        + "), the proposed Trans-Caspian pipeline marked as not built, and a row of OTS energy events marked by verification status.",
    )


def _decimal_year(date: str) -> float:
    """'2022-09' -> 2022.67 (month start); '2023' -> 2023.0."""
    date = str(date)
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else 1
    return year + (month - 1) / 12
