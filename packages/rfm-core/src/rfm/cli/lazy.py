"""Commands that are imported only when they run, so ``rfm --help`` stays fast.

Most commands need Polars, pandera or an HTTP client, which together take about a second to
import. Listing the commands needs none of it: a :class:`LazyCommand` carries a command's name
and one-line help, and imports the real command (``"package.module:attribute"``) only when click
builds a context for it, that is when the command runs or prints its own ``--help``.

A plugin adds its commands the same way::

    @rfm.hookimpl
    def register_commands(cli):
        cli.add_command(rfm.lazy_command("vaggeryd", "rfm_vaggeryd.commands:vaggeryd_group",
                                         "Vaggeryd's own reports: the committee's use of the money."))
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from rfm.errors import PluginError
from rfm.plugins.guard import describe, guarded


class LazyCommand(click.Command):
    """A stand-in for the command at ``target``: its name and help now, the command when run."""

    def __init__(self, name: str, target: str, short_help: str) -> None:
        super().__init__(name, short_help=short_help, help=short_help, add_help_option=False)
        module, sep, attribute = target.partition(":")
        if not (module and sep and attribute):
            raise PluginError(f"lazy command {name!r}: target {target!r} is not 'module:attribute'")
        self.target = target
        self._loaded: click.Command | None = None

    def load(self) -> click.Command:
        """Import and return the real command (once)."""
        if self._loaded is None:
            module, _, attribute = self.target.partition(":")
            try:
                found = getattr(guarded(importlib.import_module, module), attribute)
            except Exception as exc:  # a plugin's import error (or sys.exit): one clear message
                raise PluginError(
                    f"command {self.name!r} could not be loaded from {self.target}: {describe(exc)}"
                ) from None
            if not isinstance(found, click.Command):
                raise PluginError(f"command {self.name!r}: {self.target} is not a click command")
            from rfm.cli.complete import attach

            self._loaded = attach(found)
        return self._loaded

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self.load().make_context(info_name, args, parent=parent, **extra)


def lazy_command(name: str, target: str, short_help: str) -> click.Command:
    """A command ``name`` that imports ``target`` (``"module:attribute"``) only when it runs."""
    return LazyCommand(name, target, short_help)
