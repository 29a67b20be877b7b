"""The schemas the core defines: population, counts, standard costs, need variables, lineage.

Each is a pandera ``DataFrameModel`` over Polars (the value checks) wrapped in a
:class:`~rfm.schemas.spec.SchemaSpec` (the columns, their kinds and the table's key). Plugins add
their own through the ``register_schemas`` hook.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from rfm.contract import LINEAGE_COLUMNS
from rfm.parameters.dated import MAX_YEAR, MIN_YEAR
from rfm.schemas.age import AGE_PATTERN, OPEN_END, age_bounds
from rfm.schemas.spec import ColumnSpec, SchemaSpec

SEXES = ["m", "k", "man", "kvinna", "män", "kvinnor", "1", "2", "totalt", "t"]


@cache
def kommunkoder() -> frozenset[str]:
    """The 290 kommun codes (see ``rfm/data/README.md`` for their source)."""
    text = resources.files("rfm").joinpath("data/kommuner.csv").read_text(encoding="utf-8")
    return frozenset(row["kommunkod"] for row in csv.DictReader(text.splitlines()))


class _Population(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    age: str = pa.Field(str_matches=AGE_PATTERN)
    count: float = pa.Field(ge=0)

    @pa.dataframe_check(name="age group ends at or after it starts, and at most at 130")
    def age_order(cls, data: PolarsData) -> pl.LazyFrame:
        low, high = age_bounds("age")
        return data.lazyframe.select((low <= high) & (high <= OPEN_END))


class _MunicipalPopulation(_Population):
    @pa.check("area", name="a kommunkod of four digits, one of the 290 kommuner (0665 Vaggeryd)")
    def known_kommun(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(sorted(kommunkoder())))


class _CategoryCounts(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    category: str = pa.Field(str_length={"min_value": 1})
    count: float = pa.Field(ge=0)


class _StandardCosts(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    standard_cost: float = pa.Field(ge=0)


class _AreaVariables(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)


class _Allocation(pa.DataFrameModel):
    recipient: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    amount: float = pa.Field()


class _AreaMapping(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    recipient: str = pa.Field(str_length={"min_value": 1})
    from_year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    to_year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR, nullable=True)

    @pa.dataframe_check(name="to_year is empty or not before from_year")
    def ordered(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("to_year").is_null() | (pl.col("to_year") >= pl.col("from_year"))
        )


BUDGET_ITEM_STATUSES = ["äskat", "beviljat", "avslaget"]


class _BudgetItems(pa.DataFrameModel):
    recipient: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    item: str = pa.Field(str_length={"min_value": 1})
    amount: float = pa.Field()
    status: str = pa.Field(isin=BUDGET_ITEM_STATUSES)


class _Lineage(pa.DataFrameModel):
    tenant: str = pa.Field(str_length={"min_value": 1})
    model: str = pa.Field(str_length={"min_value": 1})
    recipient: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    component: str = pa.Field(str_length={"min_value": 1})
    volume: float = pa.Field()
    volume_unit: str = pa.Field(str_length={"min_value": 1})
    rate: float = pa.Field()
    rate_unit: str = pa.Field(str_length={"min_value": 1})
    basis: str = pa.Field()
    amount: float = pa.Field()

    @pa.dataframe_check(name="amount = volume × rate")
    def amount_is_volume_times_rate(cls, data: PolarsData) -> pl.LazyFrame:
        product = pl.col("volume") * pl.col("rate")
        return data.lazyframe.select(
            (pl.col("amount") - product).abs() <= 1e-9 * (product.abs() + 1.0)
        )

    @pa.dataframe_check(name="finite numbers (no NaN or infinity)")
    def finite(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("volume").is_finite() & pl.col("rate").is_finite() & pl.col("amount").is_finite()
        )


_AREA = ColumnSpec("area", "text", "who or where: kommunkod, district, DeSO, unit")
_YEAR = ColumnSpec("year", "int", "budget year (or the year the value refers to)")

POPULATION = SchemaSpec(
    "population",
    "Population by area, year and age (single year or age group), optionally by sex.",
    (
        _AREA,
        _YEAR,
        ColumnSpec("age", "age", "85, 80-89 or 90+"),
        ColumnSpec("sex", "text", "optional: m/k", required=False, nullable=True),
        ColumnSpec("count", "number", "number of inhabitants"),
    ),
    _Population,
    key=("area", "year", "age", "sex"),
)
MUNICIPAL_POPULATION = SchemaSpec(
    "municipal_population",
    "Population as above, where every area is a kommunkod (four digits, 0665 = Vaggeryd).",
    POPULATION.columns,
    _MunicipalPopulation,
    key=POPULATION.key,
)
CATEGORY_COUNTS = SchemaSpec(
    "category_counts",
    "Counts per area, year and category (LSS insatser, units, cases).",
    (_AREA, _YEAR, ColumnSpec("category", "text"), ColumnSpec("count", "number")),
    _CategoryCounts,
    key=("area", "year", "category"),
)
STANDARD_COSTS = SchemaSpec(
    "standard_costs",
    "Standard cost in kr per inhabitant by area and year (SCB kostnadsutjämning).",
    (_AREA, _YEAR, ColumnSpec("standard_cost", "number", "kr per inhabitant")),
    _StandardCosts,
    key=("area", "year"),
)
AREA_VARIABLES = SchemaSpec(
    "area_variables",
    "Need variables by area and year, one numeric column per variable (for distribution keys).",
    (_AREA, _YEAR),
    _AreaVariables,
    key=("area", "year"),
    extra_columns="number",
)
ALLOCATION = SchemaSpec(
    "allocation",
    "An allocation by recipient and year in kr (a previous budget, an outcome).",
    (
        ColumnSpec("recipient", "text"),
        _YEAR,
        ColumnSpec("amount", "number", "kr"),
    ),
    _Allocation,
    key=("recipient", "year"),
)
AREA_MAPPING = SchemaSpec(
    "area_mapping",
    "Which recipient each finer area (basområde, DeSO, a former district) belongs to, by budget "
    "year: from_year to to_year (empty: still in force).",
    (
        ColumnSpec("area", "text", "the finer area, as the data names it"),
        ColumnSpec("recipient", "text", "the district or unit it belongs to"),
        ColumnSpec("from_year", "int", "first budget year"),
        ColumnSpec("to_year", "int", "last budget year (empty: in force)", nullable=True),
    ),
    _AreaMapping,
    key=("area", "from_year"),
)
BUDGET_ITEMS = SchemaSpec(
    "budget_items",
    "Budget items by recipient and year in kr: tilläggsäskanden or savings, with their status "
    "(äskat, beviljat, avslaget) and source.",
    (
        ColumnSpec("recipient", "text", "programområde or nämnd"),
        _YEAR,
        ColumnSpec("item", "text", "what the money is for"),
        ColumnSpec("amount", "number", "kr"),
        ColumnSpec("status", "text", "äskat, beviljat or avslaget"),
        ColumnSpec(
            "source", "text", "optional: where the item is decided", required=False, nullable=True
        ),
    ),
    _BudgetItems,
    key=("recipient", "year", "item"),
)
LINEAGE = SchemaSpec(
    "lineage",
    "The contract: one row per recipient, year and component with volume × rate = amount.",
    tuple(
        ColumnSpec(
            name,
            "int"
            if name == "year"
            else "number"
            if name in ("volume", "rate", "amount")
            else "text",
            nullable=name == "basis",
        )
        for name in LINEAGE_COLUMNS
    ),
    _Lineage,
)

BUILTIN_SCHEMAS = (
    POPULATION,
    MUNICIPAL_POPULATION,
    CATEGORY_COUNTS,
    STANDARD_COSTS,
    AREA_VARIABLES,
    ALLOCATION,
    AREA_MAPPING,
    BUDGET_ITEMS,
    LINEAGE,
)
