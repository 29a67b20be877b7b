"""``change_limit``: caps and floors on each recipient's change against a previous allocation.

    amount(r, t) within [föreg(r) × (1 − max_minskning), föreg(r) × (1 + max_ökning)],
    Σ_r amount(r, t) = Σ_r modell(r, t)

The previous allocation of budget year *t* is the ``allocation`` dataset's row for *t − 1*, or
this model's own result for *t − 1* when that year is in the same run (so a multi-year run
moves step by step). What a capped recipient does not get is shared among the others in
proportion to their model amounts (see :mod:`rfm.transitions.limits`). The lineage has the
model amount and the adjustment as separate components, so the cap is visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from rfm.coverage import parse_gaps
from rfm.errors import ConfigError, ModelError
from rfm.formatting import kr, percent
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.frames import model_rows
from rfm.money import as_fraction
from rfm.transitions.limits import limit_changes_exact


class ChangeLimit(Model):
    type_name = "change_limit"
    summary = "caps and floors on the change per recipient; the excess is redistributed"
    config_keys = ("model", "previous", "max_increase", "max_decrease", "gaps")
    required_keys = ("model", "previous")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.model_id = str(table["model"])
        self.previous = str(table["previous"])
        self.gaps = parse_gaps(table.get("gaps"), config.where, ("no_limit",))
        if "max_increase" not in table and "max_decrease" not in table:
            raise ConfigError(f"{config.where}: give 'max_increase', 'max_decrease' or both")
        self.increase_key = (
            self.dated_parameter("max_increase", "andel", "största ökning")
            if "max_increase" in table
            else None
        )
        self.decrease_key = (
            self.dated_parameter("max_decrease", "andel", "största minskning")
            if "max_decrease" in table
            else None
        )

    def inputs(self) -> tuple[str, ...]:
        return (self.model_id,)

    def datasets(self) -> tuple[str, ...]:
        return (self.previous,)

    def _check_previous(self, year: int, recipients: list[str], prior: Mapping[str, Any]) -> None:
        """Every recipient has last year's allocation and every name there is a recipient.

        A recipient without a previous amount would silently escape the limit, and a name spelt
        differently in the previous allocation would leave both unlimited: each is an error
        unless the tenant declares ``gaps = { means = "no_limit", reason = "…" }``.
        """
        if self.gaps is not None:
            return
        without = sorted(set(recipients) - set(prior))
        unknown = sorted(set(prior) - set(recipients))
        if not without and not unknown:
            return
        lines = []
        if without:
            lines.append(
                f"no allocation for {year - 1} in dataset {self.previous!r} for "
                + ", ".join(map(repr, without))
            )
        if unknown:
            lines.append(
                f"dataset {self.previous!r} names {', '.join(map(repr, unknown))} for "
                f"{year - 1}, which model {self.model_id!r} does not pay in {year}"
            )
        raise ModelError(
            f"{self.config.where}: the change limit of {year} needs last year's allocation of "
            f"every recipient: {'; '.join(lines)}. If a recipient may go unlimited (a new "
            'district), say so: gaps = { means = "no_limit", reason = "…" }'
        )

    def formula(self) -> str:
        return (
            f"belopp = {self.model_id}(år) begränsat till föregående år × (1 − största minskning) "
            "… × (1 + största ökning); överskottet fördelas på övriga i proportion till modellbeloppet"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        model = (
            ctx.model_rows(self.model_id).group_by("recipient", "year").agg(pl.col("amount").sum())
        )
        previous_data = ctx.dataset(self.previous)
        earlier: dict[str, Any] = {}
        out = []
        for year in sorted(years):
            inc = ctx.parameters.value(self.increase_key, year) if self.increase_key else None
            dec = ctx.parameters.value(self.decrease_key, year) if self.decrease_key else None
            this = model.filter(pl.col("year") == year).sort("recipient")
            recipients = this["recipient"].to_list()
            targets = this["amount"].to_list()  # exact decimals
            if year - 1 in years:
                prior = earlier
            else:
                prior = dict(
                    previous_data.filter(pl.col("year") == year - 1)
                    .select("recipient", "amount")
                    .iter_rows()
                )
            self._check_previous(year, recipients, prior)
            limited = limit_changes_exact(targets, [prior.get(r) for r in recipients], inc, dec)
            earlier = dict(zip(recipients, limited, strict=True))
            sources = ", ".join(
                ctx.parameters.at(k, year).source
                for k in (self.increase_key, self.decrease_key)
                if k
            )
            bounds = " / ".join(
                t
                for t in (
                    f"högst +{percent(inc)}" if inc is not None else "",
                    f"högst −{percent(dec)}" if dec is not None else "",
                )
                if t
            )
            for r, target, amount in zip(recipients, targets, limited, strict=True):
                p = prior.get(r)
                against = (
                    f"mot föregående {kr(p)} kr"
                    if p is not None
                    else (self.gaps.note("ingen föregående tilldelning") if self.gaps else "")
                )
                out.append((r, year, f"modell: {self.model_id}", float(target), "modellbelopp"))
                adjustment = float(amount - as_fraction(target))  # exact, then the float of it
                out.append((r, year, "begränsning", adjustment, f"{bounds} {against} ({sources})"))
        frame = pl.DataFrame(
            out,
            schema={
                "recipient": pl.String,
                "year": pl.Int64,
                "component": pl.String,
                "volume": pl.Float64,
                "basis": pl.String,
            },
            orient="row",
        ).with_columns(pl.lit(1.0).alias("rate"))
        return model_rows(frame, self.id, "kr", "faktor")
