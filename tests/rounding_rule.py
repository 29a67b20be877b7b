"""The rounding rule of ``--round``, written out once more for the tests, independently of
rfm.display_rounding and rfm.frame_buildup, and a reader of rfm's text tables.

The rule (docs/cli.md, "Rounding"): amounts are rounded from their exact values in steps of
the unit (tkr:1 is a step of 100 kr), nested level by level. The top (a year's total) is rounded
half up, a half away from zero. Below it, the parts of each figure are rounded by largest
remainder: each part gets its floor, and the steps still missing go one each to the parts with
the largest remainders, ties to the part first in order (natural order of the names: "Område 2"
before "Område 10").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

UNITS = {"kr": 1, "tkr": 1000, "mnkr": 1_000_000}


def step_of(rounding: str) -> Fraction:
    """``"tkr:1"`` → 100 (kr per step)."""
    unit, _, decimals = rounding.partition(":")
    return Fraction(UNITS[unit], 10 ** int(decimals or 0))


def half_up(x: Fraction) -> int:
    """Nearest integer, a half away from zero: 2,5 → 3; −2,5 → −3."""
    sign = 1 if x >= 0 else -1
    return sign * math.floor(abs(x) + Fraction(1, 2))


def largest_remainder(parts: Sequence[Fraction], target: int) -> list[int]:
    """``parts`` as integers adding up to ``target``: floors, then the rest to the largest
    remainders (ties to the earlier part); a rest larger than the number of parts goes round
    whole first."""
    floors = [math.floor(p) for p in parts]
    whole, rest = divmod(target - sum(floors), len(parts))
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    out = [f + whole for f in floors]
    for i in order[:rest]:
        out[i] += 1
    return out


def natural(text: object) -> tuple[object, ...]:
    """Natural order: digits as numbers."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", str(text)))


def nested(amounts: Mapping[tuple[object, ...], Fraction], step: Fraction) -> dict[tuple, int]:
    """Every prefix of the keys (year; year, model; year, model, recipient …) → its figure in
    steps: the one-element prefixes half up, each deeper one by largest remainder within its
    parent, parts in natural order of their last key."""
    depth = len(next(iter(amounts)))
    sums: dict[tuple, Fraction] = {}
    for key, amount in amounts.items():
        for n in range(1, depth + 1):
            sums[key[:n]] = sums.get(key[:n], Fraction(0)) + amount
    figures = {k: half_up(v / step) for k, v in sums.items() if len(k) == 1}
    for n in range(2, depth + 1):
        children: dict[tuple, list[tuple]] = {}
        for k in sums:
            if len(k) == n:
                children.setdefault(k[:-1], []).append(k)
        for parent, keys in children.items():
            keys.sort(key=lambda k: natural(k[-1]))
            shares = largest_remainder([sums[k] / step for k in keys], figures[parent])
            figures.update(zip(keys, shares, strict=True))
    return figures


def exact(text: object) -> Fraction:
    """An exact amount as rfm writes it in CSV or JSON (digits, never a binary float's
    rounding)."""
    return Fraction(Decimal(str(text)))


def shown(cell: str) -> Fraction:
    """A figure as rfm shows it ("-2 200,2", no-break spaces between digit groups)."""
    return Fraction(Decimal(cell.replace("\u00a0", "").replace(" ", "").replace(",", ".")))


def in_steps(cell: str, rounding: str) -> int:
    """A shown figure in steps of ``rounding``; it must be a whole number of them."""
    unit = UNITS[rounding.partition(":")[0]]
    steps = shown(cell) * unit / step_of(rounding)
    assert steps.denominator == 1, (cell, rounding)
    return int(steps)


def text_tables(output: str) -> list[tuple[list[str], list[list[str]]]]:
    """rfm's text tables in ``output``: (headers, rows), columns as the dashed rule marks them;
    a table ends at a blank line or a line with text between its columns."""
    lines = output.splitlines()
    found = []
    for i in range(1, len(lines)):
        if not re.fullmatch(r"-+( +-+)*", lines[i]):
            continue
        spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[i])]
        rows = []
        for line in lines[i + 1 :]:
            if not line.strip() or not _in_columns(line, spans):
                break
            rows.append(_cells(line, spans))
        found.append((_cells(lines[i - 1], spans), rows))
    return found


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    last = len(spans) - 1
    return [line[a : (b if n < last else None)].strip() for n, (a, b) in enumerate(spans)]


def _in_columns(line: str, spans: list[tuple[int, int]]) -> bool:
    """Blank between the columns: a row of the table."""
    return all(not line[b:a].strip() for (_, b), (a, _) in itertools.pairwise(spans))
