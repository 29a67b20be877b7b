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
from rfm.cli.render import OUTPUT_FORMATS, emit_text, metadata, write_frame
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
    table = result.table
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
        write_frame(table, fmt, out, meta=meta)


def simulation_text(result: SimulationResult, table: pl.DataFrame, rounding: Rounding) -> str:
    """The table an economist reads, with the model and its parameters underneath."""
    unit = rounding.unit
    label = {m.id: m.label for m in result.tenant.models}
    rows = [
        [
            label.get(r["model"], r["model"]),
            r["recipient"],
            r["year"],
            *(rounding.text(rounding.steps(r[c])) for c in ("amount", "p5", "p50", "p95")),
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
