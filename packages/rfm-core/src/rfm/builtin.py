"""The core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from rfm.io.readers import BUILTIN_READERS
from rfm.models import BUILTIN_MODEL_TYPES
from rfm.plugins.hookspecs import hookimpl
from rfm.registry import TenantDefinition
from rfm.schemas.builtin import BUILTIN_SCHEMAS


@hookimpl
def register_model_types(register: Callable[[Any], None]) -> None:
    for model_type in BUILTIN_MODEL_TYPES:
        register(model_type)


@hookimpl
def register_readers(register: Callable[[Any], None]) -> None:
    for reader in BUILTIN_READERS:
        register(reader)


@hookimpl
def register_schemas(register: Callable[[Any], None]) -> None:
    for schema in BUILTIN_SCHEMAS:
        register(schema)


def demo_tenant_path() -> Path:
    """The bundled demo tenant file (Sjöbo's äldreomsorg model with real figures)."""
    return Path(str(resources.files("rfm").joinpath("demo/exempel.toml")))


@hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    register(TenantDefinition.from_toml(demo_tenant_path()))
