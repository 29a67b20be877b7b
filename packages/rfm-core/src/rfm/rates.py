"""Rate tables: the ersättningsbelopp as a dated table keyed by any dimensions of the volumes.

Real allocation models price by several dimensions at once: Stockholm's LSS housing pays a
grundpeng by housing type × regi and a nivåpeng by housing type × nivå × regi, per dygn; Tyresö's
daglig verksamhet pays by nivå × omfattning × LOV regi. A rate table holds such prices as data::

    [rates.grundpeng]
    dimensions = ["boendeform", "regi"]
    unit = "kr/dygn"
    source = "Stockholms stad, ersättningar LSS 2022"
    rows = [
      { boendeform = "servicebostad", regi = "kommunal", from_year = 2022, rate = 587 },
      { boendeform = "gruppbostad",   regi = "kommunal", from_year = 2022, rate = 763 },
    ]
    [[rates.grundpeng.derive]]                 # enskild regi = kommunal + 2,5 %, whole kronor
    set = { regi = "enskild" }
    from = { regi = "kommunal" }
    factor = 1.025
    round = 0
    source = "Stockholms stad: +2,5 % momskompensation för enskilda utförare"

or in a CSV or Excel file (``path = "taxa.csv"``, columns: the dimensions, ``from_year``,
``rate`` and optionally ``unit`` and ``source`` per row), validated like every dataset.

Each combination of dimension values is a dated parameter of the tenant (``grundpeng[gruppbostad,
kommunal]``), so scenarios override it, the archive records it and ``rfm explain`` cites it like
any parameter. A derived rate is computed when it is looked up, from the base rate in force that
year (an override of the base carries through), and rounded as the decision says; the basis
shows the rule. Where several derivations match a combination (Tyresö's halvtid *and* extern),
the first one written applies, to a base that may itself be derived: extern halvtid =
round(intern halvtid × 1,06), intern halvtid = round(intern heltid × 0,5) — the order of the
rules is the order of the roundings, as the decision states it. A lookup finds exactly one rate, or the run stops naming the combination: no
rate at all, a rate that starts later, two rules for one combination, and rules that derive a
rate from itself (directly or round a circle) are all errors.

Dimension values are read as the data's names are (Unicode NFC, every kind of space one space),
so a decomposed "särskild" or a no-break space in the tenant file matches the data. A rate is
kronor per volume unit ("kr/dygn"): at current prices every "kr/…" rate is uprated, so a unit
written otherwise ("kronor per timme") would stay at base-year prices in silence and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from rfm.config import Table, check_keys, check_name, get_number, get_reader_options, get_str
from rfm.errors import ConfigError, ParameterError
from rfm.formatting import number
from rfm.money import to_decimal
from rfm.parameters import DatedValue, Parameter, ParameterSet

if TYPE_CHECKING:
    from rfm.registry import Registry

FILE_OPTIONS = ("sheet", "separator", "encoding", "decimal_comma", "thousands_separator")
"""How a rate table file is read, as on a ``[data.NAME]`` table."""
TABLE_KEYS = ("dimensions", "unit", "source", "description", "rows", "path", "format", "derive",
              "index", *FILE_OPTIONS)  # fmt: skip
ROW_KEYS = ("from_year", "rate", "unit", "source")
DERIVE_KEYS = ("set", "from", "factor", "add", "round", "source")
RESERVED = ("year", "volume", "unit", "from_year", "rate", "source", "recipient", "component",
            "gap")  # fmt: skip
"""Column names a dimension cannot have: the volume rows' own columns and a rate row's keys."""


def check_rate_unit(unit: str, where: str) -> str:
    """A rate's unit: kronor per volume unit, ``kr/dygn``.

    At current prices every ``kr/…`` rate is uprated by its index; a rate in "kronor per timme"
    or "SEK/h" would stay at base-year prices without a word, so it is refused here.
    """
    text = unit.strip()
    if not (text.startswith("kr/") and text[3:].strip()):
        raise ConfigError(
            f"{where}: a rate is kronor per volume unit, written kr/dygn, kr/timme, kr/elev; "
            f"found {unit!r}"
        )
    return text


def rate_key(table: str, values: Sequence[str]) -> str:
    """The parameter key of one combination: ``grundpeng[gruppbostad, kommunal]``."""
    return f"{table}[{', '.join(values)}]"


class DerivationCircleError(ParameterError):
    """Derivations that lead from a combination back to itself."""


@attrs.frozen
class Derivation:
    """A rate defined from another: ``set`` values from the ``source`` combination's rate."""

    set: Mapping[str, str]
    base: Mapping[str, str]
    factor: float | None
    add: float | None
    decimals: int | None
    source: str

    def matches(self, values: Mapping[str, str]) -> bool:
        return all(values.get(d) == v for d, v in self.set.items())

    def base_of(self, values: Mapping[str, str]) -> dict[str, str]:
        return {**values, **self.base}

    def apply(self, base: float) -> float:
        """The derived rate from the base rate, rounded half-up as the decision says."""
        value = to_decimal(base)
        if self.factor is not None:
            value *= to_decimal(self.factor)
        if self.add is not None:
            value += to_decimal(self.add)
        if self.decimals is not None:
            value = value.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)
        return float(value)

    def describe(self, base: float, base_label: str) -> str:
        text = f"{base_label} {number(base)}"
        if self.factor is not None:
            text += f" × {number(self.factor)}"
        if self.add is not None:
            text += f" {'+' if self.add >= 0 else '−'} {number(abs(self.add))}"
        if self.decimals is not None:
            text += (
                ", avrundat till hela kronor"
                if self.decimals == 0
                else f", avrundat till {self.decimals} decimaler"
            )
        return f"{text} ({self.source})"


