"""rfm — resursfördelningsmodeller for Swedish municipalities.

The public API that plugins and scripts use. Everything here is stable; anything imported from
a submodule not listed here may change.

    amount = Σ volume × ersättningsbelopp

A model yields lineage rows (see :mod:`rfm.contract`); the core computes the amounts, applies
transitions and price levels, and says where every number came from.
"""

from __future__ import annotations

__version__ = "0.1.0"

from rfm.contract import LINEAGE_COLUMNS, MODEL_COLUMNS, apply_contract
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
from rfm.formatting import number as format_number
from rfm.formatting import percent as format_percent
from rfm.frame_buildup import FrameBuildUp, build_frame
from rfm.io import RawTable, Reader, read_table
from rfm.models import ComputeContext, Model, ModelConfig
from rfm.parameters import DatedValue, Parameter, ParameterSet
from rfm.plugins import PluginHost, hookimpl
from rfm.registry import Registry, TenantDefinition
from rfm.schemas import ColumnSpec, SchemaSpec, validate_frame, validate_table
from rfm.tenants.goals import GoalSet, Indicator
from rfm.tenants.tenant import Tenant
from rfm.tenants.toml_loader import load_tenant_file
from rfm.textable import text_table
from rfm.transitions import largest_remainder, limit_changes, linear_shares

__all__ = [
    "LINEAGE_COLUMNS",
    "MODEL_COLUMNS",
    "ColumnSpec",
    "ComputeContext",
    "ConfigError",
    "ContractError",
    "DatedValue",
    "FrameBuildUp",
    "GoalSet",
    "Indicator",
    "InputError",
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
    "RunResult",
    "SchemaSpec",
    "Tenant",
    "TenantDefinition",
    "UnknownNameError",
    "UnreadableFileError",
    "__version__",
    "apply_contract",
    "build_frame",
    "compare",
    "compute_context",
    "format_number",
    "format_percent",
    "hookimpl",
    "largest_remainder",
    "limit_changes",
    "linear_shares",
    "load_tenant_file",
    "read_table",
    "run",
    "text_table",
    "validate_frame",
    "validate_table",
]
