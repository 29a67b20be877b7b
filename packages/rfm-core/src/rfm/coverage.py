"""The grid: every cell a model pays gets a volume the data gives, or a gap the tenant declared.

A model pays recipients × budget years × components. Before any amount exists, rfm knows which
cells must be there — every area the data names (or the area mapping sends to a recipient) in
every data year a budget year needs, every band or category the model prices, every age of
every band — and checks that the data gives each one. A cell without a row is not 0 inhabitants
or 0 insatser: it is a number nobody decided, and the run stops with one error that lists every
such cell.

Where a missing row does mean zero (LSS statistics that leave out insatser nobody has), the
tenant says so, with a reason, on the dataset or the model::

    [data.insatser]
    gaps = { means = "zero", reason = "Statistiken redovisar inte insatser utan brukare" }

and every lineage row a declared gap touches says so in its basis. Inline counts in a tenant file
are facts of their year; ``gaps = { means = "previous", reason = "…" }`` on the model is the
explicit way to let last year's count stand for a year without one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from rfm.config import check_keys, get_str
from rfm.errors import ConfigError, ModelError
from rfm.schemas.age import OPEN_END, age_bounds

GAP_MEANINGS = {
    "zero": "räknas som 0",
    "previous": "föregående års värde gäller",
    "no_limit": "ingen begränsning",
}
"""What a declared gap may mean, and how the basis says it."""
SHOWN = 12
"""How many missing cells an error lists before it counts the rest."""


@attrs.frozen
class GapRule:
    """What the tenant declared a missing row to mean, and why."""

    means: str
    reason: str

    def note(self, what: str = "saknas i data") -> str:
        """The words a lineage row's basis gets when this rule filled it."""
        return f"{what}; {GAP_MEANINGS[self.means]} enligt tenantfilen ({self.reason})"


def parse_gaps(raw: Any, where: str, allowed: Sequence[str] = ("zero",)) -> GapRule | None:
    """``gaps = { means = "zero", reason = "…" }`` as a :class:`GapRule` (None when absent)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f'{where}.gaps: expected {{ means = "zero", reason = "why a missing row means 0" }}'
        )
    check_keys(raw, f"{where}.gaps", allowed=(), required=("means", "reason"))
    means = get_str(raw, "means", f"{where}.gaps")
    if means not in allowed:
        raise ConfigError(
            f"{where}.gaps.means: {means!r} is not what a gap can mean here; "
            f"expected {' or '.join(map(repr, allowed))}"
        )
    reason = get_str(raw, "reason", f"{where}.gaps").strip()
    if not reason:
        raise ConfigError(f"{where}.gaps.reason: say why a missing row means {means}")
    return GapRule(means, reason)


def describe_cells(missing: pl.DataFrame, describe: Any) -> str:
    """The first :data:`SHOWN` missing cells, one per line, and how many more there are."""
    lines = [f"  - {describe(r)}" for r in missing.head(SHOWN).iter_rows(named=True)]
    if missing.height > SHOWN:
        lines.append(f"  … and {missing.height - SHOWN} more")
    return "\n".join(lines)


def missing_cells_error(
    where: str,
    what: str,
    missing: pl.DataFrame,
    describe: Any,
    hint: str,
) -> ModelError:
    """One error naming every missing cell (the first ones, and a count)."""
    n = missing.height
    return ModelError(
        f"{where}: {what} for {n} cell{'s' * (n != 1)}:\n"
        f"{describe_cells(missing, describe)}\n{hint}"
    )


GAP_HINT = (
    'If a missing row means 0 here, say so: gaps = { means = "zero", reason = "…" } on the '
    "[data.…] table or the model."
)


def age_intervals(frame: pl.DataFrame, column: str = "age") -> pl.DataFrame:
    """``frame`` with ``_lo`` and ``_hi``, the first and last age of each row's label.

    The labels are parsed once each (a population has about a hundred distinct labels and
    hundreds of thousands of rows), then joined back.
    """
    labels = frame.select(pl.col(column).unique())
    low, high = age_bounds(column)
    bounds = labels.with_columns(low.alias("_lo"), high.alias("_hi"))
    return frame.join(bounds, on=column, how="left")


def band_cover(
    rows: pl.DataFrame,
    bands: Mapping[str, tuple[int, int]],
    by: Sequence[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Which rows lie in which band, and which (cell, band) pairs the rows do not tile.

    ``rows`` carry ``_lo``/``_hi`` (see :func:`age_intervals`) and the columns ``by`` (area,
    year, sex …). Rows never overlap (the population schema refuses that), so the ages of a band
    are all there exactly when the rows inside it add up to its width. Returns the rows with
    their ``component`` (band), and the incomplete cells with the ages they lack (``_missing``).
    A row that straddles a band's edge is an error of the caller's.
    """
    table = pl.DataFrame(
        {
            "component": list(bands),
            "_band_lo": [b[0] for b in bands.values()],
            "_band_hi": [b[1] for b in bands.values()],
        },
        schema={"component": pl.String, "_band_lo": pl.Int64, "_band_hi": pl.Int64},
    )
    # Bands are found for the distinct age intervals (a hundred or so), then joined to the rows.
    intervals = rows.select("_lo", "_hi").unique()
    placed = intervals.join(table, how="cross").filter(
        (pl.col("_lo") >= pl.col("_band_lo")) & (pl.col("_hi") <= pl.col("_band_hi"))
    )
    inside = rows.join(placed.select("_lo", "_hi", "component"), on=["_lo", "_hi"], how="inner")
    cells = rows.select(*by).unique()
    widths = inside.group_by(*by, "component").agg(
        (pl.col("_hi") - pl.col("_lo") + 1).sum().alias("_width")
    )
    expected = cells.join(table, how="cross").join(widths, on=[*by, "component"], how="left")
    short = expected.filter(
        pl.col("_width").is_null()
        | (pl.col("_width") < pl.col("_band_hi") - pl.col("_band_lo") + 1)
    )
    if short.height:  # which ages each short cell lacks (a rare path: the rows of those cells)
        ranges = (
            inside.join(short.select(*by, "component"), on=[*by, "component"], how="semi")
            .group_by(*by, "component")
            .agg(pl.concat_list("_lo", "_hi").alias("_ranges"))
        )
        short = short.join(ranges, on=[*by, "component"], how="left").with_columns(
            pl.struct("_band_lo", "_band_hi", "_ranges")
            .map_elements(_missing_ages, return_dtype=pl.String)
            .alias("_missing")
        )
    return inside, short


def _missing_ages(cell: dict[str, Any]) -> str:
    """``"79, 95–99"``: the ages of a band that no row covers."""
    covered: set[int] = set()
    for lo, hi in cell["_ranges"] or []:
        covered.update(range(lo, hi + 1))
    lacking = [a for a in range(cell["_band_lo"], cell["_band_hi"] + 1) if a not in covered]
    spans: list[str] = []
    start = prev = None
    for age in [*lacking, None]:
        if age is not None and prev is not None and age == prev + 1:
            prev = age
            continue
        if start is not None and prev is not None:
            end = "+" if prev == OPEN_END else f"–{prev}"
            spans.append(str(start) if start == prev else f"{start}{end}")
        start = prev = age
    return ", ".join(spans)
