"""``rfm vaggeryd …``: the committee's use of the model money beside the frame build-up."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import click
import polars as pl

import rfm
from rfm_vaggeryd.ledger import check_against_frame, read_ledger


def ledger_path() -> Path:
    return Path(str(resources.files("rfm_vaggeryd").joinpath("tenant/modellmedel.toml")))


def ledger_text(buildup: rfm.FrameBuildUp, ledger: Path) -> str:
    posts = [p for p in read_ledger(ledger) if p.year == buildup.year]
    problems = check_against_frame(posts, buildup)
    if problems:
        raise rfm.ConfigError(f"{ledger.name}: " + "; ".join(problems))
    n = rfm.format_number
    y = buildup.year
    money = buildup.models.select(
        "model", "program", (pl.col("volume") + pl.col("rate_change")).alias("change")
    )
    rows = []
    for r in money.iter_rows(named=True):
        used = sum(p.amount for p in posts if p.model == r["model"])
        rows.append(
            [
                r["model"],
                r["program"],
                n(rfm.round_to(r["change"]), 0),
                n(used, 0),
                n(rfm.round_to(r["change"] - Decimal(used)), 0),
            ]
        )
    lines = [
        f"Socialnämndens fördelning av modellernas medel {y} (kr)",
        "",
        rfm.text_table(
            [
                "Modell",
                "Programområde",
                f"Modellens förändring {y - 1}→{y}",
                "Fördelat",
                "Ej fördelat",
            ],
            rows,
            [False, False, True, True, True],
        ),
        "",
    ]
    for p in posts:
        lines += [
            f"• {p.program}: {p.text}",
            f"  {n(p.amount, 0)} kr ur modellen {p.model}",
            f"  {p.derivation()}",
            f"  Källa: {p.source}",
            "",
        ]
    lines.append(
        "Modellernas förändring är volymkompensation + förändrat ersättningsbelopp i fasta priser "
        "(rfm frame). Med illustrativa ersättningsbelopp skiljer den sig från nämndens belopp."
    )
    return "\n".join(lines) + "\n"


@click.group("vaggeryd")
def vaggeryd_group() -> None:
    """Vaggeryd kommun: the committee's use of the model money."""


@vaggeryd_group.command("fordelning")
@click.option("--year", type=int, default=2023, show_default=True, help="Budget year.")
@click.option("--scenario", help="Scenario (default: the tenant's standard).")
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ledger TOML file instead of the packaged one.",
)
@click.pass_context
def fordelning_command(
    ctx: click.Context, year: int, scenario: str | None, ledger: Path | None
) -> None:
    """Show how socialnämnden uses each model's money, with the arithmetic behind each post."""
    host = ctx.find_root().obj
    registry = host.registry
    buildup = rfm.build_frame(registry.tenant("vaggeryd"), registry, year, scenario=scenario)
    click.echo(ledger_text(buildup, ledger or ledger_path()), nl=False)
