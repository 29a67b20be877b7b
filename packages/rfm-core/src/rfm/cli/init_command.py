"""``rfm init KOMMUNKOD [--from TENANT]``: a tenant folder of one's own kommun."""

from __future__ import annotations

from pathlib import Path

import click

from rfm.cli.common import left_out, offline_requested, registry
from rfm.errors import OutputError
from rfm.io.atomic import write_text_atomic
from rfm.scb.client import APIS, PxWebClient
from rfm.scb.errors import ScbError
from rfm.scb.population import TABLES, fetch_population, population_csv
from rfm.tenants.starter import MARK, Population, kommun_name, starter, starter_from


@click.command("init")
@click.argument("kommunkod")
@click.option(
    "--from",
    "base",
    metavar="TENANT",
    help="Start from a packaged tenant's models (rfm tenants lists them), with its own kommun's "
    "figures marked to replace.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to create (default: the kommun's name, e.g. ./jonkoping).",
)
@click.option("--no-scb", is_flag=True, help="Do not ask SCB: the population is a template.")
@click.option("--api", type=click.Choice(APIS), default="v2", show_default=True)
@click.option(
    "--base-url", envvar="RFM_SCB_BASE_URL", help="SCB's PxWeb API base (env RFM_SCB_BASE_URL)."
)
@click.option(
    "--cache-dir",
    envvar="RFM_CACHE_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="rfm's cache folder (env RFM_CACHE_DIR).",
)
@click.option(
    "--deadline", type=float, default=30.0, show_default=True, help="Seconds SCB may take in all."
)
@click.pass_context
def init_command(
    ctx: click.Context,
    kommunkod: str,
    base: str | None,
    out: Path | None,
    no_scb: bool,
    api: str,
    base_url: str | None,
    cache_dir: Path | None,
    deadline: float,
) -> None:
    """Start a tenant folder for KOMMUNKOD: a commented tenant file, its population, a README."""
    from rfm.tenants.schema_export import schema_text

    kommun_name(kommunkod)  # an unknown kommunkod stops here, before anything is asked
    reg = registry(ctx)
    base_tenant = reg.tenant(base) if base else None
    population = _population(
        kommunkod, no_scb, api, base_url, cache_dir, deadline, offline_requested(ctx)
    )
    made = (
        starter_from(kommunkod, base_tenant, population, reg)
        if base_tenant is not None
        else starter(kommunkod, population)
    )
    folder = out or Path(made.tenant_id)
    if folder.exists() and any(folder.iterdir()):
        raise OutputError(
            f"{folder}: the folder exists and is not empty; choose another with --out"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    files = {**made.files, "tenant.schema.json": schema_text(reg, left_out)}
    for name, text in files.items():
        write_text_atomic(folder / name, text)
    click.echo(f"{made.name}: {folder}/")
    for name in sorted(files):
        click.echo(f"  {name}")
    if population.year is not None:
        click.echo(f"Befolkning 31 december {population.year} från SCB.")
    else:
        click.echo(f"Befolkningen är en mall: {population.problem}", err=True)
    if made.to_replace:
        click.echo(f"Att ersätta ({MARK} i tenant.toml): {', '.join(made.to_replace)}")
    click.echo(f"Nästa steg: rfm run --config {folder / 'tenant.toml'}")


def _population(
    kommunkod: str,
    no_scb: bool,
    api: str,
    base_url: str | None,
    cache_dir: Path | None,
    deadline: float,
    offline: bool,
) -> Population:
    template = "area,year,age,count\n"
    if no_scb:
        return Population(template, "ERSÄTT: befolkningen (rfm scb population)", None, "--no-scb")
    try:
        with PxWebClient(
            api,  # type: ignore[arg-type]
            base_url,
            cache_dir=cache_dir / "scb" if cache_dir else None,
            offline=offline,
            deadline=deadline,
            timeout=min(deadline, 15.0),
            retries=1,
        ) as client:
            answer = fetch_population(client, TABLES["population"].table(client.api), [kommunkod])
    except ScbError as exc:
        return Population(template, "ERSÄTT: befolkningen (rfm scb population)", None, str(exc))
    year = int(answer.frame["year"].max())  # type: ignore[arg-type]
    return Population(population_csv(answer.frame), answer.source, year)
