"""The value checks of the core's schemas: pandera ``DataFrameModel`` classes over Polars.

They live apart from :mod:`rfm.schemas.builtin` (the columns and keys) because pandera takes a
quarter of a second to import: a schema names its checks as ``"module:Class"``, and they are
imported the first time a table is validated, not when the plugins are listed.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from rfm.contract import MAX_AMOUNT
from rfm.parameters.dated import MAX_YEAR, MIN_YEAR
from rfm.schemas.age import AGE_PATTERN, OPEN_END, age_bounds
from rfm.schemas.builtin import BUDGET_ITEM_STATUSES, kommunkoder


class Population(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    age: str = pa.Field(str_matches=AGE_PATTERN)
    count: float = pa.Field(ge=0)

    @pa.dataframe_check(name="age group ends at or after it starts, and at most at 130")
    def age_order(cls, data: PolarsData) -> pl.LazyFrame:
        low, high = age_bounds("age")
        return data.lazyframe.select((low <= high) & (high <= OPEN_END))


class MunicipalPopulation(Population):
    @pa.check("area", name="a kommunkod of four digits, one of the 290 kommuner (0665 Vaggeryd)")
    def known_kommun(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(sorted(kommunkoder())))


class CategoryCounts(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    category: str = pa.Field(str_length={"min_value": 1})
    count: float = pa.Field(ge=0)


class StandardCosts(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    standard_cost: float = pa.Field(ge=0)


class AreaVariables(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)


class Allocation(pa.DataFrameModel):
    recipient: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    amount: float = pa.Field()


class AreaMapping(pa.DataFrameModel):
    area: str = pa.Field(str_length={"min_value": 1})
    recipient: str = pa.Field(str_length={"min_value": 1})
    from_year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    to_year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR, nullable=True)

    @pa.dataframe_check(name="to_year is empty or not before from_year")
    def ordered(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("to_year").is_null() | (pl.col("to_year") >= pl.col("from_year"))
        )


class BudgetItems(pa.DataFrameModel):
    recipient: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=MIN_YEAR, le=MAX_YEAR)
    item: str = pa.Field(str_length={"min_value": 1})
    amount: float = pa.Field()
    status: str = pa.Field(isin=BUDGET_ITEM_STATUSES)


class Lineage(pa.DataFrameModel):
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

    @pa.dataframe_check(
        name="an amount of at most 10^15 kr (a larger one is a typo in a rate or volume)"
    )
    def within_bounds(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("amount").abs() <= MAX_AMOUNT)
