"""Model types for a committee's allocation to its units (Östersund's vård- och omsorgsnämnd).

* ``occupied_days`` — särskilt boende and korttidsboende: paid days × kr per dygn, a higher rate
  for units with fewer than ``small_unit_below`` places, a rate of their own for a kind of unit
  (``kind_day_rates``: korttidsboende), a contract rate for external providers.
* ``points_allocation`` — LSS bostäder: a grundersättning by staffing need (dagtäckning,
  vaknatt) plus Σ residents' points × the value of a point.
* ``care_hour_levels`` — hemtjänst and hemsjukvård: a level from assessed hours per person and
  month, paid as the level's schablon hours × the unit's hourly rate; or, with ``mode =
  "utford_tid"`` (LOV), performed hours × the LOV hourly rate.

Each yields lineage rows per unit (the recipient), year and component, so ``rfm explain``
shows the days, points or hours, the rate and its source.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

import rfm
from rfm_ostersund.days import paid_days
from rfm_ostersund.levels import BOUNDARIES, Bands, bands_from

N = rfm.format_number


def _dated(ctx: rfm.ComputeContext, key: str, year: int) -> rfm.DatedValue:
    return ctx.parameters[key].at(year)


def _rows(records: list[dict[str, Any]], model: str) -> pl.DataFrame:
    schema = {
        "recipient": pl.String, "year": pl.Int64, "component": pl.String, "volume": pl.Float64,
        "volume_unit": pl.String, "rate": pl.Float64, "rate_unit": pl.String, "basis": pl.String,
    }  # fmt: skip
    frame = pl.DataFrame(records, schema=schema)
    return frame.select(pl.lit(model).alias("model"), *schema)


class UnitModel(rfm.Model):
    """Shared settings: the unit register and which kinds of unit the model pays."""

    kinds: tuple[str, ...] = ()

    def __init__(self, config: rfm.ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.units_dataset = str(table.get("units", "units"))
        self.gaps = rfm.parse_gaps(table.get("gaps"), config.where)

    def refuse_silent_units(
        self, ctx: rfm.ComputeContext, have: pl.DataFrame, dataset: str, years: Sequence[int]
    ) -> set[tuple[str, int]]:
        """Units of the register without rows in ``have`` (unit, year) for a year asked for.

        A unit with no rows would get 0 kr or vanish from the allocation: an error, unless the
        model declares ``gaps = { means = "zero", reason = "…" }``; then the (unit, year) pairs
        are returned for the caller to pay 0 with the reason in the basis.
        """
        units = self.units(ctx).select("unit").unique()
        wanted = units.join(pl.DataFrame({"year": list(years)}), how="cross")
        missing = wanted.join(have.select("unit", "year").unique(), on=["unit", "year"], how="anti")
        if missing.height and self.gaps is None:
            shown = ", ".join(
                f"{u} ({y})" for u, y in missing.sort("unit", "year").head(12).iter_rows()
            )
            raise rfm.ModelError(
                f"{self.config.where}: dataset {dataset!r} has no rows for {missing.height} "
                f"unit-year(s) of the register: {shown}{' …' if missing.height > 12 else ''}. If "
                'a unit without rows gets nothing, say so: gaps = { means = "zero", reason = "…" }'
            )
        return set(missing.iter_rows())

    def units(self, ctx: rfm.ComputeContext) -> pl.DataFrame:
        return ctx.dataset(self.units_dataset).filter(pl.col("kind").is_in(list(self.kinds)))

    def refuse(
        self, bad: pl.DataFrame, dataset: str, what: Callable[[dict[str, Any]], str]
    ) -> None:
        """Raise naming the first of the ``bad`` rows (numbered ``_row`` from 0) as a file does."""
        if bad.height:
            first = bad.row(0, named=True)
            raise rfm.ModelError(
                f"{self.config.where}: dataset {dataset!r} row {first['_row'] + 2}: "
                f"{what(first)} ({bad.height} such row{'s' * (bad.height != 1)})"
            )

    def check_units(self, ctx: rfm.ComputeContext, frame: pl.DataFrame, dataset: str) -> None:
        """Every unit named in ``frame`` must be a unit of the right kind in the register."""
        known = sorted(set(self.units(ctx)["unit"].to_list()))
        self.refuse(
            frame.with_row_index("_row").filter(~pl.col("unit").is_in(known)),
            dataset,
            lambda r: (
                f"unit {r['unit']!r} is not a unit of kind {'/'.join(self.kinds)} in "
                f"dataset {self.units_dataset!r}"
            ),
        )

    def datasets(self) -> tuple[str, ...]:
        return (self.units_dataset,)


class OccupiedDays(UnitModel):
    type_name = "occupied_days"
    summary = "särskilt boende/korttidsboende: paid days × kr per dygn, by unit size"
    config_keys = (
        "stays", "units", "day_rate", "small_unit_day_rate", "small_unit_below", "vacancy_days",
        "acconto_share", "kind_day_rates",
    )  # fmt: skip
    required_keys = ("day_rate", "small_unit_day_rate")
    kinds = ("särskilt_boende", "korttidsboende")

    def __init__(self, config: rfm.ModelConfig) -> None:
        super().__init__(config)
        self.stays_dataset = str(config.table.get("stays", "stays"))
        self.day_rate = self.dated_parameter("day_rate", "kr/dygn", "ersättning per belagt dygn")
        self.small_rate = self.dated_parameter(
            "small_unit_day_rate", "kr/dygn", "ersättning per dygn, boenden under gränsen"
        )
        self.small_below = self.optional_int("small_unit_below", 20)
        self.vacancy_days = self.optional_int("vacancy_days", 2)
        if self.vacancy_days < 0:
            raise rfm.ConfigError(f"{config.where}.vacancy_days: must be 0 or more")
        self.acconto_share = (
            self.dated_parameter("acconto_share", "andel", "acconto: andel av full beläggning")
            if "acconto_share" in config.table
            else None
        )
        kinds = config.table.get("kind_day_rates", {})
        unknown = sorted(set(kinds) - set(self.kinds))
        if unknown:
            raise rfm.ConfigError(
                f"{config.where}.kind_day_rates: {', '.join(unknown)} is not one of "
                f"{', '.join(self.kinds)}"
            )
        self.kind_rates = {
            kind: self.dated_parameter(
                "kind_day_rates", "kr/dygn", f"ersättning per dygn, {kind}", suffix=kind
            )
            for kind in kinds
        }

    def datasets(self) -> tuple[str, ...]:
        return (self.units_dataset, self.stays_dataset)

    def formula(self) -> str:
        return (
            f"belopp = (belagda dygn + högst {self.vacancy_days} tomma dygn efter avflyttning) × "
            f"dygnsersättning; dygnsersättning = {self.small_rate} för enheter med färre än "
            f"{self.small_below} platser, annars {self.day_rate}"
            + "".join(f"; {k}: {v}" for k, v in self.kind_rates.items())
            + "; avtalspris för externa utförare"
        )

    def stays(self, ctx: rfm.ComputeContext) -> pl.DataFrame:
        stays = ctx.dataset(self.stays_dataset)
        self.check_units(ctx, stays, self.stays_dataset)
        return stays.with_columns(
            pl.col("from_date").str.to_date("%Y-%m-%d"), pl.col("to_date").str.to_date("%Y-%m-%d")
        )

    def days(self, ctx: rfm.ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """Every paid day of ``years``: unit, place, person, date, kind.

        Only years the stays data cover: a stay still open at the last date the data know of
        says nothing about the years after it (paying it to 2030 would be full occupancy that
        nobody observed).
        """
        stays = self.stays(ctx)
        first = stays["from_date"].min()
        last = max(d for d in (stays["from_date"].max(), stays["to_date"].max()) if d is not None)
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        outside = [y for y in years if not first.year <= y <= last.year]
        if outside:
            raise rfm.ModelError(
                f"{self.config.where}: dataset {self.stays_dataset!r} covers {first} to {last} "
                f"(its first and last dates), not the budget year(s) "
                f"{', '.join(map(str, outside))}"
            )
        every = paid_days(stays, self.vacancy_days, dt.date(max(years), 12, 31))
        return every.filter(pl.col("date").dt.year().is_in(list(years)))

    def unit_rates(self, ctx: rfm.ComputeContext, year: int) -> dict[str, tuple[float, str]]:
        """Per unit: kr per dygn in ``year`` and why (size class or contract), with the source."""
        rates: dict[str, tuple[float, str]] = {}
        standard, small = _dated(ctx, self.day_rate, year), _dated(ctx, self.small_rate, year)
        for u in self.units(ctx).iter_rows(named=True):
            if u["contract_rate"] is not None:
                rates[u["unit"]] = (
                    u["contract_rate"],
                    "avtalspris för extern utförare (enhetsregistret)",
                )
            elif u["kind"] in self.kind_rates:
                own = _dated(ctx, self.kind_rates[u["kind"]], year)
                rates[u["unit"]] = (float(own.value or 0), f"{u['kind']}: {own.source}")
            elif u["places"] is not None and u["places"] < self.small_below:
                rates[u["unit"]] = (
                    float(small.value or 0),
                    f"{u['places']} platser < {self.small_below}: {small.source}",
                )
            else:
                rates[u["unit"]] = (
                    float(standard.value or 0),
                    f"{u['places']} platser ≥ {self.small_below}: {standard.source}",
                )
        return rates

    def compute(self, ctx: rfm.ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        counted = (
            self.days(ctx, years)
            .group_by("unit", pl.col("date").dt.year().alias("year"), "kind")
            .agg(pl.len().alias("days"))
            .sort("unit", "year", "kind")
        )
        records = []
        for year in years:
            rates = self.unit_rates(ctx, year)
            for r in counted.filter(pl.col("year") == year).iter_rows(named=True):
                rate, why = rates[r["unit"]]
                records.append(
                    {
                        "recipient": r["unit"], "year": year, "component": r["kind"],
                        "volume": float(r["days"]), "volume_unit": "dygn", "rate": rate,
                        "rate_unit": "kr/dygn", "basis": f"{N(rate)} kr/dygn ({why})",
                    }
                )  # fmt: skip
        return _rows(records, self.id)


class PointsAllocation(UnitModel):
    type_name = "points_allocation"
    summary = "LSS bostäder: grundersättning by staffing + Σ residents' points × kr per poäng"
    config_keys = ("points", "units", "base", "point_value", "max_points", "gaps")
    required_keys = ("base", "point_value", "max_points")
    kinds = ("lss_bostad",)

    def __init__(self, config: rfm.ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.points_dataset = str(table.get("points", "resident_points"))
        base = self.mapping("base")
        unknown = sorted(set(base) - {"dagtackning", "vaknatt"})
        if unknown:
            raise rfm.ConfigError(
                f"{config.where}.base: staffing levels are dagtackning and vaknatt, not {unknown}"
            )
        self.base = {
            level: self.dated_parameter("base", "kr", f"grundersättning, {level}", suffix=level)
            for level in base
        }
        self.point_value = self.dated_parameter("point_value", "kr/poäng", "värdet av en poäng")
        max_points = table["max_points"]
        if (
            isinstance(max_points, bool)
            or not isinstance(max_points, int | float)
            or max_points <= 0
        ):
            raise rfm.ConfigError(f"{config.where}.max_points: expected a number above 0")
        self.max_points = float(max_points)

    def datasets(self) -> tuple[str, ...]:
        return (self.units_dataset, self.points_dataset)

    def formula(self) -> str:
        return (
            "belopp = grundersättning(bemanning: dagtäckning eller vaknatt) + Σ brukarnas poäng × "
            f"poängvärde; poäng 0–{N(self.max_points)} per brukare"
        )

    def compute(self, ctx: rfm.ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        points = ctx.dataset(self.points_dataset)
        self.check_units(ctx, points, self.points_dataset)
        self.refuse(
            points.with_row_index("_row").filter(pl.col("points") > self.max_points),
            self.points_dataset,
            lambda r: (
                f"{r['person']} at {r['unit']} has {N(r['points'])} points; the scale is "
                f"0–{N(self.max_points)}"
            ),
        )
        sums = points.group_by("unit", "year").agg(
            pl.col("points").sum(), pl.len().alias("residents")
        )
        self.refuse_silent_units(ctx, sums, self.points_dataset, years)
        units = self.units(ctx)
        records = []
        for year in years:
            value = _dated(ctx, self.point_value, year)
            of_year = {
                r["unit"]: r for r in sums.filter(pl.col("year") == year).iter_rows(named=True)
            }
            for u in units.sort("unit").iter_rows(named=True):
                level = u["staffing"]
                if level not in self.base:
                    raise rfm.ModelError(
                        f"{self.config.where}: unit {u['unit']!r} has staffing {level!r}; the model "
                        f"has a grundersättning for {', '.join(self.base)}"
                    )
                base = _dated(ctx, self.base[level], year)
                records.append(
                    {
                        "recipient": u["unit"], "year": year, "component": f"grundersättning ({level})",
                        "volume": 1.0, "volume_unit": "enhet", "rate": float(base.value or 0),
                        "rate_unit": "kr/enhet", "basis": f"bemanningsbehov {level}: {base.source}",
                    }
                )  # fmt: skip
                mine = of_year.get(u["unit"])
                records.append(
                    {
                        "recipient": u["unit"], "year": year, "component": "poäng",
                        "volume": float(mine["points"]) if mine else 0.0, "volume_unit": "poäng",
                        "rate": float(value.value or 0), "rate_unit": "kr/poäng",
                        "basis": f"{mine['residents'] if mine else 0} brukare; poängvärde {N(value.value or 0)} kr ({value.source})"
                        + ("" if mine or self.gaps is None else " — " + self.gaps.note()),
                    }
                )  # fmt: skip
        return _rows(records, self.id)


class CareHourLevels(UnitModel):
    type_name = "care_hour_levels"
    summary = "hemtjänst: level by assessed hours per person-month × schablon hours × hourly rate"
    config_keys = (
        "hours", "units", "levels", "boundary", "level_hours", "mode", "lov_rate", "gaps",
    )  # fmt: skip
    required_keys = ("levels", "boundary")
    kinds = ("hemtjanst",)

    def __init__(self, config: rfm.ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.hours_dataset = str(table.get("hours", "care_hours"))
        self.mode = str(table.get("mode", "niva"))
        if self.mode not in ("niva", "utford_tid"):
            raise rfm.ConfigError(f"{config.where}.mode: niva or utford_tid, not {self.mode!r}")
        if table["boundary"] not in BOUNDARIES:
            raise rfm.ConfigError(
                f"{config.where}.boundary: {' or '.join(BOUNDARIES)} (which band a shared end "
                f"point belongs to), not {table['boundary']!r}"
            )
        levels = self.mapping("levels")
        try:
            self.bands: Bands = bands_from(
                [(name, float(b[0]), float(b[1])) for name, b in levels.items()], table["boundary"]
            )
        except (TypeError, ValueError, IndexError, rfm.ConfigError) as exc:
            raise rfm.ConfigError(
                f'{config.where}.levels: expected {{ "nivå 1" = [1, 25], … }} in increasing, '
                f"contiguous order ({exc})"
            ) from exc
        if self.mode == "niva":
            hours = self.mapping("level_hours")
            if list(hours) != [b[0] for b in self.bands.bands]:
                raise rfm.ConfigError(
                    f"{config.where}.level_hours: give schablon hours for exactly the levels "
                    f"{', '.join(b[0] for b in self.bands.bands)}, in that order"
                )
            self.level_hours = {
                name: self.dated_parameter(
                    "level_hours", "timmar", f"schablontimmar, {name}", suffix=name
                )
                for name in hours
            }
        else:
            self.lov_rate = self.dated_parameter(
                "lov_rate", "kr/timme", "LOV-ersättning per utförd timme"
            )

    def datasets(self) -> tuple[str, ...]:
        return (self.units_dataset, self.hours_dataset)

    def formula(self) -> str:
        if self.mode == "utford_tid":
            return "belopp = utförda timmar × LOV-ersättning per timme"
        return (
            "nivå per person och månad av bedömda timmar ("
            + self.bands.describe("h")
            + "); belopp = Σ schablontimmar(nivå) × enhetens timersättning"
        )

    def hours(self, ctx: rfm.ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """The care-hour rows of ``years`` with their level; hours outside every band are an error."""
        data = ctx.dataset(self.hours_dataset)
        self.check_units(ctx, data, self.hours_dataset)
        rows = data.with_row_index("_row").filter(pl.col("year").is_in(list(years)))
        leveled = rows.with_columns(self.bands.level(pl.col("assessed_hours")).alias("level"))
        self.refuse(
            leveled.filter(pl.col("level").is_null()),
            self.hours_dataset,
            lambda r: (
                f"{r['person']} at {r['unit']} {r['year']}-{r['month']:02d} has "
                f"{N(r['assessed_hours'])} h, outside every level "
                f"({N(self.bands.low)}–{N(self.bands.high)} h)"
            ),
        )
        return leveled

    def compute(self, ctx: rfm.ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        leveled = self.hours(ctx, years)
        silent = self.refuse_silent_units(ctx, leveled, self.hours_dataset, years)
        records = [
            {
                "recipient": unit, "year": year, "component": "inga timmar",
                "volume": 0.0, "volume_unit": "timmar", "rate": 0.0, "rate_unit": "kr/timme",
                "basis": self.gaps.note() if self.gaps else "",
            }
            for unit, year in sorted(silent)
        ]  # fmt: skip
        if self.mode == "utford_tid":
            self.refuse(
                leveled.filter(pl.col("performed_hours").is_null()),
                self.hours_dataset,
                lambda r: f"LOV pays performed hours; {r['person']} has none for {r['month']:02d}",
            )
            sums = leveled.group_by("unit", "year").agg(pl.col("performed_hours").sum())
            for r in sums.sort("unit", "year").iter_rows(named=True):
                rate = _dated(ctx, self.lov_rate, r["year"])
                records.append(
                    {
                        "recipient": r["unit"], "year": r["year"], "component": "utförda timmar",
                        "volume": r["performed_hours"], "volume_unit": "timmar",
                        "rate": float(rate.value or 0), "rate_unit": "kr/timme",
                        "basis": f"LOV, utförd tid: {rate.source}",
                    }
                )  # fmt: skip
            return _rows(records, self.id)
        for year in years:
            schablon_hours = {
                n: float(_dated(ctx, k, year).value or 0) for n, k in self.level_hours.items()
            }
            if not level_hours_increase(schablon_hours):
                raise rfm.ModelError(
                    f"{self.config.where}.level_hours: the schablon hours must grow with the level "
                    f"(in {year}: {schablon_hours}); otherwise more care could give less money"
                )
        units = {u["unit"]: u for u in self.units(ctx).iter_rows(named=True)}
        counts = leveled.group_by("unit", "year", "level").agg(pl.len().alias("person_months"))
        for r in counts.sort("unit", "year", "level").iter_rows(named=True):
            schablon = _dated(ctx, self.level_hours[r["level"]], r["year"])
            hourly = units[r["unit"]]["hourly_rate"]
            if hourly is None:
                raise rfm.ModelError(
                    f"{self.config.where}: unit {r['unit']!r} has no hourly_rate in dataset "
                    f"{self.units_dataset!r}"
                )
            records.append(
                {
                    "recipient": r["unit"], "year": r["year"], "component": r["level"],
                    "volume": r["person_months"] * float(schablon.value or 0), "volume_unit": "timmar",
                    "rate": float(hourly), "rate_unit": "kr/timme",
                    "basis": (
                        f"{r['person_months']} personmånader × {N(schablon.value or 0)} h "
                        f"(schablon {r['level']}: {schablon.source}); timersättning enligt enhetsregistret"
                    ),
                }
            )  # fmt: skip
        return _rows(records, self.id)


MODEL_TYPES: tuple[type[rfm.Model], ...] = (OccupiedDays, PointsAllocation, CareHourLevels)


def level_hours_increase(values: Mapping[str, float]) -> bool:
    """Schablon hours that grow with the level (so more hours never give less money)."""
    seq = list(values.values())
    return all(a < b for a, b in itertools.pairwise(seq))
