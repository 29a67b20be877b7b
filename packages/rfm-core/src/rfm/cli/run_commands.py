"""Commands that compute: run, explain, compare, demo."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from rfm.cli.archive_commands import archive_for, archive_option, save_run
from rfm.cli.common import (
    load_tenant,
    parse_years,
    registry,
    resolve_years,
    tenant_options,
    terminal_progress,
    year_options,
)
from rfm.cli.common import round_option as common_round_option
from rfm.cli.render import (
    OUTPUT_FORMATS,
    compare_table,
    emit_text,
    lineage_frame,
    lineage_table,
    summary_table,
    write_frame,
)
from rfm.engine import RunResult, compare, compare_totals, run
from rfm.errors import ConfigError, OutputError, ParameterError
from rfm.formatting import number
from rfm.io.atomic import write_text_atomic
from rfm.models.base import Model
from rfm.prices import PRICE_LEVELS
from rfm.registry import Registry
from rfm.tenants.tenant import Tenant

prices_option = click.option(
    "--prices",
    type=click.Choice(PRICE_LEVELS),
    default="fixed",
    show_default=True,
    help="Fixed prices of the tenant's base year, or current prices by its index.",
)
round_option = common_round_option(
    "kr", "Unit of amounts in tables (largest-remainder rounding keeps totals exact)."
)


@click.command("run")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@prices_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*OUTPUT_FORMATS, "xlsx", "html")),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@round_option
@click.option(
    "--save", is_flag=True, help="Store the run, its inputs and parameters in the archive."
)
@click.option("--label", default="", help='A label for the saved run ("KF-beslut 2022-11-21").')
@archive_option
@click.pass_context
def run_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    years: str | None,
    year: int | None,
    scenario: str | None,
    prices: str,
    fmt: str,
    out: Path | None,
    unit: str,
    save: bool,
    label: str,
    archive: Path | None,
) -> None:
    """Compute a tenant's allocation: a summary table, or the lineage rows as csv/json/parquet."""
    chosen = load_tenant(ctx, tenant, config)
    result = run(
        chosen,
        registry(ctx),
        resolve_years(years, year, chosen),
        scenario=scenario,
        prices=prices,
        progress=terminal_progress(chosen.id),
    )
    if save:
        save_run(ctx, result, tenant, config, archive, label)
    if fmt == "table":
        text = (
            f"{chosen.name}: scenario {result.scenario.name}, "
            f"{'fasta' if prices == 'fixed' else 'löpande'} priser\n\n"
            + summary_table(result.totals(), unit)
            + "\n"
        )
        emit_text(text, out)
        return
    if fmt == "xlsx":
        from rfm.reports.workbook import write_workbook  # xlsxwriter only when asked for

        write_workbook(result, _needs_out(out, "xlsx"))
        return
    if fmt == "html":
        from rfm.reports.html import write_report

        write_report(result, _needs_out(out, "html"))
        return
    write_frame(lineage_frame(result.lineage), fmt, out)


def _needs_out(out: Path | None, fmt: str) -> Path:
    if out is None:
        raise OutputError(f"--format {fmt} needs --out FILE.{fmt}")
    return out


@click.command("explain")
@tenant_options
@click.option("--model", "model_id", required=True, help="Model id.")
@click.option("--recipient", required=True, help="Recipient (nämnd, district, unit).")
@click.option("--year", required=True, type=int, help="Budget year.")
@click.option("--scenario", help="Scenario name.")
@prices_option
@click.pass_context
def explain_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    model_id: str,
    recipient: str,
    year: int,
    scenario: str | None,
    prices: str,
) -> None:
    """Show the lineage rows and parameter sources behind one recipient, model and year.

    A model that reads other models (a blend, a change limit) is followed down to its inputs,
    so the answer runs from the amount to every volume, rate and source behind it.
    """
    chosen = load_tenant(ctx, tenant, config)
    model = chosen.model(model_id)
    result = run(chosen, registry(ctx), [year], scenario=scenario, prices=prices, models=[model.id])
    lineage = result.all_lineage
    rows = lineage.filter(
        (pl.col("model") == model.id)
        & (pl.col("recipient") == recipient)
        & (pl.col("year") == year)
    )
    if rows.height == 0:
        known = lineage.filter(pl.col("model") == model.id)["recipient"].unique().sort()
        raise ConfigError(
            f"model {model.id!r} has no rows for recipient {recipient!r} in {year}; "
            f"recipients: {', '.join(known.to_list()) or 'none'}"
        )
    click.echo(
        f"{chosen.name} — {model.label} ({model.id}, {model.type_name}) — {recipient} — {year}"
    )
    click.echo(
        f"Scenario {result.scenario.name}, {'fasta' if prices == 'fixed' else 'löpande'} priser"
    )
    shown: set[str] = set()

    def section(current: Model, depth: int) -> None:
        shown.add(current.id)
        if depth:
            click.echo(
                f"\n{'—' * 2} Indata: {current.label} ({current.id}, {current.type_name}) {'—' * 2}"
            )
        mine = lineage.filter(pl.col("model") == current.id)
        part = mine.filter((pl.col("recipient") == recipient) & (pl.col("year") == year))
        click.echo(f"Formel: {current.formula()}\n")
        click.echo(lineage_table(part) if part.height else "(inga rader för mottagaren)")
        click.echo(f"\nSumma: {number(part['amount'].sum())} kr")
        for line in current.explain(mine, recipient, year):
            click.echo(line)
        click.echo(f"\nParametrar (värde som gäller år {year}):")
        for ref in current.parameter_refs:
            p = result.parameters[ref.key]
            try:
                dated = p.at(year)
                click.echo(
                    f"  {ref.key} = {number(dated.value or 0)} {p.unit}  — {dated.source} "
                    f"(från {dated.year})"
                )
            except ParameterError as exc:  # e.g. ended before this year: shown, not fatal
                click.echo(f"  {ref.key}: {exc}")
        for dep in current.inputs():
            if dep not in shown:
                section(chosen.model(dep), depth + 1)

    section(model, 0)
    if result.datasets:
        click.echo("\nData:")
        for d in result.datasets:
            click.echo(
                f"  {d.name}: {d.path} ({d.rows} rader, sha256 {d.sha256[:12]}…)"
                + (f" — {d.source}" if d.source else "")
            )


