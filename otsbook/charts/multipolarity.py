"""Figures and tables of the chapter "Multipolarity".

The chapter asks where the members of the Organisation of Turkic States (OTS) stand between
Russia, China and the West. Everything here starts from two tables of ``data/``:

* ``memberships``: who belongs to which organisation, with what status, since and until when;
* ``organisations``: when each organisation was founded, who leads it, and whether (in the
  op-ed's framing) a former colonial power leads it.

The pure functions (``membership_matrix``, ``alignment_counts``, ``leadership_category``) return
DataFrames a student can inspect and change; the ``*_figure`` functions draw them.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go

from ..data import table_or_load
from ..plotting import GREY, LIGHT_GREY, OKABE_ITO, with_alt

# The organisations the chapter compares, in the order the figures show them:
# the OTS itself, the three Russian-led post-Soviet bodies, the China/Russia-led SCO, the West.
ORGANISATIONS = ["OTS", "CIS", "CSTO", "EAEU", "SCO", "NATO", "EU"]
RUSSIA_LED = ["CIS", "CSTO", "EAEU"]
WESTERN = ["NATO", "EU"]
# Fallback when the memberships table has no rows for Russia: the organisations Russia belongs to.
RUSSIA_MEMBER_OF = ["CIS", "CSTO", "EAEU", "SCO"]

# OTS members first (in the order of the states table), then observers.

# Status categories of the overlap matrix, strongest tie first. Colour AND a short label in the
# cell carry the category, so the figure survives greyscale printing and colour blindness.
STATUS_CATEGORIES = [
    "member",
    "associate",
    "observer",
    "dialogue partner",
    "candidate",
    "former / suspended",
    "none",
]
STATUS_COLOURS = {
    "member": OKABE_ITO["blue"],
    "associate": OKABE_ITO["sky_blue"],
    "observer": OKABE_ITO["orange"],
    "dialogue partner": OKABE_ITO["yellow"],
    "candidate": OKABE_ITO["purple"],
    "former / suspended": OKABE_ITO["vermillion"],
    "none": "#F4F4F4",
}
STATUS_LABELS = {
    "member": "M",
    "associate": "Assoc.",
    "observer": "Obs.",
    "dialogue partner": "DP",
    "candidate": "Cand.",
    "former / suspended": "ex",
    "none": "",
}
STATUS_MEANINGS = {
    "member": "full, votes",
    "associate": "some bodies only",
    "observer": "attends, no vote",
    "dialogue partner": "loosest SCO tier",
    "candidate": "applied to join",
    "former / suspended": "left or suspended",
    "none": "no tie",
}
# Statuses that count as a "tie" in the looser reading of the alignment chart.
LOOSE_TIES = ["member", "associate", "observer", "dialogue partner"]


def _status_category(status: str) -> str:
    """Map a status of the memberships table onto one of STATUS_CATEGORIES."""
    s = str(status).strip().lower()
    if s in ("member", "full member", "founding member"):
        return "member"
    if s.startswith("associate"):
        return "associate"
    if s.startswith("observer"):
        return "observer"
    if "dialogue" in s or s == "partner":  # the SCO merged observer and dialogue partner into "partner" in 2025
        return "dialogue partner"
    if s in ("candidate", "applicant", "candidate country"):
        return "candidate"
    if s in ("former", "suspended", "withdrawn", "former member", "left"):
        return "former / suspended"
    return "none"


def _year(value) -> float:
    """The year of a date-like value ('2012', '2012-06-28', 2012, NaN) as a float (or NaN)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return float("nan")
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none", "nat", "<na>"):
        return float("nan")
    try:
        return float(int(text[:4]))
    except ValueError:
        return float("nan")


