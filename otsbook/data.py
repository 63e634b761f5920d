"""Load the book's CSV tables, typed and checked against data/datapackage.json.

Only pandas and the standard library are used, so the loader also runs on a
lean Binder image. The descriptor is the single source of truth for types,
constraints, keys and foreign keys.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DESCRIPTOR = "datapackage.json"

__all__ = ["DATA_DIR", "DataError", "load", "load_all", "table_or_load", "table_names", "describe_table", "table_info"]


class DataError(ValueError):
    """A table does not match its schema in datapackage.json."""


def _descriptor(data_dir: Path) -> dict:
    path = data_dir / DESCRIPTOR
    if not path.is_file():
        raise DataError(f"{_show(path)}: descriptor not found")
    return json.loads(path.read_text(encoding="utf-8"))


def _resource(descriptor: dict, name: str, data_dir: Path) -> dict:
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            return resource
    known = ", ".join(r["name"] for r in descriptor["resources"])
    raise DataError(f"{_show(data_dir / DESCRIPTOR)}: no table named {name!r} (known: {known})")


def _show(path: Path) -> str:
    """Path as data/<file> for messages."""
    return f"{path.parent.name}/{path.name}"


def table_names(data_dir: Path | None = None) -> list[str]:
    """Names of the tables in the descriptor, in order."""
    return [r["name"] for r in _descriptor(Path(data_dir or DATA_DIR))["resources"]]


# --- reading and typing -------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")
_BOOL = {"true": True, "false": False}


def _expectation(field: dict) -> str:
    """Plain-language description of what a field accepts."""
    c = field.get("constraints", {})
    kind = {"integer": "an integer", "number": "a number", "boolean": "true or false",
            "date": "a date YYYY-MM-DD"}.get(field["type"], "text")
    if "enum" in c:
        return "one of " + ", ".join(repr(v) for v in c["enum"])
    if "minimum" in c and "maximum" in c:
        return f"{kind} from {c['minimum']} to {c['maximum']}"
    if "minimum" in c:
        return f"{kind} of at least {c['minimum']}"
    if "maximum" in c:
        return f"{kind} of at most {c['maximum']}"
    if "pattern" in c:
        return f"{kind} matching {c['pattern']}"
    return kind


def _parse(value: str, field: dict):
    """Convert one non-empty CSV cell, or raise ValueError."""
    kind = field["type"]
    if kind == "integer":
        if not _INT.match(value.strip()):
            raise ValueError
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return _BOOL[value.strip().lower()]
    if kind == "date":
        pd.Timestamp(value)  # raises ValueError if not a date
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError
        return value
    return value


def _check_cell(value, field: dict) -> bool:
    c = field.get("constraints", {})
    if "enum" in c and value not in c["enum"]:
        return False
    if "minimum" in c and value < c["minimum"]:
        return False
    if "maximum" in c and value > c["maximum"]:
        return False
    if "pattern" in c and not re.fullmatch(c["pattern"], str(value)):
        return False
    return True


def _read_rows(path: Path, fields: list[dict]) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise DataError(f"{_show(path)}: file not found")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise DataError(f"{_show(path)}: file is empty (expected a header row)")
    header, body = rows[0], rows[1:]
    missing = [f["name"] for f in fields if f["name"] not in header]
    if missing:
        raise DataError(f"{_show(path)}, row 1, column {missing[0]!r}: expected this column in the header, "
                        f"got columns {', '.join(header)}")
    declared = {f["name"] for f in fields}
    undeclared = [name for name in header if name not in declared]
    if undeclared:
        position = header.index(undeclared[0]) + 1
        raise DataError(f"{_show(path)}, row 1, column {undeclared[0]!r}: this column (number {position}) is not "
                        f"declared in data/{DESCRIPTOR}; declare it there or remove it "
                        f"(declared: {', '.join(f['name'] for f in fields)})")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(f"{_show(path)}, row 1, column {duplicated[0]!r}: expected each column once, got it "
                        f"{header.count(duplicated[0])} times")
    for line_no, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(f"{_show(path)}, row {line_no}: expected {len(header)} cells, got {len(row)}")
    return header, body


def _typed_columns(path: Path, header: list[str], body: list[list[str]], fields: list[dict],
                   missing_values: list[str]) -> dict[str, list]:
    columns = {}
    for field in fields:
        name, c = field["name"], field.get("constraints", {})
        index, values = header.index(name), []
        for line_no, row in enumerate(body, start=2):
            raw = row[index]
            where = f"{_show(path)}, row {line_no}, column {name!r}"
            if raw in missing_values:
                if c.get("required"):
                    raise DataError(f"{where}: expected a value ({_expectation(field)}), got an empty cell")
                values.append(None)
                continue
            try:
                value = _parse(raw, field)
            except (ValueError, KeyError):
                raise DataError(f"{where}: expected {_expectation(field)}, got {raw!r}") from None
            if not _check_cell(value, field):
                raise DataError(f"{where}: expected {_expectation(field)}, got {raw!r}")
            values.append(value)
        columns[name] = values
    return columns


def _check_unique(path: Path, columns: dict[str, list], keys: list[str], what: str) -> None:
    seen: dict[tuple, int] = {}
    for line_no, key in enumerate(zip(*(columns[k] for k in keys)), start=2):
        if key in seen:
            shown = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key))
            raise DataError(f"{_show(path)}, row {line_no}, column {keys[0]!r}: expected a unique {what} "
                            f"({', '.join(keys)}), got a duplicate of row {seen[key]} ({shown})")
        seen[key] = line_no


def _to_frame(columns: dict[str, list], fields: list[dict]) -> pd.DataFrame:
    frame = {}
    for field in fields:
        values, enum = columns[field["name"]], field.get("constraints", {}).get("enum")
        if enum:
            frame[field["name"]] = pd.Categorical(values, categories=enum, ordered=True)
        elif field["type"] == "integer":
            frame[field["name"]] = pd.array(values, dtype="Int64")
        elif field["type"] == "number":
            frame[field["name"]] = pd.array(values, dtype="Float64")
        elif field["type"] == "boolean":
            frame[field["name"]] = pd.array(values, dtype="boolean")
        else:
            frame[field["name"]] = pd.array(values, dtype="string")
    return pd.DataFrame(frame)


def _read_checked(name: str, data_dir: Path, descriptor: dict) -> tuple[dict, dict[str, list]]:
    """Read one table and check types, constraints and keys (not foreign keys)."""
    resource = _resource(descriptor, name, data_dir)
    schema, path = resource["schema"], data_dir / resource["path"]
    fields = schema["fields"]
    header, body = _read_rows(path, fields)
    columns = _typed_columns(path, header, body, fields, schema.get("missingValues", [""]))
    for field in fields:
        if field.get("constraints", {}).get("unique"):
            _check_unique(path, columns, [field["name"]], "value")
    pk = schema.get("primaryKey")
    if pk:
        _check_unique(path, columns, [pk] if isinstance(pk, str) else list(pk), "primary key")
    return resource, columns


def _check_foreign_keys(resource: dict, columns: dict[str, list], data_dir: Path, descriptor: dict,
                        cache: dict) -> None:
    path = data_dir / resource["path"]
    for fk in resource["schema"].get("foreignKeys", []):
        field, ref = fk["fields"], fk["reference"]
        field = field[0] if isinstance(field, list) else field
        ref_field = ref["fields"][0] if isinstance(ref["fields"], list) else ref["fields"]
        ref_name = ref.get("resource") or resource["name"]
        if ref_name == resource["name"]:
            ref_columns = columns
        else:
            if ref_name not in cache:
                cache[ref_name] = _read_checked(ref_name, data_dir, descriptor)[1]
            ref_columns = cache[ref_name]
        allowed = set(ref_columns[ref_field])
        ref_file = _show(data_dir / _resource(descriptor, ref_name, data_dir)["path"])
        for line_no, value in enumerate(columns[field], start=2):
            if value is not None and value not in allowed:
                raise DataError(f"{_show(path)}, row {line_no}, column {field!r}: expected a {ref_field} "
                                f"listed in {ref_file}, got {value!r}")


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Return table `name` typed and validated against the descriptor; raise DataError otherwise."""
    data_dir = Path(data_dir or DATA_DIR)
    key = (name, str(data_dir.resolve()), _files_stamp(data_dir))
    if key not in _LOADED:  # read and check again whenever a file of data_dir has changed
        descriptor = _descriptor(data_dir)
        resource, columns = _read_checked(name, data_dir, descriptor)
        _check_foreign_keys(resource, columns, data_dir, descriptor, cache={})
        _LOADED[key] = _to_frame(columns, resource["schema"]["fields"])
    return _LOADED[key].copy()


