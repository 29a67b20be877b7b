"""One rounding for every output: ``--round kr|tkr|mnkr[:decimals]``, largest remainder, nested.

Every command that shows amounts (run, compare, frame, report, simulate, goals) takes the same
``--round`` with the same default, :data:`DEFAULT`: whole kronor. ``tkr:1`` shows thousands of
kronor with one decimal. Amounts are rounded from their exact values (a ``Decimal`` amount or a
float taken at its exact binary value) with the largest-remainder method, nested level by level:

1. the total of a year (all models) is rounded half up;
2. the models' totals of that year are rounded so that they add up to (1);
3. each model's recipients are rounded so that they add up to that model's figure in (2);
4. (CSV and JSON) each recipient's lineage rows so that they add up to its figure in (3).

So every figure rfm shows adds up to the figure above it, in the table, the CSV, the JSON, the
workbook (whose hidden *Avrundning* sheet does the same with formulas) and the HTML report, and
the same run with the same ``--round`` shows the same figures in all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from rfm.errors import ConfigError
from rfm.formatting import number
from rfm.money import as_fraction
from rfm.transitions.rounding import UNITS, round_half_up

if TYPE_CHECKING:
    import polars as pl

DEFAULT = "kr"
"""The one default of ``--round`` across the commands."""
MAX_DECIMALS = 3


@attrs.frozen
class Rounding:
    """A unit (kr, tkr, mnkr) and a number of decimals, e.g. ``tkr:1``."""

    unit: str = "kr"
    decimals: int = 0

    @classmethod
    def parse(cls, text: str) -> Rounding:
        """``"tkr"``, ``"mnkr:1"`` (also ``"mnkr,1"``) → a rounding; anything else is an error."""
        match = re.fullmatch(r"\s*([a-z]+)\s*(?:[:,]\s*(\d))?\s*", text or "")
        if not match or match.group(1) not in UNITS:
            raise ConfigError(
                f"--round: expected {', '.join(UNITS)}, optionally with decimals such as tkr:1, "
                f"not {text!r}"
            )
        decimals = int(match.group(2) or 0)
        if decimals > MAX_DECIMALS:
            raise ConfigError(f"--round: at most {MAX_DECIMALS} decimals, not {decimals}")
        return cls(match.group(1), decimals)

    @property
    def step(self) -> Fraction:
        """The size in kronor of one rounded step: 1000 for tkr, 100 for tkr:1."""
        return Fraction(UNITS[self.unit], 10**self.decimals)

    @property
    def divisor(self) -> int:
        """Kronor per unit: 1, 1 000 or 1 000 000."""
        return UNITS[self.unit]

    def __str__(self) -> str:
        return self.unit if not self.decimals else f"{self.unit}:{self.decimals}"

    def steps(self, value: Any) -> int:
        """One amount rounded on its own (half up), in steps."""
        return round_half_up(exact(value) / self.step)

    def value(self, steps: int) -> float:
        """The number shown for ``steps``, in the unit: 12 345 steps of tkr:1 → 1234.5."""
        return steps / (10.0**self.decimals)

    def values(self, steps: pl.Series) -> pl.Series:
        """A column of steps as the numbers shown: 1447 steps of mnkr:1 → 144.7.

        Divided in Python, one value at a time: Polars divides a column by a constant as a
        multiplication by its reciprocal, which writes 1447 / 10 as 144.70000000000002 in a
        CSV or JSON file.
        """
        import polars as pl

        if not self.decimals:
            return steps
        scale = 10**self.decimals
        return pl.Series(
            steps.name,
            [None if s is None else s / scale for s in steps.to_list()],
            dtype=pl.Float64,
        )

    def text(self, steps: int) -> str:
        """``12345`` steps of tkr:1 → ``"1 234,5"``."""
        return number(self.value(steps), self.decimals)

    def format_code(self) -> str:
        """An Excel number format showing a value in this unit's numbers: ``#,##0.0``."""
        return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")


def exact(value: Any) -> Fraction:
    """An amount as an exact fraction: a Decimal as written, a float as the decimal it prints
    as (11 511,5, not the binary 11 511,4999…). A missing amount is an error, never 0."""
    if value is None:
        raise ConfigError("an amount to round is missing")
    if isinstance(value, Decimal | int | Fraction):
        return Fraction(value)
    as_float = float(value)
    if not math.isfinite(as_float):
        raise ConfigError(f"cannot round the amount {value!r}")
    return as_fraction(as_float)


def allocate(parts: Sequence[Fraction], target: int) -> list[int]:
    """Round ``parts`` (in steps) to integers that sum to ``target``: floors, then the units
    still missing to the largest remainders (ties to the earlier part), as
    :func:`rfm.transitions.rounding.largest_remainder` does."""
    floors = [math.floor(p) for p in parts]
    short = target - sum(floors)
    if not parts:
        return []
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    result = list(floors)
    step = 1 if short >= 0 else -1
    if step < 0:
        order = order[::-1]
    for k in range(abs(short)):
        result[order[k % len(parts)]] += step
    return result


