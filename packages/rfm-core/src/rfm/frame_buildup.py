"""The frame build-up, "steg för steg": how last year's frame becomes this year's.

    Ram(t) = Ram(t−1)
           + volymkompensation            Σ ersättning(t−1) × (volym(t) − volym(t−1))
           + förändrat ersättningsbelopp  Σ (ersättning(t) − ersättning(t−1)) × volym(t)
           + pris- och lönekompensation   Ram(t−1) × PLK(t)
           + beviljade tilläggsäskanden
           − beviljade besparingar

per programområde. The first two lines split each model's change between t−1 and t exactly
(their sum is model(t) − model(t−1), row by row): what the population did, and what a decision
did to the rates (Vaggeryd's IFO uplift from 10 to 5 % in 2023 is a förändrat
ersättningsbelopp, not a volume). Programme areas without a model get only the price and wage
compensation and their items. Tilläggsäskanden are listed with their status; only granted ones
enter the frame, and their sum is set against the reformutrymme the council has to share.

Every step is an exact decimal (:mod:`rfm.money`). A row (recipient and component) that exists
in only one of the two years counts as 0 kr in the other: that is the arithmetic of a change (a
new district had no money the year before), not a missing input; the run itself has already
refused any cell without a volume or a rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import polars as pl

from rfm.contract import AMOUNT_DTYPE, exact_expr, money_expr
from rfm.display_rounding import Rounding, allocate, exact, nested
from rfm.engine import DatasetUse, RunResult, load_dataset, run
from rfm.errors import ConfigError, ModelError
from rfm.registry import Registry
from rfm.tenants.tenant import FrameSettings, Tenant
from rfm.transitions.rounding import round_half_up

STEPS = (
    ("previous", "Ram föregående år"),
    ("volume", "Volymkompensation"),
    ("rate_change", "Förändrat ersättningsbelopp"),
    ("price_wage", "Pris- och lönekompensation"),
    ("additions", "Beviljade tilläggsäskanden"),
    ("savings", "Besparingar"),
    ("frame", "Ram"),
)
"""The columns of a build-up, in order, with their Swedish labels."""
PARTS = [name for name, _ in STEPS[:-1]]
"""The steps that add up to the frame (the last step is their sum)."""
SIGN = {"savings": -1}
"""Besparingar are shown as positive amounts and subtracted."""


@attrs.frozen
class FrameBuildUp:
    """One year's build-up per programområde, and everything it was built from."""

    year: int
    scenario: str
    table: pl.DataFrame
    """program, previous, volume, rate_change, price_wage, additions, savings, frame (kr)."""
    models: pl.DataFrame
    """Per model: program, amount t−1, amount t, volume and rate_change (kr)."""
    items: pl.DataFrame
    """Tilläggsäskanden and besparingar of the year: program, kind, item, amount, status, source."""
    price_index: float | None
    price_index_source: str
    reform_space: float | None
    reform_space_source: str
    run: RunResult
    previous_source: DatasetUse
    """The dataset last year's frames came from (shown beside the table)."""
    datasets: tuple[DatasetUse, ...]

    def rounded(self, rounding: Rounding) -> list[list[int]]:
        """:attr:`table` as rfm shows it: per programområde each step and the frame in
        ``rounding``'s steps (see :func:`rounded_rows`)."""
        return rounded_rows(self.table, rounding)

    def rounded_models(self, rounding: Rounding) -> list[list[int]]:
        """:attr:`models` as rfm shows them: per row, the amount of t−1 and of t, the volume and
        the rate change, in ``rounding``'s steps.

        The two amounts are the figures ``rfm run`` shows for the model in those years (nested
        from each year's total, :func:`rfm.display_rounding.nested`); volume and rate change are
        rounded by largest remainder so that they add up to the difference of the two.
        """
        totals = self.run.totals(["model", "recipient", "year"])
        _, per_model = nested(totals, [["year"], ["year", "model"]], rounding)
        shown = {(r["year"], r["model"]): r["steps"] for r in per_model.iter_rows(named=True)}
        out = []
        for r in self.models.iter_rows(named=True):
            before = shown.get((self.year - 1, r["model"]), 0)  # a new model had nothing
            after = shown.get((self.year, r["model"]), 0)
            volume, rate = allocate(
                [exact(r["volume"]) / rounding.step, exact(r["rate_change"]) / rounding.step],
                after - before,
            )
            out.append([before, after, volume, rate])
        return out

    def requested(self, kind: str = "tilläggsäskande") -> Decimal:
        """Σ of the items of ``kind`` of the year, whatever their status."""
        part = self.items.filter(pl.col("kind") == kind)
        return Decimal(part["amount"].sum()) if part.height else Decimal(0)

    def items_by_program(self, kind: str = "tilläggsäskande") -> pl.DataFrame:
        """Per programområde: Σ requested (every status) and Σ granted of the items of ``kind``."""
        return (
            self.items.filter(pl.col("kind") == kind)
            .group_by("program")
            .agg(
                pl.col("amount").sum().alias("requested"),
                pl.col("amount").filter(pl.col("status") == "beviljat").sum().alias("granted"),
            )
            .sort("program")
        )


