"""``rfm docs``: the model documentation of a tenant, as Markdown or HTML."""

from __future__ import annotations

from pathlib import Path

import click

from rfm.cli.common import load_tenant, tenant_options
from rfm.cli.render import emit_text
from rfm.documentation import render


@click.command("docs")
@tenant_options
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.pass_context
def docs_command(
    ctx: click.Context, tenant: str | None, config: Path | None, fmt: str, out: Path | None
) -> None:
    """Describe a tenant's models: formulas, variables, parameter values with sources, criteria."""
    emit_text(render(load_tenant(ctx, tenant, config), fmt), out)
