"""The contract every model keeps: lineage rows, and amount = volume × rate computed here.

A model never hands over a bare total. It yields one row per recipient, year and component —
*what* is counted (``volume`` in ``volume_unit``), *at what price* (``rate`` in ``rate_unit``) and
*why that price* (``basis``, free text with the numbers behind the rate) — and the core, not the
model, multiplies. Totals, comparisons and reports are group-bys over these rows, so every number
rfm prints can be traced to a volume, a rate and a source.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from rfm.basis import FIGURES, render
from rfm.errors import ContractError, ModelError
from rfm.formatting import number, such_rows
from rfm.money import LIMIT, SCALE

AMOUNT_DTYPE = pl.Decimal(38, SCALE)
VOLUME_DECIMALS = 10
"""A volume is taken to 10 decimals: what a count, a mean of two year-ends or a share of points
needs, without the last bits of a binary product."""
"""The Polars type of every amount: an exact decimal (see :mod:`rfm.money`)."""


def exact_expr(expr: pl.Expr) -> pl.Expr:
    """A float (or integer, or decimal) column as the exact decimals it prints as.

    ``25.15`` becomes ``Decimal("25.15")``: the float is formatted as its shortest decimal
    representation and that text is read as a decimal, so no binary fraction leaks into money.
    """
    return expr.cast(pl.Float64).cast(pl.String).cast(_WORKING_DTYPE)


def exact_series(values: pl.Series) -> pl.Series:
    """:func:`exact_expr` for a whole column, without formatting most of it as text.

    A float whose shortest decimal has at most 10 decimals and whose size is below 2¹⁷ (a
    count, a share of points, a rate in kr) is that decimal exactly when Polars casts it to 10
    decimals: ``round(v × 10¹⁰)`` is then the decimal's digits, since no other number with 10
    decimals lies as near ``v``, and ``v`` is the double nearest it (both checked here, in
    floats). Only the others (a kr per poäng of 914,491481…, volumes in the millions) go the
    way of text, which costs ten times more. A column of few distinct values (a key's kr per
    poäng, the same for a year's million rows) is converted once per value.

    The decimals come with 10 places when every value fits them, else with 20.
    """
    floats = values.cast(pl.Float64)
    if floats.len() > 1000 and floats.head(1000).n_unique() < 250:
        distinct = floats.unique()  # a rate shared by many rows: each value once
        if distinct.len() * 4 < floats.len():
            exact = exact_series(distinct).cast(_WORKING_DTYPE)
            return floats.replace_strict(distinct, exact, return_dtype=_WORKING_DTYPE)
    scaled = (floats * 1e10).round(0)
    # divided element by element: Polars divides by a single number as a multiplication by
    # its reciprocal, which is not correctly rounded (32.8852 came back as 32.885200000000005)
    tens = pl.repeat(1e10, floats.len(), dtype=pl.Float64, eager=True)
    fast = (floats.abs() < 2.0**17) & ((scaled / tens) == floats)
    out = floats.cast(pl.Decimal(38, 10))
    slow = (~fast & floats.is_not_null()).arg_true()
    if slow.len():
        out = out.cast(_WORKING_DTYPE)
        out = out.scatter(slow, floats.gather(slow).cast(pl.String).cast(_WORKING_DTYPE))
    return out


def exact_product(*factors: pl.Expr | float) -> pl.Expr:
    """The product of decided numbers, computed on their decimals and handed back as a float.

    250 000 kr × 0,55 is 137 500 kr, not 137 500,00000000003: a rate derived from decided
    numbers (a prislapp × a weight, a standard cost × (1 + uplift), a rate × a price factor) is
    multiplied exactly, so the float it becomes prints as the decimal it is.
    """
    out: pl.Expr | None = None
    for factor in factors:
        term = exact_expr(factor if isinstance(factor, pl.Expr) else pl.lit(float(factor)))
        out = term if out is None else out * term
    assert out is not None
    return out.cast(pl.Float64)


def exact_sum(*terms: pl.Expr | float) -> pl.Expr:
    """:func:`exact_product`'s sibling: 1 + 0,15 is 1,15 exactly."""
    out: pl.Expr | None = None
    for term in terms:
        value = exact_expr(term if isinstance(term, pl.Expr) else pl.lit(float(term)))
        out = value if out is None else out + value
    assert out is not None
    return out.cast(pl.Float64)


def money_expr(expr: pl.Expr) -> pl.Expr:
    """A float column of kronor (an allocation, a budget item) as exact amounts."""
    return exact_expr(expr).cast(AMOUNT_DTYPE)


_WORKING_DTYPE = pl.Decimal(38, 20)
"""Volumes and rates as decimals while they are multiplied: 20 decimals, so that a small rate
(a key's kr per poäng on a tiny budget) keeps its relative precision; the product is then held
to :data:`AMOUNT_DTYPE`'s 12 decimals."""


def decimal_text_expr(expr: pl.Expr) -> pl.Expr:
    """Exact decimals as plain text without trailing zeros: ``16347.5``, ``-12``, ``0``.

    How amounts are written to CSV, JSON and the archive: the exact value, never a float.
    """
    text = expr.cast(pl.String)
    return (
        pl.when(text.str.contains(".", literal=True))
        .then(text.str.replace(r"\.?0+$", ""))
        .otherwise(text)
    )


def with_decimals_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every decimal column (the amounts) as exact text, for writing out."""
    return frame.with_columns(
        decimal_text_expr(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Decimal)
    )


LINEAGE_COLUMNS = (
    "tenant",
    "model",
    "recipient",
    "year",
    "component",
    "volume",
    "volume_unit",
    "rate",
    "rate_unit",
    "basis",
    "amount",
)
"""The columns of a lineage frame, in order."""

MODEL_COLUMNS = tuple(c for c in LINEAGE_COLUMNS if c not in ("tenant", "amount"))
"""The columns a model yields: everything but ``tenant`` (the engine knows it) and ``amount``."""

FIGURE_COLUMNS = FIGURES
"""Columns a model may add: the figures of its basis templates' slots (see :mod:`rfm.basis`)."""

ROW_COLUMNS = (*LINEAGE_COLUMNS[:-1], *FIGURE_COLUMNS, "amount")
"""The columns of the rows a run holds: the lineage columns with the basis kept structured
(its template, and the figures of its slots); :func:`render_lineage` turns them into lineage."""

_TEXT_COLUMNS = ("tenant", "model", "recipient", "component", "volume_unit", "rate_unit", "basis")

LINEAGE_DTYPES: dict[str, type[pl.DataType] | pl.DataType] = {
    "tenant": pl.String,
    "model": pl.String,
    "recipient": pl.String,
    "year": pl.Int64,
    "component": pl.String,
    "volume": pl.Float64,
    "volume_unit": pl.String,
    "rate": pl.Float64,
    "rate_unit": pl.String,
    "basis": pl.String,
    "amount": AMOUNT_DTYPE,
}


ROW_DTYPES: dict[str, type[pl.DataType] | pl.DataType] = {
    **{c: (pl.Categorical if c in _TEXT_COLUMNS else t) for c, t in LINEAGE_DTYPES.items()},
    **dict.fromkeys(FIGURE_COLUMNS, pl.Float64),
}
"""The run's rows hold text as Categorical: each distinct name, unit and basis template once
(a key over 6 000 areas has a million rows but 6 000 names and 170 templates)."""


def render_lineage(rows: pl.DataFrame) -> pl.DataFrame:
    """A run's rows as lineage: every text column as text, each basis written out in full."""
    if "basis_x" not in rows.columns:  # already lineage
        return rows.select(LINEAGE_COLUMNS)
    return rows.select(
        *[pl.col(c).cast(pl.String) if c in _TEXT_COLUMNS else pl.col(c) for c in LINEAGE_COLUMNS]
    ).with_columns(render(rows))


def empty_model_rows() -> pl.DataFrame:
    """A frame with the model columns and no rows."""
    return pl.DataFrame(schema={c: LINEAGE_DTYPES[c] for c in MODEL_COLUMNS})


def apply_contract(rows: pl.DataFrame, tenant: str, model: str) -> pl.DataFrame:
    """Model rows → lineage rows: check the columns, add ``tenant``, compute ``amount``.

    A model that yields an ``amount`` column, or misses a column, breaks the contract: the
    amount is the core's to compute, so that it is always volume × rate.
    """
    if "amount" in rows.columns:
        raise ContractError(f"model {model!r} computed 'amount' itself; only the core may")
    missing = [c for c in MODEL_COLUMNS if c not in rows.columns]
    extra = [c for c in rows.columns if c not in (*MODEL_COLUMNS, *FIGURE_COLUMNS)]
    if missing or extra:
        raise ContractError(
            f"model {model!r} yielded columns that break the contract "
            f"(missing: {missing or 'none'}, unexpected: {extra or 'none'})"
        )
    figures = [
        (pl.col(c) if c in rows.columns else pl.lit(None)).cast(pl.Float64).alias(c)
        for c in FIGURE_COLUMNS
    ]
    typed = rows.select(
        *[pl.col(c).cast(ROW_DTYPES[c]) for c in MODEL_COLUMNS], *figures
    ).with_columns(
        # float noise of a product (550 × 0,85 = 467,50000000000006) is not part of a volume
        _no_negative_zero(pl.col("volume").round(VOLUME_DECIMALS)).alias("volume"),
        _no_negative_zero(pl.col("rate")).alias("rate"),
    )
    _check_magnitudes(typed, model)
    amount = exact_amounts(typed.get_column("volume"), typed.get_column("rate"))
    return typed.select(
        pl.lit(tenant, pl.String).cast(pl.Categorical).alias("tenant"),
        *MODEL_COLUMNS,
        *FIGURE_COLUMNS,
    ).with_columns(amount.alias("amount"))


AMOUNT_CHUNK = 1 << 20
"""Rows whose exact amounts are computed at a time: the decimals of a million volumes, rates
and products (16 bytes each) are made and dropped chunk by chunk, so ten million rows need the
memory of one chunk's work beside their amounts, and reuse it."""


def exact_amounts(volume: pl.Series, rate: pl.Series) -> pl.Series:
    """volume × rate on the decimals each float prints as (:func:`exact_series`), held as
    :data:`AMOUNT_DTYPE`; computed :data:`AMOUNT_CHUNK` rows at a time.

    The rate is taken to 20 places, so the product is rounded to 20 places whatever places the
    volume has (Polars keeps the larger of the two), then to 12."""
    parts = [
        (
            exact_series(volume.slice(start, AMOUNT_CHUNK))
            * exact_series(rate.slice(start, AMOUNT_CHUNK)).cast(_WORKING_DTYPE)
        ).cast(AMOUNT_DTYPE)
        for start in range(0, max(volume.len(), 1), AMOUNT_CHUNK)
    ]  # fmt: skip
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]


