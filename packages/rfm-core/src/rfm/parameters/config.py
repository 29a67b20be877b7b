"""Reading dated parameters from configuration tables.

Two forms, both plain data:

A full parameter, with its unit, in a tenant file's ``[parameters]`` or a parameter file::

    [parameters."ifo.uplift"]
    unit = "andel"
    description = "Uppräkning av SCB:s standardkostnad"
    source = "KF 2022-06-20 § 87"          # the default source of every value below
    values = { 2019 = 0.10, 2023 = { value = 0.05, source = "KF 2022-06-20 § 87" } }

A series of dated values whose unit a model type fixes, as in a model's ``bands``::

    "80-89" = { 2024 = 137300 }

A value written ``{ end = true, source = "…" }`` ends the parameter from that year on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rfm.config import Table, check_keys, get_number, get_str, get_year
from rfm.errors import ConfigError, ParameterError
from rfm.parameters.dated import DatedValue, Parameter
from rfm.parameters.parameter_set import ParameterSet

PARAMETER_KEYS = ("unit", "description", "source", "values")
VALUE_KEYS = ("value", "source", "end")


def parse_dated_values(
    values: Any, where: str, default_source: str | None
) -> tuple[DatedValue, ...]:
    """``{year: number | {value, source} | {end = true, source}}`` as dated values."""
    if isinstance(values, (bool, int | float)):
        raise ConfigError(
            f"{where}: a bare number has no year; write {{ 2024 = {values} }} to say from which "
            "budget year it applies"
        )
    if not isinstance(values, Mapping) or not values:
        raise ConfigError(f"{where}: expected a table of values by budget year, found {values!r}")
    out = []
    for raw_year, raw in values.items():
        year = get_year(raw_year, f"{where}.{raw_year}")
        here = f"{where}.{raw_year}"
        value: float | None
        if isinstance(raw, Mapping):
            check_keys(raw, here, allowed=VALUE_KEYS)
            source = get_str(raw, "source", here, default_source or "")
            if raw.get("end") is True:
                if "value" in raw:
                    raise ConfigError(f"{here}: a value cannot both end and have a value")
                value = None
            elif "value" in raw:
                value = get_number(raw["value"], f"{here}.value")
            else:
                raise ConfigError(f"{here}: expected 'value' (or 'end = true')")
        else:
            value, source = get_number(raw, here), default_source or ""
        if not source:
            raise ConfigError(
                f"{here}: the value has no source; give 'source' (a decision such as "
                '"KF 2022-06-20 § 87" or a table such as "SCB kostnadsutjämning 2022")'
            )
        out.append(DatedValue(year, value, source))
    return tuple(out)


def parse_parameter(key: str, table: Table, where: str) -> Parameter:
    """A full parameter table (``unit``, ``values``, optional ``source`` and ``description``)."""
    check_keys(table, where, allowed=PARAMETER_KEYS, required=("unit", "values"))
    unit = get_str(table, "unit", where)
    if not unit.strip():
        raise ConfigError(f"{where}.unit: a parameter needs a unit (kr/invånare, andel, …)")
    source = get_str(table, "source", where, "") or None
    values = parse_dated_values(table["values"], f"{where}.values", source)
    try:
        return Parameter(key, unit, values, get_str(table, "description", where, ""))
    except ParameterError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def parse_parameter_table(tables: Table, where: str) -> ParameterSet:
    """``{key: parameter table}`` as a :class:`ParameterSet`."""
    if not isinstance(tables, Mapping):
        raise ConfigError(f"{where}: expected a table of parameters")
    return ParameterSet.of(
        parse_parameter(str(key), table, f"{where}.{key}") for key, table in tables.items()
    )
