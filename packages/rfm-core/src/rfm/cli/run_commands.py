"""Commands that compute: run, explain, compare, demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from rfm.cli.archive_commands import archive_for, archive_option, save_run, say_saved
from rfm.cli.common import (
    check_year,
    load_tenant,
    parse_years,
    registry,
    resolve_years,
    round_option,
    tenant_options,
    terminal_progress,
    year_options,
)
from rfm.cli.render import (
    OUTPUT_FORMATS,
    compare_output,
    compare_table,
    emit_text,
    lineage_frame,
    lineage_output,
    lineage_table,
    metadata,
    summary_table,
    write_frame,
)
from rfm.display_rounding import Rounding
from rfm.engine import RunResult, compare, compare_totals, run
from rfm.errors import ConfigError, OutputError, RfmError
from rfm.io.atomic import check_output_target, held_outputs, write_text_atomic
from rfm.prices import PRICE_LEVELS
from rfm.registry import Registry
from rfm.reports.labels import prices_text
from rfm.safe_text import terminal_text
from rfm.tenants.tenant import ReportSettings, Tenant

if TYPE_CHECKING:
    from rfm.frame_buildup import FrameBuildUp

prices_option = click.option(
    "--prices",
    type=click.Choice(PRICE_LEVELS),
    default="fixed",
    show_default=True,
    help="Fixed prices of the tenant's base year, or current prices by its index.",
)
OFFLINE_ENV = "RFM_OFFLINE"
"""Set by ``rfm report --offline``: report sections must not use the network."""
excel_option = click.option(
    "--excel",
    is_flag=True,
    help="CSV for Swedish Excel: semicolons, decimal commas, UTF-8 with BOM.",
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
@round_option()
@excel_option
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
    rounding: Rounding,
    excel: bool,
    save: bool,
    label: str,
    archive: Path | None,
) -> None:
    """Compute a tenant's allocation: a summary table, or the lineage rows as csv/json/parquet."""
    if out is not None:
        check_output_target(out)  # before any work: a --out rfm may not replace is refused now
    if fmt in ("xlsx", "html", "parquet"):
        _needs_out(out, fmt)
    chosen = load_tenant(ctx, tenant, config)
    result = run(
        chosen,
        registry(ctx),
        resolve_years(years, year, chosen),
        scenario=scenario,
        prices=prices,
        progress=terminal_progress(chosen.id),
    )

    def write_output() -> None:
        if fmt == "table":
            text = (
                f"{chosen.name}: scenario {result.scenario.name}, {prices_text(prices)}\n\n"
                + summary_table(result.totals(), rounding, model_labels(chosen))
                + "\n"
            )
            emit_text(text, out)
        elif fmt == "xlsx":
            from rfm.reports.workbook import write_workbook  # xlsxwriter only when asked for

            write_workbook(
                result,
                _needs_out(out, "xlsx"),
                rounding=rounding,
                frames=frames_for(chosen, ctx, result),
            )
        elif fmt == "html":
            from rfm.reports.html import write_report

            write_report(result, _needs_out(out, "html"), rounding=rounding)
        elif fmt == "parquet":  # for machines: the exact lineage rows
            write_frame(lineage_frame(result.lineage), fmt, out)
        else:
            frame = lineage_output(result, rounding)
            if fmt == "json":
                frame = with_basis_fields(result, frame)
            write_frame(frame, fmt, out, meta=metadata(result, rounding), excel=excel)

    if not save:
        write_output()
    elif out is None:  # printed output: store the run first, print only once it is stored
        say_saved(*save_run(ctx, result, tenant, config, archive, label))
        write_output()
    else:  # both or neither: the file is written aside, the run stored, then the file put in place
        with held_outputs() as held:
            write_output()
            store, run_id = save_run(ctx, result, tenant, config, archive, label)
            try:
                held.release()
            except OutputError:
                store.delete(run_id)
                raise
        say_saved(store, run_id)


def model_labels(tenant: Tenant) -> dict[str, str]:
    """Model id → the label people read."""
    return {m.id: m.label for m in tenant.models}


def frames_for(tenant: Tenant, ctx: click.Context, result: RunResult) -> list[FrameBuildUp]:
    """The frame build-up of the run's years that the tenant's [frame] data covers."""
    if tenant.frame is None:
        return []
    from rfm.frame_buildup import build_frame

    out = []
    for year in result.years:
        try:
            out.append(build_frame(tenant, registry(ctx), year, scenario=result.scenario.name))
        except RfmError:  # no frame for the year before: that year has no build-up
            continue
    return out


