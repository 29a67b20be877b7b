"""Acconto and settlement for särskilt boende: paid on account each month, settled the next.

Every unit gets an on-account payment (acconto) at the start of each month:

    acconto(m) = platser × dygn i månaden × dygnsersättning × acconto-andel

After the month the unit reports its paid days; what they earn is settled with the next
month's payment:

    intjänat(m) = rapporterade dygn(m) × dygnsersättning
    reglering(m) = intjänat(m) − acconto(m)          (paid or deducted in month m + 1)

Over a year, Σ acconto + Σ reglering = Σ intjänat, to the öre: the statement checks it.
"""

from __future__ import annotations

import calendar

import polars as pl

import rfm
from rfm_ostersund.models import OccupiedDays


def statement(model: OccupiedDays, ctx: rfm.ComputeContext, year: int) -> pl.DataFrame:
    """Per unit and month: places, acconto, reported days, earned, settlement (kr)."""
    if model.acconto_share is None:
        raise rfm.ConfigError(f"{model.config.where}: no acconto_share; the settlement needs it")
    share = ctx.parameters[model.acconto_share].at(year)
    rates = model.unit_rates(ctx, year)
    days = (
        model.days(ctx, [year])
        .group_by("unit", pl.col("date").dt.month().alias("month"))
        .agg(pl.len().alias("days"))
    )
    reported = {(r["unit"], r["month"]): r["days"] for r in days.iter_rows(named=True)}
    rows = []
    for u in model.units(ctx).sort("unit").iter_rows(named=True):
        rate, _ = rates[u["unit"]]
        places = u["places"] or 0
        for month in range(1, 13):
            in_month = calendar.monthrange(year, month)[1]
            acconto = round(places * in_month * rate * float(share.value or 0), 2)
            n = reported.get((u["unit"], month), 0)
            earned = round(n * rate, 2)
            rows.append(
                {
                    "unit": u["unit"], "month": month, "places": places, "rate": rate,
                    "acconto_share": float(share.value or 0),
                    "acconto": acconto, "reported_days": n, "earned": earned,
                    "settlement": round(earned - acconto, 2),
                }
            )  # fmt: skip
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        (pl.col("acconto") + pl.col("settlement").shift(1, fill_value=0).over("unit")).alias(
            "paid_in_month"
        )
    )
