"""Exercises of the chapter "Energy".

Pure logic first (``check_*`` take an answer and return :class:`Feedback`; ``solution_*`` return
the worked answer), then ``make_*_widget()`` functions that wrap each one in an ExerciseBox.
Every right answer is computed from ``data/energy_routes.csv`` with the same helpers that draw
the chapter's figures (:mod:`otsbook.charts.energy`), so a correction in the data reaches both.
"""
from __future__ import annotations


import ipywidgets as widgets
import pandas as pd

from ..charts.energy import CORRIDOR, bottleneck, corridor_segments, label
from ..data import table_or_load
from .core import AnswerError, Feedback, as_number, join_names
from .widgets import STYLE, ExerciseBox

POSITIONS = ("first", "second", "third", "fourth", "fifth")
CHOOSE = "(choose a pipeline)"
TOLERANCE = 0.5  # bcm/yr accepted either side of the bottleneck capacity
HIGHEST_PLAUSIBLE = 200.0  # no single pipeline here comes near this many bcm/yr




def _pipelines(routes: pd.DataFrame) -> pd.DataFrame:
    """Single pipelines (the corridor as a whole and the transport route left out)."""
    return routes[routes["commodity"].astype(str).isin(["gas", "oil"]) & (routes["route_id"] != "SGC")]


def _names(routes: pd.DataFrame) -> dict[str, str]:
    return dict(zip(routes["route_id"].astype(str), routes["name"].astype(str)))


# --- exercise 1: assemble the corridor ------------------------------------------------------------

def corridor_order(routes: pd.DataFrame | None = None) -> list[str]:
    """Route ids of the operating corridor, source to market."""
    return list(corridor_segments(table_or_load("energy_routes", routes))["route_id"])


