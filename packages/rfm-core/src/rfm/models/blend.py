"""``blend``: a transition between an old and a new allocation, by year.

    amount(r, t) = andel_ny(t) × ny(r, t) + (1 − andel_ny(t)) × gammal(r, t)

Stockholm's budget 2006 took 70 % of each district's ekonomiskt bistånd from the new key and
30 % from the old model, then 100 % from the new: ``new_share = { 2006 = 0.7, 2007 = 1.0 }``.
A glide over several years is ``glide = { from = 2024, to = 2027 }`` (25, 50, 75, 100 %).
Both are dated data, never years written in code. The lineage keeps the two parts apart:
component ``ny modell`` with volume = the new model's amount (kr) and rate = its share, and
likewise for the old, so a blend always lies between its parts.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rfm.config import check_keys
from rfm.errors import ConfigError
from rfm.formatting import percent
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import rates
from rfm.models.frames import model_rows
from rfm.transitions.glide import linear_shares


class Blend(Model):
    type_name = "blend"
    summary = "share × new model + (1 − share) × old model, the share dated by year"
    config_keys = ("old", "new", "new_share", "glide")
    required_keys = ("old", "new")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.old, self.new = str(table["old"]), str(table["new"])
        if self.old == self.new:
            raise ConfigError(f"{config.where}: 'old' and 'new' are the same model")
        if ("new_share" in table) == ("glide" in table):
            raise ConfigError(f"{config.where}: give exactly one of 'new_share' and 'glide'")
        if "glide" in table:
            glide = table["glide"]
            check_keys(glide, f"{config.where}.glide", allowed=(), required=("from", "to"))
            if not self.source:
                raise ConfigError(f"{config.where}: a glide path needs the model's 'source'")
            shares = linear_shares(int(glide["from"]), int(glide["to"]))
            raw: object = {str(y): s for y, s in shares.items()}
            self.share_key = self.declare(
                raw, f"{config.where}.glide", f"{self.id}.new_share", "andel", "andel ny modell"
            )
        else:
            self.share_key = self.dated_parameter("new_share", "andel", "andel ny modell")
        for p in self.own_parameters:
            bad = [v for v in p.values if v.value is not None and not 0 <= v.value <= 1]
            if bad:
                raise ConfigError(
                    f"{config.where}: the new model's share must lie in 0–1, found {bad[0].value} "
                    f"for {bad[0].year}"
                )

    def inputs(self) -> tuple[str, ...]:
        return (self.old, self.new)

    def formula(self) -> str:
        return f"belopp = andel_ny(år) × {self.new}(år) + (1 − andel_ny(år)) × {self.old}(år)"

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        shares = rates(ctx, {"s": self.share_key}, years)
        # One row per year and part: its component, its share and why (small: 2 × years).
        parts = pl.DataFrame(
            [
                (
                    year,
                    f"{which}: {model_id}",
                    model_id,
                    rate,
                    f"{percent(rate)} av {model_id} ({source})",
                )
                for year, share, source in shares.select("year", "value", "source").iter_rows()
                for which, model_id, rate in (
                    ("ny modell", self.new, share),
                    ("gammal modell", self.old, 1 - share),
                )
            ],
            schema={
                "year": pl.Int64,
                "component": pl.String,
                "input": pl.String,
                "rate": pl.Float64,
                "basis": pl.String,
            },
            orient="row",
        )
        amounts = pl.concat(
            [
                ctx.model_rows(model_id)
                .filter(pl.col("year").is_in(list(years)))
                .group_by("recipient", "year")
                .agg(pl.col("amount").sum().alias("volume"))
                .with_columns(pl.lit(model_id).alias("input"))
                for model_id in (self.new, self.old)
            ]
        )
        # Every recipient of either model gets both parts; a model without it counts 0 kr.
        joined = (
            amounts.select("recipient")
            .unique()
            .join(parts, how="cross")
            .join(amounts, on=["recipient", "year", "input"], how="left")
        )
        return model_rows(joined, self.id, "kr", "andel")
