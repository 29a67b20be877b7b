"""``rfm vaggeryd …``: the committee's use of the model money beside the frame build-up, and
what the seeds claim about it set against what rfm computes."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import click
import polars as pl

import rfm
from rfm_vaggeryd.ledger import Post, check_against_frame, read_ledger, read_per_capita
from rfm_vaggeryd.source_checks import (
    BALANCE_TOLERANCE,
    MISSING_COST,
    Balance,
    balance,
    fk_link,
    per_capita,
    schablon_steps,
)

N = rfm.format_number


def ledger_path() -> Path:
    return Path(str(resources.files("rfm_vaggeryd").joinpath("tenant/modellmedel.toml")))


def _money_table(buildup: rfm.FrameBuildUp, posts: list[Post]) -> list[str]:
    y = buildup.year
    money = buildup.models.select(
        "model",
        "program",
        (pl.col("volume") + pl.col("rate_change")).alias("change"),  # exact decimals
    )
    rows = []
    for r in money.iter_rows(named=True):
        used = sum(p.amount for p in posts if p.model == r["model"])
        rows.append(
            [
                r["model"],
                r["program"],
                N(rfm.round_to(r["change"]), 0),
                N(used, 0),
                N(rfm.round_to(r["change"] - Decimal(used)), 0),
            ]
        )
    return [
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


def _post_lines(post: Post, parameters: rfm.ParameterSet) -> list[str]:
    lines = [
        f"• {post.program}: {post.text}",
        f"  {N(post.amount, 0)} kr ur modellen {post.model}",
        f"  {post.derivation()}",
    ]
    s = post.schablon
    if s is not None and s.parameter and s.from_year is not None and s.to_year is not None:
        steps = schablon_steps(parameters, s.parameter, s.from_year, s.to_year)
        text = ", ".join(
            f"{y}: {N(v, 2)} ({'+' if d >= 0 else ''}{N(d, 2)})" for y, v, d in steps[1:]
        )
        last_rise = steps[-1][2]
        lines.append(
            f"  Höjningen spänner över {s.to_year - s.from_year} år: {s.from_year}: "
            f"{N(steps[0][1], 2)}, {text} {s.unit}. Bara {s.to_year} års höjning "
            f"({N(last_rise, 2)} kr) skulle motsvara {N(post.amount, 0)} ÷ {N(last_rise, 2)} = "
            f"{N(post.amount / last_rise, 0)} timmar."
        )
    lines += [f"  Källa: {post.source}", ""]
    return lines


def checks_text(
    tenant: rfm.Tenant, registry: rfm.Registry, buildup: rfm.FrameBuildUp, ledger: Path
) -> list[str]:
    """The checks of :mod:`rfm_vaggeryd.source_checks`, as text."""
    posts = [p for p in read_ledger(ledger) if p.year == buildup.year]
    y = buildup.year
    b = balance(tenant, registry, buildup, posts)
    lines = [
        "Kontroller mot källorna",
        "",
        '1. Balans (seed 000): "Den ökade belastningen på kommunens ekonomiska utrymme m h a de två '
        "nya modellerna balanserar med sänkningen från 10 till 5 procent av standardkostnaden "
        'inom IFO-modellen."',
        *_balance_lines(b, _difference_notes(ledger)),
        "",
    ]
    notes = _difference_notes(ledger)
    lines.append("2. Modellernas medel enligt nämnden (seed 004) mot rfm:")
    for r in buildup.models.iter_rows(named=True):
        used = sum(p.amount for p in posts if p.model == r["model"])
        if not used:
            continue
        change = float(r["volume"]) + float(r["rate_change"])
        lines.append(
            f"   {r['model']}: nämnden {N(used, 0)} kr, rfm {N(round(change), 0)} kr, skillnad "
            f"{N(round(change - used), 0)} kr. {notes.get(r['model'], '')}".rstrip()
        )
    lines.append("")
    for item in read_per_capita(ledger):
        if item.year != y:
            continue
        c = per_capita(tenant, registry, item)
        verdict = (
            "stämmer"
            if c.consistent
            else f"stämmer inte: {N(item.amount, 0)} kr motsvarar "
            f"{N(item.implied_population(), 0)} invånare"
        )
        lines += [
            f"3. Per invånare: {item.item} ({item.source})",
            f"   {N(item.rate)} kr × {N(c.population, 0)} invånare {c.population_source} = "
            f"{N(round(c.computed), 0)} kr; angivet {N(item.amount, 0)} kr: {verdict}. Källans "
            "egen inkonsekvens; rfm räknar med det äskade beloppet som det står.",
            "",
        ]
    fk = fk_link(tenant, registry, list(range(y - 1, y + 3)))
    if fk:
        lines += [
            "4. Schablonbeloppet i LSS-utjämningen: kommunens ersättning till Försäkringskassan "
            "(FK) ingår i S, med räkenskaperna två år bakåt (förordning 2008:776 3–4 §§).",
            rfm.text_table(
                ["Utjämningsår", "Räkenskapsår", "Timmar", "Schablon (kr/tim)", "FK (kr)"],
                [
                    [
                        str(f.year),
                        str(f.data_year),
                        N(f.hours, 0),
                        N(f.schablon, 2),
                        N(round(f.amount), 0),
                    ]
                    for f in fk
                ],
                [False, False, True, True, True],
            ),
            f"   Schablonen {N(fk[-1].schablon, 2)} kr ({fk[-1].data_year}) når LSS-modellen först "
            f"{fk[-1].year}; i {y} räknar utjämningen med {fk[1].data_year if len(fk) > 1 else y} "
            "års schablon. LSS-modellen räknar S till 2022 års prisnivå med KPIF (fasta priser).",
            "",
        ]
    return lines


def _balance_lines(b: Balance, notes: dict[str, str]) -> list[str]:
    """Seed 000's balance: a verdict when the IFO standard cost is a published figure; otherwise
    that the claim cannot be checked, what is missing, and for which standard cost it holds.

    ``notes`` are the ledger's reasons per model (``[difference]``); a model whose note says
    "Kalibrerad" gives the committee's money by construction, which the verdict on rfm's own
    money must say."""
    y = b.year
    stated, computed = sum(b.stated.values()), sum(b.computed.values())
    cost = "" if b.cost is None else f" med standardkostnaden {N(b.cost, 0)} kr/invånare"
    lines = [
        f"   IFO {y} med 10 % (modell-2022) {N(round(b.ifo_old), 0)} kr − med 5 % (modell-2023) "
        f"{N(round(b.ifo_new), 0)} kr = sänkning {N(round(b.cut), 0)} kr{cost}.",
    ]
    committee = (
        f"   Nämndens medel ur de nya modellerna (seed 004): LSS {N(b.stated['lss'], 0)} + HSL "
        f"{N(b.stated['halso_sjukvard'], 0)} = {N(stated, 0)} kr"
    )
    calibrated = [m for m in b.computed if notes.get(m, "").startswith("Kalibrerad")]
    if b.checkable:
        return [
            *lines,
            f"{committee}: {b.verdict(stated)}.",
            f"   rfm:s förändring {y - 1}→{y} av de nya modellerna: LSS "
            f"{N(round(b.computed.get('lss', 0.0)), 0)} + HSL "
            f"{N(round(b.computed.get('halso_sjukvard', 0.0)), 0)} = {N(round(computed), 0)} kr: "
            f"{b.verdict(computed)}.",
            *(
                [
                    f"   rfm:s medel för {', '.join(calibrated)} är kalibrerade mot nämndens "
                    "(se 2), så den raden prövar bara de övriga modellerna."
                ]
                if calibrated
                else []
            ),
            f"   Standardkostnadens källa: {b.cost_source}",
        ]
    lines += [
        f"{committee}.",
        "   Kan inte prövas med uppgifterna som finns. Sänkningen är standardkostnaden × "
        "invånarna × 5 procentenheter, och standardkostnaden är ingen publicerad siffra: "
        f"{b.cost_source}. Att jämföra sänkningen med nämndens medel skulle bara återge hur "
        "siffran togs fram.",
        f"   Det som saknas: {MISSING_COST.format(year=y, kommun=b.kommun)}. Ange den som ifo.standard_cost {y} "
        'med sin källa ([overrides] i en tenantfil med extends = "vaggeryd"), så prövar raden '
        "påståendet.",
    ]
    needed = b.cost_for_balance(stated)
    if needed is not None:
        low, exact, high = needed
        lines.append(
            f"   Påståendet håller (inom {rfm.format_percent(BALANCE_TOLERANCE)}) om den "
            f"standardkostnaden ligger mellan {N(round(low), 0)} och {N(round(high), 0)} "
            f"kr/invånare; exakt balans vid {N(exact, 2)} kr/invånare ({N(stated, 0)} kr ÷ "
            f"{N(b.cut / b.cost if b.cost else 0.0, 2)} kr sänkning per kr/invånare)."
        )
    return lines


def _difference_notes(ledger: Path) -> dict[str, str]:
    import tomllib

    doc = tomllib.loads(ledger.read_text(encoding="utf-8"))
    notes = doc.get("difference", {})
    return {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {}


def ledger_text(
    buildup: rfm.FrameBuildUp, ledger: Path, tenant: rfm.Tenant, registry: rfm.Registry
) -> str:
    posts = [p for p in read_ledger(ledger) if p.year == buildup.year]
    problems = check_against_frame(posts, buildup)
    if problems:
        raise rfm.ConfigError(f"{ledger.name}: " + "; ".join(problems))
    lines = _money_table(buildup, posts)
    for p in posts:
        lines += _post_lines(p, buildup.run.parameters)
    lines.append(
        "Modellernas förändring är volymkompensation + förändrat ersättningsbelopp i fasta priser "
        "(rfm frame). Med illustrativa ersättningsbelopp skiljer den sig från nämndens belopp."
    )
    lines.append("")
    lines += checks_text(tenant, registry, buildup, ledger)
    return "\n".join(lines).rstrip("\n") + "\n"


@click.group("vaggeryd")
def vaggeryd_group() -> None:
    """Vaggeryd kommun: the committee's use of the model money."""


@vaggeryd_group.command("fordelning")
@rfm.tenant_options
@click.option("--year", type=int, default=2023, show_default=True, help="Budget year.")
@click.option("--scenario", help="Scenario (default: the tenant's standard).")
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ledger TOML file instead of the packaged one.",
)
@click.pass_context
def fordelning_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    year: int,
    scenario: str | None,
    ledger: Path | None,
) -> None:
    """Show how socialnämnden uses each model's money, with the arithmetic behind each post,
    and check what the seeds claim about that money (balance, per-inhabitant items, the PA
    schablon in the LSS-utjämning)."""
    host = ctx.find_root().obj
    registry = host.registry
    chosen = rfm.cli_tenant(ctx, tenant, config, "vaggeryd")
    buildup = rfm.build_frame(chosen, registry, year, scenario=scenario)
    click.echo(ledger_text(buildup, ledger or ledger_path(), chosen, registry), nl=False)
