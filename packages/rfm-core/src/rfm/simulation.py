"""Forecast uncertainty: how certain is next year's volume compensation?

``rfm simulate`` draws N population paths around the forecast in a tenant's population dataset
and reports, per model, recipient and budget year, the 5th, 50th and 95th percentile of the
amount. The stochastic model (parameters in the tenant's ``[simulation]`` table,
:mod:`rfm.tenants.forecast_error`):

    ln M(r, g, h) = Σ_{j=1..h} σ_g(r) × (√ρ × Z(r, j) + √(1 − ρ) × W(r, g, j))
    σ_g(r)        = σ_g × (size_reference ÷ inhabitants(r)) ^ size_elasticity

M is the factor by which the true population of recipient r in age group g differs from the
forecast, h years into the forecast (h = budget year − first_forecast_year + 1; observed years
have h ≤ 0 and M = 1). Z and W are independent standard normal draws: Z is shared by the age
groups of a year (migration moves all ages), W is each group's own. The error is a random walk,
so its spread grows with √h, and it is larger in small municipalities. M's median is 1: the
forecast is the central path.

**Why it is fast.** The models that volume drives are linear in the population: amount =
Σ volume × rate, with rates that do not depend on the volume. So the engine runs once with
the whole population, once with none, and once per age group with only that group; then any
draw's amount is

    amount = amount(none) + Σ_g M_g × (amount(only g) − amount(none))

computed for all draws at once with numpy. The engine checks this decomposition on the actual
run (the parts must add up to the whole); a model for which they do not, such as a distribution
key that shares a fixed budget by population, is refused by name, since its amount is not
proportional to its volume.

**Determinism.** Each recipient draws from its own stream, seeded by the seed and the
recipient's name, so the same seed gives the same percentiles whatever else is simulated, and
memory stays bounded: one recipient's draws at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import attrs
import polars as pl

from rfm.engine import compute_context, run
from rfm.errors import ConfigError, ModelError
from rfm.registry import Registry
from rfm.schemas.age import age_bounds
from rfm.tenants.forecast_error import ForecastError
from rfm.tenants.tenant import Tenant

PERCENTILES = (5.0, 50.0, 95.0)
KEY = ["model", "recipient", "year"]


@attrs.frozen
class SimulationResult:
    """Per model, recipient and year: the forecast amount and its percentiles over the draws."""

    tenant: Tenant
    scenario: str
    years: tuple[int, ...]
    draws: int
    seed: int
    settings: ForecastError
    table: pl.DataFrame
    """Columns model, recipient, year, amount (the forecast), p5, p50, p95, mean."""


def simulate(
    tenant: Tenant,
    registry: Registry,
    years: Sequence[int],
    *,
    draws: int = 1000,
    seed: int = 1,
    scenario: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> SimulationResult:
    """Draw ``draws`` population paths and summarise each model's amount (module docstring)."""
    import numpy as np  # only a simulation needs it

    settings = tenant.simulation
    if settings is None:
        raise ConfigError(
            f"tenant {tenant.id!r} has no [simulation] table: say which population dataset is a "
            "forecast and how uncertain it is (rfm manual simulation; the tenant vaggeryd has one)"
        )
    if not 1 <= draws <= 1_000_000:
        raise ConfigError(f"--draws: expected 1 to 1 000 000 draws, not {draws}")
    years = tuple(sorted(set(years)))
    parts, sizes = _decompose(tenant, registry, years, settings, scenario)
    groups = settings.groups
    horizons = np.array([settings.horizon(y) for y in years])
    steps = max(1, int(horizons.max()))
    rho = settings.correlation
    by_recipient = parts.sort("model", "year").partition_by("recipient", as_dict=True)
    recipients = sorted(key[0] for key in by_recipient)
    out: list[pl.DataFrame] = []
    for done, recipient in enumerate(recipients, start=1):
        rows = by_recipient[(recipient,)]
        models = rows["model"].unique(maintain_order=True).to_list()
        base = rows["none"].to_numpy().reshape(len(models), len(years))
        slopes = np.stack(
            [(rows[f"g{i}"] - rows["none"]).to_numpy() for i in range(len(groups))], axis=-1
        ).reshape(len(models), len(years), len(groups))
        area = _area_of(recipient, sizes)
        scale = (settings.size_reference / sizes[area]) ** settings.size_elasticity
        sigma = np.array([g.sigma for g in groups]) * scale
        stream = np.random.default_rng([seed, zlib.crc32(area.encode("utf-8"))])
        common = stream.standard_normal((draws, steps, 1))
        own = stream.standard_normal((draws, steps, len(groups)))
        walk = np.cumsum(sigma * (np.sqrt(rho) * common + np.sqrt(1 - rho) * own), axis=1)
        factors = np.ones((draws, len(years), len(groups)))
        forecast = horizons > 0
        factors[:, forecast, :] = np.exp(walk[:, horizons[forecast] - 1, :])
        amounts = base[None, :, :] + np.einsum("dyg,myg->dmy", factors, slopes)
        low, mid, high = np.percentile(amounts, PERCENTILES, axis=0)
        out.append(
            pl.DataFrame(
                {
                    "model": np.repeat(models, len(years)).tolist(),
                    "recipient": [recipient] * (len(models) * len(years)),
                    "year": list(years) * len(models),
                    "amount": rows["full"].to_numpy(),
                    "p5": low.ravel(),
                    "p50": mid.ravel(),
                    "p95": high.ravel(),
                    "mean": amounts.mean(axis=0).ravel(),
                },
                schema={
                    "model": pl.String,
                    "recipient": pl.String,
                    "year": pl.Int64,
                    "amount": pl.Float64,
                    "p5": pl.Float64,
                    "p50": pl.Float64,
                    "p95": pl.Float64,
                    "mean": pl.Float64,
                },
            )
        )
        if progress is not None:
            progress(done, len(recipients), recipient)
    table = pl.concat(out).sort(KEY) if out else pl.DataFrame()
    return SimulationResult(tenant, scenario or "standard", years, draws, seed, settings, table)


