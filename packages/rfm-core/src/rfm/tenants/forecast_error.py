"""How uncertain a tenant's population forecast is: the ``[simulation]`` table of a tenant file.

    [simulation]
    dataset = "population"          # the population dataset whose forecast is uncertain
    first_forecast_year = 2024      # the first budget year whose volume is a forecast
    size_reference = 10000          # inhabitants at which σ applies as written
    size_elasticity = 0.25          # σ scales with (size_reference ÷ inhabitants)^elasticity
    correlation = 0.5               # share of each year's error common to all age groups
    source = "…"                    # where the error sizes come from
    [simulation.sigma]              # σ per year of horizon, by age group (log scale)
    "0-19" = 0.010
    "20-64" = 0.008
    "65-79" = 0.004
    "80+" = 0.008

The age groups must cover every age from 0 up, without overlap. :mod:`rfm.simulation` explains
the stochastic model; ``docs/simulation.md`` explains it to an economist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from rfm.config import check_keys, get_number, get_str, get_table
from rfm.errors import ConfigError
from rfm.schemas.age import OPEN_END, parse_age_label

KEYS = (
    "dataset",
    "first_forecast_year",
    "size_reference",
    "size_elasticity",
    "correlation",
    "source",
    "sigma",
)


@attrs.frozen
class AgeGroupError:
    """The forecast error of one age group: σ per year of horizon on the log scale."""

    label: str
    low: int
    high: int
    sigma: float


@attrs.frozen
class ForecastError:
    """The parameters of the forecast-error model (see module docstring)."""

    dataset: str
    first_forecast_year: int
    groups: tuple[AgeGroupError, ...]
    correlation: float
    size_reference: float
    size_elasticity: float
    source: str

    def horizon(self, year: int) -> int:
        """Years of forecast behind budget year ``year`` (0: the volume is observed)."""
        return max(0, year - self.first_forecast_year + 1)


def parse_forecast_error(table: Mapping[str, Any], where: str) -> ForecastError:
    """The ``[simulation]`` table, checked: known keys, σ ≥ 0, groups that cover every age."""
    check_keys(
        table, where, allowed=KEYS, required=("dataset", "first_forecast_year", "sigma", "source")
    )
    first = table["first_forecast_year"]
    if isinstance(first, bool) or not isinstance(first, int) or not 1900 <= first <= 2200:
        raise ConfigError(f"{where}.first_forecast_year: expected a budget year, found {first!r}")
    correlation = get_number(table.get("correlation", 0.5), f"{where}.correlation")
    if not 0 <= correlation <= 1:
        raise ConfigError(f"{where}.correlation: expected a share from 0 to 1, found {correlation}")
    reference = get_number(table.get("size_reference", 10000), f"{where}.size_reference")
    if reference <= 0:
        raise ConfigError(f"{where}.size_reference: expected a positive number of inhabitants")
    elasticity = get_number(table.get("size_elasticity", 0.0), f"{where}.size_elasticity")
    if not 0 <= elasticity <= 1:
        raise ConfigError(f"{where}.size_elasticity: expected a number from 0 to 1")
    groups = []
    for label, value in get_table(table, "sigma", where).items():
        low, high = parse_age_label(label, f"{where}.sigma")
        sigma = get_number(value, f"{where}.sigma.{label}")
        if not 0 <= sigma <= 1:
            raise ConfigError(f"{where}.sigma.{label}: expected a σ from 0 to 1, found {sigma}")
        groups.append(AgeGroupError(label, low, high, sigma))
    groups.sort(key=lambda g: g.low)
    expected = 0
    for group in groups:
        if group.low != expected:
            what = "overlaps the group before it" if group.low < expected else "leaves a gap"
            raise ConfigError(
                f"{where}.sigma: the age group {group.label!r} {what} (the groups must cover "
                f"every age from 0 up, each once; the next should start at {expected})"
            )
        expected = group.high + 1
    if not groups or expected <= OPEN_END:
        raise ConfigError(
            f"{where}.sigma: the age groups must reach the oldest ages (end with a group such "
            'as "80+")'
        )
    return ForecastError(
        dataset=get_str(table, "dataset", where),
        first_forecast_year=first,
        groups=tuple(groups),
        correlation=correlation,
        size_reference=reference,
        size_elasticity=elasticity,
        source=get_str(table, "source", where),
    )
