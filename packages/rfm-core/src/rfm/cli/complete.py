"""Shell completion of what rfm knows: tenants, scenarios, models (click's shell_complete).

Turned on once per shell (docs/cli.md)::

    eval "$(_RFM_COMPLETE=bash_source rfm)"      # bash, in ~/.bashrc
    eval "$(_RFM_COMPLETE=zsh_source rfm)"       # zsh, in ~/.zshrc
    _RFM_COMPLETE=fish_source rfm | source       # fish

Every command's ``TENANT`` argument completes the installed tenants, ``--scenario`` and
``--against`` the scenarios of the tenant already on the line (``TENANT`` or ``--config FILE``),
``--model`` its models. The functions are attached to any command's parameters of those names
when the command is loaded (:meth:`rfm.cli.lazy.LazyCommand.load`), a plugin's commands too.
A tenant that cannot be loaded completes nothing rather than failing the shell.
"""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    from rfm.registry import Registry
    from rfm.tenants.tenant import Tenant

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _registry(ctx: click.Context) -> Registry | None:
    from rfm.plugins.manager import PluginHost

    host = ctx.find_root().obj
    return host.registry if isinstance(host, PluginHost) else None


def _tenant(ctx: click.Context) -> Tenant | None:
    """The tenant already named on the line (``TENANT`` or ``--config FILE``), if it loads."""
    from rfm.errors import RfmError

    registry = _registry(ctx)
    if registry is None:
        return None
    config, name = _named(ctx, registry)
    try:
        if config:
            from rfm.tenants.toml_loader import load_tenant_file

            return load_tenant_file(Path(config), registry)
        return registry.tenant(name) if name else None
    except (RfmError, OSError):
        return None


def _named(ctx: click.Context, registry: Registry) -> tuple[str | None, str | None]:
    """(``--config`` FILE, TENANT) on the line. While an option still waits for its value
    (``rfm run stockholm --scenario <TAB>``) click has not assigned the arguments yet, so the
    words the shell passes (``COMP_WORDS``, as click's bash, zsh and fish scripts set it) are
    read too."""
    config = ctx.params.get("config")
    name = ctx.params.get("tenant") or ctx.params.get("tenant_id")
    if config or name:
        return (str(config) if config else None), (str(name) if name else None)
    words = (
        shlex.split(os.environ.get("COMP_WORDS", ""), posix=True)
        if "COMP_WORDS" in os.environ
        else []
    )
    for before, word in itertools.pairwise(words):
        if before == "--config":
            return word, None
    known = [w for w in words[1:] if w in registry.tenants]
    return None, (known[0] if known else None)


def complete_tenants(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    registry = _registry(ctx)
    if registry is None:
        return []
    return [
        CompletionItem(t.id, help=t.name)
        for t in sorted(registry.tenants.values(), key=lambda t: t.id)
        if t.id.startswith(incomplete)
    ]


def complete_scenarios(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    tenant = _tenant(ctx)
    if tenant is None:
        return []
    return [
        CompletionItem(name, help=s.description or None)
        for name, s in sorted(tenant.scenarios.items())
        if name.startswith(incomplete)
    ]


def complete_models(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    tenant = _tenant(ctx)
    if tenant is None:
        return []
    return [
        CompletionItem(m.id, help=m.label) for m in tenant.models if m.id.startswith(incomplete)
    ]


COMPLETERS: dict[str, Completer] = {
    "tenant": complete_tenants,
    "tenant_id": complete_tenants,
    "scenario": complete_scenarios,
    "against": complete_scenarios,
    "model_id": complete_models,
    "model": complete_models,
}
"""Parameter name → its completion."""


def attach(command: click.Command) -> click.Command:
    """Give ``command`` (and a group's commands) completion of tenants, scenarios and models,
    where a parameter of that name has none of its own."""
    for param in command.params:
        completer = COMPLETERS.get(param.name or "")
        custom: Any = getattr(param, "_custom_shell_complete", None)
        if completer is not None and custom is None:
            param._custom_shell_complete = completer
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub)
    return command
