"""The value checks of the plugin's schemas (pandera over Polars), imported when a table is validated.

:mod:`rfm_ostersund.schemas` names them as ``"rfm_ostersund.checks:Stays"`` and so on, so that
listing the plugins does not import pandera.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from rfm_ostersund.schemas import (
    DATE,
    FOLLOW_UP_KINDS,
    FOLLOW_UP_ROLES,
    OPEN_END,
    STAFFING,
    UNIT_KINDS,
)


def _no_overlap(data: PolarsData, keys: list[str]) -> pl.LazyFrame:
    """True for each stay that shares no day with another stay of the same ``keys``."""
    to = pl.col("to_date").fill_null(OPEN_END)
    return (
        data.lazyframe.with_row_index("_i")
        .sort(*keys, "from_date")
        .with_columns(
            to.shift(1).over(keys).alias("_prev_to"),
            pl.col("from_date").shift(-1).over(keys).alias("_next_from"),
        )
        .with_columns(
            ~(
                (pl.col("_prev_to").is_not_null() & (pl.col("_prev_to") >= pl.col("from_date")))
                | (pl.col("_next_from").is_not_null() & (pl.col("_next_from") <= to))
            ).alias("ok")
        )
        .sort("_i")
        .select("ok")
    )


class Units(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1}, unique=True)
    kind: str = pa.Field(isin=UNIT_KINDS)
    places: int = pa.Field(ge=0, nullable=True)
    staffing: str = pa.Field(isin=STAFFING, nullable=True)
    hourly_rate: float = pa.Field(ge=0, nullable=True)
    contract_rate: float = pa.Field(ge=0, nullable=True)


class Stays(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1})
    place: str = pa.Field(str_length={"min_value": 1})
    person: str = pa.Field(str_length={"min_value": 1})
    from_date: str = pa.Field(str_matches=DATE)
    to_date: str = pa.Field(str_matches=DATE, nullable=True)

    @pa.dataframe_check(name="the stay ends on or after the day it starts")
    def ends_after_start(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("to_date").is_null() | (pl.col("to_date") >= pl.col("from_date"))
        )

    @pa.dataframe_check(name="one person has one stay at a time (no overlapping stays)")
    def person_once(cls, data: PolarsData) -> pl.LazyFrame:
        return _no_overlap(data, ["person"])

    @pa.dataframe_check(name="one place has one resident at a time (no overlapping stays)")
    def place_once(cls, data: PolarsData) -> pl.LazyFrame:
        return _no_overlap(data, ["unit", "place"])


class CareHours(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1})
    person: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=1900, le=2200)
    month: int = pa.Field(ge=1, le=12)
    assessed_hours: float = pa.Field(ge=0)
    performed_hours: float = pa.Field(ge=0, nullable=True)


class ResidentPoints(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1})
    person: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=1900, le=2200)
    points: float = pa.Field(ge=0)


class FollowUp(pa.DataFrameModel):
    committee: str = pa.Field(str_length={"min_value": 1})
    post: str = pa.Field(str_length={"min_value": 1})
    role: str = pa.Field(isin=FOLLOW_UP_ROLES)
    year: int = pa.Field(ge=1900, le=2200)
    kind: str = pa.Field(isin=FOLLOW_UP_KINDS)
    amount: float = pa.Field()
    source: str = pa.Field(str_length={"min_value": 1})