def rounded_rows(table: pl.DataFrame, rounding: Rounding) -> list[list[int]]:
    """A build-up table (one year) in ``rounding``'s steps, nested as every rfm output rounds:

    1. the year's total frame (Σ of the programområden's frames) half up;
    2. the programområden's frames by largest remainder so that they add up to (1), ties to
       the programområde first in the table;
    3. each programområde's steps (:data:`PARTS`, besparingar subtracted) by largest remainder
       so that they add up to its frame in (2).

    Each row is the steps in :data:`STEPS` order, the frame last. So the rows add up across
    to their frame, the frames add up to the rounded total, and the sum row (the columns'
    sums) ends in the year's total frame rounded from its exact value.
    """
    step = rounding.step
    frames = [exact(v) / step for v in table["frame"].to_list()]
    per_program = allocate(frames, round_half_up(sum(frames, Fraction(0))))
    out = []
    for r, target in zip(table.iter_rows(named=True), per_program, strict=True):
        signed = allocate([exact(r[n]) * SIGN.get(n, 1) / step for n in PARTS], target)
        out.append([v * SIGN.get(n, 1) for v, n in zip(signed, PARTS, strict=True)] + [target])
    return out


def _settings(tenant: Tenant) -> FrameSettings:
    if tenant.frame is None:
        raise ConfigError(
            f"tenant {tenant.id!r} has no [frame] table (previous frames, programs, index); "
            "see rfm manual tenant-file"
        )
    return tenant.frame


def _model_changes(result: RunResult, year: int, programs: dict[str, str]) -> pl.DataFrame:
    """Split each model's change from t−1 to t into volume and rate, row by row."""
    key = ["model", "recipient", "component"]
    rows = result.lineage.select(
        *key, "year", exact_expr(pl.col("volume")), exact_expr(pl.col("rate")), "amount"
    )
    before = rows.filter(pl.col("year") == year - 1).drop("year")
    after = rows.filter(pl.col("year") == year).drop("year")
    none = _ZERO
    joined = after.join(before, on=key, how="full", coalesce=True, suffix="_prev").with_columns(
        # a row of one year only: nothing in the other (see the module docstring)
        pl.col("volume", "rate", "amount", "volume_prev", "amount_prev").fill_null(none),
        pl.coalesce("rate_prev", "rate", none).alias("rate_prev"),
    )
    joined = joined.with_columns(
        (pl.col("rate_prev") * (pl.col("volume") - pl.col("volume_prev")))
        .cast(AMOUNT_DTYPE)
        .alias("vol"),
        ((pl.col("rate") - pl.col("rate_prev")) * pl.col("volume")).cast(AMOUNT_DTYPE).alias("rc"),
    )
    unmapped = sorted(set(joined["model"].unique().to_list()) - set(programs))
    if unmapped:
        raise ConfigError(
            f"[frame].programs: no programområde for model(s) {', '.join(unmapped)}; every model "
            "the scenario reports must say where its money goes"
        )
    return (
        joined.group_by("model")
        .agg(
            pl.col("amount_prev").sum().alias("amount_before"),
            pl.col("amount").sum().alias("amount_after"),
            pl.col("vol").sum().alias("volume"),
            pl.col("rc").sum().alias("rate_change"),
        )
        .with_columns(pl.col("model").replace_strict(programs).alias("program"))
        .sort("program", "model")
    )


_ZERO = pl.lit(0).cast(AMOUNT_DTYPE)


