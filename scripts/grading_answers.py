"""Answers as data: the values a submission computed, written as JSON and read back safely.

The sandbox runs a student's notebook and ``encode``s the variables it defined into plain JSON;
the hidden tests run in another, fresh process that ``decode``s that JSON. Decoding builds only
plain values (numbers, strings, lists, sets, dicts, numpy scalars and arrays, pandas Series,
DataFrames and Index, plotly figures) from an allow-list of types and dtypes, so a submission
can hand over values but never objects with behaviour of their own (no pickle, no classes).

Every value is ``{"t": tag, ...}``. Both sides import only the standard library at import time.
"""
from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 40
MAX_NODES = 2_000_000

# dtypes that a DataFrame column, Series, Index or array may be rebuilt with
DTYPES = {
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "float16", "float32", "float64", "Float32", "Float64",
    "bool", "boolean", "object", "str", "string", "category",
    "datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]",
    "timedelta64[ns]", "timedelta64[us]", "timedelta64[ms]", "timedelta64[s]",
}
NUMPY_SCALARS = {d for d in DTYPES if d[0].islower() and d not in {"object", "str", "string", "category", "boolean"}
                 and not d.startswith(("datetime", "timedelta"))}


class Unsupported(TypeError):
    """A value of a type that cannot be handed over as data."""


# --- encoding (inside the sandbox) -------------------------------------------------------------

def _float(value: float) -> Any:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def encode(value: Any, depth: int = 0) -> dict:
    """A JSON-ready description of ``value``; raises Unsupported for anything else."""
    if depth > MAX_DEPTH:
        raise Unsupported("nested too deeply")
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if type(value) is bool:
        return {"t": "bool", "v": value}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": _float(value)}
    if type(value) is str:
        return {"t": "str", "v": value}
    if type(value) in (list, tuple, set, frozenset):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return {"t": type(value).__name__, "v": [encode(item, depth + 1) for item in items]}
    if type(value) is dict:
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        return _encode_numpy(value, depth)
    if module == "pandas":
        return _encode_pandas(value, depth)
    if module == "plotly":
        import plotly.graph_objects as go

        if isinstance(value, go.Figure) or type(value).__name__ == "FigureWidget":
            return {"t": "figure", "v": encode(value.to_dict(), depth + 1)}
    raise Unsupported(f"a value of type {type(value).__module__}.{type(value).__name__}")


def _encode_numpy(value, depth):
    import numpy as np

    if isinstance(value, np.ndarray):
        dtype = str(value.dtype)
        if dtype not in DTYPES:
            raise Unsupported(f"a numpy array of dtype {dtype}")
        return {"t": "ndarray", "dtype": dtype, "shape": list(value.shape),
                "v": _encode_values(value.ravel().tolist(), depth)}
    if isinstance(value, np.generic):
        dtype = str(value.dtype)
        if dtype not in NUMPY_SCALARS:
            raise Unsupported(f"a numpy value of dtype {dtype}")
        return {"t": "np", "dtype": dtype, "v": encode(value.item(), depth + 1)}
    raise Unsupported(f"a value of type numpy.{type(value).__name__}")


def _encode_cell(x, depth):
    """One cell of an array, Series, Index or DataFrame."""
    import datetime

    import pandas as pd

    if x is pd.NaT:
        return {"t": "nat"}
    if x is pd.NA:
        return {"t": "na"}
    if isinstance(x, (pd.Timestamp, datetime.datetime, datetime.date)):
        return {"t": "ts", "v": pd.Timestamp(x).isoformat()}
    if isinstance(x, (pd.Timedelta, datetime.timedelta)):
        return {"t": "td", "v": int(pd.Timedelta(x).value)}
    return encode(x, depth + 1)


def _encode_values(values, depth):
    return [_encode_cell(x, depth) for x in values]


