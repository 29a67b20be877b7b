"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from typing import Any

import rfm


@rfm.hookimpl
def register_report_sections(register: Any) -> None:
    """The Kolada cost benchmark in rfm's HTML report, for tenants with a kommunkod."""
    from rfm_kolada.goals import goals_section
    from rfm_kolada.report import kolada_section

    register(kolada_section)
    register(goals_section)


@rfm.hookimpl
def register_commands(cli: Any) -> None:
    """``rfm kolada …`` (KPIs, values, cost benchmarks) and ``rfm goals`` (indicators beside money)."""
    from rfm_kolada.commands import goals_command, kolada_group

    cli.add_command(kolada_group)
    cli.add_command(goals_command)
