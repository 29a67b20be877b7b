"""The schemas the core defines: population, counts, standard costs, need variables, lineage.

Each is a :class:`~rfm.schemas.spec.SchemaSpec` (the columns, their kinds and the table's key)
that names its value checks, a pandera ``DataFrameModel`` in :mod:`rfm.schemas.checks`. Plugins add
their own through the ``register_schemas`` hook.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import polars as pl

from rfm.contract import LINEAGE_COLUMNS
from rfm.parameters.dated import MAX_YEAR, MIN_YEAR
from rfm.schemas.age import AGE_PATTERN, OPEN_END, age_labels
from rfm.schemas.population import overlapping_ages
from rfm.schemas.spec import ColumnSpec, SchemaSpec


def _within(column: str, low: float | None = None, high: float | None = None) -> pl.Expr:
    value = pl.col(column)
    test = value.is_not_null()
    if low is not None:
        test = test & (value >= low)
    if high is not None:
        test = test & (value <= high)
    return test.all()


def _all(frame: pl.DataFrame, *tests: pl.Expr) -> bool:
    return bool(frame.select(pl.all_horizontal(*tests)).item()) if frame.height else True


def _years_ok(frame: pl.DataFrame, *columns: str) -> list[pl.Expr]:
    return [
        (pl.col(c).is_null() | pl.col(c).is_between(MIN_YEAR, MAX_YEAR)).all()
        for c in columns
        if c in frame.columns
    ]


def _population_passes(frame: pl.DataFrame, municipal: bool = False) -> bool:
    """Population.checks, natively: years, counts ≥ 0, and every distinct age label valid."""
    low, high = pl.col("_lo"), pl.col("_hi")
    ages_ok = (
        age_labels(frame)
        .select(
            (pl.col("age").str.contains(AGE_PATTERN) & (low <= high) & (high <= OPEN_END)).all()
        )
        .item()
    )
    areas_ok = True
    if municipal:
        areas_ok = frame.select(pl.col("area").is_in(sorted(kommunkoder())).all()).item()
    return bool(ages_ok) and bool(areas_ok) and _all(frame, *_years_ok(frame, "year"),
                                                     _within("count", 0))  # fmt: skip


@cache
def kommun_names() -> dict[str, str]:
    """The 290 kommuner: kommunkod → name (see ``rfm/data/README.md`` for their source)."""
    text = (Path(__file__).parents[1] / "data" / "kommuner.csv").read_text(encoding="utf-8")
    return {row["kommunkod"]: row["kommun"] for row in csv.DictReader(text.splitlines())}


def kommunkoder() -> frozenset[str]:
    """The 290 kommun codes."""
    return frozenset(kommun_names())


BUDGET_ITEM_STATUSES = ["äskat", "beviljat", "avslaget"]


_AREA = ColumnSpec("area", "text", "who or where: kommunkod, district, DeSO, unit")
_YEAR = ColumnSpec("year", "int", "budget year (or the year the value refers to)")

POPULATION = SchemaSpec(
    "population",
    "Population by area, year and age (single year or age group), optionally by sex.",
    (
        _AREA,
        _YEAR,
        ColumnSpec("age", "age", "85, 80-89 or 90+"),
        ColumnSpec("sex", "sex", "optional: m/k or totalt", required=False, nullable=True),
        ColumnSpec("count", "number", "number of inhabitants"),
    ),
    "rfm.schemas.checks:Population",
    frame_checks=(overlapping_ages,),
    passes=_population_passes,
)
MUNICIPAL_POPULATION = SchemaSpec(
    "municipal_population",
    "Population as above, where every area is a kommunkod (four digits, 0665 = Vaggeryd).",
    POPULATION.columns,
    "rfm.schemas.checks:MunicipalPopulation",
    frame_checks=POPULATION.frame_checks,
    passes=lambda frame: _population_passes(frame, municipal=True),
)
CATEGORY_COUNTS = SchemaSpec(
    "category_counts",
    "Counts per area, year and category (LSS insatser, units, cases).",
    (_AREA, _YEAR, ColumnSpec("category", "text"), ColumnSpec("count", "number")),
    "rfm.schemas.checks:CategoryCounts",
    key=("area", "year", "category"),
    passes=lambda f: _all(f, *_years_ok(f, "year"), _within("count", 0)),
)
STANDARD_COSTS = SchemaSpec(
    "standard_costs",
    "Standard cost in kr per inhabitant by area and year (SCB kostnadsutjämning).",
    (_AREA, _YEAR, ColumnSpec("standard_cost", "number", "kr per inhabitant")),
    "rfm.schemas.checks:StandardCosts",
    key=("area", "year"),
    passes=lambda f: _all(f, *_years_ok(f, "year"), _within("standard_cost", 0)),
)
AREA_VARIABLES = SchemaSpec(
    "area_variables",
    "Need variables by area and year, one numeric column per variable (for distribution keys).",
    (_AREA, _YEAR),
    "rfm.schemas.checks:AreaVariables",
    key=("area", "year"),
    passes=lambda f: _all(f, *_years_ok(f, "year")),
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
    "rfm.schemas.checks:Allocation",
    key=("recipient", "year"),
    passes=lambda f: _all(f, *_years_ok(f, "year")),
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
    "rfm.schemas.checks:AreaMapping",
    key=("area", "from_year"),
    passes=lambda f: _all(
        f,
        *_years_ok(f, "from_year", "to_year"),
        (pl.col("to_year").is_null() | (pl.col("to_year") >= pl.col("from_year"))).all(),
    ),
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
    "rfm.schemas.checks:BudgetItems",
    key=("recipient", "year", "item"),
)
VOLUMES = SchemaSpec(
    "volumes",
    "Volumes by any dimensions (unit, nivå, omfattning, regi, area type, årskurs …) and year, "
    "for a rate_table model: year, volume, and text columns for the dimensions and the recipient.",
    (
        _YEAR,
        ColumnSpec("volume", "number", "how many: dygn, timmar, elever, m² …"),
        ColumnSpec("unit", "text", "optional: the volume's unit on each row", required=False),
    ),
    "rfm.schemas.checks:Volumes",
    extra_columns="text",
    passes=lambda f: _all(f, *_years_ok(f, "year"), _within("volume", 0)),
)
CORRECTIONS = SchemaSpec(
    "corrections",
    "One-off corrections of volumes: year, volume (either sign), source, and the same "
    "dimension and recipient columns as the volumes they correct.",
    (
        _YEAR,
        ColumnSpec("volume", "number", "the correction, + or −"),
        ColumnSpec("source", "text", "who decided the correction"),
    ),
    "rfm.schemas.checks:Corrections",
    extra_columns="text",
)
REGISTER = SchemaSpec(
    "register",
    "A register of units (enheter, skolor, utförare): one row per unit with text columns such as "
    "regi, area type or boendeform, joined to volume rows by a key column.",
    (),
    "rfm.schemas.checks:Register",
    extra_columns="text",
)


def rate_table_schema(dimensions: tuple[str, ...]) -> SchemaSpec:
    """The schema of a rate table file with these dimension columns (see :mod:`rfm.rates`)."""
    return SchemaSpec(
        "rate_table",
        "A rate table: the dimensions, from_year, rate, and optionally unit and source per row.",
        (
            *(ColumnSpec(d, "text", "a dimension of the table") for d in dimensions),
            ColumnSpec("from_year", "int", "the first budget year the rate is in force"),
            ColumnSpec("rate", "number", "the rate, in the table's unit"),
            ColumnSpec("unit", "text", "optional: the rate's unit", required=False, nullable=True),
            ColumnSpec(
                "source",
                "text",
                "optional: where the rate is decided",
                required=False,
                nullable=True,
            ),
        ),
        "rfm.schemas.checks:RateRows",
        key=(*dimensions, "from_year"),
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
    "rfm.schemas.checks:Lineage",
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
    VOLUMES,
    CORRECTIONS,
    REGISTER,
    LINEAGE,
)
