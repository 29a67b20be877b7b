"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfm


def tenant_path() -> Path:
    """The packaged tenant file of Stockholm (keys, old models, transition, scenarios)."""
    return Path(__file__).parent / "tenant" / "stockholm.toml"  # a file of the installed package


@rfm.hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    """Stockholms stad: ekonomiskt bistånd and arbetsmarknadsåtgärder to the districts."""
    register(rfm.TenantDefinition.from_toml(tenant_path(), plugin="stockholm-ekbistand"))
