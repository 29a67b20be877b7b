"""How each lineage row's volume and rate follow from parameters and other models' rows.

A lineage row carries numbers (volume, rate) and a text saying why (basis). For the workbook to
be a live model, and for JSON to carry the basis as fields, rfm also needs the *structure*: the
LSS rate is ``S × PK-IX × korrigeringsfaktor ÷ invånare i utjämningen``, where S is the sum of
another model's amounts and the rest are dated parameters. This module rebuilds that structure
for the built-in model types from their settings, as a small expression tree per row:

* :class:`Param` — the value of a parameter in force in a year (a cell on *Parametrar*);
* :class:`Num` — a number from data (a population count, a standard cost from a dataset);
* :class:`ModelSum` — Σ amount of other models for the row's recipient and year;
* :class:`VolumeSum` — Σ volume of this model's rows in the row's year (a key's Σ poäng);
* :class:`Op` — ``+ − × ÷`` of two of these;
* :class:`Step` — a named intermediate value (the LSS-utjämning's S, P, PK-IX and KPIF), which
  the workbook shows in a cell of its own below the model's rows, so that each formula reads as
  the regulation does and the steps can be followed by eye.

Every expression is checked: evaluated with the run's own parameters and rows it must give the
row's number (to a relative 1e-9), or the row keeps its number as a plain value. A model type
this module does not know (a plugin's) keeps plain values too, so the workbook is never wrong,
only less live; its *Läs mig* sheet says which models are, judged from the cells actually
written (:mod:`rfm.reports.liveness`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from rfm.engine import RunResult
from rfm.errors import RfmError
from rfm.models.age_bands import AgeBands
from rfm.models.base import Model
from rfm.models.base_year_rate import BaseYearRate
from rfm.models.blend import Blend
from rfm.models.change_limit import ChangeLimit
from rfm.models.distribution_key import DistributionKey
from rfm.models.lss_standard_cost import (
    EXCESS_SHARE,
    FK_PERSONNEL_SHARE,
    PERSONNEL_SHARE,
    RS_LINES,
    LssStandardCost,
)
from rfm.models.per_capita_standard_cost import PerCapitaStandardCost
from rfm.models.price_tags import PriceTags
from rfm.parameters import ParameterSet


@attrs.frozen
class Param:
    key: str
    year: int


@attrs.frozen
class Num:
    value: float


@attrs.frozen
class ModelSum:
    models: tuple[str, ...]


@attrs.frozen
class VolumeSum:
    pass


@attrs.frozen
class Op:
    op: str
    left: Expr
    right: Expr


@attrs.frozen
class Step:
    """A named intermediate value: ``expr`` shown in a cell of its own (label, unit, and a text
    saying what it is), referred to by the formulas that use it."""

    label: str
    unit: str
    text: str
    expr: Expr


Expr = Param | Num | ModelSum | VolumeSum | Op | Step


@attrs.frozen
class RowDerivation:
    """A row's volume and rate as expressions; None where the number stays a plain value."""

    volume: Expr | None = None
    rate: Expr | None = None


def mul(a: Expr, b: Expr) -> Op:
    return Op("*", a, b)


def sub(a: Expr, b: Expr) -> Op:
    return Op("-", a, b)


def add(first: Expr, *rest: Expr) -> Expr:
    """``first + rest[0] + …``, summed left to right (as Python and rfm's models sum)."""
    out = first
    for term in rest:
        out = Op("+", out, term)
    return out


def params_in(expr: Expr | None) -> list[Param]:
    """The parameters an expression reads, in order, each once."""
    found: list[Param] = []

    def walk(e: Expr | None) -> None:
        if isinstance(e, Param) and e not in found:
            found.append(e)
        elif isinstance(e, Step):
            walk(e.expr)
        elif isinstance(e, Op):
            walk(e.left)
            walk(e.right)

    walk(expr)
    return found


