"""Figures of the introduction and of the chapter on sources and evidence.

* :func:`ots_map` draws the members and observers of the OTS (the book's teaser figure).
* :func:`verification_counts` and :func:`verification_chart` count and draw how many rows of the
  dataset a public reference source confirms, and how many stay a claim, are disputed or corrected.
* :func:`checked_dates_chart` places each dated event of the two documents on a time line, with
  its verification status.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from ..plotting import OTS_STATUS_COLOURS, VERIFICATION_COLOURS, VERIFICATION_ORDER, VERIFICATION_SYMBOLS, with_alt

# The two documents the book is built from; every other source_id is a public reference source.
DOCUMENTS = {"kuzio_oped": "Kuzio's op-ed", "security_article": "The security article"}
PUBLIC = "Public sources"

# The column that holds the verification status in each table that has one.
VERIFICATION_COLUMN = {"events": "status", "memberships": "verification", "energy_routes": "verification"}
TABLE_LABELS = {"events": "events", "memberships": "memberships", "energy_routes": "energy routes"}
STATUS_ORDER = VERIFICATION_ORDER

# Bars carry the status by a fill pattern as well as by colour (for greyscale print).
VERIFICATION_PATTERNS = {"confirmed": "", "claim": "/", "disputed": "x", "corrected": "."}

# States too small for the 1:110m outlines, or without an outline of their own, get a marker here.
POINT_LOCATIONS = {"XNC": (35.25, 33.60)}  # Turkish Republic of Northern Cyprus: (lat, lon)

OTS_STATUS_LABELS = {"member": "Member state", "observer": "Observer state"}


def source_group(source_id: str) -> str:
    """'Kuzio's op-ed', 'The security article' or 'Public sources'."""
    return DOCUMENTS.get(source_id, PUBLIC)


def ots_map(states: pd.DataFrame) -> go.Figure:
    """Members and observers of the OTS, coloured by their standing (the ``states`` table)."""
    in_ots = states[states["ots_status"].isin(list(OTS_STATUS_LABELS))]
    fig = go.Figure()
    for status, label in OTS_STATUS_LABELS.items():
        colour = OTS_STATUS_COLOURS[status]
        rows = in_ots[in_ots["ots_status"] == status]
        hover = [f"<b>{r.name}</b><br>{label.lower()} since {r.ots_since}" for r in rows.itertuples()]
        outlined = rows[~rows["iso3"].isin(list(POINT_LOCATIONS))]
        fig.add_trace(go.Choropleth(
            locations=outlined["iso3"], z=[1] * len(outlined), locationmode="ISO-3",
            colorscale=[[0, colour], [1, colour]], showscale=False, marker_line_color="white",
            marker_line_width=0.8, name=label, legendgroup=status, showlegend=True,
            hovertext=[h for h, iso in zip(hover, rows["iso3"]) if iso not in POINT_LOCATIONS], hoverinfo="text",
        ))
        points = rows[rows["iso3"].isin(list(POINT_LOCATIONS))]
        if len(points):
            fig.add_trace(go.Scattergeo(
                lat=[POINT_LOCATIONS[iso][0] for iso in points["iso3"]],
                lon=[POINT_LOCATIONS[iso][1] for iso in points["iso3"]],
                mode="markers", marker=dict(size=11, color=colour, line=dict(color="white", width=1.5)),
                name=label, legendgroup=status, showlegend=False, customdata=points["iso3"],
                hovertext=[h for h, iso in zip(hover, rows["iso3"]) if iso in POINT_LOCATIONS], hoverinfo="text",
            ))
    # Short names on the map, so the figure reads without hovering.
    labelled = in_ots[~in_ots["iso3"].isin(list(POINT_LOCATIONS))]
    fig.add_trace(go.Scattergeo(
        locations=labelled["iso3"], locationmode="ISO-3", mode="text", text=labelled["name"],
        textfont=dict(size=11, color="#111111"), hoverinfo="skip", showlegend=False, name="names",
    ))
    fig.add_trace(go.Scattergeo(
        lat=[POINT_LOCATIONS[iso][0] - 2.2 for iso in in_ots["iso3"] if iso in POINT_LOCATIONS],
        lon=[POINT_LOCATIONS[iso][1] for iso in in_ots["iso3"] if iso in POINT_LOCATIONS],
        mode="text", text=["Northern Cyprus" if iso == "XNC" else iso for iso in in_ots["iso3"] if iso in POINT_LOCATIONS],
        textfont=dict(size=11, color="#111111"), hoverinfo="skip", showlegend=False, name="point names",
    ))
    fig.update_geos(
        projection_type="natural earth", resolution=110, showcountries=True, countrycolor="white",
        showland=True, landcolor="#EDEDED", showocean=True, oceancolor="#F2F7FA", showlakes=True,
        lakecolor="#F2F7FA", showframe=False, lonaxis_range=[12, 92], lataxis_range=[28, 58],
    )
    fig.update_layout(
        title="OTS members and observers",
        height=430, margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=0.0, xanchor="left", x=0.0),
    )
    members = ", ".join(in_ots.loc[in_ots["ots_status"] == "member", "name"])
    observers = ", ".join(in_ots.loc[in_ots["ots_status"] == "observer", "name"])
    return with_alt(fig, f"Map of Europe and Asia: the OTS member states ({members}) are shaded blue "
                         f"and the observer states ({observers}) orange.")


