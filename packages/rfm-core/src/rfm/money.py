"""Exact money: amounts are decimals, never binary floating point.

``25,15 kr × 650 = 16 347,50 kr`` exactly, and a budget table rounds it half-up to 16 348. In
binary floating point the product is 16 347,499999999998, which rounds to 16 347: a number
nobody decided. rfm therefore computes every amount as an exact decimal:

* a volume or a rate that a model hands over as a float is read as the shortest decimal that
  the float prints as (``25.15``, not 25,1499999999999985789…) — the number as it was written in
  the tenant file or the data;
* the amount is the product of those two decimals, held as ``rfm.contract.AMOUNT_DTYPE``
  (38 digits, :data:`SCALE` of them after the decimal point), so sums over any number of rows
  are exact;
* rounding to kr, tkr or mnkr happens once, half-up, on these exact values, where a person
  reads the number (:mod:`rfm.transitions.rounding`).

A product with more than :data:`SCALE` decimals (a rate that is itself a quotient, such as a
key's kr per poäng) is rounded to :data:`SCALE` decimals, far below an öre.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

SCALE = 12
"""Decimals kept in an amount (10⁻¹² kr); the Polars type is ``rfm.contract.AMOUNT_DTYPE``."""
LIMIT = 10**15
"""The largest volume, rate or amount rfm computes with (a million mdkr); beyond it is an error."""


def to_decimal(value: float | int | Decimal | Fraction) -> Decimal:
    """One number as the exact decimal it prints as (``25.15`` → ``Decimal("25.15")``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a truth value is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not an amount")
    return Decimal(repr(float(value)))


def as_fraction(value: float | int | Decimal | Fraction) -> Fraction:
    """An exact fraction of ``value`` read as the decimal it prints as (for rounding)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(to_decimal(value))


def decimal_text(value: Decimal | float | int) -> str:
    """An amount as plain text without trailing zeros or exponent: ``16347.5``, ``-12``, ``0``."""
    d = to_decimal(value)
    if d == 0:
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
