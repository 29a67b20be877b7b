"""Commands that show what is installed and check files: plugins, tenants, models, validate."""

from __future__ import annotations

from pathlib import Path

import click

from rfm.cli.common import left_out, load_tenant, registry, tenant_options
from rfm.deferred import usable
from rfm.errors import ConfigError
from rfm.formatting import number
from rfm.textable import text_table as table


@click.command("plugins")
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """List installed plugins, their versions, hooks and whether they work."""
    from rfm.cli.common import host

    rows = [
        [p.name, p.package, p.version, p.status, ", ".join(p.hooks) or "–", p.error]
        for p in host(ctx).plugins()
    ]
    click.echo(table(["Plugin", "Paket", "Version", "Status", "Hooks", "Fel"], rows))


@click.command("models")
@tenant_options
@click.pass_context
def models_command(ctx: click.Context, tenant: str | None, config: Path | None) -> None:
    """List a tenant's models with their formulas and parameters; without one, the model types."""
    reg = registry(ctx)
    if tenant is None and config is None:
        rows = [[name, t.summary] for name, t in sorted(usable(reg.model_types, left_out))]
        click.echo(table(["Modelltyp", "Beräknar"], rows))
        return
    chosen = load_tenant(ctx, tenant, config)
    click.echo(
        f"{chosen.name} ({chosen.id})"
        + (f", kommunkod {chosen.kommunkod}" if chosen.kommunkod else "")
    )
    for model in chosen.models:
        click.echo(f"\n{model.id}  [{model.type_name}]  {model.label}")
        if model.description:
            click.echo(f"  {model.description}")
        click.echo(f"  {model.formula()}")
        for ref in model.parameter_refs:
            p = chosen.parameters[ref.key]
            values = "; ".join(
                f"från {v.year}: {'upphör' if v.value is None else number(v.value)} ({v.source})"
                for v in p.values
            )
            click.echo(f"    {ref.key} [{p.unit}] {ref.role}: {values}")
    if chosen.scenarios:
        click.echo("\nScenarier: " + ", ".join(sorted(chosen.scenarios)))


@click.command("validate")
@click.argument("schema")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--reader", "fmt", help="Reader to use (csv, excel, parquet, pxweb); default by suffix."
)
@click.option("--format", "old_fmt", hidden=True, help="The former name of --reader.")
@click.option("--sheet", help="Excel: the sheet to read.")
@click.option("--separator", help="CSV: the field separator (default: detected).")
@click.option("--encoding", help="CSV: the encoding (default: UTF-8, else Latin-1).")
@click.option(
    "--rename",
    "renames",
    multiple=True,
    metavar="FROM=TO",
    help="Rename a column before checking (repeatable), e.g. Region=area.",
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    schema: str,
    file: Path,
    fmt: str | None,
    old_fmt: str | None,
    sheet: str | None,
    separator: str | None,
    encoding: str | None,
    renames: tuple[str, ...],
) -> None:
    """Check FILE against SCHEMA and list every problem with its row and column."""
    from rfm.io.readers import read_table  # Polars: here, so that `rfm plugins` stays light
    from rfm.schemas.validate import validate_table

    if old_fmt is not None:  # --format is an output's format everywhere else
        click.echo("Note: --format is now --reader (the file's reader)", err=True)
        fmt = fmt or old_fmt
    reg = registry(ctx)
    spec = reg.schema(schema)
    options = {
        k: v for k, v in (("sheet", sheet), ("separator", separator), ("encoding", encoding)) if v
    }
    raw = read_table(reg.readers, file, name=str(file), fmt=fmt, options=options)
    if renames:
        mapping = {}
        for item in renames:
            if "=" not in item:
                raise ConfigError(f"--rename {item!r}: expected FROM=TO")
            old, new = item.split("=", 1)
            mapping[old] = new
        raw = raw.renamed(mapping)
    frame = validate_table(raw, spec)
    click.echo(f"OK: {file} matches schema '{spec.name}' ({frame.height} rows)")


@click.command("schemas")
@click.pass_context
def schemas_command(ctx: click.Context) -> None:
    """List the table schemas that datasets and `rfm validate` use."""
    reg = registry(ctx)
    rows = [
        [s.name, ", ".join(c.name + ("" if c.required else "?") for c in s.columns), s.description]
        for _, s in sorted(usable(reg.schemas, left_out), key=lambda item: item[1].name)
    ]
    click.echo(table(["Schema", "Kolumner", "Beskrivning"], rows))


@click.command("scenarios")
@tenant_options
@click.pass_context
def scenarios_command(ctx: click.Context, tenant: str | None, config: Path | None) -> None:
    """List a tenant's scenarios: what each reports, overrides and reads instead."""
    from rfm.tenants.tenant import DEFAULT_SCENARIO

    chosen = load_tenant(ctx, tenant, config)
    default = chosen.scenario(None)
    against = getattr(chosen.report, "against", None)
    rows = []
    names = sorted(chosen.scenarios) or [default.name]
    for name in names:
        s = chosen.scenarios.get(name, default)
        marks = [
            *(["utan --scenario"] if name == DEFAULT_SCENARIO or s is default else []),
            *(["jämförs med i rapporten"] if name == against else []),
        ]
        models = ", ".join(s.models) if s.models is not None else "alla som inte läses av andra"
        changes = [o.key for o in s.overrides] + [f"{k} ← {v}" for k, v in s.datasets.items()]
        rows.append(
            [
                name + (f" ({', '.join(marks)})" if marks else ""),
                s.description or "–",
                models,
                ", ".join(changes) or "–",
            ]
        )
    click.echo(f"{chosen.name} ({chosen.id})\n")
    click.echo(table(["Scenario", "Beskrivning", "Modeller", "Ändrar"], rows))
