"""What the commands share: the plugin host, how a tenant is named, how years are written."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rfm.errors import ConfigError
from rfm.plugins.manager import PluginHost

if TYPE_CHECKING:  # imported when a tenant is loaded: they bring in Polars
    from rfm.registry import Registry
    from rfm.tenants.tenant import Tenant

F = TypeVar("F", bound=Callable[..., Any])


def host(ctx: click.Context) -> PluginHost:
    found = ctx.find_root().obj
    assert isinstance(found, PluginHost)
    return found


def registry(ctx: click.Context) -> Registry:
    return host(ctx).registry


def left_out(error: Exception) -> None:
    """What a listing command says of an entry that cannot be imported (it lists the rest)."""
    click.echo(f"Warning: {error}; left out here", err=True)


OFFLINE_KEY = "rfm.offline"
"""``ctx.meta`` key: ``--offline`` was given somewhere on the command line (see rfm.cli)."""
OFFLINE_ENV = "RFM_OFFLINE"


def offline_requested(ctx: click.Context) -> bool:
    """Whether the user asked that nothing be fetched: ``--offline`` anywhere on the command line
    (``rfm --offline kolada steg …``, ``rfm kolada steg … --offline``) or ``RFM_OFFLINE=1``.

    A command that reads from a server (Kolada, SCB) answers from its cache alone when this is
    true, and names what the cache does not hold.
    """
    if ctx.meta.get(OFFLINE_KEY):
        return True
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "ja")


def parse_years(text: str) -> list[int]:
    """``"2023-2030"``, ``"2023,2025"`` or ``"2024"`` as a sorted list of years."""
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d{4})(?:[-–](\d{4}))?", part)
        if not match:
            raise ConfigError(f"--years: {part!r} is not a year or a range such as 2023-2030")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        for y in (first, last):
            check_year(y, "--years")
        if last < first:
            raise ConfigError(f"--years: the range {part} ends before it starts")
        if last - first > 200:
            raise ConfigError(f"--years: the range {part} is longer than 200 years")
        years.update(range(first, last + 1))
    return sorted(years)


def round_option(
    help: str = "Amounts in kr, tkr or mnkr, with decimals as tkr:1 (largest remainder: the "
    "rounded parts add up to the rounded total).",
) -> Callable[[F], F]:
    """``--round kr|tkr|mnkr[:decimals]``, the same option and default in every command.

    The command receives a :class:`rfm.display_rounding.Rounding` as ``rounding``.
    """

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> Any:
        from rfm.display_rounding import Rounding

        try:
            return Rounding.parse(value)
        except ConfigError as exc:
            raise click.BadParameter(str(exc).removeprefix("--round: ")) from None

    return click.option(
        "--round",
        "rounding",
        default="kr",
        show_default=True,
        callback=parse,
        metavar="UNIT[:DECIMALS]",
        help=help,
    )


def tenant_options(func: F) -> F:
    """``TENANT`` or ``--config FILE``: an installed tenant or a tenant file."""
    func = click.option(
        "--config",
        "config",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A tenant file (TOML) to use instead of an installed tenant.",
    )(func)
    return click.argument("tenant", required=False)(func)


def year_options(func: F) -> F:
    func = click.option("--year", "year", type=int, help="One budget year.")(func)
    return click.option("--years", "years", help="Budget years: 2023-2030 or 2023,2025.")(func)


def check_year(year: int, option: str = "--year") -> int:
    """``year`` if it is a budget year rfm computes (1900–2200), else a clear error."""
    from rfm.parameters.dated import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ConfigError(
            f"{option}: {year} is not a budget year; expected a year from {MIN_YEAR} to "
            f"{MAX_YEAR}, such as 2024"
        )
    return year


def resolve_years(years: str | None, year: int | None, tenant: Tenant) -> list[int]:
    """The budget years asked for: ``--year``, ``--years``, else the tenant's ``[report] years``."""
    if years is not None and year is not None:
        raise ConfigError("give --years or --year, not both")
    if year is not None:
        return [check_year(year)]
    if years:
        return parse_years(years)
    report_years = getattr(tenant.report, "years", None)
    if report_years:
        return parse_years(report_years)
    raise ConfigError(
        f"say which budget years to compute for {tenant.id!r}: --year YEAR or --years "
        'FIRST-LAST, or give the tenant file a [report] table with years = "FIRST-LAST"'
        + (f" ({tenant.origin})" if tenant.origin else "")
    )


def load_tenant(
    ctx: click.Context, tenant: str | None, config: Path | None, default: str | None = None
) -> Tenant:
    """The tenant named on the command line, from a plugin or a tenant file.

    ``default`` is the tenant a plugin's command uses when neither is given (its own).
    """
    from rfm.tenants.toml_loader import load_tenant_file

    reg = registry(ctx)
    if config is not None and tenant is not None:
        raise ConfigError("give a TENANT or --config FILE, not both")
    if config is not None:
        return load_tenant_file(config, reg)
    if tenant is None and default is not None:
        tenant = default
    if tenant is None:
        known = ", ".join(sorted(reg.tenants)) or "none installed"
        raise ConfigError(f"name a tenant ({known}) or give --config FILE")
    return reg.tenant(tenant)


def terminal_progress(label: str) -> Callable[[int, int, str], None] | None:
    """A progress line on stderr while models compute, only when stderr is a terminal.

    Piped or redirected output stays clean: then this returns None and nothing is drawn.
    """
    if not sys.stderr.isatty():
        return None
    width = 24

    def show(done: int, total: int, model_id: str) -> None:
        filled = round(width * done / total) if total else width
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if done >= total else ""
        click.echo(
            f"\r{label} [{bar}] {done}/{total} modeller: {model_id:<30.30}{end}", err=True, nl=False
        )

    return show