def nested(
    frame: pl.DataFrame,
    levels: Sequence[Sequence[str]],
    rounding: Rounding,
    value: str = "amount",
    *,
    with_exact: bool = True,
    rows_last: bool = False,
) -> list[pl.DataFrame]:
    """Sum ``value`` by each level's keys and round every level to add up to the one above.

    ``rows_last``: the finest level's keys name each row once (a row number), so its sums are
    the rows themselves and are not grouped.

    ``levels`` go from coarse to fine, each extending the one before (``[["year"], ["year",
    "model"], ["year", "model", "recipient"]]``). Returns one frame per level with its keys,
    ``exact`` (the exact sum as a float; left empty with ``with_exact=False``, for a caller
    that needs only the figures) and ``steps`` (the rounded figure, an integer number of
    ``rounding.step``). Within a parent the parts are ordered by their keys, so ties go the same
    way every time (and the same way as the workbook's formulas, which list them in that order).

    Exact amounts (the lineage's decimals) are rounded in Polars on their integer number of
    10⁻¹² kronor, so a million rows take a fraction of a second; other columns (floats) go the
    way of :func:`nested_exact`, which is the same rule written out in fractions, row by row.
    """
    import polars as pl

    units_per_step = rounding.step * 10**_SCALE
    dtype = frame.schema[value]
    if not (isinstance(dtype, pl.Decimal) and dtype.scale == _SCALE) or (
        units_per_step.denominator != 1
    ):
        return nested_exact(frame, levels, rounding, value)
    if frame[value].null_count():
        raise ConfigError("an amount to round is missing")
    step = pl.lit(int(units_per_step), dtype=pl.Int128)
    finest = list(levels[-1])
    ranks = {k: f"_rank_{i}" for i, k in enumerate(finest)}
    base = frame.select(
        *finest, pl.col(value).to_physical().alias("_units"),
        *[_natural_rank(frame[k]).alias(ranks[k]) for k in finest],
    )  # fmt: skip
    out: list[pl.DataFrame] = []
    parent: pl.DataFrame | None = None
    parent_keys: list[str] = []
    for depth, keys in enumerate(map(list, levels)):
        by_rank = [ranks[k] for k in keys]
        grouped = (
            base
            if rows_last and depth == len(levels) - 1
            else base.group_by(keys).agg(
                pl.col("_units").sum(), *[pl.col(r).first() for r in by_rank]
            )
        )
        sums = grouped.sort(by_rank).with_row_index("_order")
        _check_countable(sums["_units"].abs().max(), int(units_per_step), rounding)
        floor = pl.col("_units") // step
        remainder = pl.col("_units") - floor * step
        if parent is None:  # half up; a negative half away from zero, as round_half_up
            half = remainder * 2
            up = (half > step) | ((half == step) & (pl.col("_units") >= 0))
            sums = sums.with_columns((floor + up.cast(pl.Int128)).cast(pl.Int64).alias("steps"))
        else:
            # Largest remainder within each parent: everyone gets its floor and q more, and
            # the r largest remainders (ties to the part first in order) one more still,
            # where q, r = divmod(parent's steps − Σ floors, number of parts).
            sums = (
                sums.join(
                    parent.select(*parent_keys, "_parent"),
                    on=parent_keys,
                    how="left",
                    nulls_equal=True,  # a missing key is a part of its parent as any other
                )
                .with_columns(floor.cast(pl.Int64).alias("_floor"), remainder.alias("_remainder"))
                .sort(
                    [*parent_keys, "_remainder", "_order"],
                    descending=[*[False] * len(parent_keys), True, False],
                )
                .with_columns(
                    (pl.col("_parent") - pl.col("_floor").sum().over(parent_keys)).alias("_short"),
                    pl.len().over(parent_keys).cast(pl.Int64).alias("_n"),
                    pl.int_range(pl.len()).over(parent_keys).alias("_place"),
                )
                .with_columns(
                    (
                        pl.col("_floor")
                        + pl.col("_short").floordiv(pl.col("_n"))
                        + (pl.col("_place") < pl.col("_short").mod(pl.col("_n"))).cast(pl.Int64)
                    ).alias("steps")
                )
                .sort("_order")
            )
        exact: pl.Series | pl.Expr = pl.lit(None)
        if with_exact:  # Python divides the integers correctly rounded
            exact = pl.Series([units / 10**_SCALE for units in sums["_units"].to_list()])
        level = sums.select(*keys, exact.cast(pl.Float64).alias("exact"), "steps")
        out.append(level)
        parent, parent_keys = level.rename({"steps": "_parent"}), keys
    return out


_SCALE = 12
"""The decimals of an exact amount (rfm.contract's Decimal(38, 12))."""
_MOST_STEPS = 2**63 - 2
"""The most steps a rounded figure may have (an Int64, with room for the one a remainder adds)."""


