"""Hemtjänst levels from assessed care hours per person and month, with an explicit boundary rule.

Östersund's bands (seed 002 §2.2.2) share their end points: nivå 1 = 1–25 h, nivå 2 = 25–75 h,
nivå 3 = 75–225 h. Where does 25 h go? The rule is a setting, never an accident of ``<`` or ``<=``:

* ``boundary = "lower"`` — a shared end point belongs to the lower band: 25 h is nivå 1,
  25,5 h is nivå 2 (bands are (low, high], the first [low, high]);
* ``boundary = "upper"`` — it belongs to the upper band: 25 h is nivå 2 (bands are [low, high),
  the last [low, high]).

Hours outside every band (below the first low, above the last high) are an error, not a silent 0.
The levels are the core's classification (``rfm.Levels``, the same thresholds a ``rate_table``
model classifies with); ``care_hour_levels`` is that classification with Östersund's schablon
hours per level.
"""

from __future__ import annotations

from collections.abc import Sequence

import rfm

BOUNDARIES = ("lower", "upper")
Bands = rfm.Levels


def bands_from(
    levels: Sequence[tuple[str, float, float]], boundary: str, where: str = "levels"
) -> rfm.Levels:
    """Checked levels (contiguous, increasing, a known boundary rule) as the core keeps them."""
    return rfm.levels_from(
        [(str(n), float(lo), float(hi)) for n, lo, hi in levels], boundary, where
    )