@click.command("compare")
@tenant_options
@click.option("--scenario", required=True, help="The scenario to show (A).")
@click.option("--against", help="The scenario to compare with (B).")
@click.option(
    "--against-run", type=int, help="An archived run to compare with (B): the decided frame."
)
@archive_option
@year_options
@prices_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*OUTPUT_FORMATS, "xlsx", "html")),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path))
@round_option
@click.pass_context
def compare_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    scenario: str,
    against: str | None,
    against_run: int | None,
    archive: Path | None,
    years: str | None,
    year: int | None,
    prices: str,
    fmt: str,
    out: Path | None,
    unit: str,
) -> None:
    """Per model, recipient and year: scenario A, scenario B (or an archived run), Δ kr and Δ %."""
    chosen = load_tenant(ctx, tenant, config)
    if (against is None) == (against_run is None):
        raise ConfigError("give --against SCENARIO or --against-run ID (an archived run)")
    reg = registry(ctx)
    if against_run is not None:
        store = archive_for(ctx, tenant, config, archive)
        decided = store.run(against_run)
        wanted = resolve_years(years, year, chosen) if (years or year) else list(decided.years)
        outside = [y for y in wanted if y not in decided.years]
        if outside:
            raise ConfigError(
                f"archived run {against_run} holds the years "
                f"{', '.join(map(str, decided.years))}, not {', '.join(map(str, outside))}; "
                "compare years the run holds"
            )
        a = run(
            chosen,
            reg,
            wanted,
            scenario=scenario,
            prices=prices,
            progress=terminal_progress(scenario),
        )
        reported = set(a.lineage["model"].unique().to_list())
        b_rows = store.lineage(against_run).filter(
            pl.col("model").is_in(sorted(reported)) & pl.col("year").is_in(wanted)
        )
        frame = compare_totals(a.totals(["model", "recipient", "year"]), b_rows)
        label_b = f"körning {against_run} ({decided.label or decided.scenario})"
        if fmt in ("html", "xlsx"):
            _compare_file(a, frame, (scenario, label_b), fmt, out)
            return
        if fmt == "table":
            emit_text(compare_table(frame, scenario, label_b, unit) + "\n", out)
        else:
            write_frame(frame.rename({"a": scenario, "b": label_b}), fmt, out)
        return
    assert against is not None
    wanted = resolve_years(years, year, chosen)
    a = run(
        chosen, reg, wanted, scenario=scenario, prices=prices, progress=terminal_progress(scenario)
    )
    b = run(
        chosen, reg, wanted, scenario=against, prices=prices, progress=terminal_progress(against)
    )
    frame = compare(a, b)
    if fmt == "table":
        text = compare_table(frame, scenario, against, unit) + "\n"
        emit_text(text, out)
        return
    if fmt in ("html", "xlsx"):
        _compare_file(a, frame, (scenario, against), fmt, out)
        return
    renamed = frame.rename({"a": scenario, "b": against})
    write_frame(renamed, fmt, out)


def _compare_file(
    a: RunResult, frame: pl.DataFrame, labels: tuple[str, str], fmt: str, out: Path | None
) -> None:
    """A's workbook with a Jämförelse sheet, or A's report with the comparison."""
    if fmt == "xlsx":
        from rfm.reports.workbook import write_workbook  # xlsxwriter only when asked for

        write_workbook(a, _needs_out(out, "xlsx"), comparison=frame, labels=labels)
        return
    from rfm.reports.html import write_report

    write_report(a, _needs_out(out, "html"), comparison=frame, labels=labels)


