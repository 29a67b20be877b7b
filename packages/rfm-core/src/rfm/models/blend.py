"""``blend``: a transition between an old and a new allocation, by year.

    amount(r, t) = andel_ny(t) × ny(r, t) + (1 − andel_ny(t)) × gammal(r, t)

Stockholm's budget 2006 took 70 % of each district's arbetsmarknadsåtgärder from the new key and
30 % from the old model, then 100 % from the new: ``new_share = { 2006 = 0.7, 2007 = 1.0 }``.
A glide over several years is ``glide = { from = 2024, to = 2027 }`` (25, 50, 75, 100 %).
Both are dated data, never years written in code. The lineage keeps the two parts apart:
component ``ny modell`` with volume = the new model's amount (kr) and rate = its share, and
likewise for the old, so a blend always lies between its parts.

Either side may name several models, summed: Stockholm's allocation of the merged ekonomiskt
bistånd budget before the merger was two models (utbetalt bistånd by the key since 2005,
handläggning by the number of cases), ``old = ["utbetalt_tidigare", "handlaggning_gammal"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from rfm.config import check_keys
from rfm.errors import ConfigError, ModelError
from rfm.formatting import half_up, percent
from rfm.models.base import ComputeContext, Model, ModelConfig
from rfm.models.common import rates
from rfm.models.frames import model_rows
from rfm.money import to_decimal
from rfm.transitions.glide import linear_shares


class Blend(Model):
    type_name = "blend"
    summary = "share × new model + (1 − share) × old model, the share dated by year"
    config_keys = ("old", "new", "new_share", "glide")
    required_keys = ("old", "new")

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        table = config.table
        self.old_models = self._model_ids(table["old"], "old")
        self.new_models = self._model_ids(table["new"], "new")
        if set(self.old_models) & set(self.new_models):
            raise ConfigError(f"{config.where}: 'old' and 'new' share a model")
        self.old, self.new = " + ".join(self.old_models), " + ".join(self.new_models)
        if ("new_share" in table) == ("glide" in table):
            raise ConfigError(f"{config.where}: give exactly one of 'new_share' and 'glide'")
        if "glide" in table:
            glide = table["glide"]
            check_keys(glide, f"{config.where}.glide", allowed=(), required=("from", "to"))
            if not self.source:
                raise ConfigError(f"{config.where}: a glide path needs the model's 'source'")
            ends = [glide[end] for end in ("from", "to")]
            if any(isinstance(y, bool) or not isinstance(y, int) for y in ends):
                raise ConfigError(
                    f"{config.where}.glide: 'from' and 'to' are years, as whole numbers "
                    f"(glide = {{ from = 2024, to = 2027 }}); found {ends[0]!r} and {ends[1]!r}"
                )
            shares = linear_shares(ends[0], ends[1])
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

    def _model_ids(self, raw: object, field: str) -> tuple[str, ...]:
        ids = [raw] if isinstance(raw, str) else raw
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise ConfigError(
                f"{self.config.where}.{field}: expected a model id or a list of model ids"
            )
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{self.config.where}.{field}: a model is named twice")
        return tuple(ids)

    def inputs(self) -> tuple[str, ...]:
        return (*self.old_models, *self.new_models)

    def explain(self, rows: pl.DataFrame, recipient: str, year: int) -> list[str]:
        """The blend as one line of arithmetic: share × new + (1 − share) × old."""
        mine = rows.filter((pl.col("recipient") == recipient) & (pl.col("year") == year))
        parts = {r["component"].split(":")[0]: r for r in mine.iter_rows(named=True)}
        new, old = parts.get("ny modell"), parts.get("gammal modell")
        if new is None or old is None:
            return []
        return [
            f"Blandning: {percent(new['rate'])} × {half_up(new['volume'], 2)} kr (ny) + "
            f"{percent(old['rate'])} × {half_up(old['volume'], 2)} kr (gammal) = "
            f"{half_up(new['amount'] + old['amount'], 2)} kr"
        ]

    def formula(self) -> str:
        def side(models: tuple[str, ...]) -> str:
            return models[0] if len(models) == 1 else "(" + " + ".join(models) + ")"

        return (
            f"belopp = andel_ny(år) × {side(self.new_models)}(år) + (1 − andel_ny(år)) × "
            f"{side(self.old_models)}(år)"
        )

    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        shares = rates(ctx, {"s": self.share_key}, years, self.config.where)
        outside = shares.filter((pl.col("value") < 0) | (pl.col("value") > 1))
        if outside.height:  # a named parameter or a scenario's override: checked here
            first = outside.row(0, named=True)
            raise ModelError(
                f"{self.config.where}: the new model's share is {first['value']} in "
                f"{first['year']} ({first['source']}); a share lies in 0–1, so that a blend "
                "lies between its parts"
            )
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
                    ("gammal modell", self.old, float(Decimal(1) - to_decimal(share))),
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
                pl.concat([ctx.model_rows(model_id) for model_id in models])
                .filter(pl.col("year").is_in(list(years)))
                .group_by("recipient", "year")
                .agg(pl.col("amount").sum().alias("volume"))
                .with_columns(pl.lit(side).alias("input"))
                for side, models in ((self.new, self.new_models), (self.old, self.old_models))
            ]
        )
        # Every recipient of either model in a year gets both parts of that year; a model
        # that gives it no amount is an error, not 0 kr. (Recipients are per year: districts
        # merge and split.)
        joined = (
            amounts.select("recipient", "year")
            .unique()
            .join(parts, on="year", how="inner")
            .join(amounts, on=["recipient", "year", "input"], how="left")
        )
        self._refuse_one_sided(joined)
        return model_rows(joined, self.id, "kr", "andel")

    def _refuse_one_sided(self, joined: pl.DataFrame) -> None:
        missing = joined.filter(pl.col("volume").is_null()).sort("year", "recipient", "input")
        if not missing.height:
            return
        lines = [
            f"  - {r['recipient']!r} in {r['year']}: no amount from {r['input']}"
            for r in missing.head(10).iter_rows(named=True)
        ]
        more = f"\n  … and {missing.height - 10} more" if missing.height > 10 else ""
        raise ModelError(
            f"{self.config.where}: a blend weighs the old and the new model's amounts for each "
            "recipient, but one side gives no amount for:\n" + "\n".join(lines) + more + "\n"
            "A recipient that should get 0 kr from a model must get a row of 0 kr from it "
            "(its volume 0, or a gap declared to mean 0)."
        )
