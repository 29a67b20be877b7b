"""The hook implementations of this plugin (registered through the `rfm` entry point)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfm


def tenant_path() -> Path:
    """The packaged tenant file of Östersund (units, rates, follow-up)."""
    return Path(__file__).parent / "tenant" / "ostersund.toml"  # a file of the installed package


# By name and place: imported when a tenant first uses them (rfm.Deferred), so that listing
# the plugins does not import Polars. tests/ostersund checks them against MODEL_TYPES and SCHEMAS.
MODEL_TYPES = (
    rfm.Deferred("occupied_days", "rfm_ostersund.models:OccupiedDays"),
    rfm.Deferred("points_allocation", "rfm_ostersund.models:PointsAllocation"),
    rfm.Deferred("care_hour_levels", "rfm_ostersund.models:CareHourLevels"),
)
SCHEMAS = tuple(
    rfm.Deferred(name, f"rfm_ostersund.schemas:{name.upper()}")
    for name in ("units", "stays", "care_hours", "resident_points", "follow_up")
)


@rfm.hookimpl
def register_model_types(register: Callable[[Any], None]) -> None:
    """occupied_days, points_allocation and care_hour_levels: allocation to a committee's units."""
    for model_type in MODEL_TYPES:
        register(model_type)


@rfm.hookimpl
def register_schemas(register: Callable[[Any], None]) -> None:
    """units, stays, care_hours, resident_points and follow_up."""
    for spec in SCHEMAS:
        register(spec)


@rfm.hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    """Östersunds kommun: vård- och omsorgsnämnden to its units, budget 2013."""
    register(rfm.TenantDefinition.from_toml(tenant_path(), plugin="ostersund"))


@rfm.hookimpl
def register_commands(cli: Any) -> None:
    """``rfm ostersund avrakning | lss-jamforelse | uppfoljning``."""
    cli.add_command(
        rfm.lazy_command(
            "ostersund",
            "rfm_ostersund.commands:ostersund_group",
            "Östersund: settlement per boende, LSS against the old frames, budget follow-up.",
        )
    )
