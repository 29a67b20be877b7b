"""The contract every model keeps: lineage rows, and amount = volume × rate computed here.

A model never hands over a bare total. It yields one row per recipient, year and component —
*what* is counted (``volume`` in ``volume_unit``), *at what price* (``rate`` in ``rate_unit``) and
*why that price* (``basis``, free text with the numbers behind the rate) — and the core, not the
model, multiplies. Totals, comparisons and reports are group-bys over these rows, so every number
rfm prints can be traced to a volume, a rate and a source.
"""

from __future__ import annotations

import polars as pl

from rfm.errors import ContractError

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

LINEAGE_DTYPES: dict[str, type[pl.DataType]] = {
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
    "amount": pl.Float64,
}


MAX_AMOUNT = 1e15
"""The largest amount one lineage row may hold, in kr (10^15). Sweden's municipalities spend
about 10^12 kr a year together; a larger row is a typo in a rate or a volume, and beyond it
a float no longer holds whole öre and tables would overflow."""


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
    extra = [c for c in rows.columns if c not in MODEL_COLUMNS]
    if missing or extra:
        raise ContractError(
            f"model {model!r} yielded columns that break the contract "
            f"(missing: {missing or 'none'}, unexpected: {extra or 'none'})"
        )
    amount = pl.col("volume").cast(pl.Float64) * pl.col("rate").cast(pl.Float64)
    return rows.select(
        pl.lit(tenant, pl.String).alias("tenant"),
        *[
            _no_negative_zero(pl.col(c).cast(pl.Float64)).alias(c) if c in ("volume", "rate")
            else pl.col(c).cast(LINEAGE_DTYPES[c])
            for c in MODEL_COLUMNS
        ],
        _no_negative_zero(amount).alias("amount"),
    )  # fmt: skip


def _no_negative_zero(value: pl.Expr) -> pl.Expr:
    """-0.0 (a rate of -0, or 0 × a negative rate) as 0, which prints as "0", not "-0.0"."""
    return pl.when(value == 0).then(pl.lit(0.0, pl.Float64)).otherwise(value)


def lineage_is_valid(frame: pl.DataFrame) -> bool:
    """True when lineage rows certainly pass the lineage schema's checks, in one Polars pass.

    The engine checks every model's rows. The pandera schema (``rfm.schemas.checks.Lineage``)
    reports each failing row, but costs about 50 ms a model even when all is well; this check
    costs well under a millisecond per 10 000 rows. It accepts only rows that the schema would
    accept (no empty text, a year in range, finite numbers, amount = volume × rate); on anything
    else the engine runs the schema, which names the rows.
    """
    from rfm.parameters.dated import MAX_YEAR, MIN_YEAR

    if frame.height == 0:
        return True
    text = [c for c, t in LINEAGE_DTYPES.items() if t == pl.String]
    product = pl.col("volume") * pl.col("rate")
    ok = frame.select(
        pl.all_horizontal(
            *[pl.col(c).is_not_null().all() for c in LINEAGE_COLUMNS],
            *[(pl.col(c).str.len_chars() >= 1).all() for c in text if c != "basis"],
            pl.col("year").is_between(MIN_YEAR, MAX_YEAR).all(),
            *[pl.col(c).is_finite().all() for c in ("volume", "rate", "amount")],
            (pl.col("amount").abs() <= MAX_AMOUNT).all(),
            ((pl.col("amount") - product).abs() <= 1e-9 * (product.abs() + 1.0)).all(),
        )
    ).item()
    return bool(ok)