def corridor_choices(routes: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """(label, route_id) of every pipeline, alphabetical, so the order gives nothing away."""
    pipes = _pipelines(table_or_load("energy_routes", routes))
    return sorted((label(n, i), i) for n, i in zip(pipes["name"].astype(str), pipes["route_id"].astype(str)))


def check_corridor_order(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a sequence of route ids (or names), one per position."""
    routes = table_or_load("energy_routes", routes)
    right = corridor_order(routes)
    names = _names(routes)
    by_name = {v.lower(): k for k, v in names.items()}
    if answer is None or isinstance(answer, str):
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
        steps = corridor_segments(routes)
        chain = "; ".join(f"{r.route_id} from {r.from_place} to {r.to_place}" for r in steps.itertuples())
        return Feedback.right(
            f"The gas flows {chain}. Each segment starts where the one before ends, which is how the "
            "order_in_corridor column lines them up."
        )
    table = routes.set_index("route_id")
    for position, (mine, theirs) in enumerate(zip(chosen, right)):
        if mine == theirs:
            continue
        row = table.loc[mine]
        where = POSITIONS[position]
        if pd.isna(row["segment_of"]) or str(row["segment_of"]) != CORRIDOR:
            return Feedback.wrong(
                f"{names[mine]} is not part of the {CORRIDOR}: its segment_of cell is empty. Look for the rows "
                f"whose segment_of is '{CORRIDOR}' in the corridor table."
            )
        if str(row["status"]) != "operational":
            return Feedback.wrong(
                f"{names[mine]} is listed under the corridor, but its status is '{row['status']}': no gas flows "
                "through it yet. Use only the operating segments."
            )
        start = table.loc[theirs, "from_place"]
        return Feedback.wrong(
            f"The {where} position is not {names[mine]}. Compare the from_place and to_place columns: the {where} "
            f"segment starts at {start}."
        )
    return Feedback.wrong("Check the order against the order_in_corridor column of the corridor table.")


def solution_corridor_order(routes: pd.DataFrame | None = None) -> str:
    steps = corridor_segments(table_or_load("energy_routes", routes))
    return " → ".join(f"{r.order}. {label(r.name, r.route_id)}" for r in steps.itertuples()) + (
        ". Sort the rows whose segment_of is the Southern Gas Corridor and whose status is operational by "
        "order_in_corridor; each to_place is the next from_place."
    )


def make_corridor_order_widget(routes: pd.DataFrame | None = None) -> ExerciseBox:
    routes = table_or_load("energy_routes", routes)
    options = [(CHOOSE, "")] + corridor_choices(routes)
    dropdowns = [
        widgets.Dropdown(options=options, value="", description=f"{POSITIONS[i].capitalize()} segment:", style=STYLE,
                         layout=widgets.Layout(width="34em"))
        for i in range(len(corridor_order(routes)))
    ]
    box = widgets.VBox(dropdowns)
    question = (
        "<p><b>Learning objective 2: trace the Southern Gas Corridor.</b> Gas from the Shah Deniz field reaches "
        f"Italy through {len(dropdowns)} pipelines in a row. Put them in the order the gas flows, from the Caspian "
        "to Italy.</p>"
    )
    return ExerciseBox(question, box, lambda a: check_corridor_order(a, routes), lambda: solution_corridor_order(routes),
                       read_answer=lambda w: [d.value for d in w.children])


# --- exercise 2: the bottleneck ----------------------------------------------------------------------

def bottleneck_capacity(routes: pd.DataFrame | None = None) -> float:
    return float(bottleneck(corridor_segments(table_or_load("energy_routes", routes)))["capacity_now"])


def check_bottleneck(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a number (or text) in bcm a year."""
    routes = table_or_load("energy_routes", routes)
    value = as_number(answer, low=0, high=HIGHEST_PLAUSIBLE, what="a capacity in bcm a year")
    seg = corridor_segments(routes)
    neck = bottleneck(seg)
    right = float(neck["capacity_now"])
    if value == 0:
        raise AnswerError("A capacity above 0 bcm a year is expected: every segment carries gas.")
    if abs(value - right) <= TOLERANCE:
        return Feedback.right(
            f"{right:g} bcm a year: {label(neck['name'], neck['route_id'])} is the narrowest segment today, so no more "
            "than that can reach the end of the chain, however much the pipes upstream can carry."
        )
    for r in seg.itertuples():
        if abs(value - r.capacity_at_opening) <= TOLERANCE and r.capacity_at_opening < r.capacity_now:
            return Feedback.wrong(
                f"{value:g} is {r.route_id}'s capacity when it opened (capacity_bcm_per_year). An expansion "
                f"has been built since: capacity_current_bcm_per_year reads {r.capacity_now:g} bcm a year, so it "
                "is no longer the narrowest segment."
            )
        if abs(value - r.capacity_max) <= TOLERANCE:
            return Feedback.wrong(
                f"{value:g} is what {r.route_id} could carry if it were expanded (capacity_expandable_bcm_per_year). "
                "The bottleneck is about what the pipes can carry now: use the 'Now' bars of the corridor figure."
            )
        if abs(value - r.capacity_now) <= TOLERANCE:
            return Feedback.wrong(
                f"{value:g} bcm a year is {r.route_id}'s capacity, but another segment is narrower. Gas can pass "
                "through a chain no faster than through its narrowest link: find the smallest 'Now' bar."
            )
    if abs(value - float(seg["capacity_now"].sum())) <= TOLERANCE:
        return Feedback.wrong(
            "Capacities of pipes laid end to end do not add up: the same gas passes through each in turn. "
            "Look for the smallest capacity instead."
        )
    return Feedback.wrong(
        "That is none of the segments' capacities. Read the 'Now' bars of the corridor figure, or the capacity_now "
        "column of the corridor table, and take the smallest."
    )


def solution_bottleneck(routes: pd.DataFrame | None = None) -> str:
    seg = corridor_segments(table_or_load("energy_routes", routes))
    neck = bottleneck(seg)
    parts = ", ".join(f"{r.route_id} {r.capacity_now:g}" for r in seg.itertuples())
    return (
        f"Capacities today (bcm a year): {parts}. The smallest is {neck['route_id']} at {float(neck['capacity_now']):g}, "
        "so that is the most the corridor can deliver to the end of the chain without an expansion."
    )


def make_bottleneck_widget(routes: pd.DataFrame | None = None) -> ExerciseBox:
    routes = table_or_load("energy_routes", routes)
    field = widgets.Text(value="", placeholder="for example 12.5", description="Bottleneck (bcm a year):", style=STYLE)
    question = (
        "<p><b>Learning objective 3: read capacities and find the limiting link.</b> What is the most gas, in "
        "billion cubic metres a year, that the operating Southern Gas Corridor can carry through all its segments "
        f"to its end today? (Answers within {TOLERANCE:g} are accepted.)</p>"
    )
    return ExerciseBox(question, field, lambda a: check_bottleneck(a, routes), lambda: solution_bottleneck(routes))


# --- exercise 3: which routes avoid Russia ------------------------------------------------------------

def route_options(routes: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """Every route except the corridor as a whole, alphabetical."""
    routes = table_or_load("energy_routes", routes)
    rows = routes[routes["route_id"] != "SGC"]
    return sorted((label(n, i), i) for n, i in zip(rows["name"].astype(str), rows["route_id"].astype(str)))


def avoiding_russia(routes: pd.DataFrame | None = None) -> set[str]:
    """Operating routes that do not cross Russian territory."""
    routes = table_or_load("energy_routes", routes)
    rows = routes[(routes["route_id"] != "SGC") & (routes["status"].astype(str) == "operational")]
    return set(rows.loc[rows["bypasses_russia"].astype(bool), "route_id"].astype(str))


def check_avoiding_russia(answer, routes: pd.DataFrame | None = None) -> Feedback:
    """``answer``: a collection of route ids (a SelectMultiple value) or comma-separated ids."""
    routes = table_or_load("energy_routes", routes)
    items = [answer] if isinstance(answer, str) else list(answer or ())
    chosen = {part.strip().upper() for item in items for part in str(item).split(",") if part.strip()}
    known = {i for _, i in route_options(routes)}
    if not chosen:
        raise AnswerError("Select at least one route (hold Ctrl or Cmd, or Shift, to select several).")
    unknown = chosen - known
    if unknown:
        raise AnswerError(f"{join_names(unknown)} is not a route of the table; select from the list.")
    right = avoiding_russia(routes)
    table = routes.set_index("route_id")
    if chosen == right:
        operating = routes[(routes["route_id"] != "SGC") & (routes["status"].astype(str) == "operational")]
        through = operating.loc[~operating["bypasses_russia"].astype(bool), "name"].astype(str)
        unbuilt = routes.loc[routes["status"].astype(str) != "operational", "name"].astype(str)
        return Feedback.right(
            f"{join_names(right)} avoid Russian territory: bypasses_russia is true and none lists RUS among its "
            f"countries. Still crossing Russia: {join_names(through)}. Left out because not built: {join_names(unbuilt)}."
        )
    extra = chosen - right
    proposed = {i for i in extra if str(table.loc[i, "status"]) != "operational"}
    through = extra - proposed
    if through:
        first = sorted(through)[0]
        return Feedback.wrong(
            f"{table.loc[first, 'name']} crosses Russia: its countries column reads {table.loc[first, 'countries']} "
            "and bypasses_russia is false. Look at where it ends on the map."
        )
    if proposed:
        first = sorted(proposed)[0]
        return Feedback.wrong(
            f"{table.loc[first, 'name']} would avoid Russia, but its status is '{table.loc[first, 'status']}': "
            "the question asks about routes that operate today."
        )
    missing = right - chosen
    return Feedback.wrong(
        f"You have not selected every route that avoids Russia: {len(missing)} more. Check the bypasses_russia "
        "column (or the green bars of the capacity figure) for the operating routes, including ones that lead "
        "east to China."
    )


def solution_avoiding_russia(routes: pd.DataFrame | None = None) -> str:
    routes = table_or_load("energy_routes", routes)
    right = avoiding_russia(routes)
    rows = routes[(routes["route_id"] != "SGC")]
    not_right = [f"{i} ({'crosses Russia' if not b else s})" for i, b, s in
                 zip(rows["route_id"], rows["bypasses_russia"], rows["status"].astype(str)) if i not in right]
    return (
        f"Operating routes that avoid Russia: {join_names(right)}. Not included: {', '.join(not_right)}. "
        "Filter the table on status == 'operational' and bypasses_russia == True."
    )


def make_avoiding_russia_widget(routes: pd.DataFrame | None = None) -> ExerciseBox:
    routes = table_or_load("energy_routes", routes)
    options = route_options(routes)
    select = widgets.SelectMultiple(options=options, value=(), rows=len(options), description="Routes:", style=STYLE,
                                    layout=widgets.Layout(width="40em"))
    question = (
        "<p><b>Learning objective 4: tell routes that avoid Russia from those that depend on it.</b> Select every "
        "route that <i>operates today</i> and does not cross Russian territory (hold Ctrl or Cmd to select several).</p>"
    )
    return ExerciseBox(question, select, lambda a: check_avoiding_russia(a, routes),
                       lambda: solution_avoiding_russia(routes))


__all__ = [
    "check_corridor_order", "solution_corridor_order", "make_corridor_order_widget", "corridor_order",
    "check_bottleneck", "solution_bottleneck", "make_bottleneck_widget", "bottleneck_capacity",
    "check_avoiding_russia", "solution_avoiding_russia", "make_avoiding_russia_widget", "avoiding_russia",
]