def _encode_index(index, depth):
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {"t": "rangeindex", "start": index.start, "stop": index.stop, "step": index.step,
                "name": encode(index.name, depth + 1)}
    if isinstance(index, pd.MultiIndex):
        return {"t": "multiindex", "v": _encode_values(index.tolist(), depth),
                "names": [encode(n, depth + 1) for n in index.names]}
    dtype = str(index.dtype)
    if dtype not in DTYPES:
        raise Unsupported(f"an index of dtype {dtype}")
    return {"t": "index", "dtype": dtype, "v": _encode_values(index.tolist(), depth),
            "name": encode(index.name, depth + 1)}


def _encode_pandas(value, depth):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        dtypes = [str(d) for d in value.dtypes]
        bad = sorted({d for d in dtypes if d not in DTYPES})
        if bad:
            raise Unsupported(f"a DataFrame with columns of dtype {', '.join(bad)}")
        return {"t": "dataframe", "columns": _encode_index(value.columns, depth), "dtypes": dtypes,
                "index": _encode_index(value.index, depth),
                "data": [_encode_values(value.iloc[:, i].tolist(), depth) for i in range(value.shape[1])]}
    if isinstance(value, pd.Series):
        dtype = str(value.dtype)
        if dtype not in DTYPES:
            raise Unsupported(f"a Series of dtype {dtype}")
        return {"t": "series", "dtype": dtype, "name": encode(value.name, depth + 1),
                "index": _encode_index(value.index, depth), "v": _encode_values(value.tolist(), depth)}
    if isinstance(value, pd.Index):
        return _encode_index(value, depth)
    if value is pd.NA or value is pd.NaT or isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return _encode_cell(value, depth)
    raise Unsupported(f"a value of type pandas.{type(value).__name__}")


# --- decoding (in the fresh test process) --------------------------------------------------------

class _Budget:
    def __init__(self):
        self.nodes = 0

    def spend(self):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ValueError("the answers are too large")


def decode(data: Any, budget: _Budget | None = None, depth: int = 0) -> Any:
    """The value ``encode`` described; raises ValueError on anything it did not write."""
    budget = budget or _Budget()
    budget.spend()
    if depth > MAX_DEPTH + 5:
        raise ValueError("nested too deeply")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError("not an encoded value")
    tag, v = data["t"], data.get("v")
    if tag == "none":
        return None
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bool":
        return _check(v, bool)
    if tag == "int":
        text = _check(v, str)
        if len(text) > 4000:
            raise ValueError("integer too long")
        return int(text)
    if tag == "float":
        if isinstance(v, str):
            if v not in ("nan", "inf", "-inf"):
                raise ValueError("bad float")
            return float(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("bad float")
        return float(v)
    if tag == "str":
        return _check(v, str)
    if tag in ("list", "tuple", "set", "frozenset"):
        items = [decode(x, budget, depth + 1) for x in _check(v, list)]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        out = {}
        for pair in _check(v, list):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError("bad dict item")
            out[decode(pair[0], budget, depth + 1)] = decode(pair[1], budget, depth + 1)
        return out
    if tag in ("nat", "na", "ts", "td"):
        import pandas as pd

        if tag == "nat":
            return pd.NaT
        if tag == "na":
            return pd.NA
        if tag == "ts":
            return pd.Timestamp(_check(v, str))
        return pd.Timedelta(int(_check(v, int)))
    if tag == "np":
        import numpy as np

        dtype = _dtype(data.get("dtype"), NUMPY_SCALARS)
        return np.dtype(dtype).type(decode(v, budget, depth + 1))
    if tag == "ndarray":
        import numpy as np

        dtype = _dtype(data.get("dtype"), DTYPES)
        shape = [int(_check(n, int)) for n in _check(data.get("shape"), list)]
        values = [decode(x, budget, depth + 1) for x in _check(v, list)]
        array = np.array(values, dtype=dtype if dtype not in ("str", "string", "category", "boolean") else object)
        return array.reshape(shape) if math.prod(shape) == array.size else array
    if tag in ("index", "rangeindex", "multiindex"):
        return _decode_index(data, budget, depth)
    if tag == "series":
        import pandas as pd

        index = _decode_index(data.get("index"), budget, depth)
        values = [decode(x, budget, depth + 1) for x in _check(v, list)]
        series = pd.Series(values, index=index, dtype=object, name=decode(data.get("name"), budget, depth + 1))
        return _astype(series, _dtype(data.get("dtype"), DTYPES))
    if tag == "dataframe":
        import pandas as pd

        columns = _decode_index(data.get("columns"), budget, depth)
        index = _decode_index(data.get("index"), budget, depth)
        dtypes = [_dtype(d, DTYPES) for d in _check(data.get("dtypes"), list)]
        columns_data = _check(data.get("data"), list)
        if not (len(columns) == len(dtypes) == len(columns_data)):
            raise ValueError("bad DataFrame")
        series = []
        for values, dtype in zip(columns_data, dtypes):
            decoded = [decode(x, budget, depth + 1) for x in _check(values, list)]
            if len(decoded) != len(index):
                raise ValueError("bad DataFrame column")
            series.append(_astype(pd.Series(decoded, index=index, dtype=object), dtype))
        frame = pd.concat(series, axis=1) if series else pd.DataFrame(index=index)
        frame.columns = columns
        return frame
    if tag == "figure":
        import plotly.graph_objects as go

        spec = decode(v, budget, depth + 1)
        if not isinstance(spec, dict):
            raise ValueError("bad figure")
        return go.Figure(_typed_arrays(spec))
    raise ValueError(f"unknown tag {tag!r}")


PLOTLY_TYPED_ARRAYS = {"i1", "u1", "i2", "u2", "i4", "u4", "f4", "f8"}


def _typed_arrays(spec):
    """Plotly writes numeric arrays as ``{"dtype": "i2", "bdata": base64}``: numpy arrays again,
    as the figure held them before it was written."""
    if isinstance(spec, list):
        return [_typed_arrays(x) for x in spec]
    if not isinstance(spec, dict):
        return spec
    if set(spec) in ({"dtype", "bdata"}, {"dtype", "bdata", "shape"}) and spec["dtype"] in PLOTLY_TYPED_ARRAYS:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(_check(spec["bdata"], str)), dtype=spec["dtype"]).copy()
        shape = spec.get("shape")
        if isinstance(shape, str):  # "2, 3"
            dims = [int(n) for n in shape.split(",")]
            if math.prod(dims) == array.size:
                array = array.reshape(dims)
        return array
    return {k: _typed_arrays(v) for k, v in spec.items()}


