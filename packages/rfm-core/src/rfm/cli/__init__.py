"""The ``rfm`` command line.

User errors (:class:`rfm.errors.RfmError`) end as one message on stderr and exit code 1, never a
traceback. Plugins add commands through the ``register_commands`` hook.
"""

from __future__ import annotations

import os
import sys

import click

from rfm import __version__
from rfm.cli.common import OFFLINE_ENV, OFFLINE_KEY
from rfm.cli.lazy import LazyCommand
from rfm.cli.suggest import SuggestingGroup
from rfm.errors import RfmError
from rfm.plugins.manager import PluginHost

CORE_COMMANDS = (
    (
        "plugins",
        "rfm.cli.inspect_commands:plugins_command",
        "List installed plugins, their versions, hooks and whether they work.",
    ),
    (
        "tenants",
        "rfm.cli.tenant_commands:tenants_group",
        "List the tenants that installed plugins package.",
    ),
    (
        "init",
        "rfm.cli.init_command:init_command",
        "Start a tenant folder for KOMMUNKOD: a commented tenant file, its population, a README.",
    ),
    (
        "models",
        "rfm.cli.inspect_commands:models_command",
        "List a tenant's models with their formulas and parameters; without one, the model types.",
    ),
    (
        "scenarios",
        "rfm.cli.inspect_commands:scenarios_command",
        "List a tenant's scenarios: what each reports, overrides and reads instead.",
    ),
    (
        "schemas",
        "rfm.cli.inspect_commands:schemas_command",
        "List the table schemas that datasets and `rfm validate` use.",
    ),
    (
        "validate",
        "rfm.cli.inspect_commands:validate_command",
        "Check FILE against SCHEMA and list every problem with its row and column.",
    ),
    (
        "run",
        "rfm.cli.run_commands:run_command",
        "Compute a tenant's allocation: a summary table, or the lineage rows as csv/json/parquet.",
    ),
    (
        "explain",
        "rfm.cli.run_commands:explain_command",
        "Show the lineage rows and parameter sources behind one recipient, model and year.",
    ),
    (
        "compare",
        "rfm.cli.run_commands:compare_command",
        "Per model, recipient and year: scenario A, scenario B (or an archived run), Δ kr and Δ %.",
    ),
    (
        "report",
        "rfm.cli.run_commands:report_command",
        "One self-contained HTML file: money per model and year, comparisons, sources.",
    ),
    (
        "simulate",
        "rfm.cli.simulate_command:simulate_command",
        "Forecast uncertainty: P5, P50 and P95 of each model's amount under population draws.",
    ),
    (
        "frame",
        "rfm.cli.frame_command:frame_command",
        "Build a committee's frame step by step: last year's + volume + price/wage + items.",
    ),
    (
        "docs",
        "rfm.cli.docs_command:docs_command",
        "Describe a tenant's models: formulas, variables, parameter values with sources, criteria.",
    ),
    (
        "demo",
        "rfm.cli.run_commands:demo_command",
        "Run the bundled demo (Sjöbo's äldreomsorg model, real figures) and write its outputs.",
    ),
    (
        "serve",
        "rfm.serve.command:serve_command",
        "A local web page for what-ifs: change a rate, see the frames move, every amount traceable.",
    ),
    (
        "runs",
        "rfm.cli.archive_commands:runs_group",
        "The run archive: which data and parameters produced a frame.",
    ),
    (
        "manual",
        "rfm.cli.manual_command:manual_command",
        "Read rfm's documentation: without TOPIC the list of pages, with one that page (Markdown).",
    ),
    (
        "new-plugin",
        "rfm.cli.new_plugin_command:new_plugin_command",
        "Make a plugin package NAME: a model type, an example tenant, tests that pass at once.",
    ),
    (
        "scb",
        "rfm.cli.scb_command:scb_group",
        "SCB's statistics (PxWeb API): a kommun's population by age and year (Källa: SCB).",
    ),
)
"""Each core command: name, where it is defined, and its one-line help (a test keeps them equal)."""


class RfmGroup(SuggestingGroup):
    """The ``rfm`` group: user errors become one clear message and exit code 1, ``--offline``
    counts wherever it is written, and an unknown command gets a "did you mean"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Take ``--offline`` out wherever it stands (before ``--``): ``rfm --offline kolada
        steg``, ``rfm kolada --offline steg`` and ``rfm kolada steg … --offline`` all mean the
        same, and every command that fetches asks :func:`rfm.cli.common.offline_requested`."""
        cut = args.index("--") if "--" in args else len(args)
        if "--offline" in args[:cut]:
            ctx.meta[OFFLINE_KEY] = True
            args = [a for i, a in enumerate(args) if i >= cut or a != "--offline"]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        # A command that fetches reads offline_requested(ctx); code that has no context (a
        # plugin's report section) reads $RFM_OFFLINE, set for the length of the command.
        previous = os.environ.get(OFFLINE_ENV)
        if ctx.meta.get(OFFLINE_KEY):
            os.environ[OFFLINE_ENV] = "1"
        try:
            return super().invoke(ctx)
        except RfmError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        finally:
            if previous is None:
                os.environ.pop(OFFLINE_ENV, None)
            else:
                os.environ[OFFLINE_ENV] = previous


def build_cli(host: PluginHost | None = None) -> click.Group:
    """The ``rfm`` group with the core's commands and every working plugin's.

    Commands are :class:`~rfm.cli.lazy.LazyCommand` stand-ins: their modules (and Polars) are
    imported only when one of them runs, so ``rfm --help`` costs little more than click.
    """
    host = host or PluginHost()

    @click.group(
        cls=RfmGroup, context_settings={"help_option_names": ["-h", "--help"], "obj": host}
    )
    @click.version_option(__version__, prog_name="rfm")
    @click.option(
        "--offline",
        is_flag=True,
        expose_value=False,
        help="Fetch nothing (Kolada, SCB): answer from the cache. May stand anywhere.",
    )
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """rfm — resursfördelningsmodeller: amount = Σ volume × ersättningsbelopp, traceable."""
        ctx.obj = host

    for name, target, short_help in CORE_COMMANDS:
        cli.add_command(LazyCommand(name, target, short_help))
    host.add_commands(cli)
    return cli


HELP_IMPORT_BUDGET = 0.5
"""Seconds ``rfm --help`` waits for plugins to import before it lists the commands it has."""


def main() -> None:
    """Entry point of the ``rfm`` script."""
    only_help = all(arg in ("-h", "--help", "--version") for arg in sys.argv[1:])
    host = PluginHost(
        on_broken=lambda message: click.echo(f"Warning: {message}", err=True),
        import_budget=HELP_IMPORT_BUDGET if only_help else None,
    )
    cli = build_cli(host)
    sys.exit(cli.main(prog_name="rfm", standalone_mode=True, obj=host))
