"""The core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from rfm.plugins.hookspecs import hookimpl
from rfm.registry import TenantDefinition


@hookimpl
def register_model_types(register: Callable[[Any], None]) -> None:
    # Each hook imports what it registers, so that loading this plugin (rfm --help) stays light.
    from rfm.models import BUILTIN_MODEL_TYPES

    for model_type in BUILTIN_MODEL_TYPES:
        register(model_type)


@hookimpl
def register_readers(register: Callable[[Any], None]) -> None:
    from rfm.io.readers import BUILTIN_READERS

    for reader in BUILTIN_READERS:
        register(reader)


@hookimpl
def register_schemas(register: Callable[[Any], None]) -> None:
    from rfm.schemas.builtin import BUILTIN_SCHEMAS

    for schema in BUILTIN_SCHEMAS:
        register(schema)


def demo_tenant_path() -> Path:
    """The bundled demo tenant file (Sjöbo's äldreomsorg model with real figures)."""
    return Path(str(resources.files("rfm").joinpath("demo/exempel.toml")))


@hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    register(TenantDefinition.from_toml(demo_tenant_path()))
