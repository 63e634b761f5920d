"""Tests of the datasets in data/ and of the loader otsbook.data."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import frictionless  # pinned in requirements.txt: the validation must run, never be skipped
import pytest

from otsbook import data as D
from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DOCUMENTS = {"kuzio_oped", "security_article"}


@pytest.fixture(scope="module")
def tables():
    return D.load_all()


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- the package as a whole ---------------------------------------------------

def test_frictionless_validates_package():
    report = frictionless.validate(str(DATA / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    assert report.stats["tasks"] == len(list(DATA.glob("*.csv")))  # every table was read, none left out


def test_load_all_returns_every_table(tables):
    assert set(tables) == set(D.table_names()) == {path.stem for path in DATA.glob("*.csv")}
    assert all(len(df) > 0 for df in tables.values())


# --- loader errors on broken copies ------------------------------------------

def test_missing_file(copy):
    (copy / "quotes.csv").unlink()
    with pytest.raises(D.DataError, match=r"data/quotes\.csv: file not found"):
        D.load("quotes", copy)


def test_missing_column(copy):
    edit(copy / "states.csv", "turkic_language", "turkic")
    with pytest.raises(D.DataError) as err:
        D.load("states", copy)
    msg = str(err.value)
    assert "data/states.csv" in msg and "row 1" in msg and "'turkic_language'" in msg and "expected" in msg


def test_bad_type(copy):
    edit(copy / "states.csv", "AZE,Azerbaijan,member,2009", "AZE,Azerbaijan,member,two thousand nine")
    with pytest.raises(D.DataError) as err:
        D.load("states", copy)
    msg = str(err.value)
    assert "data/states.csv, row 2, column 'ots_since'" in msg and "integer" in msg and "'two thousand nine'" in msg


def test_score_out_of_range(copy):
    edit(copy / "security_priorities.csv", "counterterrorism,8,", "counterterrorism,12,")
    with pytest.raises(D.DataError) as err:
        D.load("security_priorities", copy)
    assert str(err.value).startswith(
        "data/security_priorities.csv, row 5, column 'score': expected an integer from 1 to 9, got '12'")


def test_unknown_enum_value(copy):
    edit(copy / "events.csv", ",history,", ",folklore,")
    with pytest.raises(D.DataError) as err:
        D.load("events", copy)
    msg = str(err.value)
    assert "data/events.csv, row 2, column 'theme'" in msg and "one of" in msg and "'folklore'" in msg


def test_dangling_source_id(copy):
    edit(copy / "quotes.csv", ",kuzio_oped,", ",nobody_wrote_this,")
    with pytest.raises(D.DataError) as err:
        D.load("quotes", copy)
    msg = str(err.value)
    assert "data/quotes.csv, row 2, column 'source_id'" in msg and "data/sources.csv" in msg
    assert "'nobody_wrote_this'" in msg


def test_duplicate_key(copy):
    edit(copy / "states.csv", "KGZ,Kyrgyzstan", "KAZ,Kyrgyzstan")
    with pytest.raises(D.DataError) as err:
        D.load("states", copy)
    msg = str(err.value)
    assert "data/states.csv, row 4, column 'iso3'" in msg and "unique" in msg and "'KAZ'" in msg


def test_missing_required_value(copy):
    edit(copy / "security_priorities.csv", "border security,6,", "border security,,")
    with pytest.raises(D.DataError, match=r"row 8, column 'score': expected a value"):
        D.load("security_priorities", copy)


def test_undeclared_column_is_refused(copy):
    edit(copy / "quotes.csv", "quote_id,speaker,", "quote_id,mood,speaker,")
    # give every row the extra cell, so only the header is at fault
    rows = (copy / "quotes.csv").read_text(encoding="utf-8").splitlines()
    rows = [rows[0]] + [r.replace(",", ",calm,", 1) for r in rows[1:]]
    (copy / "quotes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(D.DataError) as err:
        D.load("quotes", copy)
    msg = str(err.value)
    assert msg.startswith("data/quotes.csv, row 1, column 'mood'") and "not declared" in msg
    assert "datapackage.json" in msg


def test_the_old_checked_date_column_is_refused(copy):
    edit(copy / "events.csv", ",note\n", ",note,checked_date\n")
    rows = (copy / "events.csv").read_text(encoding="utf-8").splitlines()
    rows = [rows[0]] + [r + "," for r in rows[1:]]
    (copy / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(D.DataError, match=r"data/events\.csv, row 1, column 'checked_date': .*not declared"):
        D.load("events", copy)


def test_no_half_loaded_table(copy):
    """A table that fails its checks is never kept: loading it again fails again, until it is fixed."""
    edit(copy / "security_priorities.csv", "border security,6,", "border security,0,")
    for _ in range(2):
        with pytest.raises(D.DataError, match="row 8, column 'score'"):
            D.load("security_priorities", copy)
    edit(copy / "security_priorities.csv", "border security,0,", "border security,6,")
    assert len(D.load("security_priorities", copy)) == 7


# --- key values ---------------------------------------------------------------

def test_article_priorities_and_scores(tables):
    scores = dict(zip(tables["security_priorities"]["priority"].astype(str), tables["security_priorities"]["score"]))
    assert scores == {"military cooperation": 9, "regional integration": 9, "economic security": 8,
                      "counterterrorism": 8, "cybersecurity": 7, "energy security": 7, "border security": 6}


def test_five_members(tables):
    states = tables["states"]
    assert set(states.loc[states["ots_status"] == "member", "iso3"]) == {"AZE", "KAZ", "KGZ", "TUR", "UZB"}


def test_observers_today(tables):
    states = tables["states"]
    observers = dict(zip(states.loc[states["ots_status"] == "observer", "iso3"],
                         states.loc[states["ots_status"] == "observer", "ots_since"]))
    assert observers == {"HUN": 2018, "TKM": 2021, "XNC": 2022}


def test_only_kaz_kgz_in_ots_csto_and_eaeu(tables):
    m = tables["memberships"]
    current = m[(m["status"] == "member") & m["until"].isna()]
    members = {org: set(current.loc[current["organisation"] == org, "iso3"]) for org in ("OTS", "CSTO", "EAEU")}
    assert members["OTS"] & members["CSTO"] & members["EAEU"] == {"KAZ", "KGZ"}


def test_states_table_agrees_with_memberships(tables):
    m = tables["memberships"]
    ots = m[(m["organisation"] == "OTS") & m["until"].isna()]
    states = tables["states"].set_index("iso3")
    for row in ots.itertuples():
        assert states.loc[row.iso3, "ots_status"] == row.status


def test_document_rows_have_evidence(tables):
    checked = {}
    for name, df in tables.items():
        if "evidence" not in df.columns and "quote" not in df.columns:
            continue
        column = "evidence" if "evidence" in df.columns else "quote"
        from_docs = df[df["source_id"].isin(DOCUMENTS)]
        checked[name] = len(from_docs)
        empty = from_docs[from_docs[column].isna() | (from_docs[column].str.strip() == "")]
        assert empty.empty, f"{name}: rows from a document without {column}: {list(empty.index)}"
    # the tables that take rows from the two documents were all looked at, and hold such rows
    assert {"events", "quotes", "security_priorities"} <= {name for name, n in checked.items() if n > 0}


def test_every_row_has_a_source(tables):
    import json

    table_level = {r["name"] for r in json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                   if r.get("sources")}
    assert table_level == {"world_bank"}  # one upstream for the whole table, named in the descriptor
    for name, df in tables.items():
        if name in table_level:
            continue
        column = "ots_status_source_id" if name == "states" else "source_id"
        assert column in df.columns, name
        assert df[column].notna().all(), name


def test_disputed_and_corrected_events_name_a_check_source(tables):
    events = tables["events"]
    needs_check = events[events["status"].isin(["disputed", "corrected"])]
    assert set(needs_check["status"].astype(str)) == {"disputed", "corrected"}  # both kinds occur
    assert needs_check["check_source_id"].notna().all(), list(needs_check.loc[needs_check["check_source_id"].isna(), "event_id"])


def test_describe_table_lists_every_column():
    codebook = D.describe_table("security_priorities")
    assert list(codebook["column"]) == ["priority", "score", "rank", "source_id", "evidence"]
    assert "range 1–9" in codebook.set_index("column").loc["score", "constraints"]


def test_energy_capacities_are_typed_numbers(tables):
    routes = tables["energy_routes"].set_index("route_id")
    now = routes["capacity_current_bcm_per_year"]
    assert {r: float(now[r]) for r in ("SCP", "TANAP", "TAP")} == pytest.approx({"SCP": 23.4, "TANAP": 16, "TAP": 10})
    assert float(routes.loc["SCP", "capacity_bcm_per_year"]) == pytest.approx(7.41)  # design capacity at opening
    assert now.isna()["TCGP"]  # proposed, so no capacity today
    oil = routes["oil_capacity_mt_per_year"]
    assert float(oil["CPC"]) == pytest.approx(81.5)  # after the 2024 debottlenecking (67 before)
    assert float(oil["BTC"]) == pytest.approx(float(routes.loc["BTC", "oil_capacity_mbd"]) * 365 / 7.33, abs=0.05)
    assert float(routes.loc["BTC", "oil_capacity_mbd"]) == pytest.approx(1.2)
    for column in ("capacity_current_bcm_per_year", "oil_capacity_mbd", "oil_capacity_mt_per_year"):
        assert routes[column].dtype == "Float64", column


def test_member_populations_and_their_sources(tables):
    states = tables["states"].set_index("iso3")
    members = states[states["ots_status"] == "member"]
    population = {iso: (float(row.population_millions), row.population_date, row.population_source_id)
                  for iso, row in members.iterrows()}
    assert population == {
        "TUR": (85.4, "2023-12-31", "mp_turkstat_2023"),  # TurkStat: 85,372,377 on 31 December 2023
        "UZB": (36.8, "2024-01-01", "hist_uza_uzbekistan_population"),
        "KAZ": (20.0, "2023-11-14", "hist_astanatimes_kazakhstan_population"),
        "AZE": (10.2, "2024-01-01", "hist_trend_azerbaijan_population"),
        "KGZ": (7.3, "2025-01", "hist_24kg_kyrgyzstan_population"),
    }
    assert states["population_millions"].dtype == "Float64"
    others = states[states["ots_status"] != "member"]
    assert others[["population_millions", "population_date", "population_source_id"]].isna().all().all()
    # each figure's source is a public source with an address, and a BibTeX entry in bib/data.bib only
    sources = tables["sources"].set_index("source_id")
    bib = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "bib").glob("*.bib")}
    for iso, (value, date, source_id) in population.items():
        assert sources.loc[source_id, "kind"] == "news report", source_id
        assert str(sources.loc[source_id, "url"]).startswith("https://"), source_id
        holders = [name for name, text in bib.items() if f"{{{source_id}," in text]
        assert holders == ["data.bib"], (source_id, holders)
    assert "85,372,377" in sources.loc["mp_turkstat_2023", "note"]


def test_population_foreign_key_is_checked(copy):
    edit(copy / "states.csv", ",mp_turkstat_2023,", ",turkstat_guess,")
    with pytest.raises(D.DataError) as err:
        D.load("states", copy)
    msg = str(err.value)
    assert "column 'population_source_id'" in msg and "'turkstat_guess'" in msg


def test_negative_population_is_rejected(copy):
    edit(copy / "states.csv", ",85.4,", ",-85.4,")
    with pytest.raises(D.DataError, match=r"column 'population_millions': expected a number of at least 0"):
        D.load("states", copy)


# --- sources.csv is the register of every cited work -------------------------

BIB_ENTRY = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
NOT_ENTRIES = {"comment", "string", "preamble"}


def bib_keys(bib_dir: Path) -> dict[str, list[str]]:
    """Each BibTeX key in bib_dir/*.bib with the files (one per occurrence) that define it."""
    keys: dict[str, list[str]] = {}
    for path in sorted(bib_dir.glob("*.bib")):
        for kind, key in BIB_ENTRY.findall(path.read_text(encoding="utf-8")):
            if kind.lower() not in NOT_ENTRIES:
                keys.setdefault(key, []).append(path.name)
    return keys


def register_problems(bib_dir: Path, sources_csv: Path) -> list[str]:
    """Differences between the BibTeX keys and the source_ids of the register, and repeated keys."""
    keys = bib_keys(bib_dir)
    with sources_csv.open(newline="", encoding="utf-8") as fh:
        ids = {row["source_id"] for row in csv.DictReader(fh)}
    problems = []
    unregistered = sorted(set(keys) - ids)
    if unregistered:
        problems.append(f"BibTeX entries without a row in data/sources.csv: {', '.join(unregistered)}")
    unbacked = sorted(ids - set(keys))
    if unbacked:
        problems.append(f"rows of data/sources.csv without a BibTeX entry in bib/*.bib: {', '.join(unbacked)}")
    for key, files in sorted(keys.items()):
        if len(files) > 1:
            problems.append(f"key {key} is defined more than once: in {', '.join(files)}")
    return problems


def test_sources_register_matches_the_bibliography():
    problems = register_problems(ROOT / "bib", DATA / "sources.csv")
    assert not problems, "\n".join(problems)


def test_register_covers_chapter_references_not_only_data_bib():
    keys = bib_keys(ROOT / "bib")
    files = {name for names in keys.values() for name in names}
    assert {"data.bib", "history.bib", "energy.bib", "security.bib", "multipolarity.bib", "book.bib"} <= files
    sources = D.load("sources").set_index("source_id")
    assert sources.loc["mp_vanderhill2020", "kind"] == "journal article"
    assert sources.loc["sec_nato_greece_turkey", "url"] == "https://www.nato.int/cps/en/natohq/news_84445.htm"
    assert sources.loc["sift_oberlin", "kind"] == "study guide"


def test_register_check_names_the_missing_and_repeated_keys(tmp_path):
    bib = tmp_path / "bib"
    shutil.copytree(ROOT / "bib", bib)
    shutil.copy(DATA / "sources.csv", tmp_path / "sources.csv")
    with (bib / "security.bib").open("a", encoding="utf-8") as fh:
        fh.write("\n@online{sec_not_registered,\n  title = {A new page},\n  url = {https://example.org/}\n}\n")
        fh.write("\n@online{mp_vanderhill2020,\n  title = {Same key again}\n}\n")
    with (tmp_path / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("orphan_row,news report,Someone,A title,An outlet,2024,,,\n")
    problems = "\n".join(register_problems(bib, tmp_path / "sources.csv"))
    assert "without a row in data/sources.csv: sec_not_registered" in problems
    assert "without a BibTeX entry in bib/*.bib: orphan_row" in problems
    assert "mp_vanderhill2020 is defined more than once: in multipolarity.bib, security.bib" in problems


# --- events: the best-known date is the one every reader uses ----------------

def test_events_date_is_the_checked_date_and_source_date_the_documents(tables):
    events = tables["events"].set_index("event_id")
    assert list(tables["events"].columns[:4]) == ["event_id", "date", "source_date", "date_end"]
    # corrected and disputed dates: the public record's date is in `date`, the document's in `source_date`
    assert (events.loc["tur_kaz_military_2019", "date"], events.loc["tur_kaz_military_2019", "source_date"]) == (
        "2018-09-13", "2019")
    assert (events.loc["ots_energy_wg_2022", "date"], events.loc["ots_energy_wg_2022", "source_date"]) == (
        "2021-02-23", "2022-09")
    # a row taken from a public source records no document date
    from_public = events[~events["source_id"].isin(DOCUMENTS)]
    assert len(from_public) > 0 and from_public["source_date"].isna().all()
    # every row from a document keeps the date the document gave
    from_documents = events[events["source_id"].isin(DOCUMENTS)]
    assert len(from_documents) > 0 and from_documents["source_date"].notna().all()


# --- the World Bank series ------------------------------------------------------

WB_STATES = {"AZE", "KAZ", "KGZ", "TUR", "UZB", "HUN", "TKM", "RUS", "CHN"}


def test_world_bank_covers_every_state_with_data_and_every_year(tables):
    wb = tables["world_bank"]
    states = tables["states"]
    members_and_observers = set(states.loc[states["ots_status"].isin(["member", "observer"]), "iso3"])
    # every member and observer with World Bank data (Northern Cyprus has none), plus the two comparators
    assert set(wb["iso3"]) == WB_STATES == (members_and_observers - {"XNC"}) | {"RUS", "CHN"}
    first, last = int(wb["year"].min()), int(wb["year"].max())
    assert first == 1992 and last >= 2024
    for iso3, rows in wb.groupby("iso3"):
        assert sorted(rows["year"].astype(int)) == list(range(first, last + 1)), iso3
        assert rows["population"].notna().all(), iso3  # population for every year
        gdp_years = rows.loc[rows["gdp_current_usd"].notna(), "year"].astype(int)
        assert list(gdp_years) == list(range(first, int(gdp_years.max()) + 1)), iso3  # no gap in GDP
        assert int(gdp_years.max()) >= 2023, iso3


def test_world_bank_units_and_types(tables):
    wb = tables["world_bank"]
    assert str(wb["population"].dtype) == "Int64" and str(wb["gdp_current_usd"].dtype) == "Int64"
    assert str(wb["gdp_per_capita_current_usd"].dtype) == "Float64"
    latest = wb[wb["year"] == 2023].set_index("iso3")
    # persons, not thousands or millions: Türkiye has tens of millions of people, Kyrgyzstan a few million
    assert 70e6 < latest.loc["TUR", "population"] < 100e6 and 5e6 < latest.loc["KGZ", "population"] < 9e6
    # current US dollars, not billions: Türkiye's GDP is of the order of 10^12 dollars
    assert 5e11 < latest.loc["TUR", "gdp_current_usd"] < 3e12
    # per head is derived as GDP / population, in dollars per person
    both = wb.dropna(subset=["gdp_current_usd", "population"])
    derived = both["gdp_current_usd"].astype(float) / both["population"].astype(float)
    assert (abs(derived - both["gdp_per_capita_current_usd"].astype(float)) < 0.01).all()
    assert wb.loc[wb["gdp_current_usd"].isna(), "gdp_per_capita_current_usd"].isna().all()
    descriptor = D.describe_table("world_bank").set_index("column")["description"]
    assert "current US dollars" in descriptor["gdp_current_usd"] and "persons" in descriptor["population"]


def _import_script():
    return load_module("import_world_bank", "scripts/import_world_bank.py")


def test_import_script_rebuilds_and_checks(tmp_path):
    script = _import_script()
    gdp, population, target = tmp_path / "gdp.csv", tmp_path / "population.csv", tmp_path / "world_bank.csv"
    gdp.write_text("Country Name,Country Code,Year,Value\nTurkiye,TUR,1992,1000.4\nTurkiye,TUR,1993,2000\nFrance,FRA,1993,9\n",
                   encoding="utf-8")
    population.write_text("Country Name,Country Code,Year,Value\nTurkiye,TUR,1992,10\nTurkiye,TUR,1993,20\nTurkiye,TUR,1994,30\n",
                          encoding="utf-8")
    assert script.main(["--gdp", str(gdp), "--population", str(population), "--target", str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    tur = [r for r in rows if r["iso3"] == "TUR"]
    assert [r["year"] for r in tur] == ["1992", "1993", "1994"]
    assert tur[0] == {"iso3": "TUR", "year": "1992", "population": "10", "gdp_current_usd": "1000", "gdp_per_capita_current_usd": "100.04"}
    assert tur[2]["gdp_current_usd"] == "" and tur[2]["gdp_per_capita_current_usd"] == ""
    assert not any(r["iso3"] == "FRA" for r in rows)
    assert script.main(["--gdp", str(gdp), "--population", str(population), "--target", str(target), "--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("100.04", "100.05"), encoding="utf-8")
    assert script.main(["--gdp", str(gdp), "--population", str(population), "--target", str(target), "--check"]) == 1


def test_world_bank_provenance_names_upstream_commits():
    import json

    resource = next(r for r in json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                    if r["name"] == "world_bank")
    text = json.dumps(resource)
    assert "datasets/gdp" in text and "datasets/population" in text
    assert re.search(r"[0-9a-f]{40}", resource["description"])
    assert {lic["name"] for lic in resource["licenses"]} >= {"CC-BY-4.0"}
    sources = D.load("sources").set_index("source_id")
    for sid in ("data_wb_gdp_datasets", "data_wb_population_datasets"):
        assert re.search(r"commit [0-9a-f]{40}", sources.loc[sid, "note"]), sid


# --- UN votes ------------------------------------------------------------------------

def test_un_votes_cover_every_member_and_observer_on_every_resolution(tables):
    votes, resolutions = tables["un_votes"], tables["un_resolutions"]
    states = tables["states"]
    un_members_and_observers = set(states.loc[states["ots_status"].isin(["member", "observer"]), "iso3"]) - {"XNC"}
    for resolution in resolutions["resolution"]:
        on_it = set(votes.loc[votes["resolution"] == resolution, "iso3"])
        assert un_members_and_observers <= on_it, resolution
    assert set(resolutions["resolution"]) >= {"A/RES/ES-11/1", "A/RES/ES-11/7"}
    assert (resolutions["date"].astype(str) >= "2022-03-02").all()
    assert any(str(d).startswith("2025-02") for d in resolutions["date"])
    # a vote is only given without 'claim' when it was confirmed; an empty vote is always a claim with a note
    empty = votes[votes["vote"].isna()]
    assert (empty["status"].astype(str) == "claim").all() and empty["note"].notna().all()
    claims = votes[votes["status"].astype(str) == "claim"]
    assert claims["note"].notna().all()


def test_un_votes_known_values(tables):
    votes = tables["un_votes"].set_index(["resolution", "iso3"])["vote"].astype("string")
    assert votes[("A/RES/ES-11/1", "KAZ")] == "abstain" and votes[("A/RES/ES-11/1", "AZE")] == "absent"
    assert votes[("A/RES/ES-11/1", "TUR")] == "yes" and votes[("A/RES/ES-11/1", "RUS")] == "no"
    assert votes[("A/RES/ES-11/3", "KAZ")] == "no" and votes[("A/RES/ES-11/3", "UZB")] == "no"
    assert votes[("A/RES/ES-11/7", "HUN")] == "no" and votes[("A/RES/ES-11/7", "TUR")] == "yes"


def test_un_vote_foreign_key_is_checked(copy):
    edit(copy / "un_votes.csv", "A/RES/ES-11/1,AZE,", "A/RES/ES-11/99,AZE,")
    with pytest.raises(D.DataError, match=r"data/un_votes\.csv, row 2, column 'resolution'"):
        D.load("un_votes", copy)


# --- energy routes and flows ---------------------------------------------------------

def test_routes_cover_every_direction_and_exporter(tables):
    routes = tables["energy_routes"].set_index("route_id")
    assert set(routes["direction"].astype(str)) == {"via_russia", "to_china", "to_iran", "west_bypassing_russia", "to_south_asia"}
    for route_id in ("CAC", "CPC", "AS", "BN", "BS", "BTC", "KCOP", "CAGP", "CAGPD", "KKK", "DSK", "SWAP", "BLUE", "TURKS", "TCGP", "TAPI"):
        assert route_id in routes.index, route_id
    assert routes.loc["BLUE", "exporters"] == "RUS" and routes.loc["TURKS", "exporters"] == "RUS"
    assert str(routes.loc["TCGP", "status"]) == "proposed" and str(routes.loc["TAPI", "status"]) == "under_construction"
    assert str(routes.loc["CAGPD", "status"]) == "planned"
    # the first lines that avoid Russia are older than BTC (2006)
    assert int(routes.loc["KKK", "operational_since"]) == 1997 and int(routes.loc["BS", "operational_since"]) == 1999
    exporters = {code for value in routes["exporters"].dropna() for code in str(value).split(";")}
    assert {"AZE", "KAZ", "TKM", "UZB"} <= exporters


def test_flows_are_flows_with_units(tables):
    flows, routes = tables["energy_flows"], tables["energy_routes"].set_index("route_id")
    assert len(flows) > 0 and set(flows["unit"].astype(str)) <= {"Mt", "bcm"}
    for row in flows.itertuples():
        commodity = str(routes.loc[row.route_id, "commodity"])
        assert (commodity, str(row.unit)) in {("oil", "Mt"), ("gas", "bcm")}, row.route_id
    # no capacity column has crept into the flows table, and no flow column into the routes table
    assert not any("capacity" in c for c in flows.columns)
    assert not any("flow" in c for c in routes.reset_index().columns)


# --- one row per event ----------------------------------------------------------

_TITLE_STOPWORDS = {"the", "and", "with", "from", "into", "over", "after", "their", "that", "this",
                    "says", "said", "first", "second", "third", "meeting", "sign", "signs", "summit"}


def _title_words(title: str) -> set[str]:
    """Content words of a title, cut to six letters so that 'Hungary' and 'Hungarian' meet."""
    return {w[:6] for w in re.findall(r"[^\W\d_]+", title.lower())
            if len(w) >= 4 and w not in _TITLE_STOPWORDS}


def test_no_unlinked_duplicate_events(tables):
    """Two rows with the same date, a shared actor and mostly the same title words are one event
    recorded twice: keep one row, or link the second with same_event_as."""
    events = tables["events"]
    linked = {frozenset((row.event_id, row.same_event_as))
              for row in events.itertuples() if isinstance(row.same_event_as, str)}
    rows = list(events.itertuples())
    duplicates = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if a.date != b.date or not set(a.actors.split(";")) & set(b.actors.split(";")):
                continue
            wa, wb = _title_words(a.title), _title_words(b.title)
            overlap = len(wa & wb) / max(1, min(len(wa), len(wb)))
            if overlap >= 0.6 and frozenset((a.event_id, b.event_id)) not in linked:
                duplicates.append((a.event_id, b.event_id, round(overlap, 2)))
    assert not duplicates, duplicates


def test_same_event_as_points_to_an_existing_event(tables):
    events = tables["events"]
    targets = events["same_event_as"].dropna()
    assert len(targets) > 0  # the table links some rows: the check below has something to check
    assert set(targets) <= set(events["event_id"]), set(targets) - set(events["event_id"])
    assert not (targets == events.loc[targets.index, "event_id"]).any()


def test_summit_events_carry_the_summit_table_dates(tables):
    """An events row that names a summit by its host city carries that summit's date in summits.csv."""
    events, summits = tables["events"], tables["summits"]
    wrong, compared = [], 0
    for summit in summits.itertuples():
        year = str(summit.date)[:4]
        for row in events.itertuples():
            title = row.title
            if "summit" in title.lower() and summit.host_city in title and str(row.date)[:4] == year:
                compared += 1
                if str(row.date) != str(summit.date):
                    wrong.append((row.event_id, row.date, summit.summit_id, summit.date))
    assert not wrong, wrong
    assert compared >= 3, "no events row names a summit: the rule matched nothing"
