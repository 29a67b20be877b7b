"""Age labels as Swedish statistics write them: ``85``, ``80-89``, ``80–89``, ``90+``, ``80-w``,
``90 eller äldre``.

A population row may be one year of age (``85``) or an age group (``80-89``); an open group
(``90+``, ``90-w``: "90 and older") runs to :data:`OPEN_END`. The same syntax names the bands of an
``age_bands`` model, so a file by age group and a model by band meet without conversion.
"""

from __future__ import annotations

import re

import polars as pl

from rfm.errors import ConfigError
from rfm.frame_memo import distinct

OPEN_END = 130
_OLDER = r"(?:år\s*)?(?:eller|och)\s+äldre"
AGE_PATTERN = r"^\s*[0-9]{1,3}\s*(?:(?:[-–]\s*(?:[0-9]{1,3}|w))|\+|" + _OLDER + r")?\s*(?:år)?\s*$"
_AGE = re.compile(
    r"^\s*([0-9]{1,3})\s*(?:(?:[-–]\s*([0-9]{1,3}|w))|(\+|" + _OLDER + r"))?\s*(?:år)?\s*$"
)


def parse_age_label(label: str, where: str = "age") -> tuple[int, int]:
    """``"80-89"`` → ``(80, 89)``; ``"90+"`` → ``(90, 130)``; ``"85"`` → ``(85, 85)``."""
    match = _AGE.match(str(label))
    if not match:
        raise ConfigError(f"{where}: {label!r} is not an age or age group (85, 80-89, 90+)")
    low = int(match.group(1))
    if match.group(3) or match.group(2) == "w":
        high = OPEN_END
    elif match.group(2):
        high = int(match.group(2))
    else:
        high = low
    if high < low:
        raise ConfigError(f"{where}: age group {label!r} ends before it starts")
    if high > OPEN_END:
        raise ConfigError(
            f"{where}: age group {label!r} goes beyond {OPEN_END}; write an open group such as "
            '"90+" for the oldest'
        )
    return low, high


def age_bounds(column: str) -> tuple[pl.Expr, pl.Expr]:
    """Expressions giving the first and last age of each label in ``column``."""
    text = pl.col(column).cast(pl.String).str.strip_chars().str.replace("–", "-", literal=True)
    low = text.str.extract(r"^([0-9]{1,3})", 1).cast(pl.Int64)
    upper = text.str.extract(r"-\s*([0-9]{1,3})\s*(?:år)?$", 1).cast(pl.Int64)
    is_open = text.str.contains(r"(\+|-\s*w|äldre)\s*(?:år)?$")
    high = pl.when(is_open).then(pl.lit(OPEN_END, pl.Int64)).otherwise(pl.coalesce(upper, low))
    return low, high


def age_labels(frame: pl.DataFrame, column: str = "age") -> pl.DataFrame:
    """The distinct labels of ``column`` with ``_lo`` and ``_hi``, the first and last age of each
    (null for a label that is no age).

    A population has about a hundred distinct labels and hundreds of thousands of rows: every
    question about ages (which band, how wide, does it straddle an edge, do two overlap) is
    asked of the labels.
    """
    low, high = age_bounds(column)
    return distinct(frame, column).to_frame().with_columns(low.alias("_lo"), high.alias("_hi"))


def labels_apart(labels: pl.DataFrame) -> bool:
    """True when no two labels (rows with ``_lo`` and ``_hi``) share an age: ``65-79`` and
    ``70`` do, and so do ``065`` and ``65``."""
    ordered = labels.sort("_lo")
    return bool(
        ordered.select(
            (pl.col("_lo") > pl.col("_hi").cum_max().shift(1)).fill_null(True).all()
        ).item()
    )
