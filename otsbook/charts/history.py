"""Figures of the chapter "History and institutions".

Each function takes the DataFrames that ``otsbook.load`` returns and gives back a plotly Figure
with alt text. The notebook keeps the pandas; these functions keep the styling. The chapter's map
of members and observers is :func:`otsbook.charts.maps.ots_map`, shared with the introduction.
"""
from __future__ import annotations

import html
import re

import pandas as pd
import plotly.graph_objects as go

from ..plotting import (
    OTS_STATUS_COLOURS,
    THEME_COLOURS,
    VERIFICATION_COLOURS,
    VERIFICATION_LABELS,
    VERIFICATION_ORDER,
    VERIFICATION_SYMBOLS,
    with_alt,
)

THEMES = ["history", "energy", "security", "multipolarity"]
STATUSES = VERIFICATION_ORDER
STATUS_LABELS = VERIFICATION_LABELS


def event_timestamp(date) -> pd.Timestamp:
    """A plotting position for an ISO date given to year, month or day precision.

    A bare year is placed at 1 July and a year-month at the 15th, so that an event known
    only to the year is not drawn as if it happened on New Year's Day.
    """
    text = str(date).strip()
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(f"{text}-07-01")
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Timestamp(f"{text}-15")
    return pd.Timestamp(text[:10])


