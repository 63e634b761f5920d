"""otsbook.load keeps a table it has read and checked until a file of the data folder changes."""
from __future__ import annotations

import shutil

import pytest

from otsbook import data as D


def test_a_loaded_table_is_a_fresh_copy_each_time():
    first = D.load("states")
    first.loc[first["iso3"] == "TUR", "name"] = "changed"
    assert D.load("states").set_index("iso3").loc["TUR", "name"] == "Türkiye"


def test_an_edit_to_any_file_is_seen_at_the_next_load(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(D.DATA_DIR, copy)
    assert D.load("states", copy).set_index("iso3").loc["HUN", "ots_status"] == "observer"
    states = copy / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("HUN,Hungary,observer", "HUN,Hungary,none"),
                      encoding="utf-8")
    assert D.load("states", copy).set_index("iso3").loc["HUN", "ots_status"] == "none"
    # a broken file elsewhere in the folder is seen too: its foreign keys are checked again
    sources = copy / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace("ots_official_about,", "gone_away,", 1),
                       encoding="utf-8")
    with pytest.raises(D.DataError, match="ots_official_about"):
        D.load("states", copy)
