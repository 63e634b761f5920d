"""The book's domain conventions (otsbook.domain): one date convention, one table of state
names, one way to say who belonged to an organisation in a given year."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from otsbook.domain import date_precision, members_in_year, standing_in_year, state_name, state_names, to_timestamp

FOUNDERS = ["AZE", "KAZ", "KGZ", "TUR"]


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("date, expected, precision", [
    ("2009", pd.Timestamp(2009, 7, 1), "year"),
    ("2019-10", pd.Timestamp(2019, 10, 15), "month"),
    ("2009-10-03", pd.Timestamp(2009, 10, 3), "day"),
    (" 2022-11 ", pd.Timestamp(2022, 11, 15), "month"),
    (2018, pd.Timestamp(2018, 7, 1), "year"),
    (2018.0, pd.Timestamp(2018, 7, 1), "year"),
    (dt.date(2021, 11, 12), pd.Timestamp(2021, 11, 12), "day"),
    (pd.Timestamp(2024, 11, 6), pd.Timestamp(2024, 11, 6), "day"),
])
def test_to_timestamp_places_a_year_at_1_july_and_a_month_at_the_15th(date, expected, precision):
    assert to_timestamp(date) == expected
    assert date_precision(date) == precision


def test_imprecise_dates_sort_where_a_reader_expects():
    # an event known only to 2019 falls after one of March 2019 and before one of October 2019
    dates = ["2019-10", "2019", "2019-03-01"]
    assert sorted(dates, key=to_timestamp) == ["2019-03-01", "2019", "2019-10"]


@pytest.mark.parametrize("missing", [None, "", "  ", float("nan"), pd.NA, pd.NaT])
def test_a_missing_date_is_not_a_time(missing):
    assert to_timestamp(missing) is pd.NaT
    with pytest.raises(ValueError):
        date_precision(missing)


@pytest.mark.parametrize("bad", ["2009/10/03", "Oct 2009", "20091003", "2019-1", "2009-13", "2009-02-30", True, "zzz"])
def test_a_date_in_another_format_is_refused(bad):
    with pytest.raises(ValueError):
        to_timestamp(bad)


def test_to_timestamp_maps_a_column_with_gaps(events):
    when = events["date"].map(to_timestamp)
    assert when.notna().all() and (when.dt.year >= 1991).all()
    ends = events["date_end"].map(to_timestamp)
    assert ends.isna().sum() == events["date_end"].isna().sum()


def test_every_date_in_the_events_table_follows_the_convention(events):
    for column in ("date", "date_end"):
        for value in events[column].dropna():
            precision = date_precision(value)
            assert len(str(value)) == {"year": 4, "month": 7, "day": 10}[precision], value


# --- state names ----------------------------------------------------------------------------

def test_state_names_come_from_the_states_table(states):
    names = state_names()
    assert names == dict(zip(states["iso3"], states["name"]))
    assert names["TUR"] == "Türkiye" and names["KAZ"] == "Kazakhstan"
    assert state_name("HUN") == "Hungary"
    assert state_name("ZZZ") == "ZZZ"  # an unknown code is shown as is, never dropped


def test_state_names_follow_an_edited_table_and_are_not_shared_mutable(states):
    edited = states.copy()
    edited.loc[edited["iso3"] == "XNC", "name"] = "Northern Cyprus"
    assert state_name("XNC", edited) == "Northern Cyprus"
    names = state_names()
    names["TUR"] = "changed"
    assert state_names()["TUR"] == "Türkiye"


# --- membership in a year -------------------------------------------------------------------

def test_ots_members_and_observers_year_by_year(memberships):
    assert members_in_year(memberships, 2008) == []
    assert members_in_year(memberships, 2009) == FOUNDERS
    assert members_in_year(memberships, 2018, statuses=("observer",)) == ["HUN"]
    assert members_in_year(memberships, 2019) == sorted(FOUNDERS + ["UZB"])
    assert members_in_year(memberships, 2022, statuses="observer") == ["HUN", "TKM", "XNC"]
    both = members_in_year(memberships, 2022, statuses=("member", "observer"))
    assert both == sorted(FOUNDERS + ["UZB", "HUN", "TKM", "XNC"])


def test_standing_in_year_is_a_series_by_iso3(memberships):
    standing = standing_in_year(memberships, 2021)
    assert standing.name == "status" and standing.index.name == "iso3"
    assert list(standing.index) == sorted(standing.index)
    assert standing.to_dict() == {**{c: "member" for c in FOUNDERS + ["UZB"]}, "HUN": "observer", "TKM": "observer"}


def test_rows_end_the_year_before_until_and_the_latest_row_wins():
    memberships = pd.DataFrame({
        "iso3": ["UZB", "UZB", "ARM", "ARM", "GEO"],
        "organisation": ["CSTO"] * 5,
        "status": ["former", "former", "member", "suspended", "observer"],
        "since": pd.array([1992, 2006, 1992, 2024, 2030], dtype="Int64"),
        "until": pd.array([1999, 2012, None, None, None], dtype="Int64"),
    })
    assert standing_in_year(memberships, 1998, "CSTO").to_dict() == {"ARM": "member", "UZB": "member"}
    assert standing_in_year(memberships, 1999, "CSTO").to_dict() == {"ARM": "member", "UZB": "former"}
    assert standing_in_year(memberships, 2011, "CSTO").to_dict() == {"ARM": "member", "UZB": "member"}
    assert standing_in_year(memberships, 2024, "CSTO").to_dict() == {"ARM": "suspended", "UZB": "former"}
    assert members_in_year(memberships, 2024, organisation="CSTO") == []
    assert members_in_year(memberships, 2005, organisation="CSTO") == ["ARM"]
    assert standing_in_year(memberships, 2024, organisation="OTS").empty


def test_memberships_of_other_organisations_follow_the_data(memberships):
    assert "TUR" in members_in_year(memberships, 2024, organisation="NATO")
    csto = standing_in_year(memberships, 2024, organisation="CSTO")
    assert csto["UZB"] == "former" and csto["KAZ"] == "member"

