"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rfm


@rfm.hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    """No tenant is packaged yet; this plugin is a skeleton awaiting its models."""