def _decompose(
    tenant: Tenant,
    registry: Registry,
    years: tuple[int, ...],
    settings: ForecastError,
    scenario: str | None,
) -> tuple[pl.DataFrame, dict[str, float]]:
    """Each model's amount with the whole population, with none, and with each age group alone.

    Returns the amounts (columns model, recipient, year, full, none, g0, g1, …) and each
    recipient's inhabitants (its size for σ).
    """
    population = compute_context(tenant, registry, scenario).dataset(settings.dataset)
    if not {"area", "year", "age", "count"} <= set(population.columns):
        raise ConfigError(
            f"[simulation].dataset {settings.dataset!r} is not a population table "
            "(area, year, age, count)"
        )
    low, high = age_bounds("age")
    group_of = pl.lit(None, pl.Int64)
    for i, group in reversed(list(enumerate(settings.groups))):
        group_of = pl.when((low >= group.low) & (high <= group.high)).then(i).otherwise(group_of)
    labelled = population.with_columns(group_of.alias("_group"))
    straddling = labelled.filter(pl.col("_group").is_null())
    if straddling.height:
        raise ConfigError(
            f"[simulation].sigma: the age group {straddling.item(0, 'age')!r} of dataset "
            f"{settings.dataset!r} straddles two of the simulation's age groups"
        )

    def amounts(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        result = run(tenant, registry, years, scenario=scenario, frames={settings.dataset: frame})
        # statistics over draws work in floats; the forecast's own amount stays exact in `run`
        return result.totals(KEY).select(*KEY, pl.col("amount").cast(pl.Float64).alias(name))

    variants = {"full": population, "none": population.with_columns(pl.lit(0.0).alias("count"))}
    for i in range(len(settings.groups)):
        variants[f"g{i}"] = labelled.with_columns(
            pl.when(pl.col("_group") == i).then(pl.col("count")).otherwise(0.0).alias("count")
        ).drop("_group")
    table: pl.DataFrame | None = None
    for name, frame in variants.items():
        part = amounts(frame, name)
        table = part if table is None else table.join(part, on=KEY, how="full", coalesce=True)
    assert table is not None
    uneven = table.filter(pl.any_horizontal(pl.all().is_null()))
    if uneven.height:
        first = uneven.row(0, named=True)
        raise ModelError(
            f"model {first['model']!r} gives {first['recipient']!r} ({first['year']}) rows with "
            f"some age groups of dataset {settings.dataset!r} and not with others; rfm simulate "
            "needs models whose recipients do not depend on the population drawn"
        )
    group_columns = [f"g{i}" for i in range(len(settings.groups))]
    rebuilt = pl.col("none") + pl.sum_horizontal(pl.col(c) - pl.col("none") for c in group_columns)
    broken = table.filter((rebuilt - pl.col("full")).abs() > 1e-7 * (pl.col("full").abs() + 1.0))
    if broken.height:
        first = broken.row(0, named=True)
        raise ModelError(
            f"model {first['model']!r} is not linear in the population of dataset "
            f"{settings.dataset!r}: for {first['recipient']} {first['year']} its amount with "
            f"every age ({first['full']:.0f} kr) is not its amount with none plus what each age "
            "group adds. rfm simulate draws population errors through models whose amount is "
            "volume × rate with rates that do not depend on the volume; leave this model out of "
            "the scenario (a distribution key shares a fixed budget, so its total is certain)."
        )
    reference = _size_year(population, settings)
    sizes = dict(
        population.filter(pl.col("year") == reference)
        .group_by("area")
        .agg(pl.col("count").sum())
        .iter_rows()
    )
    missing = sorted(set(table["recipient"].to_list()) - set(sizes))
    if missing and len(sizes) == 1:
        # One kommun's population paying its committees (recipient = "Socialnämnden"): every
        # recipient draws the errors of that one area (see _area_of).
        return table, {k: max(float(v), 1.0) for k, v in sizes.items()}
    if missing:
        raise ConfigError(
            f"rfm simulate draws one error per area of dataset {settings.dataset!r}, and the "
            f"recipient(s) {', '.join(missing[:5])} are no area of it (in {reference})"
        )
    return table, {k: max(float(v), 1.0) for k, v in sizes.items()}


def _area_of(recipient: str, sizes: dict[str, float]) -> str:
    """The area whose population errors a recipient draws: its own, or, when the dataset holds
    one area (a kommun paying its committees), that one, so every recipient of it draws the
    same path."""
    return recipient if recipient in sizes else next(iter(sizes))


def _size_year(population: pl.DataFrame, settings: ForecastError) -> int:
    """The data year whose population sizes the errors: the last before the forecast."""
    years = sorted(population["year"].unique().to_list())
    before = [y for y in years if y < settings.first_forecast_year]
    return int(before[-1] if before else years[0])