def current_memberships(memberships: pd.DataFrame) -> pd.DataFrame:
    """One row per (state, organisation): its most recent current status category.

    A row whose ``until`` is empty is current; a row with an ``until`` counts as
    "former / suspended", and a tie with no current row at all is "former / suspended".
    When a state has several current rows for one organisation, the one with the latest
    ``since`` wins: Armenia's "suspended" row of 2024 overrides its "member" row of 1992.
    Rows with the same (or no) ``since`` fall back to the strongest tie
    (member > associate > observer > ...).
    """
    df = memberships.copy()
    df["category"] = df["status"].map(_status_category)
    until = df["until"] if "until" in df.columns else pd.Series(float("nan"), index=df.index)
    since = df["since"] if "since" in df.columns else pd.Series(float("nan"), index=df.index)
    df["until_year"] = until.map(_year)
    df["since_year"] = since.map(_year)
    ended = df["until_year"].notna()
    df.loc[ended & (df["category"] != "none"), "category"] = "former / suspended"
    rank = {cat: i for i, cat in enumerate(STATUS_CATEGORIES)}
    df["rank"] = df["category"].map(rank)
    df["ended"] = ended
    # Current rows before ended ones; among current rows the latest start first, then the strongest tie.
    ordered = df.sort_values(["ended", "since_year", "rank"], ascending=[True, False, True], na_position="last")
    best = ordered.drop_duplicates(["iso3", "organisation"], keep="first")
    return best[["iso3", "organisation", "category"]].reset_index(drop=True)


def ots_states(status: str, states: pd.DataFrame | None = None) -> list[str]:
    """ISO3 codes of the OTS members (``status="member"``) or observers, from the states table."""
    table = table_or_load("states", states)
    return sorted(table.loc[table["ots_status"] == status, "iso3"])


def ordered_states(states: pd.DataFrame | None, memberships: pd.DataFrame, extra: Sequence[str] = ()) -> list[str]:
    """OTS members first, then observers, then any ``extra`` states that have membership rows."""
    members, observers = ots_states("member", states), ots_states("observer", states)
    present = set(memberships["iso3"])
    return members + observers + [c for c in extra if c in present and c not in members + observers]


def membership_matrix(
    memberships: pd.DataFrame,
    states: pd.DataFrame | None = None,
    organisations: Sequence[str] = ORGANISATIONS,
    extra_states: Sequence[str] = (),
) -> pd.DataFrame:
    """A state × organisation table of status categories ("member", "observer", ..., "none").

    Rows: OTS members first, then OTS observers (then ``extra_states`` such as "RUS").
    Columns: ``organisations`` in the order given.
    """
    current = current_memberships(memberships)
    rows = ordered_states(states, memberships, extra_states)
    wide = current.pivot(index="iso3", columns="organisation", values="category")
    matrix = wide.reindex(index=rows, columns=list(organisations)).fillna("none")
    matrix.index.name = "iso3"
    matrix.columns.name = "organisation"
    return matrix.astype(object)


def state_names(states: pd.DataFrame | None, codes: Iterable[str]) -> dict[str, str]:
    """ISO3 → display name (falls back to the code)."""
    names = {}
    if states is not None and {"iso3", "name"} <= set(states.columns):
        names = dict(zip(states["iso3"], states["name"]))
    return {c: names.get(c, c) for c in codes}