_LOADED: dict[tuple, pd.DataFrame] = {}


def _files_stamp(data_dir: Path) -> tuple:
    """Name, size and modification time of every file of data_dir: a change to any of them is seen."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in data_dir.glob("*") if p.is_file()))


def table_or_load(name: str, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """``table`` when given (tests pass their own), else the table ``name`` loaded from data/."""
    return load(name) if table is None else table


def load_all(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Return every table of the package as {name: DataFrame}."""
    return {name: load(name, data_dir) for name in table_names(data_dir)}


# --- codebook helpers ---------------------------------------------------------

def _constraint_text(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "enum" in c:
        parts.append("one of: " + ", ".join(map(str, c["enum"])))
    if "minimum" in c or "maximum" in c:
        parts.append(f"range {c.get('minimum', '')}–{c.get('maximum', '')}")
    if "pattern" in c:
        parts.append(f"pattern {c['pattern']}")
    return "; ".join(parts)


def describe_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Codebook of one table: column, type, description and constraints, from the descriptor."""
    data_dir = Path(data_dir or DATA_DIR)
    resource = _resource(_descriptor(data_dir), name, data_dir)
    schema = resource["schema"]
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else pk
    links = {fk["fields"] if isinstance(fk["fields"], str) else fk["fields"][0]:
             f"{fk['reference']['resource']}.{fk['reference']['fields']}" for fk in schema.get("foreignKeys", [])}
    rows = []
    for field in schema["fields"]:
        notes = [_constraint_text(field)]
        if field["name"] in pk:
            notes.append("primary key")
        if field["name"] in links:
            notes.append("refers to " + links[field["name"]])
        rows.append({"column": field["name"], "type": field["type"], "description": field.get("description", ""),
                     "constraints": "; ".join(n for n in notes if n)})
    return pd.DataFrame(rows)


def table_info(name: str, data_dir: Path | None = None) -> dict:
    """Title, description, file path, licence(s) and upstream sources of one table.

    ``licences`` are the table's own (``licenses`` in its resource) or else the package's;
    ``sources`` are the upstream data sets named in the resource (empty when each row names its source).
    """
    data_dir = Path(data_dir or DATA_DIR)
    descriptor = _descriptor(data_dir)
    resource = _resource(descriptor, name, data_dir)
    licences = resource.get("licenses") or descriptor.get("licenses", [])
    return {"name": name, "title": resource.get("title", name), "description": resource.get("description", ""),
            "path": f"data/{resource['path']}",
            "licences": [lic.get("name", "") for lic in licences],
            "sources": [src.get("title", "") for src in resource.get("sources", [])]}
