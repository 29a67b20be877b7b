"""``rfm tenants …``: list the installed tenants, show one, check a tenant file, its schema."""

from __future__ import annotations

from pathlib import Path

import click

from rfm.cli.common import left_out, load_tenant, registry, tenant_options
from rfm.cli.suggest import SuggestingGroup
from rfm.errors import ConfigError, UnknownNameError
from rfm.formatting import number
from rfm.io.atomic import write_text_atomic
from rfm.textable import text_table as table


@click.group("tenants", cls=SuggestingGroup, invoke_without_command=True)
@click.pass_context
def tenants_group(ctx: click.Context) -> None:
    """List the tenants that installed plugins package."""
    if ctx.invoked_subcommand is not None:
        return
    reg = registry(ctx)
    rows = [[t.id, t.name, t.plugin] for t in sorted(reg.tenants.values(), key=lambda t: t.id)]
    click.echo(table(["Tenant", "Namn", "Plugin"], rows))


@tenants_group.command("show")
@tenant_options
@click.option(
    "--inherited",
    is_flag=True,
    help="List what the tenant takes from the tenant it extends, item by item.",
)
@click.pass_context
def show_command(
    ctx: click.Context, tenant: str | None, config: Path | None, inherited: bool
) -> None:
    """One tenant: its file, kommun, own figures, models, data, scenarios; --inherited: what it
    takes from the tenant it extends."""
    from rfm.tenants.inheritance import inheritance

    chosen = load_tenant(ctx, tenant, config)
    reg = registry(ctx)
    found = inheritance(chosen, reg)
    click.echo(f"{chosen.name} ({chosen.id})")
    click.echo(f"  Fil: {chosen.origin}")
    if chosen.kommunkod:
        click.echo(f"  Kommunkod: {chosen.kommunkod}")
    if found is not None:
        click.echo(f"  Bygger på: {found.extends} ({found.base.name}, {found.base.origin})")
    click.echo(
        f"  Modeller: {len(chosen.models)}, data: {len(chosen.datasets)}, parametrar: "
        f"{len(chosen.parameters)}, scenarier: {len(chosen.scenarios)}"
    )
    if chosen.report is not None and getattr(chosen.report, "years", None):
        click.echo(f"  År ([report]): {chosen.report.years}")
    if chosen.own:
        click.echo(f"  Kommunens egna tal (own): {', '.join(chosen.own)}")
    if not inherited:
        return
    if found is None:
        raise ConfigError(f"{chosen.origin}: [tenant] has no 'extends'; it inherits nothing")
    base = found.base
    click.echo(f"\nÄrvs från {found.extends!r}:")
    click.echo(f"\nModeller ({len(found.models)}):")
    for model_id in found.models:
        m = base.model(model_id)
        click.echo(f"  {m.id}  [{m.type_name}]  {m.label}")
    click.echo(f"\nData ({len(found.datasets)}):")
    for name in found.datasets:
        d = base.datasets[name]
        click.echo(f"  {name}: {d.display_path or d.path.name} ({d.schema}) — {d.source or '–'}")
    click.echo(f"\nParametrar ({len(found.parameters)}):")
    for key in found.parameters:
        p = base.parameters[key]
        last = p.values[-1]
        value = "upphör" if last.value is None else number(last.value)
        click.echo(f"  {key} [{p.unit}] från {last.year}: {value} — {last.source}")
    for label, items in (
        ("Scenarier", found.scenarios),
        ("Taxetabeller ([rates])", found.rates),
        ("Klassificeringar", found.classifications),
        ("Tabeller", tuple(f"[{t}]" for t in found.tables)),
    ):
        if items:
            click.echo(f"\n{label}: {', '.join(items)}")
    own = [i for i in base.own if i not in found.own_replaced]
    click.echo(f"\n{base.id!r}s egna tal ({len(base.own)}):")
    click.echo(f"  ersatta här: {', '.join(found.own_replaced) or 'inga'}")
    click.echo(f"  ärvda med [tenant] inherit: {', '.join(found.own_inherited) or 'inga'}")
    if [i for i in own if i not in found.own_inherited]:
        click.echo("  (övriga refuseras när filen läses)")


@tenants_group.command("check")
@tenant_options
@click.pass_context
def check_command(ctx: click.Context, tenant: str | None, config: Path | None) -> None:
    """Check a tenant file, an installed TENANT's or --config FILE's: against its JSON Schema
    (every problem at once), then as rfm run loads it; list the figures still marked ERSÄTT.
    (A path in place of TENANT, ``rfm tenants check tenant.toml``, is read as --config.)"""
    from rfm.tenants.check import check_file

    file = file_to_check(ctx, tenant, config)
    report = check_file(file, registry(ctx))
    if report.schema_problems:
        click.echo(f"{file}: {len(report.schema_problems)} problem(s) against the tenant schema:")
        for problem in report.schema_problems:
            click.echo(f"  - {problem}")
    elif report.load_error:
        click.echo(
            f"{file}: the schema holds, but the file cannot be loaded:\n  {report.load_error}"
        )
    else:
        click.echo(f"OK: {file} matches the tenant schema and loads")
    if report.to_replace:
        click.echo(f"\nAtt ersätta ({len(report.to_replace)}):")
        for item in report.to_replace:
            click.echo(f"  - {item}")
    if not report.ok:
        ctx.exit(1)


def file_to_check(ctx: click.Context, tenant: str | None, config: Path | None) -> Path:
    """The tenant file ``rfm tenants check`` reads: ``--config FILE``, the file an installed
    TENANT was loaded from, or a path given where TENANT stands (as rfm init's README writes
    it). A name that is neither a tenant nor a path is an unknown tenant, with "did you mean"."""
    reg = registry(ctx)
    if config is not None and tenant is not None:
        raise ConfigError("give a TENANT or --config FILE, not both")
    if config is not None:
        return config
    if tenant is None:
        known = ", ".join(sorted(reg.tenants)) or "none installed"
        raise ConfigError(f"name a tenant ({known}) or give --config FILE")
    if tenant in reg.tenants or ("tenant", tenant) in reg.conflicts:
        origin = reg.tenant(tenant).origin  # a tenant that does not load says why here
        if not origin:
            raise ConfigError(f"tenant {tenant!r} is built by its plugin, not read from a file")
        return Path(origin)
    path = Path(tenant)
    if path.suffix or path.name != tenant or path.exists():
        return path
    raise UnknownNameError("tenant", tenant, list(reg.tenants))


@tenants_group.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.pass_context
def schema_command(ctx: click.Context, out: Path | None) -> None:
    """The tenant file's JSON Schema (for editors: first line ``#:schema ./tenant.schema.json``)."""
    from rfm.tenants.schema_export import schema_text

    text = schema_text(registry(ctx), left_out)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
