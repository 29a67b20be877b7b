"""A population from SCB in rfm's population schema: every single year of age, summed over Kön
or by sex, for the kommuner and years asked.

SCB's population tables have more dimensions than a population file: Kön (1 män, 2 kvinnor),
Civilstånd (ogifta, gifta, skilda, änkor/änklingar), or inrikes/utrikes född. Read as they are,
each age of each kommun and year appears once per category, and rfm rightly refuses the file
(every row "repeats" another). Here each dimension is handled on purpose:

* **Kön** is always asked for as män and kvinnor; ``sex="total"`` sums the two, ``"m"`` or
  ``"k"`` keeps one, ``"each"`` keeps both in a ``sex`` column (m, k), which the population
  schema reads;
* a dimension with a category that stands for the whole (``eliminationValueCode``) is asked for
  that category; one SCB may leave out is left out (SCB sums it); any other is asked for all its
  categories and summed here, and the answer says so.

A cell SCB has no figure for is an error naming it, never 0.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import attrs
import polars as pl

from rfm.scb.client import Api, PxWebClient
from rfm.scb.cube import CONTENTS, Dimension, TableInfo
from rfm.scb.errors import ScbError

SEXES = ("total", "m", "k", "each")
SEX_CODES = {"1": "m", "2": "k"}


@attrs.frozen
class TableChoice:
    """A table rfm knows, per API: its id and the content that is the population."""

    v1: str
    v2: str
    content: str | None
    what: str

    def table(self, api: Api) -> str:
        return self.v1 if api == "v1" else self.v2


TABLES: Mapping[str, TableChoice] = {
    "population": TableChoice(
        "BE/BE0101/BE0101A/BefolkningNy",
        "TAB638",
        "BE0101N1",
        "BE0101, folkmängd 31 december efter region, ålder och kön",
    ),
    "forecast": TableChoice(
        "BE/BE0401/BE0401A/BefProgOsiktRegN",
        "TAB5974",
        None,
        "BE0401, befolkningsframskrivning: framskriven folkmängd 31 december efter ålder och kön",
    ),
}
"""The tables ``rfm scb population`` and ``forecast`` read unless told ``--table``. SCB's
kommun-level framskrivning is a v1 table; v2's TAB5974 is the framskrivning for the whole
country (Riket)."""


@attrs.frozen
class PopulationAnswer:
    """The population (area, year, age, [sex], count), the table, and where it came from."""

    frame: pl.DataFrame
    table: TableInfo
    content: str
    summed: tuple[str, ...]
    """Labels of the dimensions summed over here (kön when ``total``, civilstånd, …)."""
    source: str


def fetch_population(
    client: PxWebClient,
    table: str,
    regions: Sequence[str],
    *,
    years: Sequence[int] | None = None,
    latest: int = 1,
    sex: str = "total",
    content: str | None = None,
) -> PopulationAnswer:
    """Ask ``table`` for the population of ``regions`` (kommunkoder; none for a table without
    regions, which is Riket's) in ``years`` (default: the ``latest`` years the table has)."""
    if sex not in SEXES:
        raise ScbError(f"--sex {sex!r}: expected one of {', '.join(SEXES)}")
    info = client.table(table)
    region = _find(info, "Region")
    age = _find(info, "Alder")
    kon = _find(info, "Kon")
    tid = next((d for d in info.dimensions if d.time), None) or _find(info, "Tid")
    if age is None or tid is None:
        raise ScbError(
            f"SCB table {table} ({info.title}) has no ålder or år dimension "
            f"({', '.join(d.code for d in info.dimensions)}); it is not a population table"
        )
    selection: dict[str, list[str]] = {}
    if region is not None:
        if not regions:
            raise ScbError(f"name the kommuner to fetch from {table}, e.g. 0680")
        _check_codes(region, regions, table)
        selection[region.code] = list(dict.fromkeys(regions))
    elif regions and set(regions) != {"00"}:
        raise ScbError(
            f"SCB table {table} ({info.title}) has no region: its figures are Riket's; leave "
            "out the kommunkod (or give 00), or choose a table by kommun with --table"
        )
    ages = [c for c in age.values if re.fullmatch(r"\d{1,3}\+?", c)]
    if not ages:
        raise ScbError(f"SCB table {table}: no single years of age in {age.label}")
    selection[age.code] = ages
    if kon is not None:
        _check_codes(kon, list(SEX_CODES), table)
        selection[kon.code] = list(SEX_CODES)
    elif sex != "total":
        raise ScbError(f"SCB table {table} has no kön; --sex {sex} cannot be given")
    selection[tid.code] = _years(tid, years, latest, table)
    chosen = _content(info, content, table)
    if chosen is not None:
        selection[CONTENTS] = [chosen]
    summed: list[str] = []
    for dim in info.dimensions:
        if dim.code in selection or dim.code == CONTENTS:
            continue
        if dim.elimination_code is not None:
            selection[dim.code] = [dim.elimination_code]
        elif not dim.elimination:
            selection[dim.code] = list(dim.values)
            summed.append(dim.label)
    cube = client.data(table, selection, split=[*([region.code] if region else []), tid.code])
    frame = cube.frame
    gaps = frame.filter(pl.col("value").is_null())
    if gaps.height:
        shown = "; ".join(
            ", ".join(f"{k}={v}" for k, v in r.items() if k != "value")
            for r in gaps.head(5).iter_rows(named=True)
        )
        raise ScbError(
            f"SCB gives no figure for {gaps.height} cell(s) of {table}: {shown}"
            + (" …" if gaps.height > 5 else "")
        )
    keep_sex = kon is not None and sex != "total"
    if kon is not None and sex in ("m", "k"):
        frame = frame.filter(pl.col(kon.code).replace_strict(SEX_CODES, default=None) == sex)
    if kon is not None and sex == "total":
        summed.insert(0, kon.label)
    columns = [
        (pl.col(region.code) if region else pl.lit("00")).alias("area"),
        pl.col(tid.code).cast(pl.Int64).alias("year"),
        pl.col(age.code).alias("age"),
        *([pl.col(kon.code).replace_strict(SEX_CODES).alias("sex")] if kon and keep_sex else []),
    ]
    by = ["area", "year", "age", *(["sex"] if keep_sex else [])]
    out = (
        frame.select(*columns, "value")
        .group_by(by)
        .agg(pl.col("value").sum().alias("count"))
        .with_columns(pl.col("age").str.extract(r"^(\d+)", 1).cast(pl.Int64).alias("_age"))
        .sort("area", "year", "_age", *(["sex"] if keep_sex else []))
        .drop("_age")
    )
    label = cube.contents.get(chosen or "", "") or info.title
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    source = (
        f"SCB, tabell {table} ({info.title}), {label}"
        + (f", uppdaterad {cube.updated[:10]}" if cube.updated else "")
        + (f"; summerat över {', '.join(summed)}" if summed else "")
        + f"; hämtad via PxWeb API {client.api} {client.base_url} ({when})"
    )
    return PopulationAnswer(out, info, chosen or "", tuple(summed), source)


def _find(info: TableInfo, code: str) -> Dimension | None:
    wanted = code.casefold()
    return next((d for d in info.dimensions if d.code.casefold() == wanted), None)


def _check_codes(dim: Dimension, codes: Sequence[str], table: str) -> None:
    unknown = [c for c in codes if c not in dim.values]
    if unknown:
        near = [
            f"{c} ({dim.text(c)})" if dim.text(c) != c else c
            for c in closest(unknown[0], dim.values)
        ]
        raise ScbError(
            f"SCB table {table} has no {dim.label} {', '.join(map(repr, unknown))}"
            + (f"; did you mean {' or '.join(near)}?" if near else "")
            + f" ({len(dim.values)} {dim.label}: {', '.join(dim.values[:8])}"
            + (" …)" if len(dim.values) > 8 else ")")
        )


def closest(code: str, known: Sequence[str], n: int = 3) -> list[str]:
    """The codes most like ``code``, those sharing its beginning first (0681 → 0680, a kommun
    of the same län, before 2081)."""

    def shared(other: str) -> int:
        return next(
            (i for i, (a, b) in enumerate(zip(code, other, strict=False)) if a != b),
            min(len(code), len(other)),
        )

    found = difflib.get_close_matches(code, known, n=20, cutoff=0.6)

    def distance(other: str) -> int:
        return abs(int(other) - int(code)) if other.isdigit() and code.isdigit() else 0

    return sorted(found, key=lambda c: (-shared(c), distance(c)))[:n]


def _years(tid: Dimension, years: Sequence[int] | None, latest: int, table: str) -> list[str]:
    have = [v for v in tid.values if v.isdigit()]
    if years:
        wanted = [str(y) for y in years]
        missing = [y for y in wanted if y not in have]
        if missing:
            span = f"{have[0]}–{have[-1]}" if have else "none"
            raise ScbError(f"SCB table {table} has no year {', '.join(missing)} (it has {span})")
        return wanted
    if latest < 1:
        raise ScbError("--latest must be 1 or more")
    return sorted(have, key=int)[-latest:]


def _content(info: TableInfo, content: str | None, table: str) -> str | None:
    dim = info.dimension(CONTENTS)
    if dim is None:
        return content
    if content is not None:
        _check_codes(dim, [content], table)
        return content
    known = next((c.content for c in TABLES.values() if c.content in dim.values), None)
    if known is not None:
        return known
    if len(dim.values) == 1:
        return dim.values[0]
    raise ScbError(
        f"SCB table {table} holds several contents; choose one with --content: "
        + ", ".join(f"{v} ({t})" for v, t in zip(dim.values, dim.texts, strict=True))
    )


def population_csv(frame: pl.DataFrame) -> str:
    """The population as CSV (area, year, age, [sex], count), counts as whole numbers."""
    shown = frame.with_columns(
        pl.when(pl.col("count") == pl.col("count").round(0))
        .then(pl.col("count").cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col("count").cast(pl.String))
        .alias("count")
    )
    return shown.write_csv()
