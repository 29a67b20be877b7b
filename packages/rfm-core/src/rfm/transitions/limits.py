"""Caps and floors on each recipient's change, with the excess redistributed so totals hold.

A new model may move money abruptly. A council often limits the change per recipient against
last year's allocation, "not less than 95 % nor more than 105 %", while the total stays what
was decided. The method: give every recipient its model amount scaled so the total holds; clamp
those outside their bounds to the bound; rescale the others to absorb the difference; repeat
until nobody is outside. It ends after at most one round per recipient.
"""

from __future__ import annotations

from collections.abc import Sequence

from rfm.errors import ModelError


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
    n = len(targets)
    total = sum(targets)
    lower = [
        p * (1 - max_decrease) if p is not None and max_decrease is not None else None
        for p in previous
    ]
    upper = [
        p * (1 + max_increase) if p is not None and max_increase is not None else None
        for p in previous
    ]
    fixed: dict[int, float] = {}
    for _ in range(n + 1):
        free = [i for i in range(n) if i not in fixed]
        remaining = total - sum(fixed.values())
        weight = sum(targets[i] for i in free)
        if not free:
            break
        if weight <= 0:
            share = remaining / len(free)
            result = dict.fromkeys(free, share)
        else:
            result = {i: targets[i] * remaining / weight for i in free}
        over: dict[int, float] = {}
        under: dict[int, float] = {}
        for i, v in result.items():
            hi, lo = upper[i], lower[i]
            if hi is not None and v > hi + 1e-9:
                over[i] = hi
            elif lo is not None and v < lo - 1e-9:
                under[i] = lo
        if not over and not under:
            fixed.update(result)
            break
        # Clamp only the side that is violated most in total, then rescale: this keeps the
        # process monotone and guarantees that it ends.
        excess = sum(result[i] - b for i, b in over.items())
        deficit = sum(b - result[i] for i, b in under.items())
        fixed.update(over if excess >= deficit else under)
    else:  # pragma: no cover - the loop always fixes at least one recipient per round
        raise ModelError("change limits did not converge")
    if len(fixed) < n:
        raise ModelError("change limits could not be met")
    amounts = [fixed[i] for i in range(n)]
    if abs(sum(amounts) - total) > 1e-6 * max(1.0, abs(total)):
        raise ModelError(
            "the caps and floors cannot all hold while the total stays the same: every "
            "recipient is at a bound; widen the limits"
        )
    return amounts
