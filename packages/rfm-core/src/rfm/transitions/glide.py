"""Glide paths: the share of a new model rising year by year until it is the whole.

Stockholm moved its ekonomiskt bistånd key in one step (70 % new, 30 % old for one year, then
100 % new). Others phase in over several years. Either is a dated ``new_share`` parameter; this
module writes the even steps of a linear glide so nobody types them by hand.
"""

from __future__ import annotations

from fractions import Fraction

from rfm.errors import ConfigError


def linear_shares(first_year: int, full_year: int) -> dict[int, float]:
    """New-model shares rising evenly from ``first_year`` to 1.0 in ``full_year``.

    >>> linear_shares(2024, 2027)
    {2024: 0.25, 2025: 0.5, 2026: 0.75, 2027: 1.0}
    """
    if full_year < first_year:
        raise ConfigError(
            f"a glide path must end ({full_year}) at or after it starts ({first_year})"
        )
    steps = full_year - first_year + 1
    return {first_year + i: float(Fraction(i + 1, steps)) for i in range(steps)}