def overlap_heatmap(matrix: pd.DataFrame, states: pd.DataFrame | None = None) -> go.Figure:
    """Figure: which OTS member and observer belongs to which organisation, and how.

    A heatmap with one colour per status category, a short label in each cell, a legend that
    explains the categories, and a dropdown that outlines one organisation's column.
    """
    codes = list(matrix.index)
    orgs = list(matrix.columns)
    names = state_names(states, codes)
    short = {c: SHORT_NAMES.get(c, n) for c, n in names.items()}
    members, observers = ots_states("member", states), ots_states("observer", states)
    labels = [f"{short[c]} ({c})" + (" – for reference" if c not in members + observers else "") for c in codes]
    index = {cat: i for i, cat in enumerate(STATUS_CATEGORIES)}
    z = [[index[matrix.loc[c, o]] for o in orgs] for c in codes]
    text = [[STATUS_LABELS[matrix.loc[c, o]] for o in orgs] for c in codes]
    hover = [[f"{names[c]} – {o}: {matrix.loc[c, o]}" for o in orgs] for c in codes]
    n = len(STATUS_CATEGORIES)
    # A stepped colour scale: category i fills the band [i/n, (i+1)/n].
    scale = []
    for i, cat in enumerate(STATUS_CATEGORIES):
        scale += [[i / n, STATUS_COLOURS[cat]], [(i + 1) / n, STATUS_COLOURS[cat]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=orgs,
            y=labels,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=13),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=3,
            ygap=3,
        )
    )
    # The legend: one invisible marker per category, named with its meaning.
    for cat in STATUS_CATEGORIES:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="square", size=14, color=STATUS_COLOURS[cat], line=dict(color=GREY, width=1)),
                name=f"{STATUS_LABELS[cat] or 'blank'} = {cat} ({STATUS_MEANINGS[cat]})",
                hoverinfo="skip",
            )
        )
    n_members = sum(1 for c in codes if c in members)
    shapes_base = []
    if 0 < n_members < len(codes):  # a line between OTS members and observers
        shapes_base.append(dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=n_members - 0.5, y1=n_members - 0.5, line=dict(color="#222222", width=2, dash="dot")))
    buttons = [dict(label="No highlight", method="relayout", args=[{"shapes": shapes_base}])]
    for j, org in enumerate(orgs):
        box = dict(type="rect", xref="x", yref="y", x0=j - 0.5, x1=j + 0.5, y0=-0.5, y1=len(codes) - 0.5, line=dict(color="#000000", width=4), fillcolor="rgba(0,0,0,0)")
        buttons.append(dict(label=f"Highlight {org}", method="relayout", args=[{"shapes": shapes_base + [box]}]))
    fig.update_layout(
        title="Memberships of OTS members and observers",
        shapes=shapes_base,
        height=140 + 48 * len(codes) + 30 * len(STATUS_CATEGORIES) // 2,
        xaxis=dict(side="top", title=None, showgrid=False),
        yaxis=dict(autorange="reversed", title=None, showgrid=False),
        legend=dict(orientation="h", y=-0.04, x=0, yanchor="top", title=dict(text="Cell label = status", side="top")),
        margin=dict(l=170, r=20, t=130, b=40),
        updatemenus=[dict(type="dropdown", buttons=buttons, x=0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(b=34), showactive=True)],
    )
    members_in = {o: [c for c in codes if matrix.loc[c, o] == "member"] for o in orgs}
    both = [c for c in codes if c in members and c in members_in.get("CSTO", []) and c in members_in.get("EAEU", [])]
    alt = (
        f"Grid of {len(codes)} states (OTS members first, then observers) by {len(orgs)} organisations, "
        f"each cell coloured and labelled by membership status; among OTS members only "
        f"{' and '.join(names[c] for c in both) or 'none'} belong to both the CSTO and the EAEU."
    )
    return with_alt(fig, alt)


# --- organisations compared -------------------------------------------------------------

LEADERSHIP_COLOURS = {
    "led by a former imperial power": OKABE_ITO["vermillion"],
    "led by dominant power(s)": OKABE_ITO["orange"],
    "no single leading state": OKABE_ITO["blue"],
}
LEADERSHIP_SYMBOLS = {
    "led by a former imperial power": "diamond",
    "led by dominant power(s)": "square",
    "no single leading state": "circle",
}
_NO_LEADER = ("none", "no single", "equal", "collective", "members", "rotating", "consensus", "no one", "n/a", "")


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return bool(value)


def leadership_category(led_by, former_colonial_power_led) -> str:
    """Classify an organisation as the op-ed does: former imperial power / one dominant state / none."""
    if _truthy(former_colonial_power_led):
        return "led by a former imperial power"
    text = "" if led_by is None or (isinstance(led_by, float) and pd.isna(led_by)) else str(led_by).strip().lower()
    if any(text.startswith(word) for word in _NO_LEADER if word) or not text:
        return "no single leading state"
    return "led by dominant power(s)"


# Readable labels for the organisation codes of data/organisations.csv.
ORG_LABELS = {"COMMONWEALTH": "Commonwealth", "OIF": "Francophonie (OIF)", "RUSSIAN_WORLD": "Russian World"}


def organisations_compared(organisations: pd.DataFrame) -> pd.DataFrame:
    """The organisations table with a founding year, a label and the op-ed's leadership category."""
    df = organisations.copy()
    df["label"] = [ORG_LABELS.get(o, o) for o in df["org_id"]]
    df["founded_year"] = pd.array(df["founded"].map(_year), dtype="Int64")
    df["leadership"] = [leadership_category(l, f) for l, f in zip(df["led_by"], df["former_colonial_power_led"])]
    return df.sort_values("founded_year").reset_index(drop=True)