@attrs.frozen
class RateTable:
    """A named, dated rate table (see the module docstring)."""

    name: str
    dimensions: tuple[str, ...]
    unit: str
    keys: Mapping[tuple[str, ...], str]
    """Each combination with its own rows → the parameter key holding its dated values."""
    derivations: tuple[Derivation, ...] = ()
    index: str | None = None
    """A price index of its own (a parameter key), used at current prices instead of the
    tenant's."""
    where: str = ""
    description: str = ""

    def lookup(
        self,
        params: ParameterSet,
        values: Mapping[str, str],
        year: int,
        _chain: tuple[str, ...] = (),
    ) -> tuple[float, str, str, int]:
        """(rate, unit, basis, from_year) of a combination in ``year``; an error if none or two,
        or if derivations lead from the combination back to itself."""
        combination = tuple(values[d] for d in self.dimensions)
        shown = rate_key(self.name, combination)
        if shown in _chain:
            raise DerivationCircleError(
                f"{self.where}: the derivations go round in a circle: "
                f"{' ← '.join((*_chain, shown))}; a derived rate needs a base with its own rows"
            )
        own = self.keys.get(combination)
        rules = [r for r in self.derivations if r.matches(values)]
        if own is not None and rules:
            raise ParameterError(
                f"{self.where}: {shown} has its own rows and is also derived "
                f"({rules[0].source}); give one"
            )
        if own is not None:
            dated = params.at(own, year)
            assert dated.value is not None
            unit = params[own].unit
            return (
                dated.value,
                unit,
                f"{number(dated.value)} {unit} ({dated.source}, från {dated.year})",
                dated.year,
            )
        if rules:
            rule = rules[0]
            base_values = rule.base_of(values)
            label = rate_key(self.name, tuple(base_values[d] for d in self.dimensions))
            try:
                base, unit, basis, first = self.lookup(params, base_values, year, (*_chain, shown))
            except DerivationCircleError:
                raise
            except ParameterError as exc:
                if _chain:  # said once, by the combination the data asked for
                    raise
                raise ParameterError(
                    f"{shown} is derived from {label} ({rule.source}): {exc}"
                ) from None
            value = rule.apply(base)
            return (
                value,
                unit,
                f"{number(value)} {unit} = {rule.describe(base, label)}; {basis}",
                first,
            )
        folded = tuple(v.casefold() for v in combination)
        near = [k for k in self.keys if tuple(v.casefold() for v in k) == folded]
        hint = f"; it has {rate_key(self.name, near[0])}: the case differs" if near else ""
        raise ParameterError(
            f"{self.where}: no rate for {shown} (the table has "
            f"{len(self.keys)} combinations{' and derivations' if self.derivations else ''}"
            f"{hint})"
        )

    def parameters(self) -> list[str]:
        return sorted(self.keys.values())


