"""``rfm runs …``: the run archive (list, show, diff, reproduce) and saving a run."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import click
import polars as pl

from rfm.archive import ArchiveError, RunArchive, default_path, reproduce
from rfm.cli.common import host, load_tenant, registry, tenant_options
from rfm.cli.suggest import SuggestingGroup
from rfm.errors import ConfigError
from rfm.formatting import kr, number
from rfm.reports.labels import prices_text
from rfm.textable import text_table

archive_option = click.option(
    "--archive",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The run archive (default: $RFM_ARCHIVE, rfm-arkiv.sqlite beside --config, or "
    "./rfm-arkiv-<tenant>.sqlite).",
)


def archive_for(
    ctx: click.Context, tenant: str | None, config: Path | None, archive: Path | None
) -> RunArchive:
    if archive is not None:
        store = RunArchive(archive)
        if tenant is not None or config is not None:  # a named tenant reads only its own runs
            store.check_owner(load_tenant(ctx, tenant, config).id)
        return store
    if tenant is None and config is None:
        if os.environ.get("RFM_ARCHIVE"):
            return RunArchive(Path(os.environ["RFM_ARCHIVE"]))
        raise ArchiveError("name a TENANT, --config FILE or --archive FILE")
    chosen = load_tenant(ctx, tenant, config)
    return RunArchive(default_path(chosen, from_file=config is not None))


def tenant_and_ids(
    words: tuple[str, ...], tenant: str | None, count: int, usage: str
) -> tuple[str | None, list[int]]:
    """``[TENANT] ID…`` as every rfm command writes it, the tenant first; the run ids are the
    last ``count`` words. The older order with the tenant last (``runs show 1 vaggeryd``) is
    read too when it cannot be mistaken."""
    found = list(words)
    if tenant is not None:  # click filled TENANT from the first word
        found.insert(0, tenant)
    older = len(found) == count + 1 and not found[count].isdigit()  # ID… TENANT
    if older and all(w.isdigit() for w in found[:count]):
        found = [found[count], *found[:count]]
    if len(found) not in (count, count + 1) or not all(w.isdigit() for w in found[-count:]):
        raise click.UsageError(f"expected {usage}, found {' '.join(found) or 'nothing'}")
    name = found[0] if len(found) == count + 1 else None
    return name, [int(w) for w in found[-count:]]


@click.group("runs", cls=SuggestingGroup)
def runs_group() -> None:
    """The run archive: which data and parameters produced a frame."""


@runs_group.command("list")
@tenant_options
@archive_option
@click.pass_context
def list_command(
    ctx: click.Context, tenant: str | None, config: Path | None, archive: Path | None
) -> None:
    """Every archived run: id, time, label, scenario, years."""
    store = archive_for(ctx, tenant, config, archive)
    rows = [
        [
            str(r.id),
            r.created_at,
            r.label,
            r.tenant,
            r.scenario,
            prices_text(r.prices),
            ",".join(map(str, r.years)),
        ]
        for r in store.runs()
    ]
    click.echo(text_table(["Nr", "Sparad", "Etikett", "Kommun", "Scenario", "Priser", "År"], rows))


@runs_group.command("show")
@tenant_options
@click.argument("words", nargs=-1, metavar="RUN_ID")
@archive_option
@click.pass_context
def show_command(
    ctx: click.Context,
    tenant: str | None,
    words: tuple[str, ...],
    config: Path | None,
    archive: Path | None,
) -> None:
    """One run: its versions, inputs (sha256, source), parameters and totals."""
    tenant, (run_id,) = tenant_and_ids(words, tenant, 1, "[TENANT] RUN_ID")
    store = archive_for(ctx, tenant, config, archive)
    r = store.run(run_id)
    click.echo(
        f"Körning {r.id}: {r.label} — {r.tenant}, scenario {r.scenario}, {prices_text(r.prices)}, år {', '.join(map(str, r.years))}"
    )
    click.echo(
        f"Sparad {r.created_at}; versioner: {', '.join(f'{k} {v}' for k, v in sorted(r.versions.items()))}\n"
    )
    click.echo("Indata:")
    for item in store.inputs(run_id):
        click.echo(
            f"  {item['name']}: {item['path']} ({item['rows']} rader, sha256 {item['sha256']}) — {item['source']}"
        )
    click.echo("\nParametrar:")
    parameters = store.parameters(run_id)
    for key in sorted(parameters):
        p = parameters[key]
        for v in p.values:
            click.echo(
                f"  {key} från {v.year} = {number(v.value) if v.value is not None else 'upphör'} {p.unit} — {v.source}"
            )
    totals = (
        store.lineage(run_id)
        .group_by("model", "recipient", "year")
        .agg(pl.col("amount").sum())
        .sort("model", "recipient", "year")
    )
    click.echo("\nBelopp:")
    click.echo(
        text_table(
            ["Modell", "Mottagare", "År", "Belopp (kr)"],
            [[m, rec, str(y), kr(a)] for m, rec, y, a in totals.iter_rows()],
            [False, False, False, True],
        )
    )


@runs_group.command("diff")
@tenant_options
@click.argument("words", nargs=-1, metavar="FIRST SECOND")
@archive_option
@click.pass_context
def diff_command(
    ctx: click.Context,
    tenant: str | None,
    words: tuple[str, ...],
    config: Path | None,
    archive: Path | None,
) -> None:
    """What changed from run FIRST to run SECOND: inputs, parameters, amounts."""
    tenant, (first, second) = tenant_and_ids(words, tenant, 2, "[TENANT] FIRST SECOND")
    store = archive_for(ctx, tenant, config, archive)
    a_in = {i["name"]: i for i in store.inputs(first)}
    b_in = {i["name"]: i for i in store.inputs(second)}
    click.echo(f"Indata, körning {first} → {second}:")
    changed = False
    for name in sorted(set(a_in) | set(b_in)):
        if name not in a_in or name not in b_in:
            click.echo(f"  {name}: {'tillkommen' if name in b_in else 'borttagen'}")
            changed = True
        elif a_in[name]["sha256"] != b_in[name]["sha256"]:
            click.echo(
                f"  {name}: ändrad (sha256 {a_in[name]['sha256'][:12]}… → {b_in[name]['sha256'][:12]}…)"
            )
            changed = True
    if not changed:
        click.echo("  oförändrade")
    pa, pb = store.parameters(first), store.parameters(second)
    click.echo("\nParametrar:")
    lines = []
    for key in sorted(set(pa) | set(pb)):
        va = {v.year: v for v in pa[key].values} if key in pa else {}
        vb = {v.year: v for v in pb[key].values} if key in pb else {}
        for year in sorted(set(va) | set(vb)):
            x, y = va.get(year), vb.get(year)
            if x is None or y is None or x.value != y.value or x.source != y.source:
                shown = [("–" if d is None or d.value is None else number(d.value)) for d in (x, y)]
                lines.append(
                    f"  {key} från {year}: {shown[0]} → {shown[1]}"
                    + (f" ({y.source})" if y else "")
                )
    click.echo("\n".join(lines) if lines else "  oförändrade")
    by = ["model", "recipient", "year"]
    ta = store.lineage(first).group_by(by).agg(pl.col("amount").sum().alias("a"))
    tb = store.lineage(second).group_by(by).agg(pl.col("amount").sum().alias("b"))
    # A row only one run has is shown as absent on the other side, never as 0 kr.
    both = ta.join(tb, on=by, how="full", coalesce=True).with_columns(
        (pl.col("b") - pl.col("a")).alias("d")
    )
    moved = both.filter(pl.col("d").is_null() | (pl.col("d").abs() >= Decimal("0.5"))).sort(by)
    click.echo("\nBelopp (kr):")
    if moved.height == 0:
        click.echo("  oförändrade")
        return
    click.echo(
        text_table(
            ["Modell", "Mottagare", "År", f"Körning {first}", f"Körning {second}", "Δ"],
            [
                [
                    m,
                    r,
                    str(y),
                    kr(a) if a is not None else f"finns inte i körning {first}",
                    kr(b) if b is not None else f"finns inte i körning {second}",
                    kr(d) if d is not None else "–",
                ]
                for m, r, y, a, b, d in moved.iter_rows()
            ],
            [False, False, False, True, True, True],
        )
    )


@runs_group.command("reproduce")
@tenant_options
@click.argument("words", nargs=-1, metavar="RUN_ID")
@archive_option
@click.pass_context
def reproduce_command(
    ctx: click.Context,
    tenant: str | None,
    words: tuple[str, ...],
    config: Path | None,
    archive: Path | None,
) -> None:
    """Re-run from the archived inputs and parameters; exit 1 unless every row is identical."""
    tenant, (run_id,) = tenant_and_ids(words, tenant, 1, "[TENANT] RUN_ID")
    store = archive_for(ctx, tenant, config, archive)
    run_info = store.run(run_id)
    if tenant is None and config is None and run_info.tenant not in registry(ctx).tenants:
        raise ConfigError(
            f"run {run_id} is of tenant {run_info.tenant!r}, which no installed plugin provides: "
            "it was run from a tenant file; give that file as --config FILE"
        )
    chosen = load_tenant(ctx, tenant or (run_info.tenant if config is None else None), config)
    archived, again = reproduce(store, run_id, chosen, registry(ctx))
    if archived.equals(again):
        click.echo(f"Körning {run_id} återskapad: {again.height} rader, bit för bit lika.")
        return
    raise ArchiveError(
        f"run {run_id} does not reproduce: {_first_difference(archived, again)}; the tenant's "
        "models or model types have changed since it was saved"
    )


def _first_difference(archived: pl.DataFrame, again: pl.DataFrame) -> str:
    """Where two lineages part: the row counts, or the first row and column that differ."""
    if archived.height != again.height or archived.columns != again.columns:
        return f"{archived.height} archived rows, {again.height} now"
    for column in archived.columns:
        differs = archived[column].ne_missing(again[column])
        if differs.any():
            i = int(differs.arg_true()[0])
            row = archived.row(i, named=True)
            return (
                f"{int(differs.sum())} row(s) differ, first {row['model']!r}, "
                f"{row['recipient']!r}, {row['year']}, {row['component']!r}: {column} "
                f"{archived[column][i]} archived, {again[column][i]} now"
            )
    return f"{archived.height} rows"


def save_run(
    ctx: click.Context,
    result: object,
    tenant: str | None,
    config: Path | None,
    archive: Path | None,
    label: str,
) -> tuple[RunArchive, int]:
    """Save ``result`` to the tenant's archive; return the archive and the run id.

    The caller says "Sparad som körning N" (:func:`say_saved`) once the run is there to stay.
    """
    from rfm.archive import versions

    store = archive_for(ctx, tenant, config, archive)
    run_id = store.save(result, label, versions(host(ctx)))  # type: ignore[arg-type]
    return store, run_id


def say_saved(store: RunArchive, run_id: int) -> None:
    click.echo(f"Sparad som körning {run_id} i {store.path}", err=True)
