"""Pieces several model types share: who receives, which data year, which rate in which year."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from rfm.coverage import (
    GAP_HINT,
    SHOWN,
    GapRule,
    band_sums,
    missing_cells_error,
    parse_gaps,
)
from rfm.errors import ConfigError, ModelError, ParameterError
from rfm.formatting import number, such_rows
from rfm.frame_memo import distinct, memo
from rfm.models.base import ComputeContext, Model
from rfm.schemas.age import age_labels
from rfm.schemas.validate import name_text

REFERENCES = ("year", "mean_of_year_ends", "change")
VOLUME_KEYS = (
    "recipient",
    "recipient_column",
    "dataset",
    "data_lag",
    "population_reference",
    "area_mapping",
    "exclude_areas",
    "gaps",
)


class VolumeSettings:
    """How a model turns an area dataset into volumes per recipient and budget year.

    * ``recipient = "Socialnämnden"`` gives everything to one recipient; without it each
      ``area`` (``recipient_column``, default ``area``) is its own recipient.
    * ``data_lag = 2`` takes the volume of budget year *t* from data year *t − 2* (as the
      national equalisation does); the default 0 takes rows with ``year = t``.
    * ``population_reference = "mean_of_year_ends"`` uses the mean of the year-end figures
      of *t − 1* and *t* (Sjöbo's method) instead of the figure of *t*; ``"change"`` uses the
      change from *t − 1* to *t* (new m² of streets, the population's growth).
    * ``area_mapping = "stadsdelar"`` names an ``area_mapping`` dataset (area, recipient,
      from_year, to_year) that sends each finer area (basområde, DeSO, a former district) to
      the recipient it belongs to in budget year *t*: Stockholm's 14 stadsdelsnämnder became 13
      in mid-2020 when Hägersten-Liljeholmen and Älvsjö merged. An area without a recipient in
      a year, or with two, is an error. With the mean of two year-ends, both year-ends go to
      the recipients of the budget year.
    * ``exclude_areas = ["Enhet för hemlösa"]`` leaves rows of these areas out before anything
      else: a unit whose costs the data include but whose money is decided elsewhere
      (Stockholm's Enhet för hemlösa is anslagsfinansierad, outside the district key). Each
      name must be an area of the dataset.
    * ``gaps = { means = "zero", reason = "…" }`` declares that a missing row means 0 (see
      :mod:`rfm.coverage`); without it, and without the dataset declaring it, every area of
      the data must have rows in every data year a budget year needs, for every component.
    """

    def __init__(self, model: Model, default_dataset: str) -> None:
        table, where = model.config.table, model.config.where
        self.where = where
        self.recipient = table.get("recipient")
        if self.recipient is not None and (
            not isinstance(self.recipient, str) or not name_text(self.recipient)
        ):
            raise ConfigError(f"{where}.recipient: expected the recipient's name as text")
        if self.recipient is not None:
            self.recipient = name_text(self.recipient)
        if self.recipient is not None and "recipient_column" in table:
            raise ConfigError(
                f"{where}: 'recipient' (one recipient for everything) and 'recipient_column' "
                "(a recipient per row) exclude each other"
            )
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
        self.excluded: tuple[str, ...] = tuple(name_text(a) for a in excluded)
        self.reference = table.get("population_reference", "year")
        if self.reference not in REFERENCES:
            raise ConfigError(
                f"{where}.population_reference: expected one of {', '.join(REFERENCES)}, "
                f"found {self.reference!r}"
            )
        self.gaps = parse_gaps(table.get("gaps"), where, ("zero", "previous"))

    def datasets(self) -> tuple[str, ...]:
        """The datasets the volumes read: the data, and the area mapping if there is one."""
        return (self.dataset, *((self.mapping,) if self.mapping else ()))

    def gap_rule(self, ctx: ComputeContext) -> GapRule | None:
        """What a missing row means: the model's declaration, else its dataset's, else nothing."""
        return self.gaps or ctx.dataset_gaps(self.dataset)

    def check_recipient_column(self, frame: pl.DataFrame, measures: Iterable[str] = ()) -> str:
        """The recipient column, checked to be a column of the dataset that names areas.

        ``year``, ``age``, ``sex`` and the columns the model sums (``count``) hold what a
        row measures, not whom it is for; naming one of them is an error, as is a column the
        dataset does not have.
        """
        column: str = self.recipient_column
        if self.recipient is not None:
            return column
        if column not in frame.columns:
            names = ", ".join(c for c in frame.columns if not c.startswith("_"))
            raise ConfigError(
                f"{self.where}.recipient_column: dataset {self.dataset!r} has no column "
                f"{column!r}; its columns are {names}"
            )
        reserved = {"year", "age", "sex", *measures}
        if column in reserved:
            raise ConfigError(
                f"{self.where}.recipient_column: {column!r} holds what a row measures, not "
                "whom it is for; name the column with the areas or units (default 'area')"
            )
        return column

    def recipient_expr(self) -> pl.Expr:
        if self.recipient is not None:
            return pl.lit(self.recipient, pl.String)
        return pl.col(self.recipient_column).cast(pl.String)

    def parts(self) -> tuple[tuple[str, int], ...]:
        """The data years a budget year reads, as (name, years before t − lag)."""
        if self.reference in ("mean_of_year_ends", "change"):
            return (("t", 0), ("t-1", 1))
        return (("t", 0),)

    def data_years(self, years: Sequence[int]) -> list[int]:
        return sorted({y - self.lag - back for y in years for _, back in self.parts()})

    def volumes(
        self,
        ctx: ComputeContext,
        frame: pl.DataFrame,
        years: Sequence[int],
        *,
        sums: Mapping[str, str],
        keys: Mapping[str, Sequence[str] | None] | None = None,
        incomplete: pl.DataFrame | None = None,
        dataset: pl.DataFrame | None = None,
        carry: Sequence[str] = (),
        rows_unique: bool = False,
    ) -> pl.DataFrame:
        """Volumes per recipient, budget year and ``keys``, each cell checked to be in the data.

        Args:
            frame: the dataset's rows (with ``year`` and the area column).
            sums: output column → the data column it sums (``{"volume": "count"}``).
            keys: further dimensions of a cell (``component``) → the values every area must
                have (a model's bands or priced categories), or None for whatever the data has.
            incomplete: cells (area, year, component, and sex if the data has it) whose rows
                are there but do not cover what the component needs (ages missing from a band).
            dataset: the whole dataset, when ``frame`` is only the rows the model counts (the
                ages inside its bands): its areas and years are the ones that must be covered.
            carry: columns kept apart in the sums but not part of the grid (a rate table's
                dimensions: a unit need not have every nivå, but it must have rows).
            rows_unique: the caller has checked that no two rows of ``frame`` share an area,
                year and keys (a table keyed by area and year, unpivoted): each row is a cell,
                so nothing is summed where each area is its own recipient.

        Returns recipient, year (the budget year), the keys, the sums and ``gap`` (the basis
        note of a declared gap, or null). A cell the data does not give is an error naming
        it, unless a gap rule is declared (:mod:`rfm.coverage`).
        """
        keys = dict(keys or {})
        area = self.check_recipient_column(
            dataset if dataset is not None else frame, (*sums.values(), *keys)
        )
        frame = self._without_excluded(frame)
        whole = self._without_excluded(dataset) if dataset is not None else frame
        need = self.data_years(years)
        have = set(distinct(whole, "year", ctx).to_list())
        missing_years = [y for y in need if y not in have]
        if missing_years:
            raise ModelError(
                f"{self.where}: dataset {self.dataset!r} has no rows for year(s) "
                f"{', '.join(map(str, missing_years))}, needed for budget year(s) "
                f"{', '.join(map(str, years))}" + (f" (data_lag = {self.lag})" if self.lag else "")
            )
        sex = "sex" if "sex" in whole.columns and whole["sex"].is_not_null().any() else None
        cover = [*keys, *([sex] if sex else [])]
        rows = self._by_budget_year(frame.with_columns(pl.col(area).cast(pl.String)), years)
        rows = self._with_recipients(ctx, rows)
        rows = rows.with_columns(pl.lit(None, pl.String).alias("gap"))
        # Every area the dataset has in any year is expected in every data year the run reads
        # (a one-year run must not drop an area that is missing only this year), and with an
        # area mapping every recipient of each budget year too (see _expected_cells).
        known = distinct(whole, area, ctx).cast(pl.String).alias("_area").to_frame()
        values: dict[str, list[str]] = {}
        for name in cover:
            wanted = keys.get(name)
            values[name] = (
                list(wanted)
                if wanted is not None
                else distinct(whole, name, ctx)
                .drop_nulls()
                .cast(pl.String)
                .unique()
                .sort()
                .to_list()
            )
        checks = [("_area", self._expected_cells(ctx, known, years))]
        if self.mapping is not None:
            checks.append(("_recipient", self._expected_recipients(ctx, known, years)))
        missing_by: list[tuple[str, pl.DataFrame]] = []
        for unit, expected in checks:
            if unit == "_area" and self._all_cells_present(rows, expected, values, rows_unique):
                missing_by.append((unit, _none_of(expected, cover)))
                continue
            for name in cover:
                expected = expected.join(
                    pl.DataFrame({name: values[name]}, schema={name: pl.String}), how="cross"
                )
            cell = [unit, "_budget", "_part", *cover]
            present = rows.select(pl.col(c).cast(pl.String) if c in cover else pl.col(c)
                                  for c in cell).unique()  # fmt: skip
            missing_by.append((unit, expected.join(present, on=cell, how="anti")))
        area_cell = ["_area", "_budget", "_part", *cover]
        short = self._incomplete(ctx, incomplete, years, cover).join(
            missing_by[0][1], on=area_cell, how="anti"
        )
        if any(m.height for _, m in missing_by) or short.height:
            rule = self.gap_rule(ctx)
            if rule is None or rule.means != "zero":
                self._refuse(missing_by, short, cover)
            assert rule is not None
            note = rule.note()
            if short.height:
                rows = rows.join(
                    short.select(area_cell).with_columns(pl.lit(True).alias("_short")),
                    on=area_cell,
                    how="left",
                ).with_columns(
                    pl.when(pl.col("_short")).then(pl.lit(note)).otherwise("gap").alias("gap")
                )
                rows = rows.drop("_short")
            # a declared zero fills the missing area cells (each knows its recipient); a
            # recipient without any row is filled too, when no area cell already did
            fillers = []
            filled = missing_by[0][1]
            for unit, missing in missing_by:
                if unit == "_recipient" and filled.height:
                    missing = missing.join(
                        filled.select("_recipient", "_budget", "_part", *cover).unique(),
                        on=["_recipient", "_budget", "_part", *cover],
                        how="anti",
                    )
                if missing.height:
                    fillers.append(
                        missing.with_columns(
                            *[pl.lit(0.0).alias(column) for column in sums.values()],
                            pl.lit(note).alias("gap"),
                        )
                    )
            if fillers:
                rows = pl.concat([rows, *fillers], how="diagonal_relaxed")
        one_row_per_cell = (
            rows_unique and self.mapping is None and self.recipient is None and sex is None
        )
        if one_row_per_cell and not any(m.height for _, m in missing_by):
            # each row is its own cell and its own recipient's: nothing to add up
            summed = rows.select(
                pl.col("_recipient").alias("recipient"),
                pl.col("_budget").alias("year"),
                "_part",
                *keys,
                *carry,
                *[pl.col(column).alias(name) for name, column in sums.items()],
                "gap",
            )
            return self._combine_parts(summed, keys, carry, sums)
        summed = rows.group_by(
            pl.col("_recipient").alias("recipient"),
            pl.col("_budget").alias("year"),
            "_part",
            *keys,
            *carry,
        ).agg(
            *[pl.col(column).sum().alias(name) for name, column in sums.items()],
            pl.col("gap").drop_nulls().first(),
        )
        return self._combine_parts(summed, keys, carry, sums)

    def _combine_parts(
        self,
        summed: pl.DataFrame,
        keys: Mapping[str, object],
        carry: Sequence[str],
        sums: Mapping[str, str],
    ) -> pl.DataFrame:
        """The volume of each cell from its year-ends: the one, their mean, or their change."""
        if len(self.parts()) == 1:
            return summed.drop("_part")
        # Two year-ends: both are there (checked above, or declared gaps). A carried dimension
        # value at only one of them (a nivå a unit had at t−1 but not at t) counts 0 at the
        # other: the cell itself is covered, and its rows are what the data say.
        ends = [summed.filter(pl.col("_part") == part).drop("_part") for part, _ in self.parts()]
        on = ["recipient", "year", *keys, *carry]
        both = ends[0].join(ends[1], on=on, how="full", coalesce=True, suffix="_prev")
        now = [pl.coalesce(pl.col(n), pl.lit(0.0)) if carry else pl.col(n) for n in sums]
        before = [
            pl.coalesce(pl.col(f"{n}_prev"), pl.lit(0.0)) if carry else pl.col(f"{n}_prev")
            for n in sums
        ]
        combine = (
            [(a - b).alias(n) for a, b, n in zip(now, before, sums, strict=True)]
            if self.reference == "change"
            else [((a + b) / 2).alias(n) for a, b, n in zip(now, before, sums, strict=True)]
        )
        return both.select(*on, *combine, pl.coalesce("gap", "gap_prev").alias("gap"))

    def _all_cells_present(
        self,
        rows: pl.DataFrame,
        expected: pl.DataFrame,
        values: Mapping[str, Sequence[str]],
        rows_unique: bool,
    ) -> bool:
        """True when every expected area cell has rows, counted without building the grid.

        The grid (areas × budget years × year-ends × every key value) has a row per cell: a
        million for a key over 6 000 areas and ten variables. Counting the distinct key values
        each (area, budget year, year-end) has gives the same answer from the rows alone; only
        when some cell lacks rows is the grid built, to name them.
        """
        base = ["_area", "_budget", "_part"]
        inside = rows.filter(
            *[pl.col(name).cast(pl.String).is_in(list(wanted)) for name, wanted in values.items()]
        ).select(*base, *[pl.col(name).cast(pl.String) for name in values])
        if not rows_unique:
            inside = inside.unique()
        need = 1
        for wanted in values.values():
            need *= len(wanted)
        if rows_unique and self.mapping is None:
            # every row's area, budget year and year-end are expected ones (the areas are the
            # dataset's own): distinct cells as many as expected are all of them
            return inside.height == expected.height * need
        have = inside.group_by(base).len()
        short = expected.select(base).unique().join(have, on=base, how="left")
        return short.filter(pl.col("len").is_null() | (pl.col("len") != need)).height == 0

    def _without_excluded(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self.excluded:
            return frame
        areas = frame.get_column(self.recipient_column).cast(pl.String)
        known = set(areas.unique().to_list())
        unknown = [a for a in self.excluded if a not in known]
        if unknown:
            raise ConfigError(
                f"{self.where}.exclude_areas: {', '.join(map(repr, unknown))} is no area of "
                f"dataset {self.dataset!r} (areas: {', '.join(sorted(known)[:20])}"
                f"{' …' if len(known) > 20 else ''})"
            )
        return frame.filter(~areas.is_in(list(self.excluded)))

    def _by_budget_year(self, frame: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
        """Each row once per budget year it serves: ``_area``, ``_budget`` and ``_part``."""
        return pl.concat(
            [
                frame.with_columns(
                    pl.col(self.recipient_column).alias("_area"),
                    (pl.col("year") + self.lag + back).alias("_budget"),
                    pl.lit(part).alias("_part"),
                ).filter(pl.col("_budget").is_in(list(years)))
                for part, back in self.parts()
            ]
        )

    def _mapping(self, ctx: ComputeContext) -> pl.DataFrame:
        assert self.mapping is not None
        return ctx.dataset(self.mapping).select(
            pl.col("area").alias("_area"),
            pl.col("recipient").alias("_recipient"),
            "from_year",
            "to_year",
        )

    def _in_force(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(
            (pl.col("from_year") <= pl.col("_budget"))
            & (pl.col("to_year").is_null() | (pl.col("_budget") <= pl.col("to_year")))
        )

    def _with_recipients(self, ctx: ComputeContext, rows: pl.DataFrame) -> pl.DataFrame:
        """``_recipient`` of each row: the fixed recipient, the area, or the mapping's answer."""
        if self.mapping is None:
            return rows.with_columns(self.recipient_expr().alias("_recipient"))
        keyed = rows.with_row_index("_row")
        pairs = keyed.select("_row", "_area", "_budget").join(
            self._mapping(ctx), on="_area", how="inner"
        )
        counts = (
            self._in_force(pairs)
            .group_by("_row")
            .agg(pl.len().alias("n"), pl.col("_recipient").first())
        )
        twice = counts.filter(pl.col("n") > 1).sort("_row")
        if twice.height:
            row = keyed.filter(pl.col("_row") == twice.item(0, "_row")).row(0, named=True)
            raise ModelError(
                f"{self.where}: dataset {self.mapping!r} sends area {row['_area']!r} to more than "
                f"one recipient in {row['_budget']}"
            )
        mapped = keyed.join(counts.select("_row", "_recipient"), on="_row", how="left")
        lost = mapped.filter(pl.col("_recipient").is_null()).sort("_row")
        if lost.height:
            first = lost.row(0, named=True)
            raise ModelError(
                f"{self.where}: dataset {self.mapping!r} gives area {first['_area']!r} no "
                f"recipient for budget year {first['_budget']} ({such_rows(lost.height)})"
            )
        return mapped.drop("_row")

    def _expected_cells(
        self, ctx: ComputeContext, known: pl.DataFrame, years: Sequence[int]
    ) -> pl.DataFrame:
        """Every (area, budget year, year-end) the data must give rows for.

        Without a mapping: every area the dataset knows, in every data year the run reads. With
        one, an area is expected where the mapping gives it a recipient in the budget year; with
        two year-ends, the one at *t − 1* only if the area had a recipient the year before too
        (it existed then), the one at *t* only if it still has one the year after (it was not
        renamed or merged away during *t*): Gamla, renamed Nya during 2024, has no year-end 2024.
        """
        budget = pl.DataFrame({"_budget": list(years)}, schema={"_budget": pl.Int64})
        parts = pl.DataFrame(
            {"_part": [p for p, _ in self.parts()], "_back": [b for _, b in self.parts()]},
            schema={"_part": pl.String, "_back": pl.Int64},
        )
        if self.mapping is None:
            cells = known.with_columns(
                pl.lit(self.recipient, pl.String).alias("_recipient")
                if self.recipient is not None
                else pl.col("_area").alias("_recipient")
            ).join(budget, how="cross")
            return cells.join(parts, how="cross").drop("_back")
        mapping = self._mapping(ctx).join(known, on="_area", how="semi")
        cells = self._in_force(mapping.join(budget, how="cross")).select(
            "_area", "_recipient", "_budget"
        )
        two = len(self.parts()) > 1

        if not two:
            return cells.join(parts, how="cross").drop("_back")
        spans = mapping.select("_area", "from_year", "to_year")
        out = []
        for part, back in self.parts():
            shift = -1 if back else 1  # t−1: valid the year before; t: valid the year after
            checked = cells.with_columns((pl.col("_budget") + shift).alias("_y")).join(
                spans, on="_area", how="inner"
            )
            ok = (
                checked.filter(
                    (pl.col("from_year") <= pl.col("_y"))
                    & (pl.col("to_year").is_null() | (pl.col("_y") <= pl.col("to_year")))
                )
                .select("_area", "_recipient", "_budget")
                .unique()
            )
            out.append(ok.with_columns(pl.lit(part).alias("_part")))
        return pl.concat(out)

    def _expected_recipients(
        self, ctx: ComputeContext, known: pl.DataFrame, years: Sequence[int]
    ) -> pl.DataFrame:
        """With a mapping: every recipient of each budget year has rows at every year-end."""
        budget = pl.DataFrame({"_budget": list(years)}, schema={"_budget": pl.Int64})
        parts = pl.DataFrame({"_part": [p for p, _ in self.parts()]}, schema={"_part": pl.String})
        mapping = self._mapping(ctx).join(known, on="_area", how="semi")
        return (
            self._in_force(mapping.join(budget, how="cross"))
            .select("_recipient", "_budget")
            .unique()
            .join(parts, how="cross")
        )

    def _incomplete(
        self,
        ctx: ComputeContext,
        incomplete: pl.DataFrame | None,
        years: Sequence[int],
        cover: Sequence[str],
    ) -> pl.DataFrame:
        """The data-year cells of ``incomplete`` as (area, recipient, budget year, part, …)."""
        schema = {"_area": pl.String, "_recipient": pl.String, "_budget": pl.Int64,
                  "_part": pl.String, "_missing": pl.String}  # fmt: skip
        if incomplete is None or incomplete.height == 0:
            return pl.DataFrame(schema=schema | dict.fromkeys(cover, pl.String))
        cells = self._by_budget_year(
            incomplete.with_columns(pl.col(self.recipient_column).cast(pl.String)), years
        )
        cells = self._with_recipients(ctx, cells)
        return cells.select(
            "_area",
            "_recipient",
            "_budget",
            "_part",
            *[pl.col(c).cast(pl.String) for c in cover],
            "_missing",
        )

    def _refuse(
        self,
        missing_by: Sequence[tuple[str, pl.DataFrame]],
        short: pl.DataFrame,
        cover: Sequence[str],
    ) -> None:
        """Raise one error naming every missing and incomplete cell (area or recipient)."""

        def cell(r: dict[str, object]) -> str:
            back = next(b for p, b in self.parts() if p == r["_part"])
            data_year = int(r["_budget"]) - self.lag - back  # type: ignore[call-overload]
            label, name = (
                ("recipient", r["_recipient"])
                if r.get("_unit") == "_recipient"
                else ("area", r["_area"])
            )
            text = f"{label} {name!r}, data year {data_year} (budget year {r['_budget']})"
            for column in cover:
                text += f", {column} {r[column]!r}"
            if r.get("_missing"):
                text += f": ages {r['_missing']} missing"
            return text

        frames = [
            m.select(
                pl.col("_area") if "_area" in m.columns else pl.lit(None, pl.String).alias("_area"),
                pl.col("_recipient"),
                "_budget",
                "_part",
                *cover,
                pl.lit(unit).alias("_unit"),
            )
            for unit, m in missing_by
            if m.height
        ]
        if short.height:
            frames.append(
                short.select(
                    "_area",
                    "_recipient",
                    "_budget",
                    "_part",
                    *cover,
                    "_missing",
                    pl.lit("_area").alias("_unit"),
                )
            )
        problems = pl.concat(frames, how="diagonal_relaxed").sort(
            "_budget", "_unit", "_area", "_recipient", *cover, nulls_last=True
        )
        raise missing_cells_error(
            self.where,
            f"dataset {self.dataset!r} gives no volume",
            problems,
            cell,
            GAP_HINT,
        )

    def describe(self) -> str:
        """Where the volumes come from, in Swedish words (the datasets are listed beside it)."""
        parts = []
        if self.reference == "mean_of_year_ends":
            parts.append("medelvärdet av årsskiftena t − 1 och t")
        if self.reference == "change":
            parts.append("förändringen från t − 1 till t")
        if self.lag:
            parts.append(f"data från år t − {self.lag}")
        if self.mapping:
            parts.append("områden till mottagare enligt områdesindelningen för året")
        if self.excluded:
            parts.append(f"utan {', '.join(self.excluded)}")
        return ", ".join(parts) or "volym ur budgetårets data"


def _none_of(expected: pl.DataFrame, cover: Sequence[str]) -> pl.DataFrame:
    """No missing cells, in the shape of the grid of ``expected`` × the key columns."""
    return expected.head(0).with_columns(pl.lit(None, pl.String).alias(c) for c in cover)


def population_bands(
    ctx: ComputeContext,
    volume: VolumeSettings,
    bands: Mapping[str, tuple[int, int]],
    years: Sequence[int],
    *,
    by_area: bool = False,
) -> pl.DataFrame:
    """Volumes (recipient, year, component = band, volume, gap) of the population in ``bands``.

    A population row counts in a band when its whole age group lies inside it; a group that
    straddles a band's edge is refused rather than split. Every age of every band must be
    there for every area and data year (single years, or groups that tile the band), unless a
    gap rule says what a missing age means.

    The rows are summed per area, data year (and sex) and band first, with the widths that
    prove each band complete; the volumes are built from those sums (a few thousand cells, not
    half a million rows). Models of one run that read the same population in the same data
    years share its rows and labels (:func:`memo`).
    """
    population = ctx.dataset(volume.dataset)
    volume.check_recipient_column(population, ("count",))
    need = volume.data_years(years)
    rows, labels = memo(
        population,
        ("ages in years", tuple(need)),
        lambda: _in_years(population, need, distinct(population, "year", ctx)),
        ctx,
    )
    for label, (lo, hi) in bands.items():
        straddling = labels.filter(
            (pl.col("_lo") <= hi)
            & (pl.col("_hi") >= lo)
            & ~((pl.col("_lo") >= lo) & (pl.col("_hi") <= hi))
        )
        if straddling.height:
            first = rows.filter(pl.col("age").is_in(straddling["age"].implode())).item(0, "age")
            raise ModelError(
                f"{volume.where}: the population in dataset {volume.dataset!r} has the age group "
                f"{first!r}, which straddles the band {label!r}; give single "
                "years of age or groups that fit inside the bands"
            )
    sex = ["sex"] if "sex" in rows.columns and rows["sex"].is_not_null().any() else []
    by = [volume.recipient_column, "year", *sex]
    summed, short = band_sums(rows, labels, bands, by)
    incomplete = short.select(*by, "component", "_missing") if short.height else None
    return volume.volumes(
        ctx,
        summed,
        years,
        sums={"volume": "count"},
        keys={"component": list(bands)},
        incomplete=incomplete,
        dataset=population,
        carry=["_area"] if by_area else [],
        rows_unique=not sex,
    )


def _in_years(
    population: pl.DataFrame, need: Sequence[int], present: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The population's rows of the data years ``need``, and their distinct age labels
    (``present``: the years the population has)."""
    if set(present.to_list()) <= set(need):
        rows = population  # every row is in those years: nothing to filter, labels known
    else:
        rows = population.filter(pl.col("year").is_in(list(need)))
    return rows, age_labels(rows)


def population_in_ages(
    ctx: ComputeContext,
    volume: VolumeSettings,
    ages: tuple[int, int],
    years: Sequence[int],
    *,
    by_area: bool = False,
) -> pl.DataFrame:
    """Volumes (recipient, year, volume, gap) of the population whose age lies within ``ages``;
    with ``by_area`` one row per area too (``_area``), for a cost that differs by area."""
    label = f"{ages[0]}–{ages[1]}"
    return population_bands(ctx, volume, {label: ages}, years, by_area=by_area).drop("component")


_RATE_SCHEMA = {
    "component": pl.String,
    "year": pl.Int64,
    "value": pl.Float64,
    "source": pl.String,
    "from_year": pl.Int64,
    "unit": pl.String,
}


def rates(
    ctx: ComputeContext, keys: Mapping[str, str], years: Iterable[int], where: str = ""
) -> pl.DataFrame:
    """For each component (→ parameter key) and year: the value in force, its source and start year.

    A component without a value in force in a year is an error; every such component and year
    is named at once, with the model (``where``).
    """
    rows, misses = [], []
    for component, key in keys.items():
        parameter = ctx.parameters[key]
        for year in years:
            try:
                dated = parameter.at(year)
            except ParameterError as exc:
                misses.append(f"  - {component} {year}: {exc}")
                continue
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
    if misses:
        raise ModelError(
            f"{where or 'model'}: no rate in force for {len(misses)} component-year"
            f"{'s' * (len(misses) != 1)}:\n"
            + "\n".join(misses[:SHOWN])
            + (f"\n  … and {len(misses) - SHOWN} more" if len(misses) > SHOWN else "")
        )
    return pl.DataFrame(rows, schema=_RATE_SCHEMA)


def facts(
    ctx: ComputeContext,
    keys: Mapping[str, str],
    years: Iterable[int],
    where: str,
    gaps: GapRule | None = None,
) -> pl.DataFrame:
    """Like :func:`rates`, for values that are facts of their year (counts in a tenant file).

    A count given for 2018 says nothing about 2019: each year needs its own value, or a gap rule
    ``means = "previous"`` that lets the latest earlier value stand (and says so in ``gap``).
    """
    rows, misses = [], []
    for component, key in keys.items():
        parameter = ctx.parameters[key]
        given = {v.year: v for v in parameter.values}
        for year in years:
            dated = given.get(year)
            gap = None
            if dated is None and gaps is not None and gaps.means == "previous":
                earlier = [v for y, v in given.items() if y < year]
                dated = max(earlier, key=lambda v: v.year) if earlier else None
                gap = (
                    gaps.note(f"inget värde för {year}, värdet från {dated.year} används")
                    if dated
                    else None
                )
            if dated is None or dated.value is None:
                misses.append(
                    f"  - {component} {year}: given for {', '.join(map(str, sorted(given)))}"
                )
                continue
            rows.append(
                {
                    "component": component,
                    "year": year,
                    "value": dated.value,
                    "source": dated.source,
                    "from_year": dated.year,
                    "unit": parameter.unit,
                    "gap": gap,
                }
            )
    if misses:
        raise ModelError(
            f"{where}: a count is a fact of its year, and {len(misses)} component-year"
            f"{'s' * (len(misses) != 1)} have none:\n"
            + "\n".join(misses[:SHOWN])
            + (f"\n  … and {len(misses) - SHOWN} more" if len(misses) > SHOWN else "")
            + '\nGive a value for each year, or gaps = { means = "previous", reason = "…" } on '
            "the model if last year's count should stand."
        )
    return pl.DataFrame(rows, schema=_RATE_SCHEMA | {"gap": pl.String})


def refuse_negative(
    frame: pl.DataFrame, column: str, describe: Callable[[dict[str, Any]], str]
) -> None:
    """Raise ModelError naming the first row whose ``column`` is below zero.

    ``describe`` turns that row into the message: what the number is, where it came
    from and why it must be 0 or more (a count, a weight, need points).
    """
    negative = frame.filter(pl.col(column) < 0)
    if negative.height:
        raise ModelError(describe(negative.row(0, named=True)))


def cite(value: float, unit: str, source: str, from_year: int) -> str:
    """``21 900 kr/invånare (KF 2023-06-12 § 45, från 2024)``."""
    return f"{number(value)} {unit} ({source}, från {from_year})"