def _items(
    registry: Registry, tenant: Tenant, name: str | None, kind: str, year: int
) -> tuple[pl.DataFrame, list[DatasetUse]]:
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "program": pl.String,
        "kind": pl.String,
        "item": pl.String,
        "amount": AMOUNT_DTYPE,
        "status": pl.String,
        "source": pl.String,
    }
    if name is None:
        return pl.DataFrame(schema=schema), []
    frame, use = load_dataset(registry, tenant.datasets[name])
    if "source" not in frame.columns:
        frame = frame.with_columns(pl.lit(tenant.datasets[name].source).alias("source"))
    picked = frame.filter(pl.col("year") == year).select(
        pl.col("recipient").alias("program"),
        pl.lit(kind).alias("kind"),
        "item",
        money_expr(pl.col("amount")),
        "status",
        pl.col("source").fill_null(tenant.datasets[name].source),
    )
    return picked.cast(schema), [use]  # type: ignore[arg-type]


def build_frame(
    tenant: Tenant,
    registry: Registry,
    year: int,
    *,
    scenario: str | None = None,
) -> FrameBuildUp:
    """The build-up of ``year``'s frame from ``year − 1``'s under ``scenario`` (fixed prices)."""
    settings = _settings(tenant)
    result = run(tenant, registry, [year - 1, year], scenario=scenario, prices="fixed")
    changes = _model_changes(result, year, dict(settings.programs))

    previous_frame, previous_use = load_dataset(registry, tenant.datasets[settings.previous])
    previous = previous_frame.filter(pl.col("year") == year - 1).select(
        pl.col("recipient").alias("program"), money_expr(pl.col("amount")).alias("previous")
    )
    missing = sorted(set(changes["program"].to_list()) - set(previous["program"].to_list()))
    if missing:
        raise ModelError(
            f"dataset {settings.previous!r} has no frame for {year - 1} for programområde(n) "
            f"{', '.join(missing)}; the build-up starts from last year's frame"
        )
    additions, uses_a = _items(registry, tenant, settings.additions, "tilläggsäskande", year)
    savings, uses_s = _items(registry, tenant, settings.savings, "besparing", year)
    items = pl.concat([additions, savings])

    index, index_source = None, ""
    if settings.price_index is not None:
        dated = result.parameters[settings.price_index].at(year)
        index, index_source = dated.value, dated.source
    space, space_source = None, ""
    if settings.reform_space is not None:
        dated = result.parameters[settings.reform_space].at(year)
        space, space_source = dated.value, dated.source

    granted = (
        items.filter(pl.col("status") == "beviljat")
        .group_by("program")
        .agg(
            pl.col("amount").filter(pl.col("kind") == "tilläggsäskande").sum().alias("additions"),
            pl.col("amount").filter(pl.col("kind") == "besparing").sum().alias("savings"),
        )
    )
    by_program = changes.group_by("program").agg(pl.col("volume", "rate_change").sum())
    programs = pl.concat(
        [previous.select("program"), by_program.select("program"), items.select("program")]
    ).unique()
    table = (
        programs.join(previous, on="program", how="left")
        .join(by_program, on="program", how="left")
        .join(granted, on="program", how="left")
        .with_columns(
            # a programområde without a model, or without items, has nothing of that step;
            # every programområde has last year's frame (checked above)
            pl.col("volume", "rate_change", "additions", "savings").fill_null(_ZERO)
        )
        .with_columns(
            (pl.col("previous") * exact_expr(pl.lit(index or 0.0)))
            .cast(AMOUNT_DTYPE)
            .alias("price_wage")
        )
        .with_columns(
            (
                pl.col("previous")
                + pl.col("volume")
                + pl.col("rate_change")
                + pl.col("price_wage")
                + pl.col("additions")
                - pl.col("savings")
            ).alias("frame")
        )
        .select("program", *(name for name, _ in STEPS))
        .sort("program")
    )
    return FrameBuildUp(
        year=year,
        scenario=result.scenario.name,
        table=table,
        models=changes,
        items=items.sort("kind", "program", "item"),
        price_index=index,
        price_index_source=index_source,
        reform_space=space,
        reform_space_source=space_source,
        run=result,
        previous_source=previous_use,
        datasets=(*result.datasets, previous_use, *uses_a, *uses_s),
    )


def build_frames(
    tenant: Tenant, registry: Registry, years: Sequence[int], *, scenario: str | None = None
) -> list[FrameBuildUp]:
    """One build-up per year (each from the previous year's frame in the dataset)."""
    return [build_frame(tenant, registry, y, scenario=scenario) for y in sorted(set(years))]
