"""``rfm kolada …``: look up KPIs, fetch values, and benchmark a municipality's costs.

Every command answers from the cache when it can (no request the cache could answer is sent),
takes ``--offline`` to never touch the network, and ends by saying which fetches it used.
Machine formats (csv, json) go to stdout alone; that provenance line then goes to stderr.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

import rfm
from rfm_kolada.benchmark import REFERENCES, STEG_AREAS, benchmark, steg
from rfm_kolada.client import KoladaClient
from rfm_kolada.report import BENCHMARK_HEADERS

FORMATS = ("table", "csv", "json")
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)


DEADLINE = 120.0
"""Seconds a Kolada command may spend on the network in all (requests, retries, waits)."""


def say(message: str) -> None:
    """What the client tells while it waits (a Retry-After, a backoff), on stderr."""
    click.echo(message, err=True)


def client_from(ctx: click.Context) -> KoladaClient:
    settings = ctx.meta["rfm_kolada"]
    return KoladaClient(
        settings["base_url"],
        cache_dir=settings["cache_dir"] / "kolada" if settings["cache_dir"] else None,
        offline=settings["offline"] or rfm.offline_requested(ctx),
        timeout=settings["timeout"],
        deadline=settings["deadline"],
        on_wait=say,
    )


def parse_years(text: str) -> list[int]:
    """``2020-2023``, ``2021,2023`` or a mix."""
    years: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            years += list(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise click.BadParameter(
            f"expected years like 2020-2023 or 2021,2023, not {text!r}"
        ) from None
    return years


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float (in lists and dicts too) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def split_ids(values: Sequence[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def shown(value: object, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return rfm.format_number(value if decimals is None else round(value, decimals))
    return str(value)


def csv_cell(text: str) -> str:
    """``"=cmd"`` → ``"'=cmd"``: no CSV cell of rfm's starts a formula (OWASP, CSV injection)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def emit(records: list[dict[str, object]], fmt: str, table: str, client: KoladaClient) -> None:
    """Print the table (with the provenance under it), or csv/json with provenance on stderr."""
    if fmt == "table":
        click.echo(rfm.terminal_text(table, keep_newlines=True))
        click.echo(f"\n{client.provenance()}")
        return
    if fmt == "json":  # valid JSON: a non-finite number (NaN) is null, never a bare NaN
        click.echo(json.dumps(_finite(records), ensure_ascii=False, indent=1, allow_nan=False))
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(records[0]) if records else [])
        writer.writeheader()
        # A text cell that could start a formula gets an apostrophe (as rfm's own CSV does).
        writer.writerows(
            {k: csv_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in records
        )
        click.echo(out.getvalue(), nl=False)
    click.echo(client.provenance(), err=True)


@click.group("kolada")
@click.option(
    "--base-url",
    envvar="RFM_KOLADA_BASE_URL",
    help="Kolada API base (default https://api.kolada.se/v3; env RFM_KOLADA_BASE_URL).",
)
@click.option(
    "--cache-dir",
    envvar="RFM_CACHE_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="rfm's cache folder; Kolada answers go to its kolada/ (env RFM_CACHE_DIR).",
)
@click.option("--offline", is_flag=True, help="Answer from the cache only; name what is missing.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds for one whole request (however slowly the server sends).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0.1),
    default=DEADLINE,
    show_default=True,
    help="Seconds for the whole command: every request, retry and wait.",
)
@click.pass_context
def kolada_group(
    ctx: click.Context,
    base_url: str | None,
    cache_dir: Path | None,
    offline: bool,
    timeout: float,
    deadline: float,
) -> None:
    """Kolada open data: KPIs, values, and cost benchmarks (Källa: Kolada)."""
    ctx.meta["rfm_kolada"] = {
        "base_url": base_url,
        "cache_dir": cache_dir,
        "offline": offline,
        "timeout": timeout,
        "deadline": deadline,
    }


@kolada_group.command("kpi")
@click.argument("search")
@format_option
@click.pass_context
def kpi_command(ctx: click.Context, search: str, fmt: str) -> None:
    """KPIs whose title contains SEARCH (Kolada's own title search)."""
    with client_from(ctx) as client:
        found = client.kpis(title=search).sort("id")
        records = [
            {
                "id": r["id"],
                "titel": r["title"],
                "verksamhetsomrade": r.get("operating_area"),
                "publiceringsperiod": r.get("publ_period"),
            }
            for r in found.iter_rows(named=True)
        ]
        table = rfm.text_table(
            ["Id", "Titel", "Område"],
            [[r["id"], r["titel"], r["verksamhetsomrade"] or ""] for r in records],
        )
        emit(records, fmt, f"{len(records)} nyckeltal för {search!r}\n\n{table}", client)


@kolada_group.command("fetch")
@click.argument("kpis", nargs=-1, required=True)
@click.option(
    "--municipality", "-m", multiple=True, required=True, help="Ids, e.g. 0665,0000,G92792."
)
@click.option("--years", required=True, help="2020-2023 or 2021,2023.")
@format_option
@click.pass_context
def fetch_command(
    ctx: click.Context, kpis: tuple[str, ...], municipality: tuple[str, ...], years: str, fmt: str
) -> None:
    """Values of KPIS for municipalities and years; a missing value is shown as missing."""
    with client_from(ctx) as client:
        frame = client.data(split_ids(kpis), split_ids(municipality), parse_years(years))
        records = frame.to_dicts()
        table = rfm.text_table(
            ["KPI", "Kommun", "År", "Kön", "Värde", "Antal", "Status"],
            [
                [r["kpi"], r["municipality"], str(r["year"]), r["gender"] or "", shown(r["value"]),
                 shown(r["count"]), r["status"] or ""]
                for r in records
            ],
            [False, False, False, False, True, True, False],
        )  # fmt: skip
        emit(records, fmt, table, client)


@kolada_group.command("benchmark")
@click.argument("municipality")
@click.option("--year", type=int, required=True)
@click.option(
    "--group",
    "group",
    default="skr",
    show_default=True,
    help="Comparison group: skr (SKR kommungrupp), storlek (Kolada's size class, e.g. "
    "'Kommuner med 50 000 - 99 999 invånare'), a Kolada group id (G30831), or a list of "
    "kommuner (2380,1880 or names; rfm's unweighted mean).",
)
@format_option
@click.pass_context
def benchmark_command(
    ctx: click.Context, municipality: str, year: int, group: str, fmt: str
) -> None:
    """Net cost per inhabitant against the country and a comparison group, with NKA."""
    with client_from(ctx) as client:
        result = benchmark(client, municipality, year, group=group)
        rows = [
            [r.area, r.kpi, shown(r.municipality, 0), shown(r.riket, 0),
             shown(r.group, 0) + (f" ({r.group_count}/{len(result.group.members)})"
                                  if r.group_count is not None else ""),
             shown(r.index_riket, 1), shown(r.index_group, 1), shown(r.nka, 1)]
            for r in result.rows
        ]  # fmt: skip
        label = {"skr": "kommungrupp", "storlek": "storleksklass", "kolada": "grupp"}.get(
            result.group.kind, "jämförelsegrupp"
        )
        table = (
            f"{result.municipality_title} ({result.municipality}) {year}: nettokostnad kr/inv; "
            f"{label} {result.group.title} ({result.group.id})\n\n"
            + rfm.text_table(
                list(BENCHMARK_HEADERS["sv"]),
                rows,
                [False, False, True, True, True, True, True, True],
            )
        )
        emit(result.records(), fmt, table, client)


@kolada_group.command("steg")
@click.argument("municipality")
@click.option("--area", type=click.Choice(STEG_AREAS), required=True)
@click.option("--year", type=int, required=True)
@click.option(
    "--reference", type=click.Choice(REFERENCES), default="referenskostnad", show_default=True
)
@format_option
@click.pass_context
def steg_command(
    ctx: click.Context, municipality: str, area: str, year: int, reference: str, fmt: str
) -> None:
    """Steg 1–3: cost against the country, structure against the country, cost against structure."""
    with client_from(ctx) as client:
        s = steg(client, municipality, area, year, reference)
        n = rfm.format_number
        table = "\n".join(
            [
                f"{s.municipality} {area} {year} ({reference})",
                f"Steg 1 = 100 × {n(s.net_cost)} ÷ {n(s.net_cost_riket)} = {n(round(s.steg1, 1))}"
                f"   (nettokostnad {s.net_cost_kpi}, kommunen ÷ riket)",
                f"Steg 2 = 100 × {n(s.reference_cost)} ÷ {n(s.net_cost_riket)} = "
                f"{n(round(s.steg2, 1))}   ({reference} {s.reference_kpi} ÷ rikets nettokostnad)",
                f"Steg 3 = 100 × ({n(s.net_cost)} ÷ {n(s.reference_cost)} − 1) = "
                f"{n(round(s.steg3, 1))}   (nettokostnad mot {reference})",
            ]
        )
        emit([s.record()], fmt, table, client)


@kolada_group.command("refresh")
@click.pass_context
def refresh_command(ctx: click.Context) -> None:
    """Fetch every cached Kolada answer again (Kolada revises figures without notice)."""
    with client_from(ctx) as client:
        changed, unchanged = client.refresh_cache()
        click.echo(
            f"{changed + unchanged} svar hämtade på nytt till {client.cache.directory}: "
            f"{changed} ändrade, {unchanged} oförändrade"
        )


@click.command("goals")
@rfm.tenant_options
@click.option("--year", type=int, required=True, help="The year of the indicators (Kolada).")
@click.option(
    "--base-url", envvar="RFM_KOLADA_BASE_URL", help="Kolada API base (env RFM_KOLADA_BASE_URL)."
)
@click.option(
    "--cache-dir", envvar="RFM_CACHE_DIR", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--offline", is_flag=True, help="Answer from the cache only.")
@click.option(
    "--format", "fmt", type=click.Choice((*FORMATS, "xlsx")), default="table", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The workbook (xlsx).")
@rfm.round_option()
@click.pass_context
def goals_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    year: int,
    base_url: str | None,
    cache_dir: Path | None,
    offline: bool,
    fmt: str,
    out: Path | None,
    rounding: rfm.Rounding,
) -> None:
    """The tenant's goals: each indicator judged against its target, beside each programområde's money."""
    from rfm_kolada.goals import goal_report, render_text, write_goal_workbook

    if fmt == "xlsx" and out is None:
        raise rfm.OutputError("--format xlsx needs --out FILE.xlsx")
    if out is not None:
        rfm.check_output_target(out)  # before asking Kolada anything

    root = ctx.find_root().obj
    registry = root.registry if isinstance(root, rfm.PluginHost) else rfm.PluginHost().registry
    chosen = rfm.cli_tenant(ctx, tenant, config)
    offline = offline or rfm.offline_requested(ctx)
    with KoladaClient(
        base_url,
        cache_dir=cache_dir / "kolada" if cache_dir else None,
        offline=offline,
        deadline=DEADLINE,
        on_wait=say,
    ) as client:
        report = goal_report(client, chosen, registry, year, rounding)
        title = f"{chosen.name}: mål och resurser {year}"
        if fmt == "xlsx":
            assert out is not None
            write_goal_workbook(report, out, title)
            click.echo(f"{out}\n{client.provenance()}")
            return
        emit(report.records(), fmt, f"{title}\n\n{render_text(report)}", client)