def organisations_timeline(organisations: pd.DataFrame) -> go.Figure:
    """Figure: founding years of the organisations, coloured by who leads them.

    A dropdown switches the colour between the op-ed's two-way split (former imperial power
    or not) and a three-way split that also separates a dominant non-imperial leader.
    """
    everything = organisations_compared(organisations)
    undated = everything[everything["founded_year"].isna()]
    df = everything[everything["founded_year"].notna()]
    fig = go.Figure()
    groupings = {
        "three": list(LEADERSHIP_COLOURS),
        "two": ["led by a former imperial power", "not led by a former imperial power"],
    }
    two_way = df["leadership"].where(df["leadership"] == "led by a former imperial power", "not led by a former imperial power")
    colour2 = {"led by a former imperial power": OKABE_ITO["vermillion"], "not led by a former imperial power": OKABE_ITO["blue"]}
    symbol2 = {"led by a former imperial power": "diamond", "not led by a former imperial power": "circle"}
    visible_three, visible_two = [], []
    for key, cats in groupings.items():
        column = df["leadership"] if key == "three" else two_way
        for cat in cats:
            sub = df[column == cat]
            if sub.empty:
                continue
            colour = LEADERSHIP_COLOURS.get(cat) or colour2[cat]
            symbol = LEADERSHIP_SYMBOLS.get(cat) or symbol2[cat]
            fig.add_trace(
                go.Scatter(
                    x=sub["founded_year"],
                    y=sub["label"],
                    mode="markers+text",
                    text=[f"{int(y)}" for y in sub["founded_year"]],
                    textposition="middle right",
                    marker=dict(size=16, color=colour, symbol=symbol, line=dict(color="#222222", width=1)),
                    name=cat,
                    visible=(key == "three"),
                    customdata=list(zip(sub["name"], sub["led_by"].fillna("—"), sub["kind"].fillna("—"), sub.get("headquarters", pd.Series("—", index=sub.index)).fillna("—"))),
                    hovertemplate="<b>%{customdata[0]}</b><br>founded %{x}<br>led by: %{customdata[1]}<br>kind: %{customdata[2]}<br>seat: %{customdata[3]}<extra></extra>",
                )
            )
            visible_three.append(key == "three")
            visible_two.append(key == "two")
    # Horizontal guide lines from each organisation's founding to today.
    end = max(2025, int(df["founded_year"].max()) + 1)
    for _, row in df.iterrows():
        fig.add_shape(type="line", x0=row["founded_year"], x1=end, y0=row["label"], y1=row["label"], line=dict(color=LIGHT_GREY, width=6), layer="below")
    fig.update_layout(
        title="Founding year and leadership of the organisations",
        xaxis=dict(title="Year founded (the bar runs to today)", range=[min(1940, df["founded_year"].min() - 5), end + 6], dtick=10),
        yaxis=dict(title=None, categoryorder="array", categoryarray=list(df["label"])[::-1]),
        height=320 + 44 * len(df),
        legend=dict(orientation="h", y=-0.22, x=0, yanchor="top"),
        margin=dict(l=140, r=20, t=120, b=230),
        updatemenus=[
            dict(
                type="dropdown",
                x=0,
                xanchor="left",
                y=1.0,
                yanchor="bottom",
                pad=dict(b=10),
                buttons=[
                    dict(label="Colour: three kinds of leadership", method="update", args=[{"visible": visible_three}]),
                    dict(label="Colour: the op-ed's split (former imperial power?)", method="update", args=[{"visible": visible_two}]),
                ],
            )
        ],
    )
    if not undated.empty:
        fig.add_annotation(
            xref="paper", yref="paper", x=0, y=-0.5, xanchor="left", yanchor="top", showarrow=False, align="left",
            text="No founding year in the data:<br>" + "<br>".join(f"{r.label} ({r.leadership})" for r in undated.itertuples()),
            font=dict(size=12, color="#444444"),
        )
    first, last = df.iloc[0], df.iloc[-1]
    n_imperial = int((df["leadership"] == "led by a former imperial power").sum())
    alt = (
        f"Timeline of {len(df)} organisations by founding year, from the {first['label']} ({int(first['founded_year'])}) "
        f"to the {last['label']} ({int(last['founded_year'])}); {n_imperial} of them are coded as led by a former imperial power, "
        f"and {' and '.join(df.loc[df['leadership'] == 'no single leading state', 'label']) or 'none'} as having no single leading state."
    )
    return with_alt(fig, alt)


# Short labels for crowded axes.
SHORT_NAMES = {"XNC": "N. Cyprus", "TUR": "Türkiye"}


# --- alignment: ties shared with Russia and with the West ------------------------------