def with_basis_fields(result: RunResult, frame: pl.DataFrame) -> pl.DataFrame:
    """``basis_parameters`` beside ``basis``: the parameters each row's volume and rate read."""
    from rfm.reports.basis import basis_fields

    return frame.with_columns(basis_fields(result, frame))


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
    from rfm.explanation import explain, text_lines

    chosen = load_tenant(ctx, tenant, config)
    check_year(year)
    found = explain(
        chosen, registry(ctx), model_id, recipient, year, scenario=scenario, prices=prices
    )
    for line in text_lines(found, lineage_table):
        click.echo(terminal_text(line, keep_newlines=True))


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
@round_option()
@excel_option
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
    rounding: Rounding,
    excel: bool,
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
            _compare_file(a, frame, (scenario, label_b), fmt, out, rounding)
            return
        if fmt == "table":
            emit_text(
                compare_table(frame, scenario, label_b, rounding, model_labels(chosen)) + "\n", out
            )
        else:
            meta = metadata(a, rounding, against={"run": against_run, "label": label_b})
            write_frame(compare_output(frame, rounding), fmt, out, meta=meta, excel=excel)
        return
    assert against is not None
    if chosen.scenario(scenario).name == chosen.scenario(against).name:
        raise ConfigError(f"--scenario and --against both name {scenario!r}: nothing to compare")
    wanted = resolve_years(years, year, chosen)
    a = run(
        chosen, reg, wanted, scenario=scenario, prices=prices, progress=terminal_progress(scenario)
    )
    b = run(
        chosen, reg, wanted, scenario=against, prices=prices, progress=terminal_progress(against)
    )
    frame = compare(a, b)
    if fmt == "table":
        text = compare_table(frame, scenario, against, rounding, model_labels(chosen)) + "\n"
        emit_text(text, out)
        return
    if fmt in ("html", "xlsx"):
        _compare_file(a, frame, (scenario, against), fmt, out, rounding)
        return
    # Columns a and b (a scenario may be called anything, even "diff"); metadata names them.
    meta = metadata(a, rounding, against={"scenario": against, "prices": b.prices})
    write_frame(compare_output(frame, rounding), fmt, out, meta=meta, excel=excel)


def _labels(frame: pl.DataFrame, a: str, b: str) -> dict[str, str]:
    """Column names for A and B: the scenarios' names, marked (A)/(B) where a name is taken.

    A scenario may be called ``model`` or ``diff``, like a column the comparison already has.
    """
    taken = set(frame.columns) - {"a", "b"}
    if a in taken or b in taken or a == b:
        return {"a": f"{a} (A)", "b": f"{b} (B)"}
    return {"a": a, "b": b}


def _compare_file(
    a: RunResult,
    frame: pl.DataFrame,
    labels: tuple[str, str],
    fmt: str,
    out: Path | None,
    rounding: Rounding,
) -> None:
    """A's workbook with a Jämförelse sheet, or A's report with the comparison."""
    if fmt == "xlsx":
        from rfm.reports.workbook import write_workbook  # xlsxwriter only when asked for

        write_workbook(
            a, _needs_out(out, "xlsx"), comparison=frame, labels=labels, rounding=rounding
        )
        return
    from rfm.reports.html import write_report

    write_report(a, _needs_out(out, "html"), comparison=frame, labels=labels, rounding=rounding)


