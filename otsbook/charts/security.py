"""Figures of the chapter on security.

Every function takes tables loaded with ``otsbook.load`` (or slices of them) and returns a plotly
Figure with alt text. The numbers come from the tables; nothing is typed in here.

* :func:`priority_heatmap` - the article's seven security priorities on its 9-point scale.
* :func:`dynamics_table` - the article's Table 1: external pressures and the OTS's responses.
* :func:`dynamics_sankey` - the same table as flows: pressure -> response -> priority.
* :func:`milestone_timeline` - dated milestones, coloured by what public sources confirm.
"""
from __future__ import annotations

import re
import textwrap

import pandas as pd
import plotly.graph_objects as go

from ..plotting import (
    GREY,
    LIGHT_GREY,
    OKABE_ITO,
    VERIFICATION_COLOURS,
    VERIFICATION_LABELS,
    VERIFICATION_ORDER,
    VERIFICATION_SYMBOLS,
    with_alt,
)

SCALE_MIN, SCALE_MAX = 1, 9

# A sequential scale from pale to dark (light yellow -> orange -> dark red-brown): ordered in
# lightness, so it reads in greyscale and for the common kinds of colour blindness.
SCORE_COLOURSCALE = [
    [0.0, "#FFF7BC"],
    [0.25, "#FEE391"],
    [0.5, "#FEC44F"],
    [0.75, "#EC7014"],
    [1.0, "#8C2D04"],
]

STATUS_ORDER = VERIFICATION_ORDER
STATUS_LABELS = VERIFICATION_LABELS


def _wrap(text: str, width: int = 28) -> str:
    """Break a long label into lines for plotly (``<br>``)."""
    return "<br>".join(textwrap.wrap(str(text), width=width)) or str(text)


