"""The hooks a plugin can implement (pluggy project ``rfm``).

A plugin is a module named in the ``rfm`` entry-point group of its package::

    [project.entry-points.rfm]
    vaggeryd = "rfm_vaggeryd.plugin"

and implements any of these hooks with ``@rfm.hookimpl``. The ``register_*`` hooks receive a
``register`` callback and call it once per contribution, as many times as they like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import pluggy

PROJECT = "rfm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_model_types(register: Callable[[type[Any]], None]) -> None:
    """Register model types (subclasses of ``rfm.Model``) that any tenant may use."""


@hookspec
def register_tenants(register: Callable[[Any], None]) -> None:
    """Register tenant definitions (``rfm.TenantDefinition``) that the plugin packages."""


@hookspec
def register_readers(register: Callable[[Any], None]) -> None:
    """Register dataset readers (``rfm.Reader``) for further file formats."""


@hookspec
def register_schemas(register: Callable[[Any], None]) -> None:
    """Register table schemas (``rfm.SchemaSpec``) for datasets and ``rfm validate``."""


@hookspec
def register_report_sections(register: Callable[[Any], None]) -> None:
    """Register callables (run result, registry, language) → [(id, title, HTML)]: report sections.

    A section that fetches anything must bound its wait (``rfm report`` should never wait more
    than a few seconds for one) and must not touch the network when ``$RFM_OFFLINE`` is set
    (``rfm report --offline`` sets it). What a section raises is an error naming its plugin.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``rfm`` command line."""
