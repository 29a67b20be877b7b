"""rfm — resursfördelningsmodeller for Swedish municipalities.

The public API that plugins and scripts use. Everything here is stable; anything imported from
a submodule not listed here may change.

    amount = Σ volume × ersättningsbelopp

A model yields lineage rows (see :mod:`rfm.contract`); the core computes the amounts, applies
transitions and price levels, and says where every number came from.

The names are imported on first use (PEP 562), so that importing ``rfm`` (as every plugin does)
and running ``rfm --help`` stay fast; the first ``rfm.run`` imports Polars.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rfm.basis import figure as basis_figure
    from rfm.basis import text as basis_text
    from rfm.classification import Classification, Levels, levels_from
    from rfm.cli.common import load_tenant as cli_tenant
    from rfm.cli.common import offline_requested, round_option, tenant_options
    from rfm.cli.lazy import LazyCommand, lazy_command
    from rfm.contract import (
        AMOUNT_DTYPE,
        FIGURE_COLUMNS,
        LINEAGE_COLUMNS,
        MODEL_COLUMNS,
        apply_contract,
    )
    from rfm.coverage import GapRule, parse_gaps
    from rfm.deferred import Deferred
    from rfm.display_rounding import Rounding
    from rfm.engine import RunResult, compare, compute_context, run
    from rfm.errors import (
        ConfigError,
        ContractError,
        InputError,
        Location,
        ModelError,
        OutputError,
        ParameterError,
        PathOutsideFolderError,
        PluginError,
        Problem,
        RfmError,
        UnknownNameError,
        UnreadableFileError,
    )
    from rfm.files import read_regular_file
    from rfm.formatting import number as format_number
    from rfm.formatting import percent as format_percent
    from rfm.frame_buildup import FrameBuildUp, build_frame
    from rfm.io import RawTable, Reader, read_table
    from rfm.io.atomic import atomic_path, check_output_target
    from rfm.models import ComputeContext, Model, ModelConfig
    from rfm.models.common import VOLUME_KEYS, VolumeSettings
    from rfm.parameters import DatedValue, Parameter, ParameterSet
    from rfm.plugins import PluginHost, hookimpl
    from rfm.registry import Registry, TenantDefinition
    from rfm.safe_text import csv_safe_frame as safe_csv_frame
    from rfm.safe_text import terminal_text
    from rfm.schemas import ColumnSpec, SchemaSpec, validate_frame, validate_table
    from rfm.tenants.goals import GoalSet, Indicator
    from rfm.tenants.tenant import Tenant
    from rfm.tenants.toml_loader import load_tenant_file
    from rfm.textable import text_table
    from rfm.transitions import largest_remainder, limit_changes, linear_shares, round_to

_PUBLIC: dict[str, tuple[str, str]] = {
    "AMOUNT_DTYPE": ("rfm.contract", "AMOUNT_DTYPE"),
    "Classification": ("rfm.classification", "Classification"),
    "ColumnSpec": ("rfm.schemas", "ColumnSpec"),
    "ComputeContext": ("rfm.models", "ComputeContext"),
    "ConfigError": ("rfm.errors", "ConfigError"),
    "ContractError": ("rfm.errors", "ContractError"),
    "DatedValue": ("rfm.parameters", "DatedValue"),
    "Deferred": ("rfm.deferred", "Deferred"),
    "FrameBuildUp": ("rfm.frame_buildup", "FrameBuildUp"),
    "GapRule": ("rfm.coverage", "GapRule"),
    "GoalSet": ("rfm.tenants.goals", "GoalSet"),
    "Indicator": ("rfm.tenants.goals", "Indicator"),
    "InputError": ("rfm.errors", "InputError"),
    "LINEAGE_COLUMNS": ("rfm.contract", "LINEAGE_COLUMNS"),
    "LazyCommand": ("rfm.cli.lazy", "LazyCommand"),
    "Levels": ("rfm.classification", "Levels"),
    "Location": ("rfm.errors", "Location"),
    "MODEL_COLUMNS": ("rfm.contract", "MODEL_COLUMNS"),
    "FIGURE_COLUMNS": ("rfm.contract", "FIGURE_COLUMNS"),
    "basis_figure": ("rfm.basis", "figure"),
    "basis_text": ("rfm.basis", "text"),
    "Model": ("rfm.models", "Model"),
    "ModelConfig": ("rfm.models", "ModelConfig"),
    "ModelError": ("rfm.errors", "ModelError"),
    "OutputError": ("rfm.errors", "OutputError"),
    "Parameter": ("rfm.parameters", "Parameter"),
    "ParameterError": ("rfm.errors", "ParameterError"),
    "ParameterSet": ("rfm.parameters", "ParameterSet"),
    "PathOutsideFolderError": ("rfm.errors", "PathOutsideFolderError"),
    "PluginError": ("rfm.errors", "PluginError"),
    "PluginHost": ("rfm.plugins", "PluginHost"),
    "Problem": ("rfm.errors", "Problem"),
    "RawTable": ("rfm.io", "RawTable"),
    "Reader": ("rfm.io", "Reader"),
    "Registry": ("rfm.registry", "Registry"),
    "Rounding": ("rfm.display_rounding", "Rounding"),
    "RfmError": ("rfm.errors", "RfmError"),
    "RunResult": ("rfm.engine", "RunResult"),
    "SchemaSpec": ("rfm.schemas", "SchemaSpec"),
    "Tenant": ("rfm.tenants.tenant", "Tenant"),
    "TenantDefinition": ("rfm.registry", "TenantDefinition"),
    "UnknownNameError": ("rfm.errors", "UnknownNameError"),
    "UnreadableFileError": ("rfm.errors", "UnreadableFileError"),
    "VOLUME_KEYS": ("rfm.models.common", "VOLUME_KEYS"),
    "VolumeSettings": ("rfm.models.common", "VolumeSettings"),
    "cli_tenant": ("rfm.cli.common", "load_tenant"),
    "offline_requested": ("rfm.cli.common", "offline_requested"),
    "tenant_options": ("rfm.cli.common", "tenant_options"),
    "apply_contract": ("rfm.contract", "apply_contract"),
    "atomic_path": ("rfm.io.atomic", "atomic_path"),
    "build_frame": ("rfm.frame_buildup", "build_frame"),
    "check_output_target": ("rfm.io.atomic", "check_output_target"),
    "compare": ("rfm.engine", "compare"),
    "compute_context": ("rfm.engine", "compute_context"),
    "format_number": ("rfm.formatting", "number"),
    "format_percent": ("rfm.formatting", "percent"),
    "hookimpl": ("rfm.plugins", "hookimpl"),
    "largest_remainder": ("rfm.transitions", "largest_remainder"),
    "lazy_command": ("rfm.cli.lazy", "lazy_command"),
    "limit_changes": ("rfm.transitions", "limit_changes"),
    "levels_from": ("rfm.classification", "levels_from"),
    "linear_shares": ("rfm.transitions", "linear_shares"),
    "load_tenant_file": ("rfm.tenants.toml_loader", "load_tenant_file"),
    "parse_gaps": ("rfm.coverage", "parse_gaps"),
    "read_regular_file": ("rfm.files", "read_regular_file"),
    "read_table": ("rfm.io", "read_table"),
    "round_option": ("rfm.cli.common", "round_option"),
    "round_to": ("rfm.transitions", "round_to"),
    "run": ("rfm.engine", "run"),
    "safe_csv_frame": ("rfm.safe_text", "csv_safe_frame"),
    "terminal_text": ("rfm.safe_text", "terminal_text"),
    "text_table": ("rfm.textable", "text_table"),
    "validate_frame": ("rfm.schemas", "validate_frame"),
    "validate_table": ("rfm.schemas", "validate_table"),
}
"""Each public name: the module that defines it and its name there."""


def __getattr__(name: str) -> Any:
    """Import a public name on first use, so ``import rfm`` does not import Polars (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'rfm' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__all__ = [
    "AMOUNT_DTYPE",
    "FIGURE_COLUMNS",
    "LINEAGE_COLUMNS",
    "MODEL_COLUMNS",
    "VOLUME_KEYS",
    "Classification",
    "ColumnSpec",
    "ComputeContext",
    "ConfigError",
    "ContractError",
    "DatedValue",
    "Deferred",
    "FrameBuildUp",
    "GapRule",
    "GoalSet",
    "Indicator",
    "InputError",
    "LazyCommand",
    "Levels",
    "Location",
    "Model",
    "ModelConfig",
    "ModelError",
    "OutputError",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "PathOutsideFolderError",
    "PluginError",
    "PluginHost",
    "Problem",
    "RawTable",
    "Reader",
    "Registry",
    "RfmError",
    "Rounding",
    "RunResult",
    "SchemaSpec",
    "Tenant",
    "TenantDefinition",
    "UnknownNameError",
    "UnreadableFileError",
    "VolumeSettings",
    "__version__",
    "apply_contract",
    "atomic_path",
    "basis_figure",
    "basis_text",
    "build_frame",
    "check_output_target",
    "cli_tenant",
    "compare",
    "compute_context",
    "format_number",
    "format_percent",
    "hookimpl",
    "largest_remainder",
    "lazy_command",
    "levels_from",
    "limit_changes",
    "linear_shares",
    "load_tenant_file",
    "offline_requested",
    "parse_gaps",
    "read_regular_file",
    "read_table",
    "round_option",
    "round_to",
    "run",
    "safe_csv_frame",
    "tenant_options",
    "terminal_text",
    "text_table",
    "validate_frame",
    "validate_table",
]
