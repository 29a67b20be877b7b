"""Rounding to kronor or tkr so that the parts still add up: the largest-remainder method.

Rounding each part on its own can make a decided total of 100 000 000 kr come out as 99 999 999
after rounding. The largest-remainder method floors every part, then hands the units still
missing to the parts with the largest remainders, so that the rounded parts sum to the rounded
total, always. Exact arithmetic (``Fraction``) keeps binary floating point out of the decision:
amounts arrive as exact decimals (:mod:`rfm.money`), and a float is read as the decimal it prints
as, so 16 347,5 kr rounds half-up to 16 348 kr, as a budget table rounds it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from rfm.money import as_fraction

Number = float | int | Decimal | Fraction

UNITS = {"kr": 1, "tkr": 1000, "mnkr": 1_000_000}


def round_half_up(value: Number) -> int:
    """Round to the nearest integer, halves away from zero (as Swedish budget tables do)."""
    value = as_fraction(value)
    floor = math.floor(value)
    diff = value - floor
    if diff > Fraction(1, 2) or (diff == Fraction(1, 2) and value >= 0):
        return int(floor + 1)
    return int(floor)


def round_to(value: Number, unit: int = 1) -> int:
    """``value`` kr rounded half-up to whole ``unit`` (1 kr, 1000 = tkr), in that unit."""
    return round_half_up(as_fraction(value) / unit)


def largest_remainder(
    values: Sequence[Number], unit: int = 1, total: Number | None = None
) -> list[int]:
    """Round ``values`` to multiples of ``unit`` so that they sum to the rounded total.

    Args:
        values: the exact parts, in kronor.
        unit: 1 for kronor, 1000 for tkr; the results are in this unit (tkr when 1000).
        total: the total the parts must meet, in kronor; by default the sum of the parts.

    Ties between equal remainders go to the earlier part, so the result is deterministic.
    """
    parts = [as_fraction(v) / unit for v in values]
    exact = as_fraction(total) / unit if total is not None else sum(parts, Fraction(0))
    target = round_half_up(exact)
    floors = [math.floor(p) for p in parts]
    short = target - sum(floors)
    if not parts:
        return []
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    result = list(floors)
    n = len(parts)
    # Usually 0 <= short < n; a given total far from the sum spreads whole units round-robin.
    step = 1 if short >= 0 else -1
    if step < 0:
        order = order[::-1]
    for k in range(abs(short)):
        result[order[k % n]] += step
    return result
