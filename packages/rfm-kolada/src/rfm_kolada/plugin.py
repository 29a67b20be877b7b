"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from typing import Any

import rfm


@rfm.hookimpl
def register_commands(cli: Any) -> None:
    """``rfm kolada …``: KPIs, values and cost benchmarks from Kolada."""
    from rfm_kolada.commands import kolada_group

    cli.add_command(kolada_group)