def russia_organisations(memberships: pd.DataFrame, organisations: Sequence[str] = ORGANISATIONS) -> list[str]:
    """The organisations in which Russia is a full member today (from the data if it has RUS rows)."""
    current = current_memberships(memberships)
    rus = current[(current["iso3"] == "RUS") & (current["category"] == "member")]["organisation"]
    found = [o for o in organisations if o in set(rus)]
    return found or [o for o in RUSSIA_MEMBER_OF if o in organisations]


def alignment_counts(
    matrix: pd.DataFrame,
    russia_orgs: Sequence[str] = RUSSIA_MEMBER_OF,
    west_orgs: Sequence[str] = WESTERN,
    ties: Sequence[str] = ("member",),
) -> pd.DataFrame:
    """Per state: in how many organisations it sits with Russia, and with the West.

    ``ties`` says which statuses count: ("member",) for full membership only, or
    LOOSE_TIES to count associates, observers and dialogue partners as well.
    """
    ties = set(ties)
    russia = [o for o in russia_orgs if o in matrix.columns]
    west = [o for o in west_orgs if o in matrix.columns]
    out = pd.DataFrame(index=matrix.index)
    out["with_russia"] = [sum(matrix.loc[c, o] in ties for o in russia) for c in matrix.index]
    out["with_west"] = [sum(matrix.loc[c, o] in ties for o in west) for c in matrix.index]
    out["russia_orgs"] = [", ".join(o for o in russia if matrix.loc[c, o] in ties) or "—" for c in matrix.index]
    out["west_orgs"] = [", ".join(o for o in west if matrix.loc[c, o] in ties) or "—" for c in matrix.index]
    return out


def alignment_bars(
    matrix: pd.DataFrame,
    states: pd.DataFrame | None = None,
    russia_orgs: Sequence[str] = RUSSIA_MEMBER_OF,
    west_orgs: Sequence[str] = WESTERN,
) -> go.Figure:
    """Figure: grouped bars, organisations shared with Russia vs. with the West, per state.

    A dropdown switches between counting full memberships only and counting every formal tie.
    """
    strict = alignment_counts(matrix, russia_orgs, west_orgs, ("member",))
    loose = alignment_counts(matrix, russia_orgs, west_orgs, LOOSE_TIES)
    names = {c: SHORT_NAMES.get(c, n) for c, n in state_names(states, matrix.index).items()}
    x = [names[c] for c in matrix.index]
    russia_label = f"shared with Russia ({', '.join(o for o in russia_orgs if o in matrix.columns)})"
    west_label = f"shared with the West ({', '.join(o for o in west_orgs if o in matrix.columns)})"
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=x, y=strict["with_russia"], name=russia_label, marker=dict(color=OKABE_ITO["vermillion"], pattern=dict(shape="/")),
            customdata=strict["russia_orgs"], hovertemplate="%{x}: %{y} (%{customdata})<extra>with Russia</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=x, y=strict["with_west"], name=west_label, marker=dict(color=OKABE_ITO["blue"]),
            customdata=strict["west_orgs"], hovertemplate="%{x}: %{y} (%{customdata})<extra>with the West</extra>",
        )
    )
    def _args(counts: pd.DataFrame) -> list:
        return [{"y": [counts["with_russia"], counts["with_west"]], "customdata": [counts["russia_orgs"], counts["west_orgs"]]}]
    fig.update_layout(
        title="Ties to Russia and to the West, by state",
        barmode="group",
        yaxis=dict(title="Number of organisations", dtick=1, range=[0, max(len(russia_orgs), len(west_orgs)) + 0.5]),
        xaxis=dict(title=None, tickangle=-40),
        legend=dict(orientation="h", y=-0.32, x=0, yanchor="top"),
        height=540,
        margin=dict(l=70, r=20, t=120, b=150),
        updatemenus=[
            dict(
                type="dropdown", x=0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(b=10),
                buttons=[
                    dict(label="Count full membership only", method="update", args=_args(strict)),
                    dict(label="Count every tie (observer, associate, partner)", method="update", args=_args(loose)),
                ],
            )
        ],
    )
    top_r = strict["with_russia"].idxmax()
    top_w = strict["with_west"].idxmax()
    alt = (
        f"Grouped bar chart for {len(x)} states: {names[top_r]} shares the most organisations with Russia "
        f"({strict.loc[top_r, 'with_russia']}) and {names[top_w]} the most with the West ({strict.loc[top_w, 'with_west']}) "
        f"when only full membership counts."
    )
    return with_alt(fig, alt)
