"""Caps and floors on each recipient's change, with the excess redistributed so totals hold.

A new model may move money abruptly. A council often limits the change per recipient against
last year's allocation, "not less than 95 % nor more than 105 %", while the total stays what
was decided. The method: give every recipient its model amount scaled so the total holds; clamp
those outside their bounds to the bound; rescale the others to absorb the difference; repeat
until nobody is outside. It ends after at most one round per recipient.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from rfm.errors import ModelError
from rfm.money import as_fraction

Number = float | int | Decimal | Fraction


def limit_changes(
    targets: Sequence[float],
    previous: Sequence[float | None],
    max_increase: float | None,
    max_decrease: float | None,
) -> list[float]:
    """Amounts with Σ = Σ targets, each within its bounds around ``previous``.

    Args:
        targets: the amounts the model gives, one per recipient (all ≥ 0).
        previous: last allocation per recipient; ``None`` for a recipient without one (no bound).
        max_increase: the largest allowed rise as a share (0.05 = +5 %), or None for no cap.
        max_decrease: the largest allowed fall as a share (0.05 = −5 %), or None for no floor.
    """
    exact = limit_changes_exact(targets, previous, max_increase, max_decrease)
    return [float(v) for v in exact]


def limit_changes_exact(
    targets: Sequence[Number],
    previous: Sequence[Number | None],
    max_increase: Number | None,
    max_decrease: Number | None,
) -> list[Fraction]:
    """:func:`limit_changes` in exact fractions of the decimals given (a cap of 1 999 900 kr
    × 1,035 is 2 069 896,50 kr, not 2 069 896,4999…)."""
    n = len(targets)
    goal = [as_fraction(t) for t in targets]
    before = [None if p is None else as_fraction(p) for p in previous]
    inc = None if max_increase is None else as_fraction(max_increase)
    dec = None if max_decrease is None else as_fraction(max_decrease)
    total = sum(goal, Fraction(0))
    lower = [p * (1 - dec) if p is not None and dec is not None else None for p in before]
    upper = [p * (1 + inc) if p is not None and inc is not None else None for p in before]
    fixed: dict[int, Fraction] = {}
    for _ in range(n + 1):
        free = [i for i in range(n) if i not in fixed]
        remaining = total - sum(fixed.values(), Fraction(0))
        weight = sum((goal[i] for i in free), Fraction(0))
        if not free:
            break
        if weight <= 0:
            share = remaining / len(free)
            result = dict.fromkeys(free, share)
        else:
            result = {i: goal[i] * remaining / weight for i in free}
        over: dict[int, Fraction] = {}
        under: dict[int, Fraction] = {}
        for i, v in result.items():
            hi, lo = upper[i], lower[i]
            if hi is not None and v > hi:
                over[i] = hi
            elif lo is not None and v < lo:
                under[i] = lo
        if not over and not under:
            fixed.update(result)
            break
        # Clamp only the side that is violated most in total, then rescale: this keeps the
        # process monotone and guarantees that it ends.
        excess = sum((result[i] - b for i, b in over.items()), Fraction(0))
        deficit = sum((b - result[i] for i, b in under.items()), Fraction(0))
        fixed.update(over if excess >= deficit else under)
    else:  # pragma: no cover - the loop always fixes at least one recipient per round
        raise ModelError("change limits did not converge")
    if len(fixed) < n:
        raise ModelError("change limits could not be met")
    amounts = [fixed[i] for i in range(n)]
    if sum(amounts, Fraction(0)) != total:
        raise ModelError(
            "the caps and floors cannot all hold while the total stays the same: every "
            "recipient is at a bound; widen the limits"
        )
    return amounts