def ordered_priorities(priorities: pd.DataFrame) -> pd.DataFrame:
    """The priorities from the highest score to the lowest; ties keep the article's order.

    The article lists them as military cooperation, regional integration, economic security,
    counterterrorism, cybersecurity, energy security, border security; the table keeps that
    order, and a stable sort by score keeps it too.
    """
    table = priorities.reset_index(drop=True).copy()
    table["score"] = pd.to_numeric(table["score"])
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def priority_heatmap(priorities: pd.DataFrame, title: str = "Security priorities of the OTS, as scored in the article") -> go.Figure:
    """One column of cells, one row per priority, the score printed in each cell (1-9 scale)."""
    table = ordered_priorities(priorities)
    names = [str(p).capitalize() for p in table["priority"]]
    scores = table["score"].astype(int).tolist()
    fig = go.Figure(
        go.Heatmap(
            z=[[s] for s in scores],
            x=["Score (author's judgement)"],
            y=names,
            zmin=SCALE_MIN,
            zmax=SCALE_MAX,
            colorscale=SCORE_COLOURSCALE,
            text=[[str(s)] for s in scores],
            texttemplate="%{text}",
            textfont=dict(size=20),
            xgap=3,
            ygap=3,
            colorbar=dict(title=dict(text="Score<br>(1-9)"), tickvals=list(range(SCALE_MIN, SCALE_MAX + 1)), len=0.9),
            hovertemplate="%{y}: %{z} out of 9<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(side="top", title=None)
    fig.update_layout(title=title, height=90 + 58 * len(scores), width=None, margin=dict(l=170, r=30, t=110, b=30))
    listing = "; ".join(f"{n.lower()} {s}" for n, s in zip(names, scores))
    return with_alt(
        fig,
        f"Heatmap of the seven security priorities the article scores on a 1-to-9 scale, highest first: {listing}.",
    )


def dynamics_table(dynamics: pd.DataFrame) -> go.Figure:
    """The article's Table 1 as a plotly Table: pressure, the response paired with it, examples.

    plotly does not wrap table text, so long cells are broken into lines here.
    """

    def cell(title, detail, width):
        text = f"<b>{_wrap(title, width)}</b>"
        if isinstance(detail, str) and detail.strip():
            text += "<br>" + _wrap(detail, width)
        return text

    details = dynamics["external_detail"] if "external_detail" in dynamics.columns else [None] * len(dynamics)
    examples = dynamics["response_examples"] if "response_examples" in dynamics.columns else [None] * len(dynamics)
    factor = [cell(f, d, 34) for f, d in zip(dynamics["external_factor"], details)]
    response = [cell(r, e, 42) for r, e in zip(dynamics["internal_response"], examples)]
    header = ["External pressure on the OTS", "Internal response the article pairs with it"]
    cells = [factor, response]
    widths = [0.45, 0.55]
    if "related_priority" in dynamics.columns:
        header.append("Related priority")
        cells.append([_wrap(str(p).capitalize(), 14) for p in dynamics["related_priority"]])
        widths = [0.38, 0.44, 0.18]
    n = len(dynamics)
    lines = sum(max(c[i].count("<br>") + 1 for c in cells) for i in range(n))
    fill = [["#FFFFFF" if i % 2 else "#F3F5F7" for i in range(n)]] * len(header)
    fig = go.Figure(
        go.Table(
            columnwidth=widths,
            header=dict(values=[f"<b>{h}</b>" for h in header], fill_color=OKABE_ITO["blue"], font=dict(color="white", size=14), align="left", height=34),
            cells=dict(values=cells, fill_color=fill, align="left", font=dict(size=13), height=24),
        )
    )
    fig.update_layout(title="Table 1 of the article: external pressures and internal responses", height=130 + 19 * lines + 10 * n, margin=dict(l=10, r=10, t=60, b=10))
    return with_alt(
        fig,
        f"Table with {n} rows pairing each external security pressure named in the article with the internal response it attributes to the OTS.",
    )


def dynamics_sankey(dynamics: pd.DataFrame, priorities: pd.DataFrame | None = None) -> go.Figure:
    """Flows from each external pressure to its response and on to the related priority.

    Node colours: pressures grey, responses blue, priorities coloured by the article's score
    (when ``priorities`` is given).
    """
    factors = list(dict.fromkeys(dynamics["external_factor"]))
    responses = list(dict.fromkeys(dynamics["internal_response"]))
    has_priority = "related_priority" in dynamics.columns
    prio = list(dict.fromkeys(dynamics["related_priority"])) if has_priority else []
    scores = {}
    if priorities is not None and has_priority:
        scores = {str(p).lower(): int(s) for p, s in zip(priorities["priority"], priorities["score"])}

    labels = [_wrap(f, 30) for f in factors] + [_wrap(r, 30) for r in responses]
    colours = [GREY] * len(factors) + [OKABE_ITO["blue"]] * len(responses)
    for p in prio:
        score = scores.get(str(p).lower())
        labels.append(_wrap(str(p).capitalize() + (f" ({score}/9)" if score is not None else ""), 24))
        colours.append(_score_colour(score) if score is not None else LIGHT_GREY)

    index = {("f", f): i for i, f in enumerate(factors)}
    index.update({("r", r): len(factors) + i for i, r in enumerate(responses)})
    index.update({("p", p): len(factors) + len(responses) + i for i, p in enumerate(prio)})
    source, target, value, colour = [], [], [], []
    for row in dynamics.itertuples():
        source.append(index[("f", row.external_factor)])
        target.append(index[("r", row.internal_response)])
        value.append(1)
        colour.append("rgba(140,140,140,0.35)")
        if has_priority:
            source.append(index[("r", row.internal_response)])
            target.append(index[("p", row.related_priority)])
            value.append(1)
            colour.append("rgba(0,114,178,0.25)")
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(label=labels, color=colours, pad=14, thickness=16, line=dict(color="white", width=0.5)),
            link=dict(source=source, target=target, value=value, color=colour),
            textfont=dict(size=12),
        )
    )
    fig.update_layout(title="From external pressure to internal response to priority (the article's pairing)", height=620, margin=dict(l=10, r=10, t=60, b=20))
    return with_alt(
        fig,
        f"Flow diagram linking {len(factors)} external pressures to the {len(responses)} responses the article pairs with them"
        + (f" and on to {len(prio)} of its scored security priorities." if has_priority else "."),
    )