def _check_countable(largest: Any, units_per_step: Any, rounding: Rounding) -> None:
    """Refuse a sum (in 10⁻¹² kr) that has more steps of ``rounding`` than a figure can hold."""
    if largest is not None and Fraction(largest) / Fraction(units_per_step) >= _MOST_STEPS:
        kronor = Fraction(largest) / 10**_SCALE
        raise ConfigError(
            f"--round {rounding}: a sum of {number(float(kronor))} kr is too large to show in "
            f"steps of {number(float(rounding.step), 3)} kr; round to fewer decimals or a larger "
            "unit (tkr, mnkr)"
        )


def _natural_rank(column: pl.Series) -> pl.Series:
    """Each value's place in natural order (:func:`sort_key`), computed on distinct values."""
    import polars as pl

    if column.dtype.is_integer():  # numbers in natural order are in numeric order
        if not column.null_count():
            return (column.rank("dense") - 1).cast(pl.Int64)
        ordered = column.unique().sort(nulls_last=False).to_list()  # a missing key first
    else:
        ordered = sorted(column.unique().to_list(), key=lambda v: sort_key((v,)))
    return column.replace_strict(
        pl.Series(ordered, dtype=column.dtype),
        pl.Series(range(len(ordered))),
        return_dtype=pl.Int64,
    )


def nested_exact(
    frame: pl.DataFrame, levels: Sequence[Sequence[str]], rounding: Rounding, value: str = "amount"
) -> list[pl.DataFrame]:
    """:func:`nested` in fractions, one row at a time: for amounts that are not exact decimals
    (a float is taken as the decimal it prints as), and the reference the tests hold
    :func:`nested` to."""
    import polars as pl

    step = rounding.step
    rows = [
        (tuple(r[:-1]), exact(r[-1]))
        for r in frame.select(*levels[-1], value).iter_rows()  # finest keys, then the value
    ]
    out: list[pl.DataFrame] = []
    parent_steps: dict[tuple[Any, ...], int] = {}
    for depth, keys in enumerate(levels):
        width = len(keys)
        sums: dict[tuple[Any, ...], Fraction] = {}
        for key, amount in rows:
            sums[key[:width]] = sums.get(key[:width], Fraction(0)) + amount
        ordered = sorted(sums, key=sort_key)
        largest = max((abs(v) for v in sums.values()), default=Fraction(0))
        _check_countable(largest * 10**_SCALE, rounding.step * 10**_SCALE, rounding)
        steps: dict[tuple[Any, ...], int] = {}
        if depth == 0:
            steps = {k: round_half_up(sums[k] / step) for k in ordered}
        else:
            parent_width = len(levels[depth - 1])
            groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            for k in ordered:
                groups.setdefault(k[:parent_width], []).append(k)
            for parent, members in groups.items():
                shares = allocate([sums[m] / step for m in members], parent_steps[parent])
                steps.update(zip(members, shares, strict=True))
        parent_steps = steps
        schema = {k: frame.schema[k] for k in keys} | {"exact": pl.Float64, "steps": pl.Int64}
        out.append(
            pl.DataFrame(
                [(*k, float(sums[k]), steps[k]) for k in ordered], schema=schema, orient="row"
            )
        )
    return out


def sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keys in natural order: ``Gruppbostad 2`` before ``Gruppbostad 10``; a missing key
    (None) first, so that it sorts beside numbers as beside text."""
    return tuple(natural(k) if isinstance(k, str) else (-1,) if k is None else (0, k) for k in key)


def natural(text: str) -> tuple[Any, ...]:
    """A sort key that orders the digits in ``text`` as numbers and ignores case."""
    parts = re.split(r"(\d+)", text.casefold())
    return (1, tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts if p), text)


def natural_sorted(values: Sequence[str]) -> list[str]:
    """``["Gruppbostad 10", "Gruppbostad 2"]`` → ``["Gruppbostad 2", "Gruppbostad 10"]``."""
    return sorted(values, key=natural)


def recipient_totals(
    lineage: pl.DataFrame, rounding: Rounding
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Year totals, model totals per year and recipient totals, rounded nested (1–3 above)."""
    year, model, recipient = nested(
        lineage, [["year"], ["year", "model"], ["year", "model", "recipient"]], rounding
    )
    return year, model, recipient


def lineage_steps(lineage: pl.DataFrame, rounding: Rounding) -> pl.Series:
    """Each lineage row's amount rounded so that the rows add up to their recipient (level 4)."""

    indexed = lineage.with_row_index("_row")
    *_, rows = nested(
        indexed,
        [["year"], ["year", "model"], ["year", "model", "recipient"], ["year", "model", "recipient", "_row"]],
        rounding,
        with_exact=False,
        rows_last=True,
    )  # fmt: skip
    return rows.sort("_row").get_column("steps")
