"""Numbers the Swedish way: ``1 234 567``, ``0,05``, ``5 %``. Used in tables and in ``basis``."""

from __future__ import annotations

import math


def number(value: float, decimals: int | None = None) -> str:
    """``1234567.5`` → ``"1 234 567,5"``; trailing zeros trimmed when ``decimals`` is None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    text = f"{value:,.6f}".rstrip("0").rstrip(".") if decimals is None else f"{value:,.{decimals}f}"
    if text in ("-0", "-0.0"):
        text = text[1:]
    return text.replace(",", " ").replace(".", ",")


def kr(value: float) -> str:
    """Whole kronor with spaces between thousands."""
    return number(round(value), 0)


def percent(share: float, decimals: int = 1) -> str:
    """A share as percent: ``0.05`` → ``"5 %"``, ``0.125`` → ``"12,5 %"``."""
    return f"{number(round(share * 100, decimals))} %"
