"""The committee's use of the model money: a ledger of what each model's money pays for.

Socialnämnden in Vaggeryd told the council how it uses the money the models give for budget
2023 (seed 004). Each post is money from one model to one purpose, and three kinds of
arithmetic stand behind the posts; each is checked when the ledger is read:

* ``schablon``: a price per hour rises (personlig assistans 304,30 kr in 2020 → 324,50 kr in
  2023); the post pays for ``amount ÷ (to − from)`` hours at the new price (900 tkr ÷ 20,20 kr
  ≈ 44 554 h). With ``parameter`` (a dated tenant parameter, ``pa.schablon``) and the years,
  the two prices are checked against it and the rise is shown year by year: it spans three
  years (+10,70, +4,70, +4,80 kr), and 2023's step alone would be 900 tkr ÷ 4,80 kr = 187 500 h;
* ``underskott``: a deficit of one year, partly covered by other means; the post pays the rest,
  ``deficit × (1 − covered_share)`` (hjälpmedel: 2 600 tkr × 0,5 = 1 300 tkr), which must equal
  the post's amount;
* ``delfinansiering``: a cost only partly paid by the model; the rest, ``total − amount``, is a
  tilläggsäskande, which must be among the tenant's tilläggsäskanden with that amount (bilar:
  400 tkr, 200 from the model and 200 requested).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

import rfm

PER_CAPITA_KEYS = {"year", "item", "program", "rate", "amount", "source", "population_year"}
POST_KEYS = {
    "year",
    "model",
    "program",
    "text",
    "amount",
    "source",
    "schablon",
    "underskott",
    "delfinansiering",
}


@attrs.frozen
class Schablon:
    """A price per hour rising from ``from_rate`` (in ``from_year``) to ``to_rate``."""

    from_rate: float
    to_rate: float
    unit: str
    source: str
    parameter: str | None = None
    from_year: int | None = None
    to_year: int | None = None

    def hours(self, amount: float) -> float:
        """Hours the amount pays the rise for: amount ÷ (to − from)."""
        return amount / (self.to_rate - self.from_rate)


@attrs.frozen
class PerCapita:
    """An item decided as kr per inhabitant with a stated amount (the kvinnojour: 10 kr/inv)."""

    year: int
    item: str
    program: str
    rate: float
    amount: float
    source: str
    population_year: int
    """The year whose population (31 December) the rate should be multiplied by."""

    def implied_population(self) -> float:
        """The population the stated amount corresponds to: amount ÷ rate."""
        return self.amount / self.rate


@attrs.frozen
class Deficit:
    """A deficit of ``year``, of which ``covered_share`` is covered by other means."""

    amount: float
    year: int
    covered_share: float
    covered_by: str

    def remaining(self) -> float:
        return self.amount * (1 - self.covered_share)


@attrs.frozen
class PartFunding:
    """A cost of ``total`` of which the model pays the post's amount; the rest is requested."""

    total: float
    rest_item: str


@attrs.frozen
class Post:
    year: int
    model: str
    program: str
    text: str
    amount: float
    source: str
    schablon: Schablon | None = None
    deficit: Deficit | None = None
    part_funding: PartFunding | None = None

    def derivation(self) -> str:
        """The arithmetic behind the amount, in Swedish, with figures."""
        n = rfm.format_number
        if self.schablon is not None:
            s = self.schablon
            return (
                f"{n(self.amount, 0)} kr ÷ ({n(s.to_rate, 2)} − {n(s.from_rate, 2)}) {s.unit} = "
                f"{n(self.schablon.hours(self.amount), 0)} timmar med det nya schablonbeloppet ({s.source})"
            )
        if self.deficit is not None:
            d = self.deficit
            return (
                f"underskott {d.year} {n(d.amount, 0)} kr × (1 − {n(d.covered_share)}) = "
                f"{n(d.remaining(), 0)} kr; resten täcks av {d.covered_by}"
            )
        if self.part_funding is not None:
            p = self.part_funding
            return (
                f"kostnad {n(p.total, 0)} kr − {n(self.amount, 0)} kr ur modellen = "
                f"{n(p.total - self.amount, 0)} kr som tilläggsäskande ({p.rest_item})"
            )
        return ""