def _score_colour(score: int) -> str:
    """The heatmap's colour for a score, so the Sankey's priority nodes match it."""
    stops = [c for _, c in SCORE_COLOURSCALE]
    position = (score - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (len(stops) - 1)
    return stops[min(len(stops) - 1, max(0, round(position)))]


def parse_date(value) -> pd.Timestamp:
    """A date given to the precision known: '2018', '2021-06', '2021-06-15'.

    A year alone is placed at mid-year and a month at its middle, so an imprecise date does not
    look as if it were known to the day.
    """
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(int(text), 7, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = map(int, text.split("-"))
        return pd.Timestamp(year, month, 15)
    return pd.Timestamp(text)


def _iso(when: pd.Timestamp) -> str:
    """Dates go into the figure as ISO text: plain JSON in every renderer, read as dates by plotly."""
    return pd.Timestamp(when).strftime("%Y-%m-%d")


def milestone_timeline(events: pd.DataFrame, title: str = "Dated security milestones, and what public sources confirm") -> go.Figure:
    """One marker per event on a time axis; colour and symbol show its verification status."""
    table = events.copy()
    table["when"] = table["date"].map(parse_date)
    table = table.sort_values("when", kind="stable").reset_index(drop=True)
    table["label"] = [f"{_wrap(t, 32)} ({d})" for t, d in zip(table["title"], table["date"])]
    order = list(table["label"])
    fig = go.Figure()
    present = [s for s in STATUS_ORDER if s in set(table["status"])] + sorted(set(table["status"]) - set(STATUS_ORDER))
    for status in present:
        part = table[table["status"] == status]
        checked = part["check_source_id"].fillna("").astype(str) if "check_source_id" in part.columns else pd.Series("", index=part.index)
        fig.add_trace(
            go.Scatter(
                x=[_iso(w) for w in part["when"]],
                y=part["label"].tolist(),
                mode="markers",
                name=STATUS_LABELS.get(status, status),
                marker=dict(
                    size=15,
                    color=VERIFICATION_COLOURS.get(status, GREY),
                    symbol=VERIFICATION_SYMBOLS.get(status, "circle"),
                    line=dict(width=2, color=VERIFICATION_COLOURS.get(status, GREY)),
                ),
                customdata=list(zip(part["date"], [status] * len(part), checked.replace("", "none"))),
                hovertemplate="%{y}<br>date: %{customdata[0]}<br>status: %{customdata[1]}<br>checked against: %{customdata[2]}<extra></extra>",
            )
        )
    # Where a public source corrects the date, show the corrected date and join the two.
    if "source_date" in table.columns:
        fixed = table[(table["status"] == "corrected") & table["source_date"].notna()]
        if len(fixed):
            xs, ys, sizes = [], [], []
            for row in fixed.itertuples():
                xs += [_iso(row.when), _iso(parse_date(row.source_date)), None]
                ys += [row.label, row.label, None]
                sizes += [0, 14, 0]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines+markers",
                    name="date the document gave",
                    line=dict(color=VERIFICATION_COLOURS["corrected"], dash="dot", width=2),
                    marker=dict(size=sizes, symbol="line-ns-open", color=VERIFICATION_COLOURS["corrected"], line=dict(width=3)),
                    hovertemplate="%{y}<br>document: %{x|%d %b %Y}<extra></extra>",
                )
            )
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", title=None, showgrid=True, gridcolor="#EEEEEE", tickfont=dict(size=12))
    fig.update_xaxes(title="Date (a year alone is placed at mid-year)", dtick="M24", tickformat="%Y")
    fig.update_layout(
        title=title,
        height=160 + 54 * len(table),
        margin=dict(l=235, r=20, t=70, b=110),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0, title=None),
    )
    counts = table["status"].value_counts()
    summary = ", ".join(f"{counts[s]} {s}" for s in present)
    return with_alt(
        fig,
        f"Timeline of {len(table)} dated security milestones from {table['when'].min().year} to {table['when'].max().year}, "
        f"marked by verification status ({summary}).",
    )