def verification_counts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per table, source group and verification status.

    ``tables`` maps a table name (a key of ``VERIFICATION_COLUMN``) to the loaded table.
    Returns columns ``table``, ``source``, ``status``, ``rows``.
    """
    frames = []
    for name, table in tables.items():
        column = VERIFICATION_COLUMN[name]
        frames.append(pd.DataFrame({
            "table": name,
            "source": table["source_id"].map(source_group),
            "status": table[column],
        }))
    rows = pd.concat(frames, ignore_index=True)
    counts = rows.groupby(["table", "source", "status"]).size().rename("rows").reset_index()
    return counts.sort_values(["table", "source", "status"], ignore_index=True)


def verification_chart(counts: pd.DataFrame) -> go.Figure:
    """Stacked bars: for each table and source group, its rows by verification status."""
    counts = counts.assign(group=counts["table"].map(TABLE_LABELS) + ": " + counts["source"])
    groups = sorted(counts["group"].unique(), reverse=True)  # first table on top
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = counts[counts["status"] == status].set_index("group")["rows"].reindex(groups, fill_value=0)
        fig.add_trace(go.Bar(
            y=part.index, x=part.values, orientation="h", name=status,
            marker=dict(color=VERIFICATION_COLOURS[status], pattern_shape=VERIFICATION_PATTERNS[status],
                        pattern_fgcolor="white", line=dict(color="white", width=0.5)),
            hovertemplate="%{y}<br>" + status + ": %{x} rows<extra></extra>",
        ))
    fig.update_layout(
        barmode="stack", title="How far public reference sources bear out the dataset",
        xaxis_title="rows of the table", yaxis_title=None,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, traceorder="normal"),
        height=150 + 34 * len(groups), margin=dict(l=20, r=20, t=90, b=50),
    )
    unconfirmed = int(counts.loc[counts["status"] != "confirmed", "rows"].sum())
    total = int(counts["rows"].sum())
    return with_alt(fig, f"Stacked bar chart of {total} rows of the dataset by table, source and verification "
                         f"status; {unconfirmed} of them are claims, disputed or corrected, the rest confirmed.")


def _start_of(date: str) -> pd.Timestamp:
    """A date given to year, month or day precision, as the first day it can mean."""
    text = str(date)
    return pd.Timestamp(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))


def checked_dates_chart(events: pd.DataFrame) -> go.Figure:
    """The events taken from the two documents, placed by their recorded date, marked by status."""
    rows = events[events["source_id"].isin(list(DOCUMENTS))]
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = rows[rows["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[_start_of(d) for d in part["date"]], y=part["source_id"].map(DOCUMENTS), mode="markers",
            name=status, customdata=part[["event_id", "date"]].to_numpy(), text=part["title"],
            marker=dict(symbol=VERIFICATION_SYMBOLS[status], color=VERIFICATION_COLOURS[status], size=13,
                        line=dict(width=2, color=VERIFICATION_COLOURS[status])),
            hovertemplate="<b>%{text}</b><br>date in the dataset: %{customdata[1]}<extra>" + status + "</extra>",
        ))
    fig.update_layout(
        title="Dated events in the two documents, by verification status",
        xaxis_title="date recorded in the dataset", yaxis_title=None,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
        height=360, margin=dict(l=20, r=20, t=90, b=50),
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(DOCUMENTS.values())[::-1])
    n_open = int((rows["status"] != "confirmed").sum())
    years = [_start_of(d).year for d in rows["date"]]
    return with_alt(fig, f"Dot chart of the {len(rows)} dated events taken from the op-ed and the article, "
                         f"from {min(years)} to {max(years)}; {n_open} of them are claims, disputed or corrected.")
