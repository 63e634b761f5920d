"""Exercises of the chapter "Energy", one :class:`Exercise` declaration each.

The questions and objectives are written in ``chapters/energy_exercises.md``; this module holds
the widgets, the checks and the worked solutions. Every right answer is computed from
``energy_routes`` (reached through :func:`otsbook.load`) with the same pandas steps the chapter
shows, so a correction in the data reaches the chapter and the exercises alike. Each check takes
an optional ``routes`` table so that a student (or a test) can pass an edited copy.
"""
from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ..data import load
from .core import AnswerError, Exercise, Feedback, as_number, as_text_set, join_names
from .widgets import STYLE

CORRIDOR = "Southern Gas Corridor"
POSITIONS = ("first", "second", "third", "fourth", "fifth")
CHOOSE = "(choose a pipeline)"
TOLERANCE = 0.5  # bcm/yr accepted either side of the bottleneck capacity
SHARE_TOLERANCE = 0.02  # a share within two percentage points is right
HIGHEST_PLAUSIBLE = 200.0  # no single pipeline here comes near this many bcm/yr
FIRST_YEAR = 1991  # routes built before independence count from 1991
PRODUCERS = "AZE|KAZ|TKM|UZB"  # the Caspian and Central Asian exporters among the members and observers


def _routes(routes: pd.DataFrame | None) -> pd.DataFrame:
    return load("energy_routes") if routes is None else routes


def label(name: str, route_id: str) -> str:
    """'Trans Adriatic Pipeline (TAP)'; the name alone when it already holds the id."""
    return name if route_id in name else f"{name} ({route_id})"


# --- the pandas steps of the chapter, as functions the checks can call ------------------------