def _precision(date) -> str:
    text = str(date).strip()
    return {4: "year", 7: "month"}.get(len(text), "day")


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The events with a plotting date, a lane (y position) and the hover text."""
    frame = events.copy()
    frame["when"] = frame["date"].map(event_timestamp)
    frame = frame.sort_values(["theme", "when", "event_id"]).reset_index(drop=True)
    theme_rank = {theme: i for i, theme in enumerate(reversed(THEMES))}
    # Stagger events of the same theme that fall close together, so no point hides another.
    offsets = (0.0, 0.25, -0.25, 0.12, -0.12)
    lanes = []
    for _, group in frame.groupby("theme", sort=False):
        last_when, step = None, 0
        for when in group["when"]:
            step = step + 1 if last_when is not None and (when - last_when).days < 400 else 0
            lanes.append(offsets[step % len(offsets)])
            last_when = when
    frame["y"] = [theme_rank.get(t, -1) + off for t, off in zip(frame["theme"], lanes)]

    def hover(row) -> str:
        parts = [f"<b>{html.escape(_clean(row['title']))}</b>",
                 f"Date: {html.escape(_clean(row['date']))} ({_precision(row['date'])})"]
        checked = _clean(row.get("source_date"))
        if checked and checked != _clean(row["date"]):
            parts.append(f"Date given by the document: {html.escape(checked)}")
        parts.append(f"Status: {row['status']}")
        evidence = _clean(row.get("evidence"))
        if evidence:
            parts.append(f"Evidence: “{html.escape(evidence[:140])}{'…' if len(evidence) > 140 else ''}”")
        parts.append(f"Source: {html.escape(_clean(row['source_id']))}")
        check = _clean(row.get("check_source_id"))
        parts.append(f"Checked against: {html.escape(check) if check else 'no public source found'}")
        note = _clean(row.get("note"))
        if note:
            parts.append(f"Note: {html.escape(note[:160])}{'…' if len(note) > 160 else ''}")
        return "<br>".join(parts)

    frame["hover"] = frame.apply(hover, axis=1)
    return frame


def timeline(events: pd.DataFrame) -> go.Figure:
    """Figure: every event on a time axis, one row per theme, status by colour and symbol.

    One trace per (theme, status): the legend toggles a status, the dropdown shows one theme.
    """
    frame = timeline_frame(events)
    fig = go.Figure()
    seen_status = set()
    trace_themes = []
    for theme in THEMES:
        for status in STATUSES:
            part = frame[(frame["theme"] == theme) & (frame["status"] == status)]
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                # plain lists: the book's renderer sends the figure as JSON, which has no datetime64
                x=part["when"].dt.strftime("%Y-%m-%d").tolist(), y=[float(v) for v in part["y"]], mode="markers",
                name=STATUS_LABELS[status], legendgroup=status, showlegend=status not in seen_status,
                marker=dict(color=VERIFICATION_COLOURS[status], symbol=VERIFICATION_SYMBOLS[status], size=13,
                            line=dict(width=2, color=VERIFICATION_COLOURS[status])),
                customdata=[[str(v) for v in row] for row in part[["event_id", "status", "theme"]].to_numpy()],
                hovertext=part["hover"].tolist(), hovertemplate="%{hovertext}<extra></extra>",
                meta={"theme": theme, "status": status},
            ))
            seen_status.add(status)
            trace_themes.append(theme)

    def visible_for(choice):
        return [choice is None or t == choice for t in trace_themes]

    buttons = [dict(label="All themes", method="update", args=[{"visible": visible_for(None)}])]
    buttons += [dict(label=f"Only {t}", method="update", args=[{"visible": visible_for(t)}]) for t in THEMES]
    tick_pos = [i for i, _ in enumerate(reversed(THEMES))]
    fig.update_layout(
        title="Events in the two sources, and their status",
        xaxis=dict(title="Date (events known only to the year are placed mid-year)", type="date"),
        yaxis=dict(tickvals=tick_pos, ticktext=[t.capitalize() for t in reversed(THEMES)], range=[-0.6, len(THEMES) - 0.4],
                   title=None, zeroline=False),
        legend=dict(title="Status", orientation="h", y=-0.22, x=0),
        updatemenus=[dict(buttons=buttons, direction="down", x=1, xanchor="right", y=1.01, yanchor="bottom",
                          showactive=True)],
        height=520, margin=dict(t=80, b=130),
    )
    for i, theme in enumerate(reversed(THEMES)):
        fig.add_hrect(y0=i - 0.45, y1=i + 0.45, fillcolor=THEME_COLOURS[theme], opacity=0.06, line_width=0)
    counts = frame["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
    return with_alt(fig, f"Timeline of {len(frame)} events from {frame['when'].min().year} to {frame['when'].max().year} "
                         f"in four rows by theme; markers show each event's status ({summary}).")


def membership_by_year(memberships: pd.DataFrame, first_year: int = 2009, last_year: int = 2024,
                       organisation: str = "OTS") -> pd.DataFrame:
    """One row per year and status: how many states held it at the end of that year, and which."""
    rows = memberships[memberships["organisation"] == organisation]
    records = []
    for year in range(first_year, last_year + 1):
        for status in ("member", "observer"):
            held = rows[(rows["status"] == status) & (rows["since"].astype(int) <= year)]
            if "until" in held:
                until = pd.to_numeric(held["until"], errors="coerce")
                held = held[until.isna() | (until > year)]
            codes = sorted(held["iso3"])
            records.append({"year": year, "status": status, "count": len(codes), "states": codes})
    return pd.DataFrame(records)


def membership_growth(memberships: pd.DataFrame, states: pd.DataFrame | None = None,
                      first_year: int = 2009, last_year: int = 2024) -> go.Figure:
    """Figure: stacked bars of OTS members and observers at the end of each year."""
    table = membership_by_year(memberships, first_year, last_year)
    names = {} if states is None else dict(zip(states["iso3"], states["name"]))
    fig = go.Figure()
    for status in ("member", "observer"):
        part = table[table["status"] == status]
        listing = ["<br>".join(names.get(code, code) for code in codes) or "none" for codes in part["states"]]
        fig.add_trace(go.Bar(
            x=[int(v) for v in part["year"]], y=[int(v) for v in part["count"]], name=f"{status.capitalize()}s",
            marker=dict(color=OTS_STATUS_COLOURS[status], pattern=dict(shape="" if status == "member" else "/")),
            customdata=listing, hovertemplate="%{x}: %{y} " + status + "s<br>%{customdata}<extra></extra>",
        ))
    fig.update_layout(
        barmode="stack", title="Members and observers at the end of each year",
        xaxis=dict(title="Year", dtick=1, tickangle=-45), yaxis=dict(title="Number of states", dtick=1),
        legend=dict(x=0.02, y=0.98, xanchor="left", yanchor="top"), height=460,
    )
    fig.add_annotation(x=2021, y=int(table[table["year"] == 2021]["count"].sum()), text="Renamed OTS", showarrow=True,
                       arrowhead=2, ax=-40, ay=-40)
    first = table[(table["year"] == first_year)]["count"].sum()
    last = table[(table["year"] == last_year)]
    return with_alt(fig, f"Stacked bar chart: {first} states in {first_year}; by {last_year} "
                         f"{int(last[last['status'] == 'member']['count'].iloc[0])} members and "
                         f"{int(last[last['status'] == 'observer']['count'].iloc[0])} observers.")
