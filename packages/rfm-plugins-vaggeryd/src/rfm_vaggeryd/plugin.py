"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfm


def tenant_path() -> Path:
    """The packaged tenant file of Vaggeryd (models, parameters, scenarios, frame)."""
    return Path(__file__).parent / "tenant" / "vaggeryd.toml"  # a file of the installed package


@rfm.hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    """Vaggeryd kommun: KF → socialnämnden, budget 2023."""
    register(rfm.TenantDefinition.from_toml(tenant_path(), plugin="vaggeryd"))


@rfm.hookimpl
def register_commands(cli: Any) -> None:
    """``rfm vaggeryd fordelning``: the committee's use of the model money."""
    cli.add_command(
        rfm.lazy_command(
            "vaggeryd",
            "rfm_vaggeryd.commands:vaggeryd_group",
            "Vaggeryd kommun: the committee's use of the model money.",
        )
    )
