"""Transitions between models: blends, glide paths, caps and floors, and exact rounding."""

from rfm.transitions.glide import linear_shares
from rfm.transitions.limits import limit_changes
from rfm.transitions.rounding import UNITS, largest_remainder, round_half_up, round_to

__all__ = [
    "UNITS",
    "largest_remainder",
    "limit_changes",
    "linear_shares",
    "round_half_up",
    "round_to",
]
