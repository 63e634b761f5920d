"""The book's domain conventions, each defined once: dates, state names, membership in a year.

Every figure, table and exercise of the book uses these helpers, so that the same date sits at
the same place on every time axis and the same state has the same name in every chapter.

Dates
    The data give dates to the precision known: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    :func:`to_timestamp` places a bare year at **1 July** and a year-month at **the 15th**, so
    that an event known only to the year is not drawn as if it happened on New Year's Day, and
    events sort in the order a reader expects. :func:`date_precision` says which of the three
    a date is, for hover texts and captions.

Membership
    ``data/memberships.csv`` has one row per state, organisation and standing. A row holds from
    the start of its ``since`` year to the end of the year before ``until`` (no ``until``: it
    still holds). :func:`standing_in_year` gives each state's standing at the end of a year;
    :func:`members_in_year` lists the states with a given standing.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Iterable

import pandas as pd

__all__ = [
    "to_timestamp",
    "date_precision",
    "state_names",
    "state_name",
    "standing_in_year",
    "members_in_year",
    "YEAR_DAY",
    "MONTH_DAY",
]

# The date convention: where in its period an imprecise date is placed.
YEAR_DAY = (7, 1)  # a bare year -> 1 July
MONTH_DAY = 15  # a year-month -> the 15th

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def _date_text(date) -> str:
    """A date value as text: '2009', '2019-10', '2009-10-03'; raise ValueError if it is none of them."""
    if isinstance(date, bool):
        raise ValueError(f"{date!r} is not a date")
    if isinstance(date, (pd.Timestamp, _dt.date)):
        return date.strftime("%Y-%m-%d")
    if isinstance(date, int) or (isinstance(date, float) and date.is_integer()):
        return f"{int(date):04d}"
    text = str(date).strip()
    if _YEAR.match(text) or _MONTH.match(text) or _DAY.match(text):
        return text
    raise ValueError(f"{date!r} is not a date written YYYY, YYYY-MM or YYYY-MM-DD")


def date_precision(date) -> str:
    """'year', 'month' or 'day': how precisely ``date`` is known.

    Raises ValueError for a missing value or text that is not YYYY, YYYY-MM or YYYY-MM-DD.
    """
    if _is_missing(date):
        raise ValueError("no date given")
    text = _date_text(date)
    return {4: "year", 7: "month"}.get(len(text), "day")


def to_timestamp(date) -> pd.Timestamp:
    """The position of ``date`` on a time axis: THE date convention of the book.

    ``'2009'`` -> 2009-07-01, ``'2019-10'`` -> 2019-10-15, ``'2009-10-03'`` -> 2009-10-03.
    An int year counts as ``YYYY``; a missing value (None, NaN, NA, '') gives ``pd.NaT``;
    anything else raises ValueError.
    """
    if _is_missing(date):
        return pd.NaT
    text = _date_text(date)
    if _YEAR.match(text):
        return pd.Timestamp(int(text), *YEAR_DAY)
    match = _MONTH.match(text)
    if match:
        return pd.Timestamp(int(match[1]), int(match[2]), MONTH_DAY)
    match = _DAY.match(text)
    return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))


# --- state names ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _state_names_from_data() -> dict[str, str]:
    from .data import load

    states = load("states")
    return dict(zip(states["iso3"].astype(str), states["name"].astype(str)))


def state_names(states: pd.DataFrame | None = None) -> dict[str, str]:
    """ISO3 code -> the book's short English name, from ``data/states.csv`` (column ``name``).

    Pass ``states`` to use a table of your own (for instance an edited copy); otherwise the
    states table of ``data/`` is read once and kept.
    """
    if states is None:
        return dict(_state_names_from_data())
    return dict(zip(states["iso3"].astype(str), states["name"].astype(str)))


def state_name(iso3: str, states: pd.DataFrame | None = None) -> str:
    """The book's name for one state; a code the states table does not list is returned as is."""
    return state_names(states).get(str(iso3), str(iso3))


# --- membership in a year -------------------------------------------------------------------

# A row whose status is "former" records a past membership: during its since..until span the
# state was a member; after it, the state is a former member.
_FORMER = "former"


def standing_in_year(memberships: pd.DataFrame, year: int, organisation: str = "OTS") -> pd.Series:
    """Each state's standing in ``organisation`` at the end of ``year``: a Series iso3 -> status.

    A row holds if ``since <= year`` and (``until`` is empty or ``year < until``). Where several
    rows of a state hold, the one that began last wins (e.g. a suspension after a membership).
    A "former" row counts as "member" while it holds; a state whose rows have all ended is
    "former". States with no row up to ``year`` are left out. The Series is sorted by iso3 and
    named ``status``; its index is named ``iso3``.
    """
    year = int(year)
    rows = memberships[memberships["organisation"].astype(str) == organisation]
    since = pd.to_numeric(rows["since"], errors="coerce")
    rows = rows[since.notna() & (since <= year)]
    if "until" in rows:
        until = pd.to_numeric(rows["until"], errors="coerce")
    else:
        until = pd.Series(float("nan"), index=rows.index)
    holds = until.isna() | (until > year)
    status = rows["status"].astype(str)
    current = (
        pd.DataFrame({
            "iso3": rows["iso3"].astype(str),
            "since": pd.to_numeric(rows["since"]),
            "status": status.where(status != _FORMER, "member"),
        })[holds]
        .sort_values(["iso3", "since"], kind="stable")
        .groupby("iso3")["status"].last()
    )
    ended = sorted(set(rows["iso3"].astype(str)) - set(current.index))
    result = pd.concat([current, pd.Series(_FORMER, index=pd.Index(ended, name="iso3"), dtype=object)])
    result = result.astype(object).sort_index()
    result.index.name, result.name = "iso3", "status"
    return result


def members_in_year(memberships: pd.DataFrame, year: int, organisation: str = "OTS",
                    statuses: Iterable[str] = ("member",)) -> list[str]:
    """Sorted ISO3 codes of the states whose standing at the end of ``year`` is in ``statuses``.

    ``members_in_year(m, 2019)`` gives the OTS members; ``statuses=("observer",)`` the observers.
    """
    if isinstance(statuses, str):
        statuses = (statuses,)
    standing = standing_in_year(memberships, year, organisation)
    return sorted(standing[standing.isin(list(statuses))].index)
