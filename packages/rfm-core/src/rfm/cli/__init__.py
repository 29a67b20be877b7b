"""The ``rfm`` command line.

User errors (:class:`rfm.errors.RfmError`) end as one message on stderr and exit code 1, never a
traceback. Plugins add commands through the ``register_commands`` hook.
"""

from __future__ import annotations

import sys
import warnings

import click

from rfm import __version__
from rfm.cli.archive_commands import runs_group
from rfm.cli.docs_command import docs_command
from rfm.cli.frame_command import frame_command
from rfm.cli.inspect_commands import (
    models_command,
    plugins_command,
    schemas_command,
    tenants_command,
    validate_command,
)
from rfm.cli.run_commands import (
    compare_command,
    demo_command,
    explain_command,
    report_command,
    run_command,
)
from rfm.errors import RfmError
from rfm.plugins.manager import PluginHost, PluginWarning


class RfmGroup(click.Group):
    """A click group that turns user errors into one clear message and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except RfmError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


def build_cli(host: PluginHost | None = None) -> click.Group:
    """The ``rfm`` group with the core's commands and every working plugin's."""
    host = host or PluginHost()

    @click.group(cls=RfmGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="rfm")
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """rfm — resursfördelningsmodeller: amount = Σ volume × ersättningsbelopp, traceable."""
        ctx.obj = host

    for command in (
        plugins_command,
        tenants_command,
        models_command,
        schemas_command,
        validate_command,
        run_command,
        explain_command,
        compare_command,
        report_command,
        frame_command,
        docs_command,
        demo_command,
        runs_group,
    ):
        cli.add_command(command)
    host.add_commands(cli)
    return cli


def main() -> None:
    """Entry point of the ``rfm`` script."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PluginWarning)
        host = PluginHost()
        cli = build_cli(host)
        _ = host.registry
    for w in caught:
        if issubclass(w.category, PluginWarning):
            click.echo(f"Warning: {w.message}", err=True)
    sys.exit(cli.main(prog_name="rfm", standalone_mode=True, obj=host))
