"""The core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rfm.deferred import Deferred
from rfm.plugins.hookspecs import hookimpl
from rfm.registry import TenantDefinition

# The core's model types, readers and schemas by name and place: they are imported when a
# tenant first uses them, so that `rfm --help` and `rfm plugins` do not import Polars.
# tests/core/test_deferred.py checks that these are exactly BUILTIN_MODEL_TYPES,
# BUILTIN_READERS and BUILTIN_SCHEMAS.
MODEL_TYPES = (
    Deferred("age_bands", "rfm.models.age_bands:AgeBands"),
    Deferred("price_tags", "rfm.models.price_tags:PriceTags"),
    Deferred(
        "per_capita_standard_cost", "rfm.models.per_capita_standard_cost:PerCapitaStandardCost"
    ),
    Deferred("lss_standard_cost", "rfm.models.lss_standard_cost:LssStandardCost"),
    Deferred("base_year_rate", "rfm.models.base_year_rate:BaseYearRate"),
    Deferred("distribution_key", "rfm.models.distribution_key:DistributionKey"),
    Deferred("blend", "rfm.models.blend:Blend"),
    Deferred("change_limit", "rfm.models.change_limit:ChangeLimit"),
    Deferred("rate_table", "rfm.models.rate_table:RateTableModel"),
)
READERS = (
    Deferred("csv", "rfm.io.readers:CSV_READER", (".csv", ".txt", ".tsv")),
    Deferred("excel", "rfm.io.readers:EXCEL_READER", (".xlsx",)),
    Deferred("parquet", "rfm.io.readers:PARQUET_READER", (".parquet",)),
    Deferred("pxweb", "rfm.io.readers:PXWEB_READER", (".json",)),
)
SCHEMAS = tuple(
    Deferred(name, f"rfm.schemas.builtin:{attribute}")
    for name, attribute in (
        ("population", "POPULATION"),
        ("municipal_population", "MUNICIPAL_POPULATION"),
        ("category_counts", "CATEGORY_COUNTS"),
        ("standard_costs", "STANDARD_COSTS"),
        ("area_variables", "AREA_VARIABLES"),
        ("allocation", "ALLOCATION"),
        ("area_mapping", "AREA_MAPPING"),
        ("budget_items", "BUDGET_ITEMS"),
        ("volumes", "VOLUMES"),
        ("corrections", "CORRECTIONS"),
        ("register", "REGISTER"),
        ("lineage", "LINEAGE"),
    )
)


@hookimpl
def register_model_types(register: Callable[[Any], None]) -> None:
    for model_type in MODEL_TYPES:
        register(model_type)


@hookimpl
def register_readers(register: Callable[[Any], None]) -> None:
    for reader in READERS:
        register(reader)


@hookimpl
def register_schemas(register: Callable[[Any], None]) -> None:
    for schema in SCHEMAS:
        register(schema)


def demo_tenant_path() -> Path:
    """The bundled demo tenant file (Sjöbo's äldreomsorg model with real figures)."""
    return Path(__file__).parent / "demo" / "exempel.toml"  # a file of the installed package


@hookimpl
def register_tenants(register: Callable[[Any], None]) -> None:
    register(TenantDefinition.from_toml(demo_tenant_path()))
