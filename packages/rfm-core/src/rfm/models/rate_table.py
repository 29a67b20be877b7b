"""``rate_table``: volume rows with dimensions × the rate their combination has in rate tables.

    amount(r, t) = Σ_rows Σ_tables  volym(row) × ersättning_table(row's dimensions, t)

The general form of a price list. The volumes are rows of a ``volumes`` dataset — days, hours,
pupils, m² — with any dimension columns (unit, boendeform, nivå, omfattning, regi, tid på dygnet,
area type, årskurs); each named rate table (``[rates.NAME]``, see :mod:`rfm.rates`) is keyed by
some of those dimensions and gives one component per row: Stockholm's LSS housing is
``rates = ["grundpeng", "nivapeng"]``, grundpeng by boendeform × regi and nivåpeng by boendeform
× nivå × regi, both per dygn. A dimension the volume rows do not carry can come from a register
by a key (``dimensions_from = { regi = { dataset = "enheter", key = "enhet" } }``: each unit's
regi), or from a classification of a numeric column (``classify = { nivå = { classification =
"niva", column = "timmar" } }``: assessed hours to a nivå by a dated threshold table). Every row
must find exactly one rate in every table, or the run stops naming the combination and the file.

``corrections = "korrigeringar"`` adds one-off corrections (rows with the same dimensions, a
volume of either sign and a ``source``) as rows of their own, so a correction is never hidden in
a volume. Volumes may be the change between years (``population_reference = "change"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from rfm.config import check_keys, get_str
from rfm.errors import ConfigError, ModelError, ParameterError
from rfm.formatting import such_rows
from rfm.models.base import ComputeContext, Model, ModelConfig, ParameterRef
from rfm.models.common import VOLUME_KEYS, VolumeSettings
from rfm.models.frames import model_rows
from rfm.rates import rate_key


class RateTableModel(Model):
    type_name = "rate_table"
    summary = "volume rows with dimensions × the rate of their combination in rate tables"
    config_keys = (
        *VOLUME_KEYS, "rates", "volume_unit", "dimensions_from", "classify", "corrections",
    )  # fmt: skip
    required_keys = ("rates",)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        table, where = config.table, config.where
        self.volume = VolumeSettings(self, "volumes")
        if self.volume.reference == "mean_of_year_ends":
            raise ConfigError(
                f"{where}.population_reference: a rate table reads volumes of the year or their "
                "change ('year' or 'change')"
            )
        rates = table["rates"]
        names = [rates] if isinstance(rates, str) else rates
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ConfigError(f'{where}.rates: expected a rate table name or a list, ["grundpeng"]')
        unknown = [n for n in names if n not in config.rate_tables]
        if unknown:
            raise ConfigError(
                f"{where}.rates: no rate table {', '.join(map(repr, unknown))} "
                f"([rates.NAME] tables: {', '.join(sorted(config.rate_tables)) or 'none'})"
            )
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ConfigError(
                f"{where}.rates: {', '.join(map(repr, twice))} named twice; each table pays once"
            )
        self.tables = [config.rate_tables[n] for n in names]
        self.volume_unit = get_str(table, "volume_unit", where, "")
        self.registers = self._registers(table.get("dimensions_from", {}))
        self.classify = self._classify(table.get("classify", {}))
        self.corrections = get_str(table, "corrections", where, "") or None
        self.dimensions = sorted({d for t in self.tables for d in t.dimensions})
        for key, dims in (("dimensions_from", self.registers), ("classify", self.classify)):
            unused = [d for d in dims if d not in self.dimensions]
            if unused:
                raise ConfigError(
                    f"{where}.{key}: {', '.join(map(repr, unused))} is no dimension of the rate "
                    f"tables ({', '.join(self.dimensions)})"
                )
        both = sorted(set(self.registers) & set(self.classify))
        if both:
            raise ConfigError(
                f"{where}: {', '.join(map(repr, both))} is both taken from a register and "
                "classified; give one"
            )
        for t in self.tables:
            for key in t.parameters():
                self.parameter_refs.append(ParameterRef(key, f"ersättning {t.name}"))

    def _registers(self, raw: Any) -> dict[str, tuple[str, str]]:
        where = f"{self.config.where}.dimensions_from"
        if not isinstance(raw, dict):
            raise ConfigError(
                f'{where}: expected {{ regi = {{ dataset = "enheter", key = "enhet" }} }}'
            )
        out = {}
        for dim, spec in raw.items():
            check_keys(spec, f"{where}.{dim}", allowed=(), required=("dataset", "key"))
            out[str(dim)] = (
                get_str(spec, "dataset", f"{where}.{dim}"),
                get_str(spec, "key", f"{where}.{dim}"),
            )
        return out

    def _classify(self, raw: Any) -> dict[str, tuple[str, str]]:
        where = f"{self.config.where}.classify"
        if not isinstance(raw, dict):
            raise ConfigError(
                f'{where}: expected {{ nivå = {{ classification = "niva", column = "timmar" }} }}'
            )
        out = {}
        for dim, spec in raw.items():
            check_keys(spec, f"{where}.{dim}", allowed=(), required=("classification", "column"))
            name = get_str(spec, "classification", f"{where}.{dim}")
            if name not in self.config.classifications:
                raise ConfigError(
                    f"{where}.{dim}.classification: no classification {name!r} "
                    f"([classifications.NAME]: {', '.join(sorted(self.config.classifications)) or 'none'})"
                )
            out[str(dim)] = (name, get_str(spec, "column", f"{where}.{dim}"))
        return out

    def datasets(self) -> tuple[str, ...]:
        extra = [d for d, _ in self.registers.values()]
        if self.corrections:
            extra.append(self.corrections)
        return (*self.volume.datasets(), *extra)

    def price_indices(self) -> dict[str, str]:
        return {f"{t.name}:": t.index for t in self.tables if t.index}

    def formula(self) -> str:
        tables = " + ".join(f"{t.name}({', '.join(t.dimensions)})" for t in self.tables)
        extra = [f"{d} från {ds} (nyckel {k})" for d, (ds, k) in self.registers.items()]
        extra += [f"{d} = nivå av {c} ({n})" for d, (n, c) in self.classify.items()]
        return f"belopp = Σ_rader volym × ({tables}); {self.volume.describe()}" + (
            f"; {'; '.join(extra)}" if extra else ""
        )

    # -- computing ---------------------------------------------------------------------------

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        data = self._with_dimensions(
            ctx,
            ctx.dataset(self.volume.dataset),
            self.volume.dataset,
            self.volume.data_years(years),
        )
        unit = ["unit"] if "unit" in data.columns else []
        volumes = self.volume.volumes(
            ctx, data, years, sums={"volume": "volume"}, carry=[*self.dimensions, *unit]
        )
        parts = [volumes.with_columns(pl.lit(None, pl.String).alias("_correction"))]
        if self.corrections:
            parts.append(self._corrections(ctx, years))
        rows = pl.concat(parts, how="diagonal_relaxed")
        priced = pl.concat([self._priced(ctx, rows, table, years) for table in self.tables])
        if self.volume.reference == "year":  # a change may span two tables of thresholds
            for dim, (name, column) in self.classify.items():
                priced = self._with_level_basis(ctx, priced, dim, name, column)
        twice = priced.group_by("recipient", "year", "component").len().filter(pl.col("len") > 1)
        if twice.height:  # values holding ", " can make two combinations read alike
            first = twice.sort("recipient", "year", "component").row(0, named=True)
            raise ModelError(
                f"{self.config.where}: two combinations of {first['recipient']!r} in "
                f"{first['year']} read alike, {first['component']!r}; a dimension value holds "
                "', ' (rename it)"
            )
        return model_rows(
            priced,
            self.id,
            pl.col("unit") if unit else pl.lit(self.volume_unit or "st"),
            pl.col("rate_unit"),
        )

    def _with_level_basis(
        self, ctx: ComputeContext, rows: pl.DataFrame, dim: str, name: str, column: str
    ) -> pl.DataFrame:
        """The basis of each classified row says which thresholds gave its level."""
        classification = ctx.classification(name)
        pairs = rows.select(dim, "year").unique().drop_nulls()
        texts = pl.DataFrame(
            [
                (level, year, classification.level_basis(level, year, column))
                for level, year in pairs.iter_rows()
            ],
            schema={dim: pl.String, "year": pl.Int64, "_level": pl.String},
            orient="row",
        )
        return (
            rows.join(texts, on=[dim, "year"], how="left")
            .with_columns(
                pl.when(pl.col("_level").is_not_null())
                .then(pl.col("basis") + pl.lit("; ") + pl.col("_level"))
                .otherwise(pl.col("basis"))
                .alias("basis")
            )
            .drop("_level")
        )

    def _with_dimensions(
        self, ctx: ComputeContext, data: pl.DataFrame, dataset: str, read: Sequence[int]
    ) -> pl.DataFrame:
        """The rows with every dimension the tables need: joined from registers, classified.

        Every row of the data years the run reads (``read``) must have each dimension; rows of
        other years are left as they are (a unit closed years ago need not be in today's
        register, and a year before the first thresholds is not classified).
        """
        for dim, (register, key) in self.registers.items():
            data = self._joined(ctx, data, dataset, dim, register, key, read)
        for dim, (name, column) in self.classify.items():
            data = self._classified(ctx, data, dataset, dim, name, column, read)
        missing = [d for d in self.dimensions if d not in data.columns]
        if missing:
            raise ConfigError(
                f"{self.config.where}: the rate tables are keyed by {', '.join(missing)}, which "
                f"dataset {dataset!r} does not have (columns: {', '.join(data.columns)}); add "
                "them to the data, or take them from a register with dimensions_from"
            )
        nulls = data.filter(
            pl.col("year").is_in(list(read)) & pl.any_horizontal(pl.col(self.dimensions).is_null())
        )
        if nulls.height:
            first = nulls.row(0, named=True)
            empty = next(d for d in self.dimensions if first[d] is None)
            raise ModelError(
                f"{self.config.where}: dataset {dataset!r} has a row without {empty!r} "
                f"({such_rows(nulls.height)}): {_describe(first, self.dimensions)}"
            )
        return data

    def _joined(
        self, ctx: ComputeContext, data: pl.DataFrame, dataset: str, dim: str, register: str,
        key: str, read: Sequence[int],
    ) -> pl.DataFrame:  # fmt: skip
        table = ctx.dataset(register)
        for column in (key, dim):
            if column not in table.columns:
                raise ConfigError(
                    f"{self.config.where}.dimensions_from.{dim}: dataset {register!r} has no "
                    f"column {column!r} (columns: {', '.join(table.columns)})"
                )
        if key not in data.columns:
            raise ConfigError(
                f"{self.config.where}.dimensions_from.{dim}: dataset {dataset!r} has no column "
                f"{key!r} to join the register by"
            )
        twice = table.group_by(key).len().filter(pl.col("len") > 1)
        if twice.height:
            raise ModelError(
                f"{self.config.where}: register {register!r} has {key} "
                f"{twice.item(0, key)!r} more than once; a register has one row per {key}"
            )
        if dim in data.columns:
            raise ConfigError(
                f"{self.config.where}.dimensions_from.{dim}: dataset {dataset!r} already has a "
                f"column {dim!r}; take it from the data or the register, not both"
            )
        joined = data.join(table.select(key, dim), on=key, how="left")
        lost = joined.filter(pl.col("year").is_in(list(read)) & pl.col(dim).is_null())
        if lost.height:
            keys = sorted(set(lost[key].cast(pl.String).to_list()))
            raise ModelError(
                f"{self.config.where}: register {register!r} has no {key} "
                f"{', '.join(map(repr, keys[:10]))}{' …' if len(keys) > 10 else ''}, which "
                f"dataset {dataset!r} names; every row needs its {dim}"
            )
        return joined

    def _classified(
        self, ctx: ComputeContext, data: pl.DataFrame, dataset: str, dim: str, name: str,
        column: str, read: Sequence[int],
    ) -> pl.DataFrame:  # fmt: skip
        """Each row of the data years read with its level, by the thresholds in force in the
        budget year the row's data year serves (its year + data_lag)."""
        classification = ctx.classification(name)
        if column not in data.columns:
            raise ConfigError(
                f"{self.config.where}.classify.{dim}: dataset {dataset!r} has no column {column!r}"
            )
        if dim in data.columns:
            raise ConfigError(
                f"{self.config.where}.classify.{dim}: dataset {dataset!r} already has a column "
                f"{dim!r}; take it from the data or classify {column}, not both"
            )
        if data.schema[column] != pl.Float64:
            raise ConfigError(
                f"{self.config.where}.classify.{dim}: column {column!r} of dataset {dataset!r} is "
                f'text; declare it a number: numbers = ["{column}"] on [data.{dataset}]'
            )
        budget = pl.col("year") + self.volume.lag
        level: pl.Expr = pl.lit(None, pl.String)
        for year in sorted({y + self.volume.lag for y in read}):
            level = (
                pl.when(budget == year)
                .then(classification.level_expr(pl.col(column), year))
                .otherwise(level)
            )
        out = data.with_columns(level.alias(dim))
        outside = out.filter(pl.col("year").is_in(list(read)) & pl.col(dim).is_null())
        if outside.height:
            first = outside.row(0, named=True)
            levels = classification.in_force(int(first["year"]) + self.volume.lag)
            raise ModelError(
                f"{self.config.where}: dataset {dataset!r} has {column} = {first[column]!r}, "
                f"outside every level of {name!r} ({levels.describe(classification.unit)}) "
                f"({such_rows(outside.height)})"
            )
        return out

    def _corrections(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """The corrections of the budget years as rows of their own. Each corrects a unit the
        volume data name: a misspelt unit would otherwise be paid as a recipient of its own,
        and the unit meant left uncorrected."""
        assert self.corrections is not None
        read = [y - self.volume.lag for y in years]
        data = self._with_dimensions(ctx, ctx.dataset(self.corrections), self.corrections, read)
        if "source" not in data.columns:
            raise ConfigError(
                f"{self.config.where}.corrections: dataset {self.corrections!r} needs a 'source' "
                "column: every correction says who decided it"
            )
        budget = pl.col("year") + self.volume.lag
        unit = ["unit"] if "unit" in data.columns else []
        data = data.filter(budget.is_in(list(years)))
        if self.volume.recipient is None:
            self._check_corrected_units(ctx, data)
        # Several decisions on one unit, combination and year are one row (one component) with
        # their volumes summed and every source named, in the order of the file.
        return (
            data.select(
                self.volume.recipient_expr().alias("recipient"),
                budget.alias("year"),
                *self.dimensions,
                *unit,
                pl.col("volume"),
                pl.col("source"),
            )
            .group_by("recipient", "year", *self.dimensions, *unit, maintain_order=True)
            .agg(
                pl.col("volume").sum(),
                pl.col("source").unique(maintain_order=True).str.join("; ").alias("_correction"),
            )
            .with_columns(pl.lit(None, pl.String).alias("gap"))
        )

    def _check_one_unit(self, rows: pl.DataFrame, table: Any) -> None:
        """A rate is per one unit: the rows one rate prices are all in that unit (timmar priced
        by kr/timme, never st beside them)."""
        mixed = (
            rows.group_by(*table.dimensions)
            .agg(pl.col("unit").drop_nulls().unique().sort())
            .filter(pl.col("unit").list.len() > 1)
            .sort(*table.dimensions)
        )
        if mixed.height:
            first = mixed.row(0, named=True)
            shown = rate_key(table.name, tuple(str(first[d]) for d in table.dimensions))
            raise ModelError(
                f"{self.config.where}: the rows priced by {shown} are in "
                f"{' and '.join(map(repr, first['unit']))}; one rate is per one unit (give the "
                "units their own combinations, or one unit)"
            )

    def _check_corrected_units(self, ctx: ComputeContext, data: pl.DataFrame) -> None:
        column = self.volume.recipient_column
        if column not in data.columns:
            raise ConfigError(
                f"{self.config.where}.corrections: dataset {self.corrections!r} has no column "
                f"{column!r} saying whose volume each correction corrects"
            )
        volumes = ctx.dataset(self.volume.dataset)
        known = set(volumes.get_column(column).cast(pl.String).to_list())
        named = set(data.get_column(column).cast(pl.String).drop_nulls().to_list())
        strangers = sorted(named - known)
        if strangers:
            shown = sorted(known)
            raise ModelError(
                f"{self.config.where}: dataset {self.corrections!r} corrects {column} "
                f"{', '.join(map(repr, strangers[:10]))}{' …' if len(strangers) > 10 else ''}, "
                f"which dataset {self.volume.dataset!r} does not name (it names "
                f"{', '.join(shown[:10])}{' …' if len(shown) > 10 else ''})"
            )

    def _priced(
        self, ctx: ComputeContext, rows: pl.DataFrame, table: Any, years: Sequence[int]
    ) -> pl.DataFrame:
        """``rows`` with the rate of each row's combination in ``table`` and why.

        A recipient the data lack in a year where a declared gap says missing means 0 has a row
        without any combination: it is shown as 0 × 0 kr with the gap's note, not priced.
        """
        filler = (
            pl.all_horizontal(pl.col(d).is_null() for d in self.dimensions)
            & pl.col("gap").is_not_null()
        )
        gaps = rows.filter(filler).with_columns(
            pl.lit(f"{table.name}: inga rader").alias("component"),
            pl.lit(0.0).alias("rate"),
            pl.lit(table.unit).alias("rate_unit"),
            pl.lit(f"inga rader i {self.volume.dataset!r}").alias("basis"),
            *([pl.lit(self.volume_unit or "st").alias("unit")] if "unit" in rows.columns else []),
        )
        rows = rows.filter(~filler)
        if "unit" in rows.columns:
            self._check_one_unit(rows, table)
        combos = rows.select(*table.dimensions, "year").unique().sort(*table.dimensions, "year")
        priced, misses = [], []
        for combo in combos.iter_rows(named=True):
            values = {d: str(combo[d]) for d in table.dimensions}
            try:
                rate, unit, basis, _ = table.lookup(ctx.parameters, values, combo["year"])
            except ParameterError as exc:
                misses.append(f"  - {exc} in {combo['year']}")
                continue
            priced.append({**combo, "rate": rate, "rate_unit": unit, "_basis": basis})
        if misses:
            shown = "\n".join(misses[:12]) + (
                f"\n  … and {len(misses) - 12} more" if len(misses) > 12 else ""
            )
            also = f" or its corrections {self.corrections!r}" if self.corrections else ""
            raise ModelError(
                f"{self.config.where}: {len(misses)} combination(s) of dataset "
                f"{self.volume.dataset!r}{also} have no rate in {table.name!r}:\n{shown}"
            )
        schema = {**dict.fromkeys(table.dimensions, pl.String), "year": pl.Int64, "rate": pl.Float64,
                  "rate_unit": pl.String, "_basis": pl.String}  # fmt: skip
        rates = pl.DataFrame(priced, schema=schema, orient="row")
        joined = rows.with_columns(pl.col(d).cast(pl.String) for d in table.dimensions).join(
            rates, on=[*table.dimensions, "year"], how="left"
        )
        label = pl.concat_str([pl.col(d) for d in self.dimensions], separator=", ")
        component = pl.lit(f"{table.name}: ") + label
        basis = pl.col("_basis")
        priced_rows = joined.with_columns(
            pl.when(pl.col("_correction").is_not_null())
            .then(component + pl.lit(" (korrigering)"))
            .otherwise(component)
            .alias("component"),
            pl.when(pl.col("_correction").is_not_null())
            .then(pl.lit("korrigering: ") + pl.col("_correction") + pl.lit("; ") + basis)
            .otherwise(basis)
            .alias("basis"),
        )
        return (
            pl.concat([priced_rows, gaps], how="diagonal_relaxed") if gaps.height else priced_rows
        )


def _describe(row: dict[str, Any], dims: Sequence[str]) -> str:
    return ", ".join(f"{d} = {row.get(d)!r}" for d in ("year", *dims) if d in row)