def _check(value, kind):
    if kind is int and isinstance(value, bool):
        raise ValueError("expected a number")
    if not isinstance(value, kind):
        raise ValueError(f"expected {kind.__name__}")
    return value


def _dtype(name, allowed):
    if name not in allowed:
        raise ValueError(f"dtype {name!r} is not allowed")
    return name


def _astype(series, dtype):
    if dtype == "object":
        return series
    return series.astype(dtype)


def _decode_index(data, budget, depth):
    import pandas as pd

    if not isinstance(data, dict):
        raise ValueError("bad index")
    tag = data.get("t")
    if tag == "rangeindex":
        start, stop, step = (int(_check(data.get(k), int)) for k in ("start", "stop", "step"))
        if step == 0 or abs((stop - start) // step) > MAX_NODES:
            raise ValueError("bad range index")
        return pd.RangeIndex(start, stop, step, name=decode(data.get("name"), budget, depth + 1))
    if tag == "multiindex":
        tuples = [decode(x, budget, depth + 1) for x in _check(data.get("v"), list)]
        names = [decode(n, budget, depth + 1) for n in _check(data.get("names"), list)]
        if not all(isinstance(t, tuple) for t in tuples):
            raise ValueError("bad multi-index")
        return pd.MultiIndex.from_tuples(tuples, names=names) if tuples else pd.MultiIndex.from_arrays(
            [[] for _ in names], names=names)
    if tag == "index":
        dtype = _dtype(data.get("dtype"), DTYPES)
        values = [decode(x, budget, depth + 1) for x in _check(data.get("v"), list)]
        index = pd.Index(values, dtype=object, name=decode(data.get("name"), budget, depth + 1))
        return index if dtype == "object" else index.astype(dtype)
    raise ValueError("bad index")
