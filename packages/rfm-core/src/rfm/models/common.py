"""Pieces several model types share: who receives, which data year, which rate in which year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from rfm.errors import ConfigError, ModelError
from rfm.formatting import number
from rfm.models.base import ComputeContext, Model
from rfm.schemas.age import age_bounds

REFERENCES = ("year", "mean_of_year_ends")
VOLUME_KEYS = (
    "recipient",
    "recipient_column",
    "dataset",
    "data_lag",
    "population_reference",
    "area_mapping",
    "exclude_areas",
)


class VolumeSettings:
    """How a model turns an area dataset into volumes per recipient and budget year.

    * ``recipient = "Socialnämnden"`` gives everything to one recipient; without it each
      ``area`` (``recipient_column``, default ``area``) is its own recipient.
    * ``data_lag = 2`` takes the volume of budget year *t* from data year *t − 2* (as the
      national equalisation does); the default 0 takes rows with ``year = t``.
    * ``population_reference = "mean_of_year_ends"`` uses the mean of the year-end figures
      of *t − 1* and *t* (Sjöbo's method) instead of the figure of *t*.
    * ``area_mapping = "stadsdelar"`` names an ``area_mapping`` dataset (area, recipient,
      from_year, to_year) that sends each finer area (basområde, DeSO, a former district) to
      the recipient it belongs to in budget year *t*: Stockholm's 14 stadsdelsnämnder became 13
      in mid-2020 when Hägersten-Liljeholmen and Älvsjö merged. An area without a recipient in
      a year, or with two, is an error.
    * ``exclude_areas = ["Enhet för hemlösa"]`` leaves rows of these areas out before anything
      else: a unit whose costs the data include but whose money is decided elsewhere
      (Stockholm's Enhet för hemlösa is anslagsfinansierad, outside the district key).
    """

    def __init__(self, model: Model, default_dataset: str) -> None:
        table, where = model.config.table, model.config.where
        self.where = where
        self.recipient = table.get("recipient")
        if self.recipient is not None and (
            not isinstance(self.recipient, str) or not self.recipient
        ):
            raise ConfigError(f"{where}.recipient: expected the recipient's name as text")
        self.recipient_column = table.get("recipient_column", "area")
        if not isinstance(self.recipient_column, str):
            raise ConfigError(f"{where}.recipient_column: expected a column name")
        self.dataset = table.get("dataset", default_dataset)
        if not isinstance(self.dataset, str):
            raise ConfigError(f"{where}.dataset: expected the name of a [data.…] table")
        self.lag = model.optional_int("data_lag", 0)
        if self.lag < 0:
            raise ConfigError(f"{where}.data_lag: must be 0 or more")
        self.mapping = table.get("area_mapping")
        if self.mapping is not None and not isinstance(self.mapping, str):
            raise ConfigError(f"{where}.area_mapping: expected the name of a [data.…] table")
        if self.mapping is not None and self.recipient is not None:
            raise ConfigError(f"{where}: 'area_mapping' and 'recipient' exclude each other")
        excluded = table.get("exclude_areas", [])
        if not isinstance(excluded, list) or not all(isinstance(a, str) for a in excluded):
            raise ConfigError(f"{where}.exclude_areas: expected a list of area names")
        self.excluded: tuple[str, ...] = tuple(excluded)
        self.reference = table.get("population_reference", "year")
        if self.reference not in REFERENCES:
            raise ConfigError(
                f"{where}.population_reference: expected one of {', '.join(REFERENCES)}, "
                f"found {self.reference!r}"
            )

    def datasets(self) -> tuple[str, ...]:
        """The datasets the volumes read: the data, and the area mapping if there is one."""
        return (self.dataset, *((self.mapping,) if self.mapping else ()))

    def map_areas(
        self, ctx: ComputeContext, frame: pl.DataFrame, years: Sequence[int]
    ) -> pl.DataFrame:
        """Replace each row's area by its recipient in the budget year (data year + lag).

        Rows of ``exclude_areas`` are dropped first. Only the rows of the data years that
        ``years`` need are mapped (and returned).
        """
        if self.excluded and self.recipient_column in frame.columns:
            frame = frame.filter(
                ~pl.col(self.recipient_column).cast(pl.String).is_in(list(self.excluded))
            )
        if self.mapping is None:
            return frame
        frame = frame.filter(pl.col("year").is_in(self.data_years(years)))
        if self.reference != "year":
            raise ConfigError(
                f'{self.where}: area_mapping works with population_reference = "year" only'
            )
        mapping = ctx.dataset(self.mapping)
        keyed = frame.with_row_index("_row").with_columns(
            (pl.col("year") + self.lag).alias("_budget_year"),
            pl.col(self.recipient_column).cast(pl.String).alias("_area"),
        )
        pairs = keyed.select("_row", "_area", "_budget_year").join(
            mapping.select(
                pl.col("area").alias("_area"),
                pl.col("recipient").alias("_recipient"),
                "from_year",
                "to_year",
            ),
            on="_area",
            how="inner",
        )
        valid = pairs.filter(
            (pl.col("from_year") <= pl.col("_budget_year"))
            & (pl.col("to_year").is_null() | (pl.col("_budget_year") <= pl.col("to_year")))
        )
        counts = valid.group_by("_row").agg(pl.len().alias("n"), pl.col("_recipient").first())
        twice = counts.filter(pl.col("n") > 1).sort("_row")
        if twice.height:
            row = keyed.filter(pl.col("_row") == twice.item(0, "_row")).row(0, named=True)
            raise ModelError(
                f"{self.where}: dataset {self.mapping!r} sends area {row['_area']!r} to more than "
                f"one recipient in {row['_budget_year']}"
            )
        mapped = keyed.join(counts.select("_row", "_recipient"), on="_row", how="left")
        lost = mapped.filter(pl.col("_recipient").is_null()).sort("_row")
        if lost.height:
            first = lost.row(0, named=True)
            raise ModelError(
                f"{self.where}: dataset {self.mapping!r} gives area {first['_area']!r} no "
                f"recipient for budget year {first['_budget_year']} ({lost.height} such rows)"
            )
        return mapped.with_columns(pl.col("_recipient").alias(self.recipient_column)).drop(
            "_row", "_budget_year", "_area", "_recipient"
        )

    def recipient_expr(self) -> pl.Expr:
        if self.recipient is not None:
            return pl.lit(self.recipient, pl.String)
        return pl.col(self.recipient_column).cast(pl.String)

    def data_years(self, years: Sequence[int]) -> list[int]:
        wanted = {y - self.lag for y in years}
        if self.reference == "mean_of_year_ends":
            wanted |= {y - self.lag - 1 for y in years}
        return sorted(wanted)

    def volumes(
        self, frame: pl.DataFrame, years: Sequence[int], keys: Sequence[str], value: str
    ) -> pl.DataFrame:
        """Sum ``value`` by recipient, budget year and ``keys`` from the dataset ``frame``."""
        if self.recipient is None and self.recipient_column not in frame.columns:
            raise ConfigError(
                f"{self.where}.recipient_column: dataset {self.dataset!r} has no column "
                f"{self.recipient_column!r}"
            )
        need = self.data_years(years)
        have = set(frame.get_column("year").unique().to_list())
        missing = [y for y in need if y not in have]
        if missing:
            raise ModelError(
                f"{self.where}: dataset {self.dataset!r} has no rows for year(s) "
                f"{', '.join(map(str, missing))}, needed for budget year(s) "
                f"{', '.join(map(str, years))}" + (f" (data_lag = {self.lag})" if self.lag else "")
            )
        summed = (
            frame.filter(pl.col("year").is_in(need))
            .group_by(self.recipient_expr().alias("recipient"), "year", *keys)
            .agg(pl.col(value).sum().alias("volume"))
        )
        if self.reference == "year":
            return summed.with_columns((pl.col("year") + self.lag).alias("year")).filter(
                pl.col("year").is_in(list(years))
            )
        # Mean of the year-ends t-1 and t: join each year with the one before it.
        previous = summed.with_columns((pl.col("year") + 1).alias("year"))
        both = summed.join(
            previous, on=["recipient", "year", *keys], how="full", coalesce=True, suffix="_prev"
        ).with_columns(
            ((pl.col("volume").fill_null(0) + pl.col("volume_prev").fill_null(0)) / 2).alias(
                "volume"
            ),
            (pl.col("year") + self.lag).alias("year"),
        )
        return both.drop("volume_prev").filter(pl.col("year").is_in(list(years)))

    def describe(self) -> str:
        """Where the volumes come from, in Swedish words (the datasets are listed beside it)."""
        parts = []
        if self.reference == "mean_of_year_ends":
            parts.append("medelvärdet av årsskiftena t − 1 och t")
        if self.lag:
            parts.append(f"data från år t − {self.lag}")
        if self.mapping:
            parts.append("områden till mottagare enligt områdesindelningen för året")
        if self.excluded:
            parts.append(f"utan {', '.join(self.excluded)}")
        return ", ".join(parts) or "volym ur budgetårets data"


def population_in_ages(
    ctx: ComputeContext, volume: VolumeSettings, ages: tuple[int, int], years: Sequence[int]
) -> pl.DataFrame:
    """Volumes (recipient, year, volume) of the population whose age lies within ``ages``.

    A population row by age group counts when the whole group lies inside ``ages``; a group that
    straddles the limit is refused rather than split.
    """
    population = ctx.dataset(volume.dataset)
    low, high = age_bounds("age")
    lo, hi = ages
    straddling = population.filter((low <= hi) & (high >= lo) & ~((low >= lo) & (high <= hi)))
    if straddling.height:
        raise ModelError(
            f"{volume.where}: the population in dataset {volume.dataset!r} has the age group "
            f"{straddling.item(0, 'age')!r}, which straddles the ages {lo}–{hi}; give single "
            "years of age or groups that fit inside"
        )
    inside = population.filter((low >= lo) & (high <= hi))
    return volume.volumes(volume.map_areas(ctx, inside, years), years, [], "count")


def rates(ctx: ComputeContext, keys: Mapping[str, str], years: Iterable[int]) -> pl.DataFrame:
    """For each component (→ parameter key) and year: the value, its source and start year."""
    rows = []
    for component, key in keys.items():
        parameter = ctx.parameters[key]
        for year in years:
            dated = parameter.at(year)
            rows.append(
                {
                    "component": component,
                    "year": year,
                    "value": dated.value,
                    "source": dated.source,
                    "from_year": dated.year,
                    "unit": parameter.unit,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "component": pl.String,
            "year": pl.Int64,
            "value": pl.Float64,
            "source": pl.String,
            "from_year": pl.Int64,
            "unit": pl.String,
        },
    )


def cite(value: float, unit: str, source: str, from_year: int) -> str:
    """``21 900 kr/invånare (KF 2023-06-12 § 45, från 2024)``."""
    return f"{number(value)} {unit} ({source}, från {from_year})"
