"""Reading SCB PxWeb responses: API v2 JSON-stat 2.0, and API v1 ``"format": "json"``.

JSON-stat 2.0 stores a cube: ``id`` lists the dimensions, ``size`` their lengths, and ``value``
the cells in row-major order over them; ``dimension.<id>.category.index`` gives each category
code its position. This reader unrolls the cube into a long table with one text column per
dimension (the codes, e.g. ``Region = "0665"``, ``Tid = "2024"``) and a ``value`` column. A
missing cell (``null``) stays missing. Rename the columns to what a schema expects with the
dataset's ``columns`` option (``{ Region = "area", Tid = "year", Alder = "age", value = "count" }``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from rfm.errors import UnreadableFileError
from rfm.io.table import ROW, RawTable


def read_pxweb(path: Path, *, name: str | None = None) -> RawTable:
    """Read a PxWeb JSON file (v2 JSON-stat2 or v1 json) as a long table."""
    name = name or str(path)
    try:
        doc = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise UnreadableFileError(f"{name}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{name}: not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if isinstance(doc, Mapping) and doc.get("class") == "dataset":
        frame = _jsonstat2(doc, name)
    elif isinstance(doc, Mapping) and "columns" in doc and "data" in doc:
        frame = _pxweb_v1(doc, name)
    else:
        raise UnreadableFileError(
            f"{name}: not a PxWeb response; expected JSON-stat 2.0 (class 'dataset') or PxWeb "
            "v1 json (keys 'columns' and 'data')"
        )
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(ROW))
    return RawTable(frame, name, decimal_comma=False)


def _codes(dimension: Mapping[str, Any], dim_id: str, size: int, name: str) -> list[str]:
    try:
        index = dimension["category"]["index"]
    except (KeyError, TypeError):
        label = (
            dimension.get("category", {}).get("label", {}) if isinstance(dimension, Mapping) else {}
        )
        if size == 1 and isinstance(label, Mapping) and len(label) == 1:
            return [str(next(iter(label)))]
        raise UnreadableFileError(f"{name}: dimension {dim_id!r} has no category index") from None
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: int(kv[1]))]
    else:
        raise UnreadableFileError(f"{name}: dimension {dim_id!r} has a malformed category index")
    if len(codes) != size:
        raise UnreadableFileError(
            f"{name}: dimension {dim_id!r} has {len(codes)} categories but size says {size}"
        )
    return codes


def _jsonstat2(doc: Mapping[str, Any], name: str) -> pl.DataFrame:
    try:
        ids = [str(i) for i in doc["id"]]
        sizes = [int(s) for s in doc["size"]]
        dims = doc["dimension"]
        values = doc["value"]
    except (KeyError, TypeError, ValueError) as exc:
        raise UnreadableFileError(f"{name}: JSON-stat dataset lacks {exc}") from None
    if len(ids) != len(sizes):
        raise UnreadableFileError(f"{name}: 'id' and 'size' differ in length")
    total = 1
    for s in sizes:
        total *= s
    if isinstance(values, Mapping):  # sparse form: {"position": value}
        dense: list[Any] = [None] * total
        for pos, v in values.items():
            dense[int(pos)] = v
        values = dense
    if not isinstance(values, list) or len(values) != total:
        raise UnreadableFileError(
            f"{name}: 'value' holds {len(values) if isinstance(values, list) else '?'} cells "
            f"but the dimensions give {total} (truncated file?)"
        )
    codes = [_codes(dims.get(i, {}), i, s, name) for i, s in zip(ids, sizes, strict=True)]
    rows = list(itertools.product(*codes))
    data: dict[str, list[Any]] = {i: [r[k] for r in rows] for k, i in enumerate(ids)}
    data["value"] = [None if v is None else str(v) for v in values]
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def _pxweb_v1(doc: Mapping[str, Any], name: str) -> pl.DataFrame:
    columns = doc["columns"]
    keyed = [str(c["code"]) for c in columns if c.get("type") in ("d", "t")]
    contents = [str(c["code"]) for c in columns if c.get("type") == "c"]
    data: dict[str, list[Any]] = {c: [] for c in [*keyed, *contents]}
    for item in doc["data"]:
        key, vals = item.get("key", []), item.get("values", [])
        if len(key) != len(keyed) or len(vals) != len(contents):
            raise UnreadableFileError(f"{name}: a data row does not match 'columns'")
        for c, k in zip(keyed, key, strict=True):
            data[c].append(str(k))
        for c, v in zip(contents, vals, strict=True):
            data[c].append(None if v in ("..", ".", "-", None) else str(v))
    if len(contents) == 1:
        data["value"] = data.pop(contents[0])
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