def corridor_segments(routes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The operating segments of the Southern Gas Corridor in flow order, with their capacities."""
    routes = _routes(routes)
    return (routes[(routes["segment_of"] == CORRIDOR) & (routes["status"] == "operational")]
            .sort_values("order_in_corridor")
            .rename(columns={"capacity_bcm_per_year": "capacity_at_opening",
                             "capacity_current_bcm_per_year": "capacity_now",
                             "capacity_expandable_bcm_per_year": "capacity_max"})
            .reset_index(drop=True))


def bottleneck(segments: pd.DataFrame) -> pd.Series:
    """The segment with the smallest capacity today: it caps what reaches the end of the chain."""
    return segments.loc[segments["capacity_now"].idxmin()]


def operating_pipelines(routes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Operating oil and gas pipelines with a direction, and one ``capacity`` column (bcm/yr or Mt/yr)."""
    routes = _routes(routes)
    downstream = routes["segment_of"].notna() & (routes["order_in_corridor"] > 1)  # gas already counted upstream
    contract = routes["name"].str.contains("swap", case=False)  # a swap uses other pipes
    pipes = routes[routes["commodity"].isin(["gas", "oil"]) & (routes["name"] != CORRIDOR) & ~downstream & ~contract
                   & routes["exporters"].str.contains(PRODUCERS, na=False) & (routes["status"] == "operational")].copy()
    pipes["capacity"] = (pipes["capacity_current_bcm_per_year"].fillna(pipes["capacity_bcm_per_year"])
                         .where(pipes["commodity"] == "gas", pipes["oil_capacity_mt_per_year"]))
    return pipes


def capacity_by_direction(routes: pd.DataFrame | None = None, last_year: int | None = None) -> pd.DataFrame:
    """Capacity in service by commodity, direction and year (steps 1 and 2 of the worked analysis)."""
    pipes = operating_pipelines(routes)
    last_year = last_year or max(2026, int(pipes["operational_since"].max()))
    years = pd.DataFrame({"year": range(FIRST_YEAR, last_year + 1)})
    pipes = pipes.assign(opened=pipes["operational_since"].fillna(FIRST_YEAR))  # Soviet-era, year not in the table
    route_years = pipes.merge(years, how="cross")
    route_years = route_years[route_years["opened"] <= route_years["year"]]
    return route_years.groupby(["commodity", "direction", "year"], as_index=False)["capacity"].sum()


def russia_share(routes: pd.DataFrame | None = None, commodity: str = "oil") -> pd.Series:
    """Share of a commodity's capacity that runs through Russia, by year (step 3)."""
    cumulative = capacity_by_direction(routes)
    part = cumulative[cumulative["commodity"] == commodity]
    totals = part.groupby("year")["capacity"].sum()
    through = part[part["direction"] == "via_russia"].set_index("year")["capacity"]
    return (through.reindex(totals.index).fillna(0) / totals).rename(f"{commodity} share via Russia")


# --- exercise 1: assemble the corridor ------------------------------------------------------------

def corridor_order(routes: pd.DataFrame | None = None) -> list[str]:
    """Route ids of the operating corridor, source to market."""
    return list(corridor_segments(routes)["route_id"])


def _pipeline_choices(routes: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, route_id) of every gas pipeline, alphabetical, so the order gives nothing away."""
    pipes = routes[(routes["commodity"] == "gas") & (routes["route_id"] != "SGC")]
    return sorted((label(n, i), i) for n, i in zip(pipes["name"], pipes["route_id"]))


def check_corridor_order(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a sequence of route ids (or names), one per position."""
    routes = _routes(routes)
    right = corridor_order(routes)
    names = dict(zip(routes["route_id"], routes["name"]))
    by_name = {v.lower(): k for k, v in names.items()}
    if not isinstance(answer, (list, tuple)):
        raise AnswerError(f"Choose a pipeline for each of the {len(right)} positions.")
    chosen = []
    for item in answer:
        item = "" if item is None else str(item).strip()
        chosen.append(by_name.get(item.lower(), item.upper()) if item and item != CHOOSE else "")
    if len(chosen) != len(right) or any(c == "" for c in chosen):
        raise AnswerError(f"Choose a pipeline for each of the {len(right)} positions.")
    unknown = [c for c in chosen if c not in names]
    if unknown:
        raise AnswerError(f"'{unknown[0]}' is not one of the routes in the table; pick from the list.")
    if len(set(chosen)) != len(chosen):
        raise AnswerError("Each position needs a different pipeline: a segment is used only once.")
    if chosen == right:
        chain = "; ".join(f"{r.route_id} from {r.from_place} to {r.to_place}" for r in corridor_segments(routes).itertuples())
        return Feedback.right(f"The gas flows {chain}. Each segment starts where the one before ends, which is how "
                              "the order_in_corridor column lines them up.")
    table = routes.set_index("route_id")
    for position, (mine, theirs) in enumerate(zip(chosen, right)):
        if mine == theirs:
            continue
        row = table.loc[mine]
        if pd.isna(row["segment_of"]) or row["segment_of"] != CORRIDOR:
            return Feedback.wrong(f"{names[mine]} is not part of the {CORRIDOR}: its segment_of cell is not "
                                  f"'{CORRIDOR}'. Use the rows of the corridor table.")
        if row["status"] != "operational":
            return Feedback.wrong(f"{names[mine]} is listed under the corridor, but its status is '{row['status']}': "
                                  "no gas flows through it yet. Use only the operating segments.")
        where = POSITIONS[position]
        return Feedback.wrong(f"The {where} position is not {names[mine]}. Compare the from_place and to_place "
                              f"columns: the {where} segment starts at {table.loc[theirs, 'from_place']}.")
    return Feedback.wrong("Check the order against the order_in_corridor column of the corridor table.")


def solution_corridor_order(routes: pd.DataFrame | None = None) -> str:
    steps = corridor_segments(routes)
    return " → ".join(f"{n}. {label(r.name, r.route_id)}" for n, r in enumerate(steps.itertuples(), start=1)) + (
        ". Keep the rows whose segment_of is the Southern Gas Corridor and whose status is operational, and sort "
        "them by order_in_corridor; each to_place is the next from_place.")


def _corridor_widget() -> widgets.VBox:
    routes = _routes(None)
    options = [(CHOOSE, "")] + _pipeline_choices(routes)
    return widgets.VBox([
        widgets.Dropdown(options=options, value="", description=f"{POSITIONS[i].capitalize()} segment:",
                         style=STYLE, layout=widgets.Layout(width="34em"))
        for i in range(len(corridor_order(routes)))
    ])


CORRIDOR_ORDER = Exercise(
    key="energy-corridor-order",
    widget=_corridor_widget,
    check=check_corridor_order,
    solution=solution_corridor_order,
    right_answer=corridor_order,
    wrong_answer=lambda: list(reversed(corridor_order())),
    read_answer=lambda box: [d.value for d in box.children],
)


# --- exercise 2: the bottleneck ----------------------------------------------------------------------

def bottleneck_capacity(routes: pd.DataFrame | None = None) -> float:
    return float(bottleneck(corridor_segments(routes))["capacity_now"])


def check_bottleneck(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a number (or text) in bcm a year."""
    value = as_number(answer, low=0, high=HIGHEST_PLAUSIBLE, what="a capacity in bcm a year")
    if value == 0:
        raise AnswerError("A capacity above 0 bcm a year is expected: every segment carries gas.")
    seg = corridor_segments(routes)
    neck = bottleneck(seg)
    right = float(neck["capacity_now"])
    if abs(value - right) <= TOLERANCE:
        return Feedback.right(f"{right:g} bcm a year: {label(neck['name'], neck['route_id'])} is the narrowest segment "
                              "today, so no more than that can reach the end of the chain, however much the pipes "
                              "upstream can carry.")
    for r in seg.itertuples():
        if abs(value - r.capacity_at_opening) <= TOLERANCE and r.capacity_at_opening < r.capacity_now:
            return Feedback.wrong(f"{value:g} is {r.route_id}'s capacity when it opened (capacity_bcm_per_year). An "
                                  f"expansion has been built since: capacity_current_bcm_per_year reads "
                                  f"{r.capacity_now:g} bcm a year, so it is no longer the narrowest segment.")
        if pd.notna(r.capacity_max) and abs(value - r.capacity_max) <= TOLERANCE:
            return Feedback.wrong(f"{value:g} is what {r.route_id} could carry if it were expanded "
                                  "(capacity_expandable_bcm_per_year). The bottleneck is about what the pipes can "
                                  "carry now: use the 'Now' bars of the corridor figure.")
        if abs(value - r.capacity_now) <= TOLERANCE:
            return Feedback.wrong(f"{value:g} bcm a year is {r.route_id}'s capacity, but another segment is narrower. "
                                  "Gas can pass through a chain no faster than through its narrowest link: find the "
                                  "smallest 'Now' bar.")
    if abs(value - float(seg["capacity_now"].sum())) <= TOLERANCE:
        return Feedback.wrong("Capacities of pipes laid end to end do not add up: the same gas passes through each in "
                              "turn. Look for the smallest capacity instead.")
    return Feedback.wrong("That is none of the segments' capacities. Read the 'Now' bars of the corridor figure, or "
                          "the capacity_now column of the corridor table, and take the smallest.")


def solution_bottleneck(routes: pd.DataFrame | None = None) -> str:
    seg = corridor_segments(routes)
    neck = bottleneck(seg)
    parts = ", ".join(f"{r.route_id} {r.capacity_now:g}" for r in seg.itertuples())
    return (f"Capacities today (bcm a year): {parts}. The smallest is {neck['route_id']} at "
            f"{float(neck['capacity_now']):g}, so that is the most the corridor can deliver to the end of the chain "
            "without an expansion.")


BOTTLENECK = Exercise(
    key="energy-bottleneck",
    widget=lambda: widgets.Text(value="", placeholder="for example 12.5", description="Bottleneck (bcm a year):",
                                style=STYLE),
    check=check_bottleneck,
    solution=solution_bottleneck,
    right_answer=lambda: f"{bottleneck_capacity():g}",
    wrong_answer=lambda: f"{float(corridor_segments()['capacity_now'].sum()):g}",
)


# --- exercise 3: which operating routes avoid Russia ---------------------------------------------------

def route_options(routes: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """Every route except the corridor as a whole, alphabetical."""
    routes = _routes(routes)
    rows = routes[routes["route_id"] != "SGC"]
    return sorted((label(n, i), i) for n, i in zip(rows["name"], rows["route_id"]))


def avoiding_russia(routes: pd.DataFrame | None = None) -> set[str]:
    """Operating routes (the corridor as a whole left out) that do not cross Russian territory."""
    routes = _routes(routes)
    rows = routes[(routes["route_id"] != "SGC") & (routes["status"] == "operational") & routes["bypasses_russia"]]
    return set(rows["route_id"])


def check_avoiding_russia(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a collection of route ids (a SelectMultiple value) or comma-separated ids."""
    routes = _routes(routes)
    if not isinstance(answer, (str, list, tuple, set, frozenset)):
        raise AnswerError("Select the routes from the list (hold Ctrl or Cmd to select several).")
    chosen = {item.upper() for item in as_text_set(answer)}
    if not chosen:
        raise AnswerError("Select at least one route (hold Ctrl or Cmd, or Shift, to select several).")
    unknown = chosen - {i for _, i in route_options(routes)}
    if unknown:
        raise AnswerError(f"{join_names(unknown)} is not a route of the table; select from the list.")
    right = avoiding_russia(routes)
    table = routes.set_index("route_id")
    if chosen == right:
        others = routes[(routes["route_id"] != "SGC") & ~routes["route_id"].isin(right)]
        through = others.loc[~others["bypasses_russia"] & (others["status"] == "operational"), "route_id"]
        return Feedback.right(f"These {len(right)} operating routes avoid Russian territory: bypasses_russia is true "
                              f"for each. Still crossing Russia: {join_names(through)}.")
    extra = chosen - right
    not_built = {i for i in extra if table.loc[i, "status"] != "operational"}
    through = extra - not_built
    if through:
        first = sorted(through)[0]
        return Feedback.wrong(f"{table.loc[first, 'name']} crosses Russia: its countries column reads "
                              f"{table.loc[first, 'countries']} and bypasses_russia is false.")
    if not_built:
        first = sorted(not_built)[0]
        return Feedback.wrong(f"{table.loc[first, 'name']} would avoid Russia, but its status is "
                              f"'{table.loc[first, 'status']}': the question asks about routes that operate today.")
    return Feedback.wrong(f"You have not selected every operating route that avoids Russia: {len(right - chosen)} more. "
                          "Check the bypasses_russia column, including routes that lead east to China or south to Iran.")


def solution_avoiding_russia(routes: pd.DataFrame | None = None) -> str:
    right = avoiding_russia(routes)
    return (f"Operating routes that avoid Russia: {join_names(right)}. Filter the table on status == 'operational' "
            "and bypasses_russia == True, and leave out the corridor as a whole (SGC), whose segments are listed "
            "separately.")


def _first_route_through_russia(routes: pd.DataFrame | None = None) -> str:
    routes = _routes(routes)
    return str(routes.loc[~routes["bypasses_russia"] & (routes["status"] == "operational"), "route_id"].sort_values().iloc[0])


def _avoiding_widget() -> widgets.SelectMultiple:
    options = route_options()
    return widgets.SelectMultiple(options=options, value=(), rows=min(len(options), 16), description="Routes:",
                                  style=STYLE, layout=widgets.Layout(width="40em"))


AVOIDING_RUSSIA = Exercise(
    key="energy-avoiding-russia",
    widget=_avoiding_widget,
    check=check_avoiding_russia,
    solution=solution_avoiding_russia,
    right_answer=lambda: tuple(sorted(avoiding_russia())),
    wrong_answer=lambda: tuple(sorted(avoiding_russia() | {_first_route_through_russia()})),
)


# --- exercise 4 (worked analysis): the share of oil capacity through Russia today -------------------

def latest_oil_share(routes: pd.DataFrame | None = None) -> float:
    shares = russia_share(routes, "oil")
    return float(shares.iloc[-1])


def check_russia_share(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: the share as a percentage (e.g. 52) or a fraction (0.52)."""
    value = as_number(answer, low=0, high=100, what="a share (a percentage, or a fraction between 0 and 1)")
    share = value / 100 if value > 1 else value
    oil = russia_share(routes, "oil")
    right = float(oil.iloc[-1])
    year = int(oil.index[-1])
    if abs(share - right) <= SHARE_TOLERANCE:
        return Feedback.right(f"About {right:.0%} of the oil export capacity in the table ran through Russia in {year}, "
                              f"against {float(oil.iloc[0]):.0%} in {int(oil.index[0])}. Capacity only: the flows and "
                              "contracts may differ.")
    gas = russia_share(routes, "gas")
    if len(gas) and abs(share - float(gas.iloc[-1])) <= SHARE_TOLERANCE:
        return Feedback.wrong("That is the share for gas. The question asks about oil: filter the share table on the "
                              "oil column.")
    if abs(share - float(oil.iloc[0])) <= SHARE_TOLERANCE:
        return Feedback.wrong(f"That is the share in {int(oil.index[0])}, before any route around Russia existed. "
                              "Read the last year of the table.")
    if abs(share - (1 - right)) <= SHARE_TOLERANCE:
        return Feedback.wrong("That is the share that does not run through Russia. Take the via_russia part of "
                              "the total.")
    return Feedback.wrong("Divide the oil capacity whose direction is via_russia in the last year by the total oil "
                          "capacity in that year (step 3 of the worked analysis).")


def solution_russia_share(routes: pd.DataFrame | None = None) -> str:
    cumulative = capacity_by_direction(routes)
    year = int(cumulative["year"].max())
    oil = cumulative[(cumulative["commodity"] == "oil") & (cumulative["year"] == year)]
    through = float(oil.loc[oil["direction"] == "via_russia", "capacity"].sum())
    total = float(oil["capacity"].sum())
    return (f"In {year} the operating oil pipelines in the table carry {total:.1f} Mt a year in all, "
            f"{through:.1f} of it through Russia: a share of {through / total:.0%}. In pandas: group the capacity "
            "in service by year, commodity and direction, then divide the via_russia line by the year's total.")


RUSSIA_SHARE = Exercise(
    key="energy-russia-share",
    widget=lambda: widgets.Text(value="", placeholder="for example 40 (percent)",
                                description="Share through Russia (%):", style=STYLE),
    check=check_russia_share,
    solution=solution_russia_share,
    right_answer=lambda: f"{latest_oil_share() * 100:.1f}",
    wrong_answer=lambda: "100",
)


__all__ = [
    "CORRIDOR_ORDER", "BOTTLENECK", "AVOIDING_RUSSIA", "RUSSIA_SHARE",
    "corridor_segments", "bottleneck", "operating_pipelines", "capacity_by_direction", "russia_share",
    "check_corridor_order", "check_bottleneck", "check_avoiding_russia", "check_russia_share",
]
