"""Classifications: a continuous value to a level, by a dated threshold table.

Allocation models turn a measured value into a level before they price it: assessed care hours
per person and month into a hemtjänst nivå, a socio-economic index into a tillägg step, a
merit value into a band. The thresholds are decisions, so they are data, dated like rates::

    [classifications.niva]
    boundary = "lower"              # a value on a shared edge belongs to the lower level
    unit = "timmar per månad"
    source = "Nämndens beslut 2024-03-01 § 12"
    levels = { 2024 = { "nivå 1" = [1, 25], "nivå 2" = [25, 75], "nivå 3" = [75, 225] } }

The levels of a year run in increasing order and touch end to end; ``boundary`` says, without
guessing, which level a value exactly on an edge belongs to (``"lower"``: 25 h is nivå 1;
``"upper"``: nivå 2). A value outside every level is an error naming its row, never the nearest
level. The table in force in a budget year is the latest from a year at or before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import attrs
import polars as pl

from rfm.config import Table, check_keys, check_name, get_str, get_year
from rfm.errors import ConfigError
from rfm.formatting import number

BOUNDARIES = ("lower", "upper")
KEYS = ("boundary", "unit", "source", "levels", "description")


@attrs.frozen
class Levels:
    """One year's levels: (name, low, high), increasing and contiguous, with the boundary rule.

    ``boundary = "lower"``: a shared edge belongs to the lower level (levels are (low, high],
    the first [low, high]); ``"upper"``: to the upper one ([low, high), the last [low, high]).
    """

    from_year: int
    bands: tuple[tuple[str, float, float], ...]
    source: str
    boundary: str = "lower"

    @property
    def low(self) -> float:
        return self.bands[0][1]

    @property
    def high(self) -> float:
        return self.bands[-1][2]

    def level(self, value: pl.Expr) -> pl.Expr:
        """The level of ``value``; null outside every level."""
        out: pl.Expr = pl.lit(None, pl.String)
        last = len(self.bands) - 1
        for i in range(last, -1, -1):  # from the top down, so the first matching level wins
            name, low, high = self.bands[i]
            if self.boundary == "lower":
                inside = (value > low) & (value <= high) if i else (value >= low) & (value <= high)
            else:
                inside = (
                    (value >= low) & (value < high)
                    if i != last
                    else (value >= low) & (value <= high)
                )
            out = pl.when(inside).then(pl.lit(name)).otherwise(out)
        return out

    def interval(self, i: int) -> str:
        """Band ``i`` as an interval with its edges as the boundary rule has them: ``(25, 75]``."""
        _, low, high = self.bands[i]
        if self.boundary == "lower":
            return f"{'[' if i == 0 else '('}{number(low)}, {number(high)}]"
        return f"[{number(low)}, {number(high)}{']' if i == len(self.bands) - 1 else ')'}"

    def describe(self, unit: str = "") -> str:
        parts = [f"{name}: {self.interval(i)}" for i, (name, _, _) in enumerate(self.bands)]
        return "; ".join(parts) + (f" {unit}" if unit else "")


def levels_from(
    bands: list[tuple[str, float, float]],
    boundary: str,
    where: str,
    year: int = 1900,
    source: str = "",
) -> Levels:
    """Checked levels: a known boundary rule, non-empty, increasing and touching end to end."""
    if boundary not in BOUNDARIES:
        raise ConfigError(
            f"{where}.boundary: 'lower' or 'upper' (which level a value on a shared edge belongs "
            f"to), not {boundary!r}"
        )
    if not bands:
        raise ConfigError(f"{where}: no levels")
    for name, low, high in bands:
        if not low < high:
            raise ConfigError(f"{where}.{name}: the level must end above where it starts")
    for (a, _, a_high), (b, b_low, _) in itertools.pairwise(bands):
        if a_high != b_low:
            raise ConfigError(
                f"{where}: levels must touch end to end in increasing order; {a!r} ends at "
                f"{number(a_high)} and {b!r} starts at {number(b_low)}"
            )
    return Levels(year, tuple(bands), source, boundary)


@attrs.frozen
class Classification:
    """A dated threshold table (see the module docstring)."""

    name: str
    unit: str
    versions: tuple[Levels, ...]
    where: str

    def in_force(self, year: int) -> Levels:
        found = [v for v in self.versions if v.from_year <= year]
        if not found:
            raise ConfigError(
                f"{self.where}: no levels in force in {year} (the first are from "
                f"{self.versions[0].from_year})"
            )
        return found[-1]

    def level_expr(self, value: pl.Expr, year: int) -> pl.Expr:
        """The level of ``value`` in ``year``; null outside every level."""
        return self.in_force(year).level(value)

    def level_basis(self, level: str, year: int, column: str) -> str:
        """Why a row has ``level`` in ``year``: ``nivå 2: timmar i (25, 75] timmar per månad
        (Nämndens beslut, från 2024)``."""
        levels = self.in_force(year)
        names = [name for name, _, _ in levels.bands]
        interval = levels.interval(names.index(level))
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"{self.name} {level}: {column} i {interval}{unit} ({levels.source}, från "
            f"{levels.from_year})"
        )

    def describe(self, year: int) -> str:
        levels = self.in_force(year)
        return (
            f"{self.name}: {levels.describe(self.unit)} ({levels.source}, från {levels.from_year})"
        )


def parse_classifications(doc: Table, file: str) -> dict[str, Classification]:
    """The ``[classifications.NAME]`` tables of a tenant file."""
    raw = doc.get("classifications", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{file}: [classifications] must be tables, [classifications.NAME]")
    out = {}
    for name, table in raw.items():
        where = f"{file}: [classifications.{name}]"
        check_name(name, f"{file}: [classifications] name")
        check_keys(table, where, allowed=KEYS, required=("boundary", "levels", "source"))
        boundary = get_str(table, "boundary", where)
        source = get_str(table, "source", where)
        levels = table["levels"]
        if not isinstance(levels, Mapping) or not levels:
            raise ConfigError(
                f'{where}.levels: expected {{ 2024 = {{ "nivå 1" = [1, 25], "nivå 2" = [25, 75] }} }}'
            )
        versions = sorted(
            (
                levels_from(
                    _bands(bands, f"{where}.levels.{y}"),
                    boundary,
                    where,
                    get_year(y, f"{where}.levels.{y}"),
                    source,
                )
                for y, bands in levels.items()
            ),
            key=lambda v: v.from_year,
        )
        out[str(name)] = Classification(
            str(name), get_str(table, "unit", where, ""), tuple(versions), where
        )
    return out


def _bands(raw: Any, where: str) -> list[tuple[str, float, float]]:
    """The levels of one year; their names read as the data's names are (NFC, one kind of
    space), since a rate table matches them to its own values."""
    from rfm.schemas.validate import name_text

    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f'{where}: expected {{ "nivå 1" = [1, 25], … }}')
    parsed = []
    names: set[str] = set()
    for raw_name, edges in raw.items():
        name = name_text(str(raw_name))
        if not name or name in names:
            raise ConfigError(f"{where}: {raw_name!r} is empty or names a level twice")
        names.add(name)
        if (
            not isinstance(edges, list)
            or len(edges) != 2
            or not all(isinstance(e, int | float) and not isinstance(e, bool) for e in edges)
        ):
            raise ConfigError(f"{where}.{name}: expected [low, high], found {edges!r}")
        parsed.append((name, float(edges[0]), float(edges[1])))
    return parsed