def parse_rate_tables(
    doc: Table, folder: Path, file: str, registry: Registry
) -> tuple[dict[str, RateTable], list[Parameter]]:
    """The ``[rates.NAME]`` tables of a tenant file, and the parameters they hold."""
    raw = doc.get("rates", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{file}: [rates] must be tables, [rates.NAME]")
    tables: dict[str, RateTable] = {}
    parameters: list[Parameter] = []
    for name, table in raw.items():
        where = f"{file}: [rates.{name}]"
        check_name(name, f"{file}: [rates] name")
        check_keys(table, where, allowed=TABLE_KEYS, required=("dimensions", "unit"))
        dims = table["dimensions"]
        if (
            not isinstance(dims, list)
            or not all(isinstance(d, str) and d for d in dims)
            or len(set(dims)) != len(dims)
        ):
            raise ConfigError(f'{where}.dimensions: expected a list of column names, ["nivå"]')
        reserved = [d for d in dims if d in RESERVED or d.startswith("_")]
        if reserved:
            raise ConfigError(
                f"{where}.dimensions: {', '.join(map(repr, reserved))} is a column rfm reads for "
                f"itself ({', '.join(RESERVED)}); name the dimension otherwise"
            )
        unit = check_rate_unit(get_str(table, "unit", where), f"{where}.unit")
        source = get_str(table, "source", where, "")
        if ("rows" in table) == ("path" in table):
            raise ConfigError(
                f"{where}: give the rows inline (rows = [...]) or a file (path = ...)"
            )
        rows = (
            _inline_rows(table["rows"], tuple(dims), where)
            if "rows" in table
            else _file_rows(table, folder, tuple(dims), where, registry)
        )
        by_combination: dict[tuple[str, ...], list[DatedValue]] = {}
        units: dict[tuple[str, ...], str] = {}
        seen: dict[tuple[tuple[str, ...], int], str] = {}
        for row_where, combination, year, rate, row_unit, row_source in rows:
            text = row_source or source
            if not text:
                raise ConfigError(
                    f"{row_where}: the rate has no source; give 'source' on the table or the row"
                )
            if (combination, year) in seen:
                raise ConfigError(
                    f"{row_where}: {rate_key(name, combination)} from {year} is also given in "
                    f"{seen[combination, year]}; one rate per combination and year"
                )
            seen[combination, year] = row_where.removeprefix(f"{where}.")
            unit_here = check_rate_unit(row_unit, f"{row_where}, unit") if row_unit else unit
            if units.setdefault(combination, unit_here) != unit_here:
                raise ConfigError(
                    f"{row_where}: {rate_key(name, combination)} is in {units[combination]!r} in "
                    f"one row and {unit_here!r} in another"
                )
            by_combination.setdefault(combination, []).append(DatedValue(year, rate, text))
        keys: dict[tuple[str, ...], str] = {}
        combination_of: dict[str, tuple[str, ...]] = {}
        for combination, values in by_combination.items():
            key = rate_key(name, combination)
            alike = combination_of.setdefault(key, combination)
            if alike != combination:
                raise ConfigError(
                    f"{where}: the combinations {alike!r} and {combination!r} both read {key}; "
                    "a dimension value cannot hold ', '"
                )
            try:
                parameters.append(
                    Parameter(
                        key, units[combination], tuple(values), f"{name}: {', '.join(combination)}"
                    )
                )
            except ParameterError as exc:
                raise ConfigError(f"{where}: {exc}") from None
            keys[combination] = key
        raw_rules = table.get("derive", [])
        if not isinstance(raw_rules, list):
            raise ConfigError(f"{where}.derive: expected [[rates.{name}.derive]] tables")
        derivations = tuple(
            _derivation(d, tuple(dims), f"{where}.derive[{i + 1}]", source)
            for i, d in enumerate(raw_rules)
        )
        _check_rules(name, tuple(dims), keys, derivations, where)
        index = get_str(table, "index", where, "") or None
        tables[name] = RateTable(
            name,
            tuple(dims),
            unit,
            keys,
            derivations,
            index,
            where,
            get_str(table, "description", where, ""),
        )
    return tables, parameters


RowSpec = tuple[str, tuple[str, ...], int, float, str | None, str | None]


def _inline_rows(rows: Any, dims: tuple[str, ...], where: str) -> list[RowSpec]:
    if not isinstance(rows, list) or not rows:
        raise ConfigError(
            f'{where}.rows: expected a list of rows, [{{ nivå = "1", from_year = 2024, rate = 1850 }}]'
        )
    out: list[RowSpec] = []
    for i, row in enumerate(rows):
        here = f"{where}.rows[{i + 1}]"
        check_keys(row, here, allowed=(*dims, *ROW_KEYS), required=(*dims, "from_year", "rate"))
        combination = tuple(_value(row[d], f"{here}.{d}") for d in dims)
        year = row["from_year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise ConfigError(f"{here}.from_year: expected a year 1900–2200, found {year!r}")
        rate = get_number(row["rate"], f"{here}.rate")
        unit = get_str(row, "unit", here, "") or None
        source = get_str(row, "source", here, "") or None
        out.append((here, combination, year, rate, unit, source))
    return out


def _value(raw: Any, where: str) -> str:
    """A dimension value: text, or a whole number written as text (nivå 3 is "3"), read as the
    data's names are (NFC, one kind of space): a decomposed "särskild" matches the data's."""
    from rfm.schemas.validate import name_text

    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ConfigError(f"{where}: expected text (or a whole number), found {raw!r}")
    text = name_text(str(raw))
    if not text:
        raise ConfigError(f"{where}: empty")
    return text


def _file_rows(
    table: Table, folder: Path, dims: tuple[str, ...], where: str, registry: Registry
) -> list[RowSpec]:
    """Rows of a rate table file, validated like a dataset (every bad cell named)."""
    from rfm.io.readers import read_table
    from rfm.schemas.builtin import rate_table_schema
    from rfm.schemas.validate import validate_table
    from rfm.tenants.paths import resolve_inside

    rel = get_str(table, "path", where)
    path = resolve_inside(folder, rel, f"{where}.path")
    options = get_reader_options(table, FILE_OPTIONS, where)
    fmt = get_str(table, "format", where, "") or None
    raw = read_table(registry.readers, path, name=rel, fmt=fmt, options=options)
    frame = validate_table(raw, rate_table_schema(dims))
    out: list[RowSpec] = []
    has_unit, has_source = "unit" in frame.columns, "source" in frame.columns
    for i, r in enumerate(frame.iter_rows(named=True)):
        out.append(
            (
                f"{rel}, row {i + 2}",
                tuple(str(r[d]) for d in dims),
                int(r["from_year"]),
                float(r["rate"]),
                r["unit"] if has_unit else None,
                r["source"] if has_source else None,
            )
        )
    return out


def _check_rules(
    name: str,
    dims: tuple[str, ...],
    keys: Mapping[tuple[str, ...], str],
    rules: tuple[Derivation, ...],
    where: str,
) -> None:
    """Rules that contradict the rows or each other, found when the file is read.

    A combination with rows of its own that a rule also derives has two rates. A rule whose
    ``set`` holds every value of an earlier rule's ``set`` never applies (the first matching
    rule wins): the more specific rule someone wrote below a general one would be dead.
    """
    for i, rule in enumerate(rules):
        for combination in keys:
            if rule.matches(dict(zip(dims, combination, strict=True))):
                raise ConfigError(
                    f"{where}.derive[{i + 1}]: {rate_key(name, combination)} has rows of its own "
                    f"and this rule derives it too ({rule.source}); give one"
                )
        for j, earlier in enumerate(rules[:i]):
            if earlier.set.items() <= rule.set.items():
                raise ConfigError(
                    f"{where}.derive[{i + 1}] never applies: derive[{j + 1}] comes first and "
                    "matches every combination it does (the first matching rule applies); "
                    "write the more specific rule first"
                )


def _derivation(raw: Any, dims: tuple[str, ...], where: str, source: str) -> Derivation:
    check_keys(raw, where, allowed=DERIVE_KEYS, required=("set", "from"))
    sets, base = raw["set"], raw["from"]
    for key, part in (("set", sets), ("from", base)):
        if not isinstance(part, Mapping) or not part or not set(part) <= set(dims):
            raise ConfigError(
                f"{where}.{key}: expected {{ dimension = value }} over the table's dimensions "
                f"({', '.join(dims)})"
            )
    if set(sets) != set(base):
        raise ConfigError(f"{where}: 'set' and 'from' must name the same dimensions")
    factor = get_number(raw["factor"], f"{where}.factor") if "factor" in raw else None
    if factor is not None and factor <= 0:
        raise ConfigError(
            f"{where}.factor: a share or an uplift is above 0 (0.5 for half, 1.06 for +6 %), "
            f"found {factor!r}"
        )
    add = get_number(raw["add"], f"{where}.add") if "add" in raw else None
    if factor is None and add is None:
        raise ConfigError(f"{where}: give 'factor' (× a share) or 'add' (+ an amount), or both")
    decimals = raw.get("round")
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6
    ):
        raise ConfigError(
            f"{where}.round: the number of decimals to round to, 0 (whole kronor) to 6"
        )
    text = get_str(raw, "source", where, source)
    if not text:
        raise ConfigError(f"{where}: the derivation has no source; give 'source'")
    set_values = {k: _value(v, f"{where}.set.{k}") for k, v in sets.items()}
    base_values = {k: _value(v, f"{where}.from.{k}") for k, v in base.items()}
    if set_values == base_values:
        raise ConfigError(
            f"{where}: 'set' and 'from' are the same; a rate cannot be derived from itself"
        )
    return Derivation(
        set_values,
        base_values,
        factor,
        add,
        decimals,
        text,
    )
