"""A guard: no money input is filled with 0 outside the declared-gap path (rfm.coverage).

``fill_null(0)`` on a volume or a rate is how a missing row became 0 kr. This test reads the
source of every package and fails on a ``fill_null`` with 0 or 1 (or a zero decimal), except in
the places listed here with the reason it is not a missing input.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "packages"
ZERO_FILL = re.compile(r"fill_null\(\s*(0|0\.0|1|1\.0|none|_ZERO|pl\.lit\(0)")
ALLOWED = {
    ("rfm-core/src/rfm/frame_buildup.py", 'pl.col("volume", "rate", "amount", "volume_prev", "amount_prev").fill_null(none)'):
        "a row of only one of two years had nothing in the other: the arithmetic of a change",
    ("rfm-core/src/rfm/frame_buildup.py", 'pl.col("volume", "rate_change", "additions", "savings").fill_null(_ZERO)'):
        "a programområde without a model or without items has nothing of that step",
}  # fmt: skip


def test_no_money_input_is_filled_with_zero_outside_declared_gaps():
    found = []
    for path in sorted(ROOT.glob("*/src/**/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line in path.read_text(encoding="utf-8").splitlines():
            if ZERO_FILL.search(line) and (rel, line.strip().rstrip(",")) not in ALLOWED:
                found.append(f"{rel}: {line.strip()}")
    assert not found, "fill_null with 0 outside the declared-gap path:\n" + "\n".join(found)


def test_the_guard_sees_a_zero_fill():
    assert ZERO_FILL.search('pl.col("volume").fill_null(0.0)')
    assert ZERO_FILL.search("x.fill_null(0)")