class Evaluator:
    """Evaluates expressions with a run's parameters, amounts and volumes."""

    def __init__(self, result: RunResult) -> None:
        self.parameters = result.parameters
        lineage = result.all_lineage
        self.amounts: dict[tuple[str, str, int], float] = {}
        self.volumes: dict[tuple[str, int], float] = {}
        for model, recipient, year, volume, amount in lineage.select(
            "model", "recipient", "year", "volume", "amount"
        ).iter_rows():
            key = (model, recipient, year)
            self.amounts[key] = self.amounts.get(key, 0.0) + float(amount)
            self.volumes[(model, year)] = self.volumes.get((model, year), 0.0) + float(volume)

    def __call__(self, expr: Expr, model: str, recipient: str, year: int) -> float:
        if isinstance(expr, Param):
            return self.parameters.value(expr.key, expr.year)
        if isinstance(expr, Num):
            return expr.value
        if isinstance(expr, ModelSum):
            return sum(self.amounts.get((m, recipient, year), 0.0) for m in expr.models)
        if isinstance(expr, VolumeSum):
            return self.volumes.get((model, year), 0.0)
        if isinstance(expr, Step):
            return self(expr.expr, model, recipient, year)
        a = self(expr.left, model, recipient, year)
        b = self(expr.right, model, recipient, year)
        if expr.op == "+":
            return a + b
        if expr.op == "-":
            return a - b
        if expr.op == "*":
            return a * b
        return a / b if b else float("nan")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * (abs(a) + abs(b) + 1.0)


Deriver = Callable[[Any, dict[str, Any], ParameterSet], RowDerivation]


