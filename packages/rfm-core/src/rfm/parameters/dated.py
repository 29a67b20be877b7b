"""Dated parameters: a value takes effect from a budget year and holds until the next one.

This is how allocation models are decided: KF fixes "5 % uplift from budget 2023", and that
stands until a later decision changes it. Each value carries its source (the decision, or the
published table it came from), so every amount rfm computes can be traced back to it. A value of
``None`` ends the parameter from that year on (as in OpenFisca's parameter files).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from rfm.errors import ParameterError

MIN_YEAR = 1900
MAX_YEAR = 2200


def _check_year(instance: object, attribute: attrs.Attribute[int], year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ParameterError(
            f"a budget year must be an integer {MIN_YEAR}–{MAX_YEAR}, not {year!r}"
        )


@attrs.frozen
class DatedValue:
    """One decided value: in force from budget year ``year`` until the next dated value."""

    year: int = attrs.field(validator=_check_year)
    value: float | None
    source: str

    def __attrs_post_init__(self) -> None:
        if not self.source or not self.source.strip():
            raise ParameterError(f"the value from {self.year} has no source")


def _by_year(values: Iterable[DatedValue]) -> tuple[DatedValue, ...]:
    return tuple(sorted(values, key=lambda v: v.year))


@attrs.frozen
class Parameter:
    """A named, dated series of values in one unit, each value with its source.

    >>> p = Parameter("ifo.uplift", "andel", (DatedValue(2019, 0.10, "KF 2018"),
    ...                                        DatedValue(2023, 0.05, "KF 2022")))
    >>> p.value_at(2022), p.value_at(2030)
    (0.1, 0.05)
    """

    key: str
    unit: str
    values: tuple[DatedValue, ...] = attrs.field(converter=_by_year)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.key:
            raise ParameterError("a parameter needs a key")
        if not self.unit or not self.unit.strip():
            raise ParameterError(f"parameter {self.key!r} has no unit")
        if not self.values:
            raise ParameterError(f"parameter {self.key!r} has no values")
        years = [v.year for v in self.values]
        if len(set(years)) != len(years):
            raise ParameterError(f"parameter {self.key!r} has two values for the same year")

    def at(self, year: int) -> DatedValue:
        """The dated value in force in budget ``year``; an error if none is."""
        found: DatedValue | None = None
        for dated in self.values:
            if dated.year <= year:
                found = dated
            else:
                break
        if found is None or found.value is None:
            first = self.values[0].year
            why = f"its first value is from {first}" if found is None else "it ended before"
            raise ParameterError(f"parameter {self.key!r} has no value for {year} ({why})")
        return found

    def value_at(self, year: int) -> float:
        """The number in force in budget ``year``."""
        value = self.at(year).value
        assert value is not None  # at() refuses ended values
        return value

    def merged_with(self, override: Parameter) -> Parameter:
        """This parameter with ``override``'s dated values laid over it, year by year.

        A value for a year the base also has replaces it; a value for a new year is added. The
        units must agree: an override cannot silently change kr into tkr.
        """
        if override.unit != self.unit:
            raise ParameterError(
                f"override of {self.key!r} is in {override.unit!r}, but the parameter is in "
                f"{self.unit!r}"
            )
        by_year = {v.year: v for v in self.values}
        by_year.update({v.year: v for v in override.values})
        return attrs.evolve(
            self,
            values=tuple(by_year.values()),
            description=override.description or self.description,
        )

    def years(self) -> list[int]:
        """The years in which a value takes effect."""
        return [v.year for v in self.values]


def constant(key: str, unit: str, value: float, year: int, source: str) -> Parameter:
    """A parameter with a single value in force from ``year`` on."""
    return Parameter(key, unit, (DatedValue(year, value, source),))


def series(
    key: str, unit: str, values: Iterable[tuple[int, float | None]], source: str
) -> Parameter:
    """A parameter from (year, value) pairs that share one source."""
    return Parameter(key, unit, tuple(DatedValue(y, v, source) for y, v in values))