ORDER = ("model", "recipient", "year", "component")
"""The canonical order of lineage rows: by model, recipient, year and component (as text)."""


def in_canonical_order(rows: pl.DataFrame) -> pl.DataFrame:
    """One model's rows ordered by recipient, year and component, as :data:`ORDER` sorts them.

    Sorting a million rows by three keys, two of them text, takes most of a second; here each
    text column is ranked once per distinct value (thousands of names, tens of components), the
    three ranks make one integer key, and the rows are gathered in its order, or kept as they
    are when they already are in order.
    """
    keys = rows.select("recipient", "year", "component")
    if rows.height < 2:
        return rows
    if keys.null_count().sum_horizontal().item() or rows.get_column("model").n_unique() > 1:
        return rows.sort(list(ORDER))  # refused later; any order will do to name the rows
    years = keys.get_column("year")
    first, span = years.min(), years.max() - years.min() + 1  # type: ignore[operator]
    component = _text_rank(keys.get_column("component"))
    width = int(component.max()) + 1  # type: ignore[arg-type]
    ranks = pl.DataFrame(
        {"r": _text_rank(keys.get_column("recipient")), "y": years, "c": component}
    )
    key = ranks.select(  # one pass, one column: the three ranks as one number
        pl.col("r") * (span * width) + (pl.col("y") - first).cast(pl.UInt64) * width + pl.col("c")
    ).to_series()
    return rows if key.is_sorted() else rows[key.arg_sort()]


