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
    return rows.select(
        pl.lit(tenant, pl.String).alias("tenant"),
        *[pl.col(c).cast(LINEAGE_DTYPES[c]) for c in MODEL_COLUMNS],
        (pl.col("volume").cast(pl.Float64) * pl.col("rate").cast(pl.Float64)).alias("amount"),
    )
