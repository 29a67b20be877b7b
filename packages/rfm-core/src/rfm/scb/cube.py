"""SCB's answers as data: a table's dimensions (metadata) and a cube of values (data).

PxWeb has two dialects:

* **API v1** (``api.scb.se/OV0104/v1/doris/sv/ssd/BE/BE0101/BE0101A/BefolkningNy``): a GET gives
  ``{"title", "variables": [{"code", "text", "values", "valueTexts", "elimination", "time"}]}``;
  a POST with a ``query`` gives ``{"columns", "data": [{"key", "values"}], "metadata"}``, values
  as text keyed by the codes of the dimensions that were not eliminated, one value per content.
* **API v2** (``statistikdatabasen.scb.se/api/v2/tables/TAB638``): ``/metadata`` and ``/data``
  both answer JSON-stat 2.0: ``id`` and ``size`` list the dimensions, each with
  ``category.index`` (code → position) and ``extension.elimination`` (may be left out, and if
  so whether a category ``eliminationValueCode`` stands for the whole); ``value`` holds the
  cells in row-major order.

Both become a :class:`Cube`: one text column per dimension with the codes, and ``value``. A cell
SCB has no figure for (``..`` in v1, ``null`` in v2) stays missing; it is never 0.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from rfm.scb.errors import ScbError

CONTENTS = "ContentsCode"
"""The dimension that says what is counted (Folkmängd, Folkökning); v1 calls it so in queries."""


@attrs.frozen
class Dimension:
    """One dimension of a table: its code, label, categories and whether it may be left out."""

    code: str
    label: str
    values: tuple[str, ...]
    texts: tuple[str, ...]
    elimination: bool = False
    elimination_code: str | None = None
    """A category that stands for the whole (``00`` Riket, ``83`` inrikes och utrikes födda)."""
    time: bool = False

    def text(self, code: str) -> str:
        return dict(zip(self.values, self.texts, strict=True)).get(code, code)


@attrs.frozen
class TableInfo:
    """What a table holds: its title and dimensions (from the metadata answer)."""

    table: str
    title: str
    dimensions: tuple[Dimension, ...]

    def dimension(self, code: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.code == code), None)


@attrs.frozen
class Cube:
    """Values by the codes of their dimensions (one text column each) and ``value``."""

    frame: pl.DataFrame
    title: str = ""
    updated: str = ""
    contents: Mapping[str, str] = attrs.field(factory=dict)
    """Content code → its label, e.g. ``BE0101N1`` → ``Folkmängd``."""


def _require(condition: bool, name: str, what: str) -> None:
    if not condition:
        raise ScbError(f"{name}: SCB's answer is not what PxWeb sends ({what})")


def v1_table(doc: Any, table: str) -> TableInfo:
    """A v1 metadata answer (GET on the table)."""
    _require(
        isinstance(doc, Mapping) and isinstance(doc.get("variables"), list),
        table,
        "no 'variables' list",
    )
    dims = []
    for v in doc["variables"]:
        _require(
            isinstance(v, Mapping) and isinstance(v.get("values"), list),
            table,
            "a variable without 'values'",
        )
        values = tuple(str(x) for x in v["values"])
        texts = tuple(str(x) for x in v.get("valueTexts", values))
        _require(len(texts) == len(values), table, f"{v.get('code')}: values and valueTexts differ")
        dims.append(
            Dimension(
                str(v["code"]),
                str(v.get("text", v["code"])),
                values,
                texts,
                elimination=bool(v.get("elimination", False)),
                time=bool(v.get("time", False)),
            )
        )
    return TableInfo(table, str(doc.get("title", table)), tuple(dims))


def v2_table(doc: Any, table: str) -> TableInfo:
    """A v2 metadata answer (JSON-stat 2.0 without values)."""
    ids, dims = _jsonstat_dimensions(doc, table)
    role = doc.get("role") or {}
    times = set(role.get("time") or ())
    out = []
    for dim_id in ids:
        dim = dims[dim_id]
        codes = _category_codes(dim, dim_id, table)
        labels = (dim.get("category") or {}).get("label") or {}
        ext = dim.get("extension") or {}
        out.append(
            Dimension(
                dim_id,
                str(dim.get("label", dim_id)),
                tuple(codes),
                tuple(str(labels.get(c, c)) for c in codes),
                elimination=bool(ext.get("elimination", False)),
                elimination_code=(
                    str(ext["eliminationValueCode"]) if ext.get("eliminationValueCode") else None
                ),
                time=dim_id in times,
            )
        )
    return TableInfo(table, str(doc.get("label", table)), tuple(out))


def v1_cube(doc: Any, name: str) -> Cube:
    """A v1 ``"format": "json"`` data answer."""
    _require(
        isinstance(doc, Mapping)
        and isinstance(doc.get("columns"), list)
        and isinstance(doc.get("data"), list),
        name,
        "keys 'columns' and 'data'",
    )
    columns = doc["columns"]
    keys = [str(c["code"]) for c in columns if c.get("type") in ("d", "t")]
    contents = {
        str(c["code"]): str(c.get("text", c["code"])) for c in columns if c.get("type") == "c"
    }
    _require(bool(contents), name, "no content column (type 'c')")
    rows: list[dict[str, Any]] = []
    for item in doc["data"]:
        key, values = item.get("key"), item.get("values")
        _require(
            isinstance(key, list)
            and isinstance(values, list)
            and len(key) == len(keys)
            and len(values) == len(contents),
            name,
            f"a data row that does not fit the columns: {item!r:.120}",
        )
        for content, text in zip(contents, values, strict=True):
            rows.append(
                {
                    **dict(zip(keys, map(str, key), strict=True)),
                    CONTENTS: content,
                    "value": _number(text),
                }
            )
    schema = dict.fromkeys([*keys, CONTENTS], pl.String) | {"value": pl.Float64}
    meta = (doc.get("metadata") or [{}])[0]
    return Cube(
        pl.DataFrame(rows, schema=schema),
        title=str(meta.get("label", "")),
        updated=str(meta.get("updated", "")),
        contents=contents,
    )


def v2_cube(doc: Any, name: str) -> Cube:
    """A v2 JSON-stat 2.0 data answer."""
    ids, dims = _jsonstat_dimensions(doc, name)
    sizes = doc.get("size")
    _require(isinstance(sizes, list) and len(sizes) == len(ids), name, "'size' does not match 'id'")
    codes = [_category_codes(dims[d], d, name) for d in ids]
    for dim_id, found, size in zip(ids, codes, sizes, strict=True):
        _require(
            len(found) == size,
            name,
            f"dimension {dim_id!r} has {len(found)} categories, size {size}",
        )
    total = math.prod(sizes)
    raw = doc.get("value")
    if isinstance(raw, Mapping):  # JSON-stat's sparse form: {"position": value}
        values: list[Any] = [None] * total
        for pos, v in raw.items():
            values[int(pos)] = v
    else:
        _require(
            isinstance(raw, list) and len(raw) == total, name, f"'value' should hold {total} cells"
        )
        values = list(raw)
    rows = [
        {**dict(zip(ids, cell, strict=True)), "value": _number(v)}
        for cell, v in zip(itertools.product(*codes), values, strict=True)
    ]
    schema = dict.fromkeys(ids, pl.String) | {"value": pl.Float64}
    contents = {}
    if CONTENTS in dims:
        labels = (dims[CONTENTS].get("category") or {}).get("label") or {}
        contents = {str(k): str(v) for k, v in labels.items()}
    return Cube(
        pl.DataFrame(rows, schema=schema),
        title=str(doc.get("label", "")),
        updated=str(doc.get("updated", "")),
        contents=contents,
    )


def _jsonstat_dimensions(doc: Any, name: str) -> tuple[list[str], Mapping[str, Any]]:
    _require(
        isinstance(doc, Mapping) and doc.get("class") == "dataset",
        name,
        "JSON-stat 2.0 with class 'dataset'",
    )
    ids, dims = doc.get("id"), doc.get("dimension")
    _require(
        isinstance(ids, list) and isinstance(dims, Mapping) and all(i in dims for i in ids),
        name,
        "'id' and 'dimension'",
    )
    return [str(i) for i in ids], dims


def _category_codes(dim: Any, dim_id: str, name: str) -> list[str]:
    category = dim.get("category") if isinstance(dim, Mapping) else None
    index = category.get("index") if isinstance(category, Mapping) else None
    if isinstance(index, list):
        return [str(c) for c in index]
    if isinstance(index, Mapping):
        return [str(c) for c, _ in sorted(index.items(), key=lambda kv: int(kv[1]))]
    labels = category.get("label") if isinstance(category, Mapping) else None
    if not (isinstance(labels, Mapping) and len(labels) == 1):
        raise ScbError(f"{name}: SCB's answer has no category index for dimension {dim_id!r}")
    return [str(next(iter(labels)))]


def _number(value: Any) -> float | None:
    """A figure, or None where SCB has none (``..``, ``.``, ``-`` in v1; ``null`` in v2)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "")
    try:
        return float(text)
    except ValueError:
        return None


def selection_cells(selection: Mapping[str, Sequence[str]]) -> int:
    """How many cells a selection asks for (the product of its lengths)."""
    return math.prod(len(v) for v in selection.values()) if selection else 1