def _text_rank(column: pl.Series) -> pl.Series:
    """Each value's place among the column's distinct values in text order (0, 1, …)."""
    if column.dtype == pl.Categorical:
        # A table indexed by the category codes, gathered by each row's code: one memory
        # access a row, where a hash lookup (replace_strict) costs twenty times more. The
        # distinct values are found by their codes (a few texts repeated a million times hash
        # slowly as categories).
        physical = column.to_physical()
        first = physical.arg_unique()
        codes = physical.gather(first)
        place = column.gather(first).cast(pl.String).arg_sort().arg_sort().cast(pl.UInt64)
        size = int(codes.max()) + 1  # type: ignore[arg-type]
        if size <= _LOOKUP_LIMIT:
            table = pl.zeros(size, pl.UInt64, eager=True).scatter(codes, place)
            return table.gather(physical)
        return physical.replace_strict(codes, place, return_dtype=pl.UInt64)
    distinct = column.unique()
    place = distinct.cast(pl.String).arg_sort().arg_sort().cast(pl.UInt64)
    return column.replace_strict(distinct, place, return_dtype=pl.UInt64)


_LOOKUP_LIMIT = 1 << 24
"""The largest category code looked up in a table (16 million codes: 128 MB at most)."""


def _first_in_order(rows: pl.DataFrame) -> dict[str, Any]:
    """The first of ``rows`` by recipient, year and component: the same row named every run."""
    return rows.sort(
        pl.col("recipient").cast(pl.String), "year", pl.col("component").cast(pl.String)
    ).row(0, named=True)


