"""``distribution_key``: a fixed total split over recipients by need points.

    poäng(r, t)   = Σ_v  vikt_v(t) × X_v(r, t)          (or a ready ``points`` column)
    kr per poäng  = total(t) ÷ Σ_r poäng(r, t)
    amount(r, t)  = poäng(r, t) × kr per poäng           ⇒  Σ_r amount(r, t) = total(t)

This is the shape of a budget key (nyckel): Stockholm's ekonomiskt bistånd split over the
stadsdelsnämnder by a need index. The rate depends on every recipient's volume, so the key is
zero-sum: what one district gains another loses. Each variable is its own lineage component
(volume = vikt × X in points), so ``rfm explain`` shows which variable drives a district's share.

Two refinements a city's key needs:

* ``total`` may list several budgets that the key splits as one (Stockholm merged utbetalt
  ekonomiskt bistånd and its handläggning into one budget in 2006): the total is their sum, and
  each row's basis names every part with its source.
* ``index_column`` multiplies each area's points by an adjustment index from the data (the
  step-2 index of Stockholm's 2004 key, built on employment, income, children and the area's
  attractiveness). Shares renormalise by themselves, since the rate is total ÷ Σ points. The
  basis shows the index a row's points were multiplied by.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from rfm import basis
from rfm.config import check_keys, get_number, get_str
from rfm.errors import ConfigError, ModelError
from rfm.formatting import half_up, number, number_text_expr, percent
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import VOLUME_KEYS, VolumeSettings, rates
from rfm.models.frames import model_rows, with_basis


class DistributionKey(Model):
    type_name = "distribution_key"
    summary = "a fixed total split by need points: rate = total ÷ Σ points"
    config_keys = (*VOLUME_KEYS, "total", "variables", "points_column", "index_column")
    required_keys = ("total",)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.volume = VolumeSettings(self, "need")
        if self.volume.recipient is not None:
            raise ConfigError(
                f"{config.where}.recipient: a distribution key splits over many recipients; "
                "use recipient_column"
            )
        if self.volume.reference != "year":
            raise ConfigError(f"{config.where}.population_reference: not used by distribution keys")
        table = config.table
        self.total_keys = self._totals(table["total"])
        if ("variables" in table) == ("points_column" in table):
            raise ConfigError(
                f"{config.where}: give exactly one of 'variables' (weights per column) and "
                "'points_column' (a ready need-points column)"
            )
        self.weight_keys = {
            v: self.dated_parameter("variables", "vikt", f"vikt för {v}", suffix=v)
            for v in (table.get("variables") or {})
        }
        self.points_column = table.get("points_column")
        self.index_column, self.index_shape = _index(table.get("index_column"), config.where)

    def _totals(self, raw: Any) -> list[str]:
        """The parameter keys of the budget(s) to split: one, or a list summed as one budget."""
        where = f"{self.config.where}.total"
        if not isinstance(raw, list):
            return [self.declare(raw, where, f"{self.id}.total", "kr", "belopp att fördela")]
        if not raw:
            raise ConfigError(f"{where}: expected at least one budget")
        return [
            self.declare(
                item,
                f"{where}[{i}]",
                f"{self.id}.total.{i + 1}",
                "kr",
                f"belopp att fördela, del {i + 1}",
            )
            for i, item in enumerate(raw)
        ]

    def datasets(self) -> tuple[str, ...]:
        return self.volume.datasets()

    def formula(self) -> str:
        points = (
            " + ".join(f"vikt({v}) × {v}" for v in self.weight_keys)
            if self.weight_keys
            else str(self.points_column)
        )
        if self.index_column:
            points = f"({points}) × {_shape_text(self.index_column, self.index_shape)}"
        total = (
            "total(år)"
            if len(self.total_keys) == 1
            else "(" + " + ".join(self.total_keys) + ")(år)"
        )
        return (
            f"poäng = {points}; kr per poäng = {total} ÷ Σ poäng; belopp = poäng × kr per poäng "
            f"(summan av beloppen = total); {self.volume.describe()}"
        )

    def explain(self, rows: pl.DataFrame, recipient: str, year: int) -> list[str]:
        """The recipient's points against everyone's, its share and its part of the total."""
        of_year = rows.filter(pl.col("year") == year)
        mine = of_year.filter(pl.col("recipient") == recipient)
        if mine.height == 0:
            return []
        points, everyone = float(mine["volume"].sum()), float(of_year["volume"].sum())
        total = float(of_year["amount"].sum())
        share = points / everyone if everyone else 0.0
        return [
            f"Poäng (behov): {number(round(points, 4))} av {number(round(everyone, 4))} för "
            f"{of_year['recipient'].n_unique()} mottagare",
            f"Andel: {number(round(points, 4))} ÷ {number(round(everyone, 4))} = "
            f"{percent(share, 4)}",
            f"Belopp: andel × {half_up(total, 2)} kr = {half_up(share * total, 2)} kr",
        ]

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """The key's lineage: one row per recipient, year and variable, in canonical order.

        Everything up to the rows themselves is done on the wide table (one row per area and
        year, a column per variable): the cells checked, the areas summed to recipients, the
        points weighed and added up per year. The million lineage rows are then laid out once,
        recipient by recipient, year by year, variable by variable (the order rfm reports in),
        and each takes its rate and basis from a small table by position, not by a join.
        """
        data = ctx.dataset(self.volume.dataset)
        variables = list(self.weight_keys) or [str(self.points_column)]
        wanted = [*variables, *([self.index_column] if self.index_column else [])]
        missing = [v for v in wanted if v not in data.columns]
        if missing:
            raise ModelError(
                f"{self.config.where}: dataset {self.volume.dataset!r} has no column(s) "
                f"{', '.join(missing)}"
            )
        area = self.volume.check_recipient_column(data, variables)
        components = sorted(variables)  # text order: the order of the lineage
        k = len(components)
        # The variables under names of rfm's own, by their place i in that order: a variable
        # may be called anything a column of the file is ("gap", "recipient", "year_2"), the
        # names the volumes work with too. _need_i is read, _volume_i its sum per recipient
        # (and _adjusted_i the same times the index), _weight_i and _points_i per year.
        wide = data.select(
            area, "year", *[pl.col(v).alias(f"_need_{i}") for i, v in enumerate(components)]
        )
        sums = {f"_volume_{i}": f"_need_{i}" for i in range(k)}
        if self.index_column:
            raw_index = pl.col(self.index_column)
            lowest = 0 if self.index_shape.get("floor") is not None else None
            bad = data.filter(
                raw_index.is_null() | ((raw_index <= 0) if lowest is None else pl.lit(False))
            )
            if bad.height:
                first = bad.row(0, named=True)
                raise ModelError(
                    f"{self.config.where}: {self.index_column} must be a number above 0, found "
                    f"{first[self.index_column]!r} for {first[self.volume.recipient_column]!r} "
                    f"({first['year']})"
                )
            index = _shaped(raw_index, self.index_shape)
            wide = wide.hstack(
                data.select(
                    (pl.col(v) * index).alias(f"_adjusted_{i}") for i, v in enumerate(components)
                )
            )
            sums |= {f"_adjusted_{i}": f"_adjusted_{i}" for i in range(k)}
        raw = self.volume.volumes(
            ctx,
            wide,
            years,
            sums=sums,
            dataset=data,
            # one row per area and year: each row is a cell
            rows_unique=not data.select(area, "year").is_duplicated().any(),
        )
        adjusted = "_adjusted" if self.index_column else "_volume"  # the points' base
        if self.weight_keys:
            weights = rates(ctx, self.weight_keys, years, self.config.where).select(
                "component",
                "year",
                pl.col("value").alias("weight"),
                pl.col("source").alias("weight_source"),
            )
        else:
            weights = pl.DataFrame(
                {
                    "component": components[0],
                    "year": sorted(set(years)),
                    "weight": 1.0,
                    "weight_source": None,
                },
                schema={"component": pl.String, "year": pl.Int64, "weight": pl.Float64,
                        "weight_source": pl.String},
            )  # fmt: skip
        weight_of = weights.select(
            "year",
            pl.col("component")
            .replace_strict(components, [f"_weight_{i}" for i in range(k)])
            .alias("component"),
            "weight",
        ).pivot(on="component", index="year", values="weight")
        raw = (
            raw.join(
                weight_of,
                on="year",
                how="left",
            )
            .with_columns(
                (pl.col(f"{adjusted}_{i}") * pl.col(f"_weight_{i}")).alias(f"_points_{i}")
                for i in range(k)
            )
            .sort(pl.col("recipient").cast(pl.String), "year")
        )
        points = [f"_points_{i}" for i in range(k)]
        negative = raw.filter(pl.any_horizontal(pl.col(p) < 0 for p in points))
        if negative.height:
            first = negative.row(0, named=True)
            component = next(v for v, p in zip(components, points, strict=True) if first[p] < 0)
            raise ModelError(
                f"{self.config.where}: negative need points for {first['recipient']!r} "
                f"({component}, {first['year']}); a key needs points ≥ 0"
            )
        # Σ points in decimals: the same sum whatever order the rows come in (a float sum
        # depends on it in its last digits, and so would every row's kr per poäng)
        exact = pl.Decimal(38, 12)
        sums_of_year = (
            raw.group_by("year")
            .agg(pl.col(p).cast(exact).sum() for p in points)
            .select("year", pl.sum_horizontal(points).cast(pl.Float64).alias("sum_points"))
        )
        per_year = self._total_per_year(ctx, years).join(sums_of_year, on="year", how="left")
        empty = per_year.filter(pl.col("sum_points").is_null() | (pl.col("sum_points") <= 0))
        if empty.height:
            raise ModelError(
                f"{self.config.where}: the need points sum to zero in "
                f"{', '.join(map(str, sorted(empty['year'].to_list())))}; nothing to split by"
            )
        per_year = per_year.with_columns((pl.col("total") / pl.col("sum_points")).alias("rate"))

        def template(r: dict[str, Any]) -> str:
            """The basis of the rows of one variable and year; the row's own figures go in
            the slots (its need, and the index it was multiplied by): see rfm.basis."""
            weight = (
                ""
                if r["weight_source"] is None
                else f"vikt {number(r['weight'])} ({basis.text(r['weight_source'])}) × "
            )
            index = f" × justeringsindex {basis.figure('y', 4)}" if self.index_column else ""
            return (
                f"poäng = {weight}{basis.figure('x')} {basis.text(r['component'])}{index}; "
                f"kr per poäng = {basis.text(r['total_text'])} ÷ {number(r['sum_points'])} poäng"
            )

        # The rate and the basis template per year and variable: a small table formatted in
        # Python, laid out (year, variable) by position; each row carries only its figures.
        explained = with_basis(weights.join(per_year, on="year", how="inner"), template)
        rows = _laid_out(raw, components, explained, indexed=self.index_column is not None)
        return model_rows(rows, self.id, "poäng", "kr/poäng")

    def _total_per_year(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """year, total (the sum of the budgets) and total_text (each part with its source)."""
        parts = rates(ctx, {k: k for k in self.total_keys}, years, self.config.where)
        return (
            parts.sort("year")
            .with_columns(
                (
                    number_text_expr(pl.col("value"))
                    + pl.lit(" kr (")
                    + pl.col("source")
                    + pl.lit(")")
                ).alias("text")
            )
            .group_by("year", maintain_order=True)
            .agg(
                pl.col("value").sum().alias("total"),
                pl.col("text").str.join(" + ").alias("total_text"),
            )
            .with_columns(
                pl.format("({})", "total_text").alias("total_text")
                if len(self.total_keys) > 1
                else pl.col("total_text")
            )
        )


def _laid_out(
    raw: pl.DataFrame, components: list[str], explained: pl.DataFrame, *, indexed: bool
) -> pl.DataFrame:
    """The lineage rows of ``raw`` (one row per recipient and year, in order, with variable
    *j*'s need in ``_volume_j``, its points in ``_points_j`` and, ``indexed``, its need times
    the index in ``_adjusted_j``): row *i* is recipient-year *i* // k, variable *i* mod k, so
    the rows come in canonical order without being sorted.

    The k columns of a measure become one column by setting each row's k values side by side
    (a fixed-size array) and reading them out in a line; the rate and basis of each (year,
    variable) are gathered by position from ``explained``.
    """
    k = len(components)

    def in_line(columns: list[pl.Expr]) -> pl.Series:
        return raw.select(pl.concat_arr(columns)).to_series().reshape((-1,))

    first = int(raw["year"].min()) if raw.height else 0  # type: ignore[arg-type]
    span = int(raw["year"].max()) - first + 1 if raw.height else 1  # type: ignore[arg-type]
    slot = explained.select(
        ((pl.col("year") - first) * k + pl.col("component").replace_strict(
            components, list(range(k)), return_dtype=pl.Int64)).alias("_slot"),
        "rate",
        pl.col("basis").cast(pl.Categorical),
    )  # fmt: skip
    table = pl.DataFrame({"_slot": range(span * k)}, schema={"_slot": pl.Int64}).join(
        slot, on="_slot", how="left", maintain_order="left"
    )
    row = in_line([pl.int_range(pl.len(), dtype=pl.UInt32)] * k)
    variable = pl.int_range(raw.height * k, dtype=pl.UInt32, eager=True) % k
    years = raw["year"].gather(row)
    at = ((years - first) * k).cast(pl.UInt32) + variable  # the row's (year, variable) slot
    volume = in_line([pl.col(f"_volume_{j}") for j in range(k)])
    frame = pl.DataFrame(
        {
            "recipient": raw["recipient"].cast(pl.Categorical).gather(row),
            "year": years,
            "component": pl.Series(components, dtype=pl.Categorical).gather(variable),
            "volume": in_line([pl.col(f"_points_{j}") for j in range(k)]),
            "rate": table["rate"].gather(at),
            "basis": table["basis"].gather(at),
            "basis_x": volume,
            "gap": raw["gap"].gather(row),
        }
    )
    if indexed:
        adjusted = in_line([pl.col(f"_adjusted_{j}") for j in range(k)])
        frame = frame.with_columns(pl.when(volume != 0).then(adjusted / volume).alias("basis_y"))
    return frame


INDEX_SHAPE = ("column", "minus", "floor", "cap")


def _index(raw: Any, where: str) -> tuple[str | None, dict[str, float]]:
    """``index_column``: a column name, or ``{ column, minus, floor, cap }`` for a cut-off.

    Stockholm's socio-economic pot pays pupils × max(0, strukturtal − 1,0): ``{ column =
    "strukturtal", minus = 1.0, floor = 0 }``; a school below the cut-off gets no share.
    """
    if raw is None or isinstance(raw, str):
        return raw, {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{where}.index_column: a column name, or {{ column, minus, floor, cap }}"
        )
    check_keys(raw, f"{where}.index_column", allowed=INDEX_SHAPE, required=("column",))
    column = get_str(raw, "column", f"{where}.index_column")
    shape = {
        k: get_number(raw[k], f"{where}.index_column.{k}") for k in INDEX_SHAPE[1:] if k in raw
    }
    if "floor" in shape and shape["floor"] < 0:
        raise ConfigError(f"{where}.index_column.floor: need points are ≥ 0; the floor too")
    if "floor" in shape and "cap" in shape and shape["cap"] < shape["floor"]:
        raise ConfigError(f"{where}.index_column: the cap is below the floor")
    return column, shape


def _shaped(index: pl.Expr, shape: dict[str, float]) -> pl.Expr:
    """max(floor, min(cap, index − minus)) as the shape says."""
    if "minus" in shape:
        index = index - shape["minus"]
    if "cap" in shape:
        index = pl.min_horizontal(index, pl.lit(shape["cap"]))
    if "floor" in shape:
        index = pl.max_horizontal(index, pl.lit(shape["floor"]))
    return index


def _shape_text(column: str, shape: dict[str, float]) -> str:
    text = column if "minus" not in shape else f"({column} − {number(shape['minus'])})"
    if "cap" in shape:
        text = f"min({number(shape['cap'])}, {text})"
    if "floor" in shape:
        text = f"max({number(shape['floor'])}, {text})"
    return text