def _number(table: Mapping[str, Any], key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise rfm.ConfigError(f"{where}.{key}: expected a number, found {value!r}")
    return float(value)


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise rfm.ConfigError(f"{where}.{key}: expected text")
    return value


def parse_post(table: Mapping[str, Any], where: str) -> Post:
    unknown = sorted(set(table) - POST_KEYS)
    if unknown:
        raise rfm.ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    amount = _number(table, "amount", where)
    schablon = deficit = part = None
    if "schablon" in table:
        t, w = table["schablon"], f"{where}.schablon"
        years = [int(_number(t, k, w)) if k in t else None for k in ("from_year", "to_year")]
        parameter = _text(t, "parameter", w) if "parameter" in t else None
        if parameter is not None and None in years:
            raise rfm.ConfigError(f"{w}: 'parameter' needs 'from_year' and 'to_year'")
        schablon = Schablon(
            _number(t, "from", w),
            _number(t, "to", w),
            _text(t, "unit", w),
            _text(t, "source", w),
            parameter,
            years[0],
            years[1],
        )
        if schablon.to_rate <= schablon.from_rate:
            raise rfm.ConfigError(
                f"{w}: the new price ({schablon.to_rate}) must exceed the old ({schablon.from_rate})"
            )
    if "underskott" in table:
        t, w = table["underskott"], f"{where}.underskott"
        deficit = Deficit(
            _number(t, "amount", w),
            int(_number(t, "year", w)),
            _number(t, "covered_share", w),
            _text(t, "covered_by", w),
        )
        if not 0 <= deficit.covered_share <= 1:
            raise rfm.ConfigError(f"{w}.covered_share: must lie in 0–1")
        if abs(deficit.remaining() - amount) > 0.5:
            raise rfm.ConfigError(
                f"{where}: the post's amount {rfm.format_number(amount, 0)} kr is not what the "
                f"deficit leaves, {rfm.format_number(deficit.remaining(), 0)} kr"
            )
    if "delfinansiering" in table:
        t, w = table["delfinansiering"], f"{where}.delfinansiering"
        part = PartFunding(_number(t, "total", w), _text(t, "rest_item", w))
        if part.total < amount:
            raise rfm.ConfigError(f"{w}.total: the cost is smaller than the post's amount")
    return Post(
        year=int(_number(table, "year", where)),
        model=_text(table, "model", where),
        program=_text(table, "program", where),
        text=_text(table, "text", where),
        amount=amount,
        source=_text(table, "source", where),
        schablon=schablon,
        deficit=deficit,
        part_funding=part,
    )


def parse_per_capita(table: Mapping[str, Any], where: str) -> PerCapita:
    unknown = sorted(set(table) - PER_CAPITA_KEYS)
    if unknown:
        raise rfm.ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    rate = _number(table, "rate", where)
    if rate <= 0:
        raise rfm.ConfigError(f"{where}.rate: must be above 0")
    return PerCapita(
        year=int(_number(table, "year", where)),
        item=_text(table, "item", where),
        program=_text(table, "program", where),
        rate=rate,
        amount=_number(table, "amount", where),
        source=_text(table, "source", where),
        population_year=int(_number(table, "population_year", where)),
    )


def _document(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise rfm.ConfigError(f"{path.name}: not valid TOML ({exc})") from None


def read_ledger(path: Path) -> list[Post]:
    """The posts of a ledger file (see ``tenant/modellmedel.toml``)."""
    posts = _document(path).get("post", [])
    if not isinstance(posts, list):
        raise rfm.ConfigError(f"{path.name}: write the posts as [[post]] tables")
    return [parse_post(p, f"{path.name}: post[{i + 1}]") for i, p in enumerate(posts)]


def read_per_capita(path: Path) -> list[PerCapita]:
    """The items decided per inhabitant in a ledger file (``[[per_capita]]``)."""
    items = _document(path).get("per_capita", [])
    if not isinstance(items, list):
        raise rfm.ConfigError(f"{path.name}: write the items as [[per_capita]] tables")
    return [parse_per_capita(p, f"{path.name}: per_capita[{i + 1}]") for i, p in enumerate(items)]


def check_against_frame(posts: list[Post], buildup: rfm.FrameBuildUp) -> list[str]:
    """Problems between the ledger and the frame build-up of its year (empty when consistent).

    A post's schablon that names a tenant parameter must give that parameter's values in its
    two years: the ledger cannot quote another price than the tenant computes with.
    """
    problems = []
    parameters = buildup.run.parameters
    models = set(buildup.models["model"].to_list())
    items = {(r["item"], r["program"]): r["amount"] for r in buildup.items.iter_rows(named=True)}
    for post in posts:
        if post.year != buildup.year:
            continue
        if post.model not in models:
            problems.append(f"post {post.text!r}: model {post.model!r} is not in the scenario")
        s = post.schablon
        if s is not None and s.parameter is not None:
            if s.parameter not in parameters:
                problems.append(f"post {post.text!r}: no tenant parameter {s.parameter!r}")
            else:
                for year, rate in ((s.from_year, s.from_rate), (s.to_year, s.to_rate)):
                    assert year is not None
                    given = parameters[s.parameter].value_at(year)
                    if abs(given - rate) > 0.005:
                        problems.append(
                            f"post {post.text!r}: {s.parameter} is {rfm.format_number(given, 2)} "
                            f"in {year}, the post says {rfm.format_number(rate, 2)}"
                        )
        if post.part_funding is not None:
            rest = post.part_funding.total - post.amount
            found = items.get((post.part_funding.rest_item, post.program))
            if found is None or abs(float(found) - rest) > 0.5:
                problems.append(
                    f"post {post.text!r}: the rest {rfm.format_number(rest, 0)} kr should be the "
                    f"tilläggsäskande {post.part_funding.rest_item!r} under {post.program}, "
                    + (
                        "which is missing"
                        if found is None
                        else f"which is {rfm.format_number(found, 0)} kr"
                    )
                )
    return problems