def _check_magnitudes(rows: pl.DataFrame, model: str) -> None:
    """Refuse a missing, infinite or absurd volume or rate before it is turned into money."""
    wrong = {
        c: pl.col(c).is_null() | ~pl.col(c).is_finite() | (pl.col(c).abs() > LIMIT)
        for c in ("volume", "rate")
    }
    product = (pl.col("volume") * pl.col("rate")).abs()
    if not rows.select(pl.any_horizontal(*wrong.values(), product > LIMIT).any()).item():
        return  # all is well: one pass; else each check below names its first row
    for column in ("volume", "rate"):
        bad = rows.filter(wrong[column])
        if bad.height:
            first = _first_in_order(bad)
            found = first[column]
            what = "is missing" if found is None else f"is {number(found)}"
            raise ModelError(
                f"model {model!r}: the {column} of {first['recipient']!r}, {first['year']}, "
                f"{first['component']!r} {what}; expected a finite number of at most "
                f"{number(LIMIT)} ({such_rows(bad.height)})"
            )
    big = rows.filter(product > LIMIT)
    if big.height:
        first = _first_in_order(big)
        raise ModelError(
            f"model {model!r}: {first['recipient']!r}, {first['year']}, {first['component']!r} "
            f"would get {number(first['volume'])} × {number(first['rate'])} kr, above the "
            f"{number(LIMIT)} kr rfm computes with"
        )


def _no_negative_zero(value: pl.Expr) -> pl.Expr:
    """-0.0 (a rate of -0, or 0 × a negative rate) as 0, which prints as "0", not "-0.0"."""
    return pl.when(value == 0).then(pl.lit(0.0, pl.Float64)).otherwise(value)


def lineage_is_valid(frame: pl.DataFrame) -> bool:
    """True when a model's rows, made into lineage by :func:`apply_contract`, certainly pass the
    lineage schema's checks; on False the engine runs the schema, which names the rows.

    The pandera schema (``rfm.schemas.checks.Lineage``) costs about 50 ms a model even when all
    is well; this costs a few milliseconds for a million rows: missing values are counted from
    each column's metadata, text lengths are checked on the distinct texts, and the amount is
    not checked against volume × rate, since :func:`apply_contract` has just computed it so.
    """
    from rfm.parameters.dated import MAX_YEAR, MIN_YEAR

    if frame.height == 0:
        return True
    if sum(frame.select(LINEAGE_COLUMNS).null_count().row(0)):
        return False
    for column in _TEXT_COLUMNS:
        if column != "basis":
            distinct = frame.get_column(column).unique().cast(pl.String)
            if (distinct.str.len_chars() < 1).any():
                return False
    years = frame.get_column("year")
    if not MIN_YEAR <= years.min() <= years.max() <= MAX_YEAR:  # type: ignore[operator]
        return False
    ok = frame.select(
        pl.all_horizontal(*[pl.col(c).is_finite().all() for c in ("volume", "rate")])
    ).item()
    return bool(ok)


def _length(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The length of each text in ``column``, held as Categorical (the run's rows) or text."""
    if frame.schema[column] == pl.Categorical:
        return pl.col(column).cat.len_chars()
    return pl.col(column).str.len_chars()
