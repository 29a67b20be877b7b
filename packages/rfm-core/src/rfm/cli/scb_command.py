"""``rfm scb …``: a kommun's population from SCB in one command (PxWeb API v1 or v2).

    rfm scb population 0680                          # the latest year, summed over kön
    rfm scb population 0680 --years 2019-2023 --sex each --format csv --out befolkning.csv
    rfm scb forecast --table TAB5974                 # SCB's framskrivning for Riket
    rfm scb table TAB638                             # what a table holds

Every command answers from the cache when it can, takes ``--offline`` to never touch the network
(before or after the subcommand), and ends by saying which fetches it used; csv and json go to
stdout alone (or ``--out``), and that line then goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from rfm.cli.common import offline_requested, parse_years
from rfm.formatting import number
from rfm.io.atomic import write_text_atomic
from rfm.scb.client import APIS, PxWebClient
from rfm.scb.population import SEXES, TABLES, PopulationAnswer, fetch_population, population_csv
from rfm.textable import text_table

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "csv", "json")
AGE_GROUPS = ((0, 19), (20, 64), (65, 79), (80, 200))


def client_from(ctx: click.Context) -> PxWebClient:
    s = ctx.meta["rfm_scb"]
    return PxWebClient(
        s["api"],
        s["base_url"],
        cache_dir=s["cache_dir"] / "scb" if s["cache_dir"] else None,
        offline=s["offline"] or offline_requested(ctx),
        refresh=s["refresh"],
        deadline=s["deadline"],
        timeout=s["timeout"],
    )


@click.group("scb")
@click.option(
    "--api", type=click.Choice(APIS), default="v2", show_default=True, help="PxWeb API version."
)
@click.option(
    "--base-url",
    envvar="RFM_SCB_BASE_URL",
    help="The API's base (default https://statistikdatabasen.scb.se/api/v2, or "
    "https://api.scb.se/OV0104/v1/doris for v1; env RFM_SCB_BASE_URL).",
)
@click.option(
    "--cache-dir",
    envvar="RFM_CACHE_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="rfm's cache folder; SCB's answers go to its scb/ (env RFM_CACHE_DIR).",
)
@click.option("--offline", is_flag=True, help="Answer from the cache only; name what is missing.")
@click.option("--refresh", is_flag=True, help="Fetch again even what the cache holds.")
@click.option(
    "--deadline",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds for all requests together, retries and waits included.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
@click.pass_context
def scb_group(
    ctx: click.Context,
    api: str,
    base_url: str | None,
    cache_dir: Path | None,
    offline: bool,
    refresh: bool,
    deadline: float,
    timeout: float,
) -> None:
    """SCB's statistics (PxWeb API): a kommun's population by age and year (Källa: SCB)."""
    ctx.meta["rfm_scb"] = {
        "api": api,
        "base_url": base_url,
        "cache_dir": cache_dir,
        "offline": offline,
        "refresh": refresh,
        "deadline": deadline,
        "timeout": timeout,
    }


def population_options(kind: str) -> Callable[[F], F]:
    """The options ``population`` and ``forecast`` share (their default table differs)."""
    choice = TABLES[kind]
    options = (
        click.argument("kommunkoder", nargs=-1),
        click.option("--years", help="Years: 2019-2023 or 2019,2023 (default: --latest)."),
        click.option(
            "--latest",
            type=int,
            default=1,
            show_default=True,
            help="Without --years: this many of the table's latest years.",
        ),
        click.option(
            "--sex",
            type=click.Choice(SEXES),
            default="total",
            show_default=True,
            help="total: summed over kön; m or k: one of them; each: a sex column (m, k).",
        ),
        click.option(
            "--table",
            help=f"The table (default {choice.v2} in v2, {choice.v1} in v1): {choice.what}.",
        ),
        click.option("--content", help="The table's content code (default: its population)."),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
        click.option(
            "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
        ),
    )

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@scb_group.command("population")
@population_options("population")
@click.pass_context
def population_command(ctx: click.Context, /, **options: Any) -> None:
    """The population of KOMMUNKOD… by single year of age (BE0101), as rfm's population file."""
    _population(ctx, "population", **options)


@scb_group.command("forecast")
@population_options("forecast")
@click.pass_context
def forecast_command(ctx: click.Context, /, **options: Any) -> None:
    """SCB's population forecast (BE0401) by single year of age, as rfm's population file."""
    _population(ctx, "forecast", **options)


def _population(
    ctx: click.Context,
    kind: str,
    *,
    kommunkoder: tuple[str, ...],
    years: str | None,
    latest: int,
    sex: str,
    table: str | None,
    content: str | None,
    fmt: str,
    out: Path | None,
) -> None:
    with client_from(ctx) as client:
        answer = fetch_population(
            client,
            table or TABLES[kind].table(client.api),
            list(kommunkoder),
            years=parse_years(years) if years else None,
            latest=latest,
            sex=sex,
            content=content,
        )
        provenance = client.provenance()
    if fmt == "table":
        text = summary(answer) + f"\n\n{answer.source}\n{provenance}\n"
        if out is None:
            click.echo(text, nl=False)
        else:
            write_text_atomic(out, text)
        return
    if fmt == "csv":
        text = population_csv(answer.frame)
    else:
        text = json.dumps(
            {"source": answer.source, "rows": answer.frame.to_dicts()}, ensure_ascii=False, indent=1
        )
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        click.echo(f"{out}: {answer.frame.height} rader", err=True)
    click.echo(f"{answer.source}\n{provenance}", err=True)


def summary(answer: PopulationAnswer) -> str:
    """Per area, year (and sex): the total and four age groups, for a person to check."""
    frame = answer.frame
    by = ["area", "year", *(["sex"] if "sex" in frame.columns else [])]
    rows = []
    for key, part in frame.group_by(by, maintain_order=True):
        ages = [int(str(a).rstrip("+")) for a in part["age"].to_list()]
        counts = part["count"].to_list()
        groups = [
            sum(c for a, c in zip(ages, counts, strict=True) if lo <= a <= hi)
            for lo, hi in AGE_GROUPS
        ]
        rows.append([*map(str, key), number(sum(counts), 0), *(number(g, 0) for g in groups)])
    headers = ["Område", "År", *(["Kön"] if "sex" in by else []), "Totalt"]
    headers += ["0–19", "20–64", "65–79", "80+"]
    return text_table(headers, rows, [False] * len(by) + [True] * 5)


@scb_group.command("table")
@click.argument("table")
@click.pass_context
def table_command(ctx: click.Context, table: str) -> None:
    """What TABLE holds: each dimension, whether it may be left out, and its first codes."""
    with client_from(ctx) as client:
        info = client.table(table)
        provenance = client.provenance()
    rows = [
        [
            d.code,
            d.label,
            str(len(d.values)),
            "ja" if d.elimination else "nej",
            ", ".join(
                f"{v} {t}" if v != t else v for v, t in zip(d.values[:4], d.texts[:4], strict=True)
            )
            + (" …" if len(d.values) > 4 else ""),
        ]
        for d in info.dimensions
    ]
    click.echo(f"{table}: {info.title}\n")
    click.echo(text_table(["Kod", "Dimension", "Antal", "Kan utelämnas", "Första koder"], rows))
    click.echo(f"\n{provenance}")
