"""``rfm simulate``: P5, P50 and P95 of each model's amount under drawn population paths."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from rfm.cli.common import (
    load_tenant,
    registry,
    resolve_years,
    round_option,
    tenant_options,
    terminal_progress,
    year_options,
)
from rfm.cli.render import OUTPUT_FORMATS, emit_text, metadata, shown_totals, write_frame
from rfm.display_rounding import Rounding
from rfm.errors import ConfigError, UnknownNameError
from rfm.formatting import number
from rfm.simulation import SimulationResult, simulate
from rfm.textable import text_table


@click.command("simulate")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@click.option("--draws", type=int, default=1000, show_default=True, help="Population paths.")
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of the draws (0 or more)."
)
@click.option(
    "--recipient", "recipients", multiple=True, help="Only these recipients in the table."
)
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@round_option()
@click.pass_context
def simulate_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    years: str | None,
    year: int | None,
    scenario: str | None,
    draws: int,
    seed: int,
    recipients: tuple[str, ...],
    fmt: str,
    out: Path | None,
    rounding: Rounding,
) -> None:
    """Forecast uncertainty: P5, P50 and P95 of each model's amount under population draws.

    The tenant's [simulation] table says which population dataset is a forecast and how
    uncertain it is; docs/simulation.md explains the model. The same seed gives the same figures.
    """
    if seed < 0:
        raise ConfigError(f"--seed: {seed} is not a seed; expected a whole number, 0 or more")
    chosen = load_tenant(ctx, tenant, config)
    result = simulate(
        chosen,
        registry(ctx),
        resolve_years(years, year, chosen),
        draws=draws,
        seed=seed,
        scenario=scenario,
        progress=terminal_progress(f"{chosen.id} simulering"),
    )
    table = with_rounded(result.table, rounding)
    if recipients:
        unknown = sorted(set(recipients) - set(table["recipient"].to_list()))
        if unknown:
            raise UnknownNameError("recipient", unknown[0], table["recipient"].unique().to_list())
        table = table.filter(table["recipient"].is_in(list(recipients)))
    if fmt == "table":
        emit_text(simulation_text(result, table, rounding), out)
    else:
        meta = metadata(None, rounding, tenant=chosen, scenario=result.scenario)
        meta |= {"draws": result.draws, "seed": result.seed}
        # CSV and JSON carry the rounded figures beside the exact ones, as rfm run's do;
        # parquet holds the exact columns alone
        exact_only = table.select(result.table.columns)
        write_frame(exact_only if fmt == "parquet" else as_shown(table, rounding), fmt, out,
                    meta=meta)  # fmt: skip


ROUNDED = ("amount", "p5", "p50", "p95")
"""The columns shown in ``--round``'s unit."""


def with_rounded(table: pl.DataFrame, rounding: Rounding) -> pl.DataFrame:
    """The simulation's table with ``amount_<unit>``, ``p5_<unit>``, ``p50_<unit>`` and
    ``p95_<unit>`` (in steps of ``rounding`` until :func:`as_shown`).

    The forecast amount is the run's amount and is rounded as ``rfm run`` rounds it: nested
    from each year's total through the models to the recipients (the whole table, before
    ``--recipient`` picks rows), so the same ``--round`` shows the same figure in both. A
    percentile is no part of a sum (the P95 of a total is not the sum of the P95s), so each is
    rounded on its own, half up.
    """
    unit = rounding.unit
    shown = shown_totals(table, rounding).select(
        "model", "recipient", "year", pl.col("steps").alias(f"amount_{unit}")
    )
    return table.join(shown, on=["model", "recipient", "year"], how="left").with_columns(
        pl.Series(f"{c}_{unit}", [rounding.steps(v) for v in table[c].to_list()], pl.Int64)
        for c in ROUNDED[1:]
    )


def as_shown(table: pl.DataFrame, rounding: Rounding) -> pl.DataFrame:
    """The rounded columns as the numbers shown (1234 steps of tkr:1 → 123.4)."""
    names = [f"{c}_{rounding.unit}" for c in ROUNDED]
    return table.with_columns(rounding.values(table[n]) for n in names)


def simulation_text(result: SimulationResult, table: pl.DataFrame, rounding: Rounding) -> str:
    """The table an economist reads, with the model and its parameters underneath."""
    unit = rounding.unit
    label = {m.id: m.label for m in result.tenant.models}
    rows = [
        [
            label.get(r["model"], r["model"]),
            r["recipient"],
            r["year"],
            *(rounding.text(r[f"{c}_{unit}"]) for c in ROUNDED),
            number(100 * (r["p95"] - r["p5"]) / r["amount"], 1) if r["amount"] else "–",
        ]
        for r in table.iter_rows(named=True)
    ]
    settings = result.settings
    groups = ", ".join(f"{g.label}: σ {number(g.sigma, 3)}/år" for g in settings.groups)
    head = (
        f"{result.tenant.name}: {result.draws} dragningar (frö {result.seed}), "
        f"scenario {result.scenario}\n\n"
    )
    body = text_table(
        [
            "Modell",
            "Mottagare",
            "År",
            f"Prognos ({unit})",
            f"P5 ({unit})",
            f"P50 ({unit})",
            f"P95 ({unit})",
            "P95−P5 (%)",
        ],
        rows,
        [False, False, False, True, True, True, True, True],
    )
    foot = (
        f"\n\nPrognosfel: slumpvandring i logaritmen per åldersgrupp från budgetår "
        f"{settings.first_forecast_year} ({groups}); korrelation mellan grupperna "
        f"{number(settings.correlation, 2)}; σ × ({number(settings.size_reference, 0)} ÷ "
        f"invånare)^{number(settings.size_elasticity, 2)}. Källa: {settings.source}. "
        f"Dataset: {settings.dataset}.\n"
    )
    return head + body + foot
