"""Schemas for every frame that crosses a boundary, and validation that names every failure."""

from rfm.schemas.builtin import (
    ALLOCATION,
    AREA_VARIABLES,
    BUILTIN_SCHEMAS,
    CATEGORY_COUNTS,
    LINEAGE,
    MUNICIPAL_POPULATION,
    POPULATION,
    STANDARD_COSTS,
    kommunkoder,
)
from rfm.schemas.spec import ColumnSpec, SchemaSpec
from rfm.schemas.validate import check_values, parse_columns, validate_frame, validate_table

__all__ = [
    "ALLOCATION",
    "AREA_VARIABLES",
    "BUILTIN_SCHEMAS",
    "CATEGORY_COUNTS",
    "LINEAGE",
    "MUNICIPAL_POPULATION",
    "POPULATION",
    "STANDARD_COSTS",
    "ColumnSpec",
    "SchemaSpec",
    "check_values",
    "kommunkoder",
    "parse_columns",
    "validate_frame",
    "validate_table",
]
