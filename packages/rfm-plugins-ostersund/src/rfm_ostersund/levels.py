"""Hemtjänst levels from assessed care hours per person and month, with an explicit boundary rule.

Östersund's bands (seed 002 §2.2.2) share their end points: nivå 1 = 1–25 h, nivå 2 = 25–75 h,
nivå 3 = 75–225 h. Where does 25 h go? The rule is a setting, never an accident of ``<`` or ``<=``:

* ``boundary = "lower"`` — a shared end point belongs to the lower band: 25 h is nivå 1,
  25,5 h is nivå 2 (bands are (low, high], the first [low, high]);
* ``boundary = "upper"`` — it belongs to the upper band: 25 h is nivå 2 (bands are [low, high),
  the last [low, high]).

Hours outside every band (below the first low, above the last high) are an error, not a silent 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs
import polars as pl

BOUNDARIES = ("lower", "upper")


@attrs.frozen
class Bands:
    """Contiguous bands ``[(name, low, high), …]`` in increasing order."""

    bands: tuple[tuple[str, float, float], ...]
    boundary: str

    def __attrs_post_init__(self) -> None:
        if self.boundary not in BOUNDARIES:
            raise ValueError(
                f"boundary must be one of {', '.join(BOUNDARIES)}, not {self.boundary!r}"
            )
        if not self.bands:
            raise ValueError("no bands")
        for (_, _lo, hi), (_, next_lo, _) in itertools.pairwise(self.bands):
            if next_lo != hi:
                raise ValueError(
                    f"bands must be contiguous: one ends at {hi}, the next starts at {next_lo}"
                )
        for name, lo, hi in self.bands:
            if not lo < hi:
                raise ValueError(f"band {name}: {lo}–{hi} is empty")

    @property
    def low(self) -> float:
        return self.bands[0][1]

    @property
    def high(self) -> float:
        return self.bands[-1][2]

    def level(self, hours: pl.Expr) -> pl.Expr:
        """The band name for ``hours``; null outside every band."""
        expr: pl.Expr = pl.lit(None, pl.String)
        last = len(self.bands) - 1
        # Build from the last band down, so the first matching band wins.
        for i in range(last, -1, -1):
            name, lo, hi = self.bands[i]
            if self.boundary == "lower":
                inside = (hours > lo) & (hours <= hi) if i else (hours >= lo) & (hours <= hi)
            else:
                inside = (
                    (hours >= lo) & (hours < hi) if i != last else (hours >= lo) & (hours <= hi)
                )
            expr = pl.when(inside).then(pl.lit(name)).otherwise(expr)
        return expr

    def describe(self) -> str:
        parts = []
        last = len(self.bands) - 1
        for i, (name, lo, hi) in enumerate(self.bands):
            if self.boundary == "lower":
                left = "[" if i == 0 else "("
                parts.append(f"{name}: {left}{_n(lo)}, {_n(hi)}] h")
            else:
                right = "]" if i == last else ")"
                parts.append(f"{name}: [{_n(lo)}, {_n(hi)}{right} h")
        return "; ".join(parts)


def bands_from(levels: Sequence[tuple[str, float, float]], boundary: str) -> Bands:
    return Bands(tuple((str(n), float(lo), float(hi)) for n, lo, hi in levels), boundary)


def _n(x: float) -> str:
    return f"{x:g}".replace(".", ",")
