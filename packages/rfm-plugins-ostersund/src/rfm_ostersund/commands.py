"""``rfm ostersund …``: the acconto settlement, the LSS comparison, and the budget follow-up."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import click
import polars as pl

import rfm
from rfm_ostersund.audit import (
    check,
    claims_text,
    frame,
    frame_text,
    placements_text,
    read_audit,
    tables_text,
)
from rfm_ostersund.follow_up import follow_up, render
from rfm_ostersund.models import OccupiedDays, PointsAllocation
from rfm_ostersund.settlement import statement

FORMATS = ("table", "csv", "json")
# TENANT (an installed tenant built like Östersund's) or --config FILE (a tenant file that
# extends it); without either, Östersund's own.
tenant_option = rfm.tenant_options
DEFAULT_TENANT = "ostersund"
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
N = rfm.format_number


def host(ctx: click.Context) -> rfm.Registry:
    """The registry of the running ``rfm`` (its root context holds the plugin host)."""
    found = ctx.find_root().obj
    return found.registry if isinstance(found, rfm.PluginHost) else rfm.PluginHost().registry


def model_of(tenant: rfm.Tenant, kind: type[rfm.Model]) -> rfm.Model:
    found = [m for m in tenant.models if isinstance(m, kind)]
    if len(found) != 1:
        raise rfm.ConfigError(
            f"tenant {tenant.id!r} has {len(found)} models of type {kind.type_name}; expected one"
        )
    return found[0]


def emit(frame: pl.DataFrame, fmt: str, table: str) -> None:
    if fmt == "table":
        click.echo(table)
    elif fmt == "json":
        click.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1))
    else:
        click.echo(frame.write_csv(), nl=False)


@click.group("ostersund")
def ostersund_group() -> None:
    """Östersund: settlement per boende, LSS against the old frames, budget follow-up."""


@ostersund_group.command("avrakning")
@tenant_option
@click.option("--year", type=int, required=True)
@click.option("--unit", help="One boende (default: all).")
@format_option
@click.pass_context
def settlement_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    year: int,
    unit: str | None,
    fmt: str,
) -> None:
    """Acconto and settlement per boende and month: paid on account, settled the month after."""
    registry = host(ctx)
    chosen = rfm.cli_tenant(ctx, tenant, config, DEFAULT_TENANT)
    model = model_of(chosen, OccupiedDays)
    assert isinstance(model, OccupiedDays)
    frame = statement(model, rfm.compute_context(chosen, registry), year)
    if unit is not None:
        if unit not in frame["unit"].to_list():
            raise rfm.ConfigError(
                f"no boende {unit!r}; known: {', '.join(sorted(set(frame['unit'])))}"
            )
        frame = frame.filter(pl.col("unit") == unit)
    parts = []
    for (name,), part in frame.group_by("unit", maintain_order=True):
        first = part.row(0, named=True)
        rows = [
            [str(r["month"]), N(r["acconto"], 2), str(r["reported_days"]), N(r["earned"], 2),
             N(r["settlement"], 2), N(r["paid_in_month"], 2)]
            for r in part.iter_rows(named=True)
        ]  # fmt: skip
        totals = part.select(pl.col("acconto", "earned", "settlement", "paid_in_month").sum()).row(
            0, named=True
        )
        december = part.filter(pl.col("month") == 12)["settlement"][0]
        rows.append(
            ["Summa", N(totals["acconto"], 2), str(part["reported_days"].sum()), N(totals["earned"], 2),
             N(totals["settlement"], 2), N(totals["paid_in_month"], 2)]
        )  # fmt: skip
        parts.append(
            f"{name}: {first['places']} platser, {N(first['rate'])} kr/dygn, acconto "
            f"{rfm.format_percent(first['acconto_share'])} av full beläggning\n"
            + rfm.text_table(
                [
                    "Månad",
                    "Acconto",
                    "Rapporterade dygn",
                    "Intjänat",
                    "Reglering (nästa månad)",
                    "Utbetalt i månaden",
                ],
                rows,
                [False, True, True, True, True, True],
            )
            + f"\nUtbetalt {year} + decemberregleringen ({N(december, 2)} kr, betalas i januari) = "
            f"{N(round(totals['paid_in_month'] + december, 2), 2)} kr = intjänat {N(totals['earned'], 2)} kr"
        )
    emit(frame, fmt, "\n\n".join(parts))


@ostersund_group.command("lss-jamforelse")
@tenant_option
@click.option("--year", type=int, required=True, help="The first year of the points model.")
@format_option
@click.pass_context
def lss_command(
    ctx: click.Context, tenant: str | None, config: Path | None, year: int, fmt: str
) -> None:
    """LSS bostäder: the points model against the earlier appropriation frames, per unit."""
    registry = host(ctx)
    chosen = rfm.cli_tenant(ctx, tenant, config, DEFAULT_TENANT)
    model = model_of(chosen, PointsAllocation)
    result = rfm.run(chosen, registry, [year], models=[model.id])
    new = result.totals(["recipient"]).rename({"amount": "model"})
    frames_config = chosen.datasets.get("lss_ramar")
    if frames_config is None:
        raise rfm.ConfigError(
            f"tenant {chosen.id!r} has no dataset 'lss_ramar' (the earlier frames)"
        )
    ctx_data = rfm.compute_context(chosen, registry)
    old = ctx_data.dataset("lss_ramar").filter(pl.col("year") == year - 1)
    if old.height == 0:
        raise rfm.ConfigError(f"dataset 'lss_ramar' has no frames for {year - 1}")
    joined = (
        old.select("recipient", pl.col("amount").alias("frame"))
        .join(new, on="recipient", how="full", coalesce=True)
        # a unit only one side has is absent on the other, never 0 kr (and has no change)
        .with_columns(pl.col("model").cast(pl.Float64))
        .with_columns((pl.col("model") - pl.col("frame")).alias("change"))
        .with_columns((pl.col("change") / pl.col("frame")).alias("change_share"))
        .sort("recipient")
    )
    total = joined.select(pl.col("frame", "model", "change").sum()).row(0, named=True)

    def kr(value: float | None, absent: str) -> str:
        return N(rfm.round_to(value), 0) if value is not None else absent

    rows = [
        [r["recipient"], kr(r["frame"], "finns inte i ramarna"),
         kr(r["model"], "finns inte i modellen"), kr(r["change"], "–"),
         rfm.format_percent(r["change_share"]) if r["change_share"] is not None else "–"]
        for r in joined.iter_rows(named=True)
    ]  # fmt: skip
    rows.append(["Summa", kr(total["frame"], "–"), kr(total["model"], "–"),
                 kr(total["change"], "–"), rfm.format_percent(total["change"] / total["frame"])])  # fmt: skip
    table = (
        f"LSS-bostäder: anslagsramar {year - 1} mot poängmodellen {year} (kr)\n\n"
        + rfm.text_table(
            ["Enhet", f"Ram {year - 1}", f"Modell {year}", "Förändring", "Förändring %"],
            rows,
            [False, True, True, True, True],
        )
        + f"\n\nVinnare: {', '.join(joined.filter(pl.col('change') > 0)['recipient'])}"
        + f"\nFörlorare: {', '.join(joined.filter(pl.col('change') < 0)['recipient'])}"
    )
    emit(joined, fmt, table)


@ostersund_group.command("uppfoljning")
@tenant_option
@click.option("--year", type=int, required=True, help="Budget year (outcome of the year before).")
@click.option("--committee", help="One committee (default: every committee in the data).")
@format_option
@click.pass_context
def follow_up_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    year: int,
    committee: str | None,
    fmt: str,
) -> None:
    """Budget and outcome per verksamhet (mnkr), as the committee reports them."""
    registry = host(ctx)
    chosen = rfm.cli_tenant(ctx, tenant, config, DEFAULT_TENANT)
    data = rfm.compute_context(chosen, registry).dataset("uppfoljning")
    names = [committee] if committee else list(dict.fromkeys(data["committee"].to_list()))
    tables = [follow_up(data, name, year) for name in names]
    records = pl.DataFrame(
        [{"committee": t.committee, "year": t.year, **r} for t in tables for r in t.rows]
    )
    text = "\n\n".join(f"{t.committee}: budget och utfall (mnkr)\n\n{render(t)}" for t in tables)
    emit(records, fmt, text)


def audit_path() -> Path:
    return Path(str(resources.files("rfm_ostersund").joinpath("tenant/granskning.toml")))


audit_option = click.option(
    "--granskning", "audit_file", type=click.Path(dir_okay=False, path_type=Path),
    help="A granskning TOML file instead of the packaged one.",
)  # fmt: skip


@ostersund_group.command("nyckeltal")
@audit_option
@format_option
def key_figures_command(audit_file: Path | None, fmt: str) -> None:
    """Tabell 3–8 of the audit and what its text claims, recomputed from the printed figures."""
    audit = read_audit(audit_file or audit_path())
    verdicts = [check(audit, c) for c in audit.claims]
    records = pl.DataFrame(
        [
            {
                "citat": v.claim.quote, "tabell": v.claim.table, "post": v.claim.post,
                "ar": v.claim.year, "berakning": v.computation, "bedomning": v.verdict,
                "stammer": v.holds,
            }
            for v in verdicts
        ]
    )  # fmt: skip
    text = "\n".join(tables_text(audit) + claims_text(audit) + [f"Källa: {audit.source}"])
    emit(records, fmt, text)


@ostersund_group.command("ram")
@tenant_option
@click.option("--year", type=int, required=True, help="Budget year.")
@audit_option
@format_option
@click.pass_context
def frame_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    year: int,
    audit_file: Path | None,
    fmt: str,
) -> None:
    """Each committee's frame by the council's rule (last year's budget + wages + 1 % − savings
    + a demographic supplement for 65+), against the budget decided."""
    registry = host(ctx)
    chosen = rfm.cli_tenant(ctx, tenant, config, DEFAULT_TENANT)
    data = rfm.compute_context(chosen, registry).dataset("uppfoljning")
    audit = read_audit(audit_file or audit_path())
    committees = [r.committee for r in audit.frames if r.year == year]
    if not committees:
        raise rfm.ConfigError(f"granskning: no frame rule for {year}")
    results = [frame(audit, data, c, year) for c in committees]
    records = pl.DataFrame(
        [
            {
                "namnd": r.rule.committee, "ar": year, "budget_foregaende": r.previous,
                "loneokningar": r.wages, "ovriga_kostnader": r.other, "demografi": r.demography,
                "sparbeting": r.rule.savings.value, "ram_enligt_regeln": r.computed,
                "beslutad_budget": r.actual,
                "skillnad": None if r.actual is None else r.actual - r.computed,
            }
            for r in results
        ]
    )  # fmt: skip
    text = "\n".join(
        [line for r in results for line in frame_text(r)]
        + ["Regeln (granskningen 2.2.1): 'Budgeten från föregående år räknas upp med "
           "löneökningar, 1 % för ökning av övriga kostnader samt eventuella sparbeting.'"]
    )  # fmt: skip
    emit(records, fmt, text)


@ostersund_group.command("placeringar")
@audit_option
@format_option
def placements_command(audit_file: Path | None, fmt: str) -> None:
    """Socialnämnden: funding per placement, the balance level (130) against 2012's 144."""
    audit = read_audit(audit_file or audit_path())
    if audit.placements is None:
        raise rfm.ConfigError("granskning: no [placements] table")
    p = audit.placements
    records = pl.DataFrame(
        [
            {
                "ar": p.year, "balans_max": p.balance_max, "placeringar_foregaende": p.actual[p.year - 1],
                "kostnad_per_placering": p.cost_per_placement,
                "budget_i_balans": p.balance_max * p.cost_per_placement,
                "behov_pa_foregaende_niva": p.actual[p.year - 1] * p.cost_per_placement,
            }
        ]
    )  # fmt: skip
    emit(records, fmt, "\n".join(placements_text(p)))
