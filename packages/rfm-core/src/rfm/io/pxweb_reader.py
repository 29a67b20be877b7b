"""Reading SCB PxWeb responses: API v2 JSON-stat 2.0, and API v1 ``"format": "json"``.

JSON-stat 2.0 stores a cube: ``id`` lists the dimensions, ``size`` their lengths, and ``value``
the cells in row-major order over them; ``dimension.<id>.category.index`` gives each category
code its position. This reader unrolls the cube into a long table with one text column per
dimension (the codes, e.g. ``Region = "0665"``, ``Tid = "2024"``) and a ``value`` column. A
missing cell (``null``) stays missing. Rename the columns to what a schema expects with the
dataset's ``columns`` option (``{ Region = "area", Tid = "year", Alder = "age", value = "count" }``).

What a file from someone else cannot do: make rfm allocate by a declared size (a 400-byte file
saying ``"size": [100000, 100000, 2]`` with a sparse ``value`` object is refused before any
cell is made: at most :data:`MAX_CELLS`), put a sparse value outside the cube (``"-1"``, a
position past the end, ``"1.5"``), or crash the parser (a 5 000-digit number, nesting thousands
deep, ``columns`` or ``data`` of the wrong shape): each is one clear error naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from rfm.errors import UnreadableFileError
from rfm.files import read_regular_file
from rfm.io.table import ROW, RawTable

MAX_CELLS = 10_000_000
"""The most cells one JSON-stat file may declare (SCB's API answers at most 150 000 a request)."""


def read_pxweb(path: Path, *, name: str | None = None) -> RawTable:
    """Read a PxWeb JSON file (v2 JSON-stat2 or v1 json) as a long table."""
    name = name or str(path)
    raw = read_regular_file(Path(path), name)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{name}: not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError:  # Python refuses integers of more than 4 300 digits
        raise UnreadableFileError(
            f"{name}: not readable JSON (a number with thousands of digits)"
        ) from None
    except RecursionError:
        raise UnreadableFileError(
            f"{name}: not readable JSON (arrays or objects nested too deeply)"
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


def _whole(value: Any) -> int | None:
    """``value`` as a whole number when it is one (an int, or digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _codes(dimension: Any, dim_id: str, size: int, name: str) -> list[str]:
    if not isinstance(dimension, Mapping):
        raise UnreadableFileError(f"{name}: dimension {dim_id!r} is missing or not an object")
    category = dimension.get("category")
    index = category.get("index") if isinstance(category, Mapping) else None
    if index is None:
        label = category.get("label", {}) if isinstance(category, Mapping) else {}
        if size == 1 and isinstance(label, Mapping) and len(label) == 1:
            return [str(next(iter(label)))]
        raise UnreadableFileError(f"{name}: dimension {dim_id!r} has no category index")
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        positions = {str(c): _whole(p) for c, p in index.items()}
        if any(p is None for p in positions.values()) or sorted(
            p for p in positions.values() if p is not None
        ) != list(range(len(positions))):
            raise UnreadableFileError(
                f"{name}: dimension {dim_id!r}: the category index must give positions "
                f"0 … {len(positions) - 1}, each once"
            )
        codes = sorted(positions, key=lambda c: positions[c] or 0)
    else:
        raise UnreadableFileError(f"{name}: dimension {dim_id!r} has a malformed category index")
    if len(codes) != size:
        raise UnreadableFileError(
            f"{name}: dimension {dim_id!r} has {len(codes)} categories but size says {size}"
        )
    return codes


def _jsonstat2(doc: Mapping[str, Any], name: str) -> pl.DataFrame:
    try:
        raw_ids, raw_sizes, dims, values = doc["id"], doc["size"], doc["dimension"], doc["value"]
    except KeyError as exc:
        raise UnreadableFileError(f"{name}: JSON-stat dataset lacks {exc}") from None
    if not isinstance(raw_ids, list) or not all(isinstance(i, str) for i in raw_ids):
        raise UnreadableFileError(f"{name}: 'id' must be a list of dimension names")
    sizes = [_whole(s) for s in raw_sizes] if isinstance(raw_sizes, list) else [None]
    if any(s is None for s in sizes):
        raise UnreadableFileError(f"{name}: 'size' must be a list of whole numbers")
    if len(raw_ids) != len(sizes):
        raise UnreadableFileError(f"{name}: 'id' and 'size' differ in length")
    if not isinstance(dims, Mapping):
        raise UnreadableFileError(f"{name}: 'dimension' must be an object")
    total = 1
    for s in sizes:
        total *= s or 0
        if total > MAX_CELLS:
            raise UnreadableFileError(
                f"{name}: 'size' {raw_sizes} declares more than {MAX_CELLS} cells, the most rfm "
                "reads from one PxWeb file; ask for a smaller table"
            )
    codes = [_codes(dims.get(i), i, s or 0, name) for i, s in zip(raw_ids, sizes, strict=True)]
    if isinstance(values, Mapping):  # sparse form: {"position": value}
        column = _sparse(values, total, name)
    elif isinstance(values, list) and len(values) == total:
        column = pl.Series("value", [_cell(v) for v in values], dtype=pl.String)
    else:
        raise UnreadableFileError(
            f"{name}: 'value' holds {len(values) if isinstance(values, list) else '?'} cells "
            f"but the dimensions give {total} (truncated file?)"
        )
    # Cell i of the cube has, in dimension k, the category (i // stride_k) % size_k.
    cells = pl.int_range(0, total, dtype=pl.Int64, eager=True)
    columns = []
    stride = total
    for dim_id, dim_codes in zip(raw_ids, codes, strict=True):
        stride //= max(len(dim_codes), 1)
        positions = (cells // max(stride, 1)) % max(len(dim_codes), 1)
        columns.append(pl.Series(dim_id, dim_codes, dtype=pl.String).gather(positions))
    return pl.DataFrame([*columns, column])


def _sparse(values: Mapping[str, Any], total: int, name: str) -> pl.Series:
    """A sparse ``{"position": value}`` object as a column of ``total`` cells (null elsewhere)."""
    positions: list[int] = []
    cells: list[str | None] = []
    for key, value in values.items():
        position = _whole(key)
        if position is None or not 0 <= position < total:
            raise UnreadableFileError(
                f"{name}: 'value' has the position {key!r}; expected a whole number from 0 to "
                f"{total - 1} (the cube has {total} cells)"
            )
        positions.append(position)
        cells.append(_cell(value))
    column = pl.Series("value", [None] * total, dtype=pl.String)
    if positions:
        column = column.scatter(positions, pl.Series(cells, dtype=pl.String))
    return column


def _pxweb_v1(doc: Mapping[str, Any], name: str) -> pl.DataFrame:
    columns, rows = doc["columns"], doc["data"]
    if not isinstance(columns, list) or not all(
        isinstance(c, Mapping) and isinstance(c.get("code"), str) for c in columns
    ):
        raise UnreadableFileError(
            f"{name}: 'columns' must be a list of objects with a 'code' (PxWeb v1 json)"
        )
    if not isinstance(rows, list):
        raise UnreadableFileError(f"{name}: 'data' must be a list of rows (PxWeb v1 json)")
    keyed = [str(c["code"]) for c in columns if c.get("type") in ("d", "t")]
    contents = [str(c["code"]) for c in columns if c.get("type") == "c"]
    data: dict[str, list[Any]] = {c: [] for c in [*keyed, *contents]}
    for number, item in enumerate(rows, start=1):
        key = item.get("key", []) if isinstance(item, Mapping) else None
        vals = item.get("values", []) if isinstance(item, Mapping) else None
        if (
            not isinstance(key, list)
            or not isinstance(vals, list)
            or len(key) != len(keyed)
            or len(vals) != len(contents)
        ):
            raise UnreadableFileError(
                f"{name}: data row {number} does not match 'columns' (expected "
                f"{{'key': [{len(keyed)} codes], 'values': [{len(contents)} values]}})"
            )
        for c, k in zip(keyed, key, strict=True):
            data[c].append(str(k))
        for c, v in zip(contents, vals, strict=True):
            data[c].append(_cell(v))
    if len(contents) == 1:
        data["value"] = data.pop(contents[0])
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def _cell(value: object) -> str | None:
    """A PxWeb value as text, by the statistics offices' symbols.

    "-" is "inget finns att redovisa": the office says the figure is exactly zero, so it is
    read as 0. ".." (not available, too uncertain) and "." (not applicable) are no figure:
    they stay missing, and a model that needs them stops and names them.
    """
    if value == "-":
        return "0"
    return None if value in ("..", ".", None) else str(value)
