"""Price levels: amounts at fixed prices of a base year, or at current prices by an index.

A tenant states the price level of its kr parameters (``[prices] base_year = 2022``) and the
index that carries them to other years (``index = "pkv"``, a dated parameter). At fixed prices
rfm computes with the parameters as they stand. At current prices each kr rate of year *t* is
multiplied by ``index(t) / index(base_year)``:

* an index in unit ``index`` is a level (PKV 2022 = 100, 2023 = 106,1, …);
* an index in unit ``förändring`` is the change into each year as a share (0,027 = +2,7 %); the
  factor is the product of (1 + change) over the years after the base year up to *t*. A dated
  change holds until the next, so "2 % a year from 2027" is one value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rfm.errors import ConfigError, ParameterError
from rfm.formatting import number
from rfm.money import to_decimal
from rfm.parameters import ParameterSet
from rfm.tenants.tenant import PriceSettings

PRICE_LEVELS = ("fixed", "current")
LEVEL_UNIT = "index"
CHANGE_UNIT = "förändring"


def price_factors(
    settings: PriceSettings, params: ParameterSet, years: Sequence[int]
) -> dict[int, tuple[float, str]]:
    """For each year: the factor from base-year to current prices, and how it was derived."""
    if settings.index is None or settings.base_year is None:
        raise ConfigError(
            "this tenant has no price index: add [prices] base_year and index to compute at "
            "current prices (or use --prices fixed)"
        )
    index = params[settings.index]
    base = int(settings.base_year)

    def level(year: int) -> Decimal:
        """An index level is a fact of its year: the level of 2030 is not 2024's carried on."""
        dated = index.at(year)
        if dated.year != year:
            raise ConfigError(
                f"price index {settings.index!r} has no level for {year} (the latest is from "
                f"{dated.year}); give the level of every year computed at current prices"
            )
        assert dated.value is not None
        return to_decimal(dated.value)

    out = {}
    for year in years:
        if index.unit == LEVEL_UNIT:
            if level(base) <= 0:
                raise ConfigError(
                    f"price index {settings.index!r} is {level(base)} in the base year "
                    f"{base}; an index level must be above 0"
                )
            exact = level(year) / level(base)
            how = (
                f"{settings.index} {number(level(year))} / {number(level(base))} "
                f"({index.at(year).source})"
            )
        elif index.unit == CHANGE_UNIT:
            exact = Decimal(1)
            if year > base:
                for y in range(base + 1, year + 1):
                    exact *= 1 + to_decimal(index.value_at(y))
            else:
                for y in range(year + 1, base + 1):
                    exact /= 1 + to_decimal(index.value_at(y))
            how = (
                f"{settings.index} {base}→{year} ({index.at(max(year, base)).source})"
                if year != base
                else "basåret"
            )
        else:
            raise ParameterError(
                f"price index {settings.index!r} is in {index.unit!r}; expected "
                f"{LEVEL_UNIT!r} (levels) or {CHANGE_UNIT!r} (yearly change as a share)"
            )
        factor = float(exact)  # 106,1 / 100 is 1,061 exactly, not 1,0610000000000002
        if not (0 < factor < float("inf")):
            raise ConfigError(
                f"price index {settings.index!r} gives the factor {factor!r} for {year}; "
                "index levels must be above 0 and yearly changes above −1"
            )
        out[year] = (factor, f"× {number(round(factor, 6))} till {year} års priser: {how}")
    return out
