"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rfm


def kolada_section(result: Any, registry: Any, lang: str) -> Sequence[tuple[str, str, str]]:
    """The Kolada cost benchmark section (imports the HTTP client only when a report is made)."""
    from rfm_kolada.report import kolada_section

    return kolada_section(result, registry, lang)


def goals_section(result: Any, registry: Any, lang: str) -> Sequence[tuple[str, str, str]]:
    """The "Mål och resurser" section (imports the HTTP client only when a report is made)."""
    from rfm_kolada.goals import goals_section

    return goals_section(result, registry, lang)


@rfm.hookimpl
def register_report_sections(register: Any) -> None:
    """The Kolada cost benchmark and the goals in rfm's HTML report, for tenants that have them."""
    register(kolada_section)
    register(goals_section)


@rfm.hookimpl
def register_commands(cli: Any) -> None:
    """``rfm kolada …`` (KPIs, values, cost benchmarks) and ``rfm goals`` (indicators beside money)."""
    cli.add_command(
        rfm.lazy_command(
            "kolada",
            "rfm_kolada.commands:kolada_group",
            "Kolada open data: KPIs, values, and cost benchmarks (Källa: Kolada).",
        )
    )
    cli.add_command(
        rfm.lazy_command(
            "goals",
            "rfm_kolada.commands:goals_command",
            "The tenant's goals: each indicator judged against its target, beside each "
            "programområde's money.",
        )
    )
