"""The tables of unit activity a committee's allocation to its units reads.

Every check runs over the whole table at once, so a file with several problems lists them all,
each with its row and column. Dates are ISO text (``2013-03-05``).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

import rfm

DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
UNIT_KINDS = ["särskilt_boende", "korttidsboende", "lss_bostad", "hemtjanst"]
STAFFING = ["dagtackning", "vaknatt"]
FOLLOW_UP_ROLES = ["verksamhet", "summa", "resultat", "post"]
FOLLOW_UP_KINDS = ["budget", "utfall"]
OPEN_END = "9999-12-31"


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


class _Units(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1}, unique=True)
    kind: str = pa.Field(isin=UNIT_KINDS)
    places: int = pa.Field(ge=0, nullable=True)
    staffing: str = pa.Field(isin=STAFFING, nullable=True)
    hourly_rate: float = pa.Field(ge=0, nullable=True)
    contract_rate: float = pa.Field(ge=0, nullable=True)


class _Stays(pa.DataFrameModel):
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


class _CareHours(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1})
    person: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=1900, le=2200)
    month: int = pa.Field(ge=1, le=12)
    assessed_hours: float = pa.Field(ge=0)
    performed_hours: float = pa.Field(ge=0, nullable=True)


class _ResidentPoints(pa.DataFrameModel):
    unit: str = pa.Field(str_length={"min_value": 1})
    person: str = pa.Field(str_length={"min_value": 1})
    year: int = pa.Field(ge=1900, le=2200)
    points: float = pa.Field(ge=0)


class _FollowUp(pa.DataFrameModel):
    committee: str = pa.Field(str_length={"min_value": 1})
    post: str = pa.Field(str_length={"min_value": 1})
    role: str = pa.Field(isin=FOLLOW_UP_ROLES)
    year: int = pa.Field(ge=1900, le=2200)
    kind: str = pa.Field(isin=FOLLOW_UP_KINDS)
    amount: float = pa.Field()
    source: str = pa.Field(str_length={"min_value": 1})


C = rfm.ColumnSpec
UNITS = rfm.SchemaSpec(
    "units",
    "A committee's units: kind, places, staffing need (LSS), hourly rate (hemtjänst), contract rate.",
    (
        C("unit", "text", "the unit's name"),
        C("kind", "text", ", ".join(UNIT_KINDS)),
        C("places", "int", "number of places", required=False, nullable=True),
        C(
            "staffing",
            "text",
            "LSS staffing need: dagtackning or vaknatt",
            required=False,
            nullable=True,
        ),
        C(
            "hourly_rate",
            "number",
            "hemtjänst: the unit's kr per hour",
            required=False,
            nullable=True,
        ),
        C(
            "contract_rate",
            "number",
            "external provider: kr per dygn by contract",
            required=False,
            nullable=True,
        ),
    ),
    _Units,
    key=("unit",),
)
STAYS = rfm.SchemaSpec(
    "stays",
    "Stays in särskilt boende or korttidsboende: unit, place, person, first and last day (empty: ongoing).",
    (
        C("unit", "text"),
        C("place", "text", "the place (room) within the unit"),
        C("person", "text", "a pseudonymous person id"),
        C("from_date", "text", "first paid day: the biståndsbeslut or moving in (YYYY-MM-DD)"),
        C(
            "to_date",
            "text",
            "last day: moving out or death (YYYY-MM-DD; empty while ongoing)",
            nullable=True,
        ),
    ),
    _Stays,
)
CARE_HOURS = rfm.SchemaSpec(
    "care_hours",
    "Hemtjänst and hemsjukvård: assessed (and performed) care hours per person and month.",
    (
        C("unit", "text"),
        C("person", "text"),
        C("year", "int"),
        C("month", "int", "1–12"),
        C("assessed_hours", "number", "beviljade/bedömda timmar"),
        C("performed_hours", "number", "utförda timmar (LOV)", required=False, nullable=True),
    ),
    _CareHours,
    key=("unit", "person", "year", "month"),
)
RESIDENT_POINTS = rfm.SchemaSpec(
    "resident_points",
    "LSS bostäder: each resident's assessed points (poängsystem) per year.",
    (C("unit", "text"), C("person", "text"), C("year", "int"), C("points", "number")),
    _ResidentPoints,
    key=("unit", "person", "year"),
)
FOLLOW_UP = rfm.SchemaSpec(
    "follow_up",
    "Budget and outcome per committee, post and year (mnkr), as the committee reports them.",
    (
        C("committee", "text"),
        C("post", "text", "verksamhet or post (Hemtjänst, Intäkter …)"),
        C("role", "text", ", ".join(FOLLOW_UP_ROLES)),
        C("year", "int"),
        C("kind", "text", "budget or utfall (bokslut)"),
        C("amount", "number", "mnkr"),
        C("source", "text", "where the figure is published"),
    ),
    _FollowUp,
    key=("committee", "post", "year", "kind"),
)
SCHEMAS = (UNITS, STAYS, CARE_HOURS, RESIDENT_POINTS, FOLLOW_UP)
