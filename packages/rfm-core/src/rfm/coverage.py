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
from rfm.schemas.age import OPEN_END, labels_apart

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


def band_sums(
    rows: pl.DataFrame,
    labels: pl.DataFrame,
    bands: Mapping[str, tuple[int, int]],
    by: Sequence[str],
    sums: Sequence[str] = ("count",),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows summed per cell and band, and the (cell, band) pairs whose rows do not tile it.

    ``rows`` have the columns ``by`` (area, year, sex …), ``age`` and ``sums``; ``labels`` are
    their distinct age labels with ``_lo``/``_hi`` (:func:`rfm.schemas.age.age_labels`). Bands
    do not overlap and rows of a cell never do (the population schema refuses that), so the ages
    of a band are all there exactly when the widths of the cell's rows inside it add up to the
    band's width. When the distinct labels inside each band tile it without overlapping one
    another (single years 65 … 79, or 65-69 … 75-79 everywhere), that is simpler still: a cell
    has the whole band when it has a row for each of those labels, and the rows are counted, not
    their widths looked up. A row counts in the band that holds its whole age group (a group straddling an
    edge is the caller's error); rows in no band are left out.

    Returns ``by``, ``component`` (the band) and the sums for every cell and band with rows,
    and the cells whose band has rows but not all its ages, with the ages they lack
    (``_missing``). A cell without any row in a band is not among them: the volumes' grid
    names it as a missing cell.
    """
    table = pl.DataFrame(
        {
            "component": list(bands),
            "_band_lo": [b[0] for b in bands.values()],
            "_band_hi": [b[1] for b in bands.values()],
        },
        schema={"component": pl.String, "_band_lo": pl.Int64, "_band_hi": pl.Int64},
    )
    placed = (
        labels.join(table, how="cross")
        .filter((pl.col("_lo") >= pl.col("_band_lo")) & (pl.col("_hi") <= pl.col("_band_hi")))
        .with_columns((pl.col("_hi") - pl.col("_lo") + 1).alias("_width"))
    )
    tiles = table.join(
        placed.group_by("component").agg(pl.len().alias("_labels"), pl.col("_width").sum()),
        on="component",
        how="left",
    )
    by_count = (
        labels_apart(placed)
        and tiles.select(
            (pl.col("_width") == pl.col("_band_hi") - pl.col("_band_lo") + 1).fill_null(False).all()
        ).item()
    )
    age = pl.col("age")
    if placed.height == 0:  # no age group lies in any band: nothing to sum (every cell missing)
        summed = rows.head(0).select(*by, pl.lit(None, pl.String).alias("component"), *sums)
        return summed, summed.head(0)
    inside = rows
    if placed.height < labels.height:
        inside = rows.filter(age.is_in(placed["age"].implode()))
    if table.height == 1:
        band = pl.lit(table.item(0, "component"), pl.String)
    else:
        band = age.replace_strict(placed["age"], placed["component"], return_dtype=pl.String)
    if by_count:
        inside = inside.with_columns(band.alias("component"))
        have, need = pl.len(), pl.col("_labels")
    else:
        width = age.replace_strict(placed["age"], placed["_width"], return_dtype=pl.Int64)
        inside = inside.with_columns(band.alias("component"), width.alias("_w"))
        have, need = pl.col("_w").sum(), pl.col("_band_hi") - pl.col("_band_lo") + 1
    summed = inside.group_by(*by, "component").agg(
        *[pl.col(c).sum() for c in sums], have.alias("_have")
    )
    short = (
        summed.select(*by, "component", "_have")
        .join(tiles, on="component", how="left")
        .filter(pl.col("_have") < need)
    )
    if short.height:  # which ages each short cell lacks (a rare path: the rows of those cells)
        ranges = (
            rows.join(placed.select("age", "_lo", "_hi", "component"), on="age", how="inner")
            .join(short.select(*by, "component"), on=[*by, "component"], how="semi")
            .group_by(*by, "component")
            .agg(pl.concat_list("_lo", "_hi").alias("_ranges"))
        )
        short = short.join(ranges, on=[*by, "component"], how="left").with_columns(
            pl.struct("_band_lo", "_band_hi", "_ranges")
            .map_elements(_missing_ages, return_dtype=pl.String)
            .alias("_missing")
        )
    return summed.drop("_have"), short


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
