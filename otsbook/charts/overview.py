"""Figures of the introduction and of the chapter on sources and evidence.

The map of members and observers shown in the introduction is :func:`otsbook.charts.maps.ots_map`.

* :func:`verification_counts` and :func:`verification_chart` count and draw how many rows of the
  dataset a public reference source confirms, and how many stay a claim, are disputed or corrected.
* :func:`unconfirmed_rows` lists every event and membership that public sources do not confirm.
* :func:`checked_dates_chart` places each dated event of the two documents on a time line, with
  its verification status.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from ..plotting import VERIFICATION_COLOURS, VERIFICATION_ORDER, VERIFICATION_SYMBOLS, with_alt

# The two documents the book is built from; every other source_id is a public reference source.
DOCUMENTS = {"kuzio_oped": "Kuzio's op-ed", "security_article": "The security article"}
PUBLIC = "Public sources"

# The column that holds the verification status in each table that has one.
VERIFICATION_COLUMN = {"events": "status", "memberships": "verification", "energy_routes": "verification"}
TABLE_LABELS = {"events": "events", "memberships": "memberships", "energy_routes": "energy routes"}
STATUS_ORDER = VERIFICATION_ORDER

# Bars carry the status by a fill pattern as well as by colour (for greyscale print).
VERIFICATION_PATTERNS = {"confirmed": "", "claim": "/", "disputed": "x", "corrected": "."}


def source_group(source_id: str) -> str:
    """'Kuzio's op-ed', 'The security article' or 'Public sources'."""
    return DOCUMENTS.get(source_id, PUBLIC)


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


UNCONFIRMED_STATUSES = [s for s in VERIFICATION_ORDER if s != "confirmed"]
UNCONFIRMED_COLUMNS = ["statement", "date in data", "from", "status", "note", "checked against"]


def unconfirmed_rows(events: pd.DataFrame, memberships: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """Every event and membership whose verification status is not 'confirmed', in one table.

    Columns ``UNCONFIRMED_COLUMNS``: a membership's statement reads "<state>: <status> of the
    <organisation>" and its date is the year it began. ``status`` is ordered claim, disputed,
    corrected; rows are sorted by status, then by the document they come from; a row checked
    against no public source says "none found".
    """
    names = states.set_index("iso3")["name"]
    open_events = events[events["status"] != "confirmed"]
    open_memberships = memberships[memberships["verification"] != "confirmed"]
    from_events = pd.DataFrame({
        "statement": open_events["title"].astype(str),
        "date in data": open_events["date"].astype(str),
        "from": open_events["source_id"].astype(str),
        "status": open_events["status"].astype(str),
        "note": open_events["note"],
        "checked against": open_events["check_source_id"],
    })
    from_memberships = pd.DataFrame({
        "statement": (open_memberships["iso3"].map(names).astype(str) + ": "
                      + open_memberships["status"].astype(str) + " of the "
                      + open_memberships["organisation"].astype(str)),
        "date in data": open_memberships["since"].astype("Int64").astype(str),
        "from": open_memberships["source_id"].astype(str),
        "status": open_memberships["verification"].astype(str),
        "note": open_memberships["note"],
        "checked against": open_memberships["verification_source_id"],
    })
    rows = pd.concat([from_events, from_memberships], ignore_index=True)
    rows["checked against"] = rows["checked against"].astype("string").fillna("none found")
    rows["status"] = pd.Categorical(rows["status"], categories=UNCONFIRMED_STATUSES, ordered=True)
    return rows.sort_values(["status", "from"], kind="stable", ignore_index=True)[UNCONFIRMED_COLUMNS]


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