@click.command("report")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@click.option("--against", help="A scenario to compare with (consequences and redistribution).")
@prices_option
@click.option("--lang", type=click.Choice(("sv", "en")), default="sv", show_default=True)
@round_option()
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
    rounding: Rounding,
    out: Path | None,
) -> None:
    """One self-contained HTML file: money per model and year, comparisons, sources.

    Without --years (or --against) the tenant's ``[report]`` table says which.
    """
    if out is not None:
        check_output_target(out)
    chosen = load_tenant(ctx, tenant, config)
    settings = chosen.report
    if years is None and year is None and settings is not None:
        years = settings.years
    if against is None and settings is not None:
        against = settings.against
    wanted = resolve_years(years, year, chosen)
    options: dict[str, Any] = {
        "scenario": scenario,
        "against": against,
        "prices": prices,
        "lang": lang,
        "rounding": rounding,
    }
    if out is None:  # to stdout: written to a private temporary file first, then shown whole
        import tempfile

        with tempfile.TemporaryDirectory(prefix="rfm-report-") as folder:
            target = Path(folder) / "rapport.html"
            write_report_files(chosen, registry(ctx), wanted, out=target, **options)
            click.echo(target.read_text(encoding="utf-8"), nl=False)
        return
    write_report_files(chosen, registry(ctx), wanted, out=out, **options)
    click.echo(f"{'Report' if lang == 'en' else 'Rapporten'}: {out}")


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
    rounding: Rounding | None = None,
) -> None:
    """The HTML report (and optionally the workbook) of one run, with a comparison if asked."""
    from rfm.reports.html import write_report
    from rfm.reports.workbook import write_workbook

    rounding = rounding or Rounding()
    a = run(
        tenant, reg, years, scenario=scenario, prices=prices, progress=terminal_progress(tenant.id)
    )
    extra = report_sections(a, reg, lang)
    options: dict[str, object] = {"lang": lang, "extra_sections": extra, "rounding": rounding}
    if against is not None:
        b = run(
            tenant, reg, years, scenario=against, prices=prices, progress=terminal_progress(against)
        )
        options |= {"comparison": compare(a, b), "labels": (a.scenario.name, b.scenario.name)}
    write_report(a, out, **options)
    if workbook is not None:
        frames = []
        if tenant.frame is not None:
            from rfm.frame_buildup import build_frame

            for year in a.years:
                try:
                    frames.append(build_frame(tenant, reg, year, scenario=a.scenario.name))
                except RfmError:  # no frame for the year before: that year has no build-up
                    continue
        write_workbook(
            a,
            workbook,
            comparison=options.get("comparison"),  # type: ignore[arg-type]
            labels=(a.scenario.name, against or ""),
            rounding=rounding,
            frames=frames,
        )


def report_sections(result: RunResult, reg: Registry, lang: str) -> list[tuple[str, str, str]]:
    """The plugins' sections of the report, with a line on stderr while each is made.

    A section may ask a server (Kolada); the line says what the report waits for. A section
    that fails is left out with a warning, so one plugin cannot stop the report.
    """
    sections: list[tuple[str, str, str]] = []
    for provider in reg.report_sections:
        # the plugin's name as it registered (a guarded provider carries it); the module of
        # a provider registered otherwise
        name = str(getattr(provider, "plugin", "") or getattr(provider, "__module__", "plugin"))
        name = name.split(".")[0]
        if sys.stderr.isatty():
            click.echo(f"Rapportavsnitt från {name} …", err=True)
        try:
            sections.extend(provider(result, reg, lang))
        except Exception as exc:  # a plugin's failure must not cost the whole report
            from html import escape

            message = f"Rapportavsnittet från {name} kunde inte göras ({exc})."
            click.echo(terminal_text(f"Varning: {message}"), err=True)
            # said in the report too: a reader must not take the missing section for none
            sections.append(
                (f"saknas-{len(sections) + 1}", "Avsnitt som saknas", f"<p>{escape(message)}</p>")
            )
    return sections


_NO_YEARS = ReportSettings()


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
    rounding = Rounding()
    lineage = lineage_output(result, rounding)
    write_frame(lineage, "csv", out / "lineage.csv")
    write_frame(
        with_basis_fields(result, lineage), "json", out / "lineage.json",
        meta=metadata(result, rounding),
    )  # fmt: skip
    click.echo(f"{tenant.name}: {tenant.description}\n")
    click.echo(summary_table(result.totals(), rounding, model_labels(tenant)))
    click.echo(f"\nBeräkningsrader (volym × ersättningsbelopp, med källor): {out / 'lineage.csv'}")
    click.echo(
        "Förklara ett belopp: rfm explain exempel --model aldreomsorg "
        "--recipient Äldreomsorg --year 2024"
    )
    from rfm.documentation import render as render_docs

    reg = registry(ctx)
    shown = [t for t in sorted(reg.tenants) if (reg.tenant(t).report or _NO_YEARS).years]
    if shown:
        click.echo("\nRapport, arbetsbok och modelldokumentation per installerad kommun:")
    for tenant_id in shown:
        chosen = reg.tenant(tenant_id)
        settings = chosen.report
        assert settings is not None and settings.years is not None
        write_report_files(
            chosen, reg, parse_years(settings.years), out=out / f"{tenant_id}-rapport.html",
            workbook=out / f"{tenant_id}.xlsx", against=settings.against,
        )  # fmt: skip
        write_text_atomic(out / f"{tenant_id}-dokumentation.html", render_docs(chosen, "html"))
        click.echo(
            f"  {chosen.name}: {out / f'{tenant_id}-rapport.html'}, {out / f'{tenant_id}.xlsx'}, "
            f"{out / f'{tenant_id}-dokumentation.html'}"
        )
