#!/usr/bin/env python3
"""Build data/world_bank.csv from copies of the World Bank series kept in two public repositories.

The book never fetches data at build time. This script is run by hand, on downloaded copies of

* ``data/gdp.csv`` of https://github.com/datasets/gdp (World Bank indicator NY.GDP.MKTP.CD,
  GDP in current US$), and
* ``data/population.csv`` of https://github.com/datasets/population (World Bank indicator
  SP.POP.TOTL, total population),

both in long form with the columns ``Country Name, Country Code, Year, Value``. The repositories
hold no GDP-per-capita series, so ``gdp_per_capita_current_usd`` is derived here as GDP divided
by population (which is also how the World Bank defines NY.GDP.PCAP.CD).

Usage::

    python scripts/import_world_bank.py --gdp path/to/gdp.csv --population path/to/population.csv
    python scripts/import_world_bank.py --gdp ... --population ... --check   # compare, write nothing

Without ``--check`` the script writes data/world_bank.csv; with it, it rebuilds the table in
memory and exits with status 1 (and the first differences) if the committed file differs.
The upstream commits used are recorded in data/datapackage.json (resource ``world_bank``),
data/sources.csv and data/README.md.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "data" / "world_bank.csv"

# OTS members, OTS observers with World Bank data (Northern Cyprus has none), and two comparators.
STATES = ("AZE", "KAZ", "KGZ", "TUR", "UZB", "HUN", "TKM", "RUS", "CHN")
FIRST_YEAR = 1992  # the first full year of independence of the post-Soviet members
COLUMNS = ["iso3", "year", "population", "gdp_current_usd", "gdp_per_capita_current_usd"]


def read_series(path: Path) -> dict[tuple[str, int], float]:
    """{(iso3, year): value} for the book's states from one upstream long-form CSV."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        expected = {"Country Code", "Year", "Value"}
        if not expected <= set(reader.fieldnames or ()):
            raise SystemExit(f"{path}: expected the columns {sorted(expected)}, got {reader.fieldnames}")
        series = {}
        for row in reader:
            if row["Country Code"] in STATES and row["Value"].strip():
                series[(row["Country Code"], int(row["Year"]))] = float(row["Value"])
    return series


def build(gdp_csv: Path, population_csv: Path) -> list[dict[str, str]]:
    """The rows of world_bank.csv: one per state and year, FIRST_YEAR to the latest year in either series."""
    gdp, population = read_series(gdp_csv), read_series(population_csv)
    last_year = max(year for _, year in list(gdp) + list(population))
    rows = []
    for iso3 in STATES:
        for year in range(FIRST_YEAR, last_year + 1):
            pop, value = population.get((iso3, year)), gdp.get((iso3, year))
            per_head = value / pop if value is not None and pop else None
            rows.append({
                "iso3": iso3,
                "year": str(year),
                "population": "" if pop is None else str(round(pop)),
                "gdp_current_usd": "" if value is None else str(round(value)),
                "gdp_per_capita_current_usd": "" if per_head is None else f"{per_head:.2f}",
            })
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gdp", type=Path, required=True, help="copy of data/gdp.csv from datasets/gdp")
    parser.add_argument("--population", type=Path, required=True, help="copy of data/population.csv from datasets/population")
    parser.add_argument("--check", action="store_true", help="compare with data/world_bank.csv and write nothing")
    parser.add_argument("--target", type=Path, default=TARGET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    text = to_csv(build(args.gdp, args.population))
    if not args.check:
        args.target.write_text(text, encoding="utf-8")
        print(f"wrote {args.target} ({text.count(chr(10)) - 1} rows)")
        return 0
    current = args.target.read_text(encoding="utf-8") if args.target.is_file() else ""
    if current == text:
        print(f"{args.target.name} matches the upstream copies ({text.count(chr(10)) - 1} rows)")
        return 0
    new, old = text.splitlines(), current.splitlines()
    differences = [f"line {i + 1}: committed {a!r}, rebuilt {b!r}"
                   for i, (a, b) in enumerate(zip(old + [""] * len(new), new + [""] * len(old))) if a != b]
    print(f"{args.target.name} differs from the upstream copies in {len(differences)} lines:", file=sys.stderr)
    print("\n".join(differences[:10]), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