def _age_bands(m: AgeBands, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    key = m.band_keys.get(r["component"])
    return RowDerivation(rate=Param(key, r["year"]) if key else None)


def _price_tags(m: PriceTags, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    c, y = r["component"], r["year"]
    if c not in m.price_keys:
        return RowDerivation()
    rate: Expr = Param(m.price_keys[c], y)
    if c in m.weight_keys:
        rate = mul(rate, Param(m.weight_keys[c], y))
    volume = Param(m.count_keys[c], y) if c in m.count_keys else None
    return RowDerivation(volume=volume, rate=rate)


def _per_capita(m: PerCapitaStandardCost, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    y = r["year"]
    uplift = p.value(m.uplift_key, y) if m.uplift_key else 0.0
    cost: Expr = (
        Param(m.cost_key, y) if m.cost_key else Num(r["rate"] / (1 + uplift) if uplift != -1 else 0)
    )
    rate = mul(cost, Op("+", Num(1), Param(m.uplift_key, y))) if m.uplift_key else cost
    return RowDerivation(rate=rate)


def _base_year(m: BaseYearRate, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    y = r["year"]
    return RowDerivation(rate=Op("/", Param(m.cost_key, y), Param(m.base_volume_key, y)))


def _lss(m: LssStandardCost, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    """Förordning (2008:776) as rfm computes it (:mod:`rfm.models.lss_standard_cost`):
    ``S × PK-IX × KPIF × korrigeringsfaktor ÷ invånare i utjämningen`` with S = the insatser's
    amounts + FK, PK-IX computed from S (§6) or as published, KPIF from the data year
    (year − ``kpif_years``) to the equalisation year or to ``price_year``."""
    y = r["year"]
    insatser = Step(
        "S: insatser", "kr", "Σ belopp på insatsernas blad (antal × prislapp × vikt)",
        ModelSum((m.insatser,)),
    )  # fmt: skip
    fk: Expr
    if m.fk_model is not None:
        fk = Step(
            "FK", "kr", "Σ belopp på FK-bladet: kommunens ersättning till Försäkringskassan",
            ModelSum((m.fk_model,)),
        )  # fmt: skip
    else:
        assert m.fk_key is not None
        fk = Param(m.fk_key, y)
    s = Step("S", "kr", "S = insatser + FK", add(insatser, fk))
    index: Expr
    if m.index_key is not None:
        index = Param(m.index_key, y)
    else:
        assert m.po_key is not None
        line = {k: Param(key, y) for k, key in m.line_keys.items()}
        a, b, c, d, e, f, g, j = (line[k] for k in RS_LINES)
        share = Num(PERSONNEL_SHARE)
        # Steg 1: A × (1 + PO) + 0,85 × (B+C+D+E) − 0,85 × (F+G+J) + 0,85 × 0,20 × (H ÷ 0,20 − G)
        personnel = add(
            sub(
                add(mul(a, add(Num(1), Param(m.po_key, y))), mul(share, add(b, c, d, e))),
                mul(share, add(f, g, j)),
            ),
            mul(
                Num(PERSONNEL_SHARE * FK_PERSONNEL_SHARE),
                sub(Op("/", fk, Num(FK_PERSONNEL_SHARE)), g),
            ),
        )
        p_step = Step(
            "P", "kr",
            "beräknade personalkostnader (steg 1): A × (1 + PO) + 0,85 × (B+C+D+E) "
            "− 0,85 × (F+G+J) + 0,85 × 0,20 × (FK ÷ 0,20 − G)",
            personnel,
        )  # fmt: skip
        index = Step(
            "PK-IX", "index", "personalkostnadsindex (6 §): (S + 0,70 × (P − 0,85 × S)) ÷ S",
            Op("/", add(s, mul(Num(EXCESS_SHARE), sub(p_step, mul(share, s)))), s),
        )  # fmt: skip
    rate: Expr = mul(s, index)
    data_year = y - m.kpif_years
    target = y if m.price_year is None else m.price_year
    if target != data_year:
        # Up from the data year: × (1 + k) for each later year; down to an earlier price year:
        # 1 ÷ (1 + k) for each year after it (fixed prices of price_year).
        raising = target > data_year
        factor: Expr = Num(1)
        for k in range(min(data_year, target) + 1, max(data_year, target) + 1):
            change = add(Num(1), Param(m.kpif_key, k))
            if raising:
                factor = change if factor == Num(1) else mul(factor, change)
            else:
                factor = Op("/", factor, change)
        rate = mul(
            rate,
            Step("KPIF", "faktor",
                 f"Π (1 + KPIF-förändring), dataår {data_year} → prisnivå {target}", factor),
        )  # fmt: skip
    if m.correction_key:
        rate = mul(rate, Param(m.correction_key, y))
    return RowDerivation(rate=Op("/", rate, Param(m.divisor_key, y)))


def _key(m: DistributionKey, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    y = r["year"]
    total: Expr = Param(m.total_keys[0], y)
    for k in m.total_keys[1:]:
        total = Op("+", total, Param(k, y))
    volume: Expr | None = None
    key = m.weight_keys.get(r["component"])
    if key is not None:
        weight = p.value(key, y)
        if weight:
            volume = mul(Num(r["volume"] / weight), Param(key, y))
    return RowDerivation(volume=volume, rate=Op("/", total, VolumeSum()))


def _blend(m: Blend, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    y, which = r["year"], r["component"].split(":")[0]
    share = Param(m.share_key, y)
    if which == "ny modell":
        return RowDerivation(volume=ModelSum(m.new_models), rate=share)
    if which == "gammal modell":
        return RowDerivation(volume=ModelSum(m.old_models), rate=Op("-", Num(1), share))
    return RowDerivation()


def _change_limit(m: ChangeLimit, r: dict[str, Any], p: ParameterSet) -> RowDerivation:
    # The model's own amount is live; the cap and its redistribution stay rfm's numbers.
    if r["component"].startswith("modell:"):
        return RowDerivation(volume=ModelSum((m.model_id,)))
    return RowDerivation()


DERIVERS: Mapping[type[Model], Deriver] = {
    AgeBands: _age_bands,
    PriceTags: _price_tags,
    PerCapitaStandardCost: _per_capita,
    BaseYearRate: _base_year,
    LssStandardCost: _lss,
    DistributionKey: _key,
    Blend: _blend,
    ChangeLimit: _change_limit,
}


def live_types() -> tuple[str, ...]:
    """The model types whose rates the workbook writes as formulas."""
    return tuple(t.type_name for t in DERIVERS)


class Derivations:
    """Every row's checked derivation for one run (see the module docstring)."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.evaluate = Evaluator(result)
        self.factors: dict[int, float] = {}
        if result.prices == "current":
            from rfm.prices import price_factors

            factors = price_factors(result.tenant.prices, result.parameters, result.years)
            self.factors = {y: f for y, (f, _) in factors.items()}
        self.dropped = 0
        """How many expressions failed their check and became plain values (0 in a sound run)."""

    def model_is_live(self, model: Model) -> bool:
        return type(model) in DERIVERS

    def row(self, model: Model, r: dict[str, Any]) -> RowDerivation:
        deriver = DERIVERS.get(type(model))
        if deriver is None:
            return RowDerivation()
        try:
            found = deriver(model, r, self.result.parameters)
        except (RfmError, KeyError, ZeroDivisionError):
            return RowDerivation()
        rate = found.rate
        if (
            rate is not None
            and self.factors
            and not model.inputs()
            and str(r["rate_unit"]).startswith("kr/")
        ):
            rate = mul(rate, Num(self.factors[r["year"]]))
        return RowDerivation(
            volume=self._checked(found.volume, r["volume"], model.id, r),
            rate=self._checked(rate, r["rate"], model.id, r),
        )

    def _checked(
        self, expr: Expr | None, expected: float, model: str, r: dict[str, Any]
    ) -> Expr | None:
        if expr is None:
            return None
        try:
            got = self.evaluate(expr, model, r["recipient"], r["year"])
        except (RfmError, KeyError, ZeroDivisionError):
            got = float("nan")
        if _close(got, float(expected)):
            return expr
        self.dropped += 1
        return None