@click.command("report")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@click.option("--against", help="A scenario to compare with (consequences and redistribution).")
@prices_option
@click.option("--lang", type=click.Choice(("sv", "en")), default="sv", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (default: the HTML to stdout, as rfm docs does).",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    years: str | None,
    year: int | None,
    scenario: str | None,
    against: str | None,
    prices: str,
    lang: str,
    out: Path | None,
) -> None:
    """One self-contained HTML file: money per model and year, comparisons, sources.

    Without --years (or --against) the tenant's ``[report]`` table says which.
    """
    chosen = load_tenant(ctx, tenant, config)
    settings = chosen.report
    if years is None and year is None and settings is not None:
        years = settings.years
    if against is None and settings is not None:
        against = settings.against
    wanted = resolve_years(years, year, chosen)
    if out is None:  # to stdout: written to a private temporary file first, then shown whole
        import tempfile

        with tempfile.TemporaryDirectory(prefix="rfm-report-") as folder:
            target = Path(folder) / "rapport.html"
            write_report_files(chosen, registry(ctx), wanted, out=target, scenario=scenario,
                               against=against, prices=prices, lang=lang)  # fmt: skip
            click.echo(target.read_text(encoding="utf-8"), nl=False)
        return
    write_report_files(chosen, registry(ctx), wanted, out=out,
                       scenario=scenario, against=against, prices=prices, lang=lang)  # fmt: skip
    click.echo(f"Rapporten: {out}")


def write_report_files(
    tenant: Tenant,
    reg: Registry,
    years: list[int],
    *,
    out: Path,
    workbook: Path | None = None,
    scenario: str | None = None,
    against: str | None = None,
    prices: str = "fixed",
    lang: str = "sv",
) -> None:
    """The HTML report (and optionally the workbook) of one run, with a comparison if asked."""
    from rfm.reports.html import write_report
    from rfm.reports.workbook import write_workbook

    a = run(
        tenant, reg, years, scenario=scenario, prices=prices, progress=terminal_progress(tenant.id)
    )
    extra = [section for provider in reg.report_sections for section in provider(a, reg, lang)]
    options: dict[str, object] = {"lang": lang, "extra_sections": extra}
    if against is not None:
        b = run(
            tenant, reg, years, scenario=against, prices=prices, progress=terminal_progress(against)
        )
        options |= {"comparison": compare(a, b), "labels": (a.scenario.name, b.scenario.name)}
    write_report(a, out, **options)
    if workbook is not None:
        write_workbook(
            a,
            workbook,
            comparison=options.get("comparison"),  # type: ignore[arg-type]
            labels=(a.scenario.name, against or ""),
        )


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("rfm-demo"),
    show_default=True,
    help="Folder for the demo's output files.",
)
@click.pass_context
def demo_command(ctx: click.Context, out: Path) -> None:
    """Run the bundled demo (Sjöbo's äldreomsorg model, real figures) and write its outputs."""
    tenant = registry(ctx).tenant("exempel")
    result = run(tenant, registry(ctx), [2018, 2020, 2021, 2024])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the folder ({exc.strerror})") from None
    write_frame(lineage_frame(result.lineage), "csv", out / "lineage.csv")
    write_frame(lineage_frame(result.lineage), "json", out / "lineage.json")
    click.echo(f"{tenant.name}: {tenant.description}\n")
    click.echo(summary_table(result.totals(), "kr"))
    click.echo(f"\nLineage rows (volume × ersättningsbelopp, with sources): {out / 'lineage.csv'}")
    click.echo(
        "Explain one number: rfm explain exempel --model aldreomsorg "
        "--recipient Äldreomsorg --year 2024"
    )
    from rfm.documentation import render as render_docs

    reg = registry(ctx)
    shown = [t for t in sorted(reg.tenants) if reg.tenant(t).report is not None]
    if shown:
        click.echo("\nRapport, arbetsbok och modelldokumentation per installerad kommun:")
    for tenant_id in shown:
        chosen = reg.tenant(tenant_id)
        settings = chosen.report
        assert settings is not None
        write_report_files(
            chosen, reg, parse_years(settings.years), out=out / f"{tenant_id}-rapport.html",
            workbook=out / f"{tenant_id}.xlsx", against=settings.against,
        )  # fmt: skip
        write_text_atomic(out / f"{tenant_id}-dokumentation.html", render_docs(chosen, "html"))
        click.echo(
            f"  {chosen.name}: {out / f'{tenant_id}-rapport.html'}, {out / f'{tenant_id}.xlsx'}, "
            f"{out / f'{tenant_id}-dokumentation.html'}"
        )
