"""The audit's own figures, recomputed: Tabell 3–8, the council's frame rule and the placements.

The audit of Östersund (seed 002) prints key figures and interprets them in sentences ("ca 16 %
högre", "7,3 % lägre"). This module reads them from ``tenant/granskning.toml`` and recomputes
each sentence from the printed figures, within the rounding the figures carry:

* ``percent``: (a ÷ b − 1) × 100 against the stated percent, within one percentage point ("ca");
  when it only holds with the other figure as the base, (b ÷ a − 1) × 100, it says so;
* ``steg3``: steg 3 = 100 × (steg 1 ÷ steg 2 − 1), where steg 1 and 2 are printed as whole
  numbers, so steg 3 lies anywhere between 100 × ((s1 − ½) ÷ (s2 + ½) − 1) and
  100 × ((s1 + ½) ÷ (s2 − ½) − 1); a stated steg 3 outside that interval does not follow;
* ``steg1``: steg 1 of one table against 100 × a ÷ b of another;
* ``similar``: "ungefär lika hög", within 5 %.

It never corrects a figure: where the audit's figures do not follow from each other, the output
says so (Östersund's LSS 2012: 161 and 175 give −8,0, not the printed −7,3).

The frame rule (§2.2.1): "Budgeten från föregående år räknas upp med löneökningar, 1 % för
ökning av övriga kostnader samt eventuella sparbeting", plus a demographic supplement for growth
in 65+ within vård och omsorg. rfm applies it to each committee's budget of the year before
(Tabell 1 and 2) and sets the result against the budget actually decided.

The placements (§2.2.2, §2.3): funding per placement, with 130 placements as the level that
balances the budget and 144 as the average of 2012.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

import rfm

N = rfm.format_number
PERCENT_SLACK = 1.0
"""A stated "ca 16 %" holds when the computed value is within one percentage point."""
SIMILAR = 0.05
""""Ungefär lika hög": within 5 %."""


@attrs.frozen
class Sourced:
    value: float
    source: str


@attrs.frozen
class Figure:
    table: int
    post: str
    year: int
    values: Mapping[str, float]
    note: str = ""


@attrs.frozen
class Claim:
    quote: str
    kind: str
    table: int
    post: str
    year: int
    of: str = ""
    against: str = ""
    stated: float | None = None
    from_table: int | None = None
    from_post: str = ""


@attrs.frozen
class Verdict:
    claim: Claim
    computation: str
    verdict: str
    holds: bool


@attrs.frozen
class Demography:
    persons: float
    persons_source: str
    rate: float
    rate_source: str


@attrs.frozen
class FrameRule:
    committee: str
    year: int
    wage_share: Sourced
    wage_increase: Sourced
    other_increase: Sourced
    savings: Sourced
    demography: Demography | None = None
    note: str = ""


@attrs.frozen
class Placements:
    year: int
    balance_max: int
    actual: Mapping[int, float]
    actual_source: str
    own_homes: int
    own_homes_source: str
    deficit: float
    """mnkr, the year before ``year``, before any extra appropriation."""
    deficit_source: str
    cost_source: str

    @property
    def cost_per_placement(self) -> float:
        """kr: the year-before deficit ÷ the placements beyond the balance level."""
        extra = self.actual[self.year - 1] - self.balance_max
        if extra <= 0:
            raise rfm.ConfigError(
                f"placements: {self.year - 1} had no placements beyond {self.balance_max}; the "
                "cost per placement cannot be derived from the deficit"
            )
        return self.deficit * 1_000_000 / extra


@attrs.frozen
class Audit:
    source: str
    figures: tuple[Figure, ...]
    claims: tuple[Claim, ...]
    frames: tuple[FrameRule, ...]
    placements: Placements | None

    def value(self, table: int, post: str, year: int, column: str) -> float:
        for f in self.figures:
            if (f.table, f.post, f.year) == (table, post, year) and column in f.values:
                return float(f.values[column])
        raise rfm.ConfigError(f"granskning: Tabell {table} has no {post!r} {year} {column!r}")


def _sourced(table: Mapping[str, Any], key: str, where: str) -> Sourced:
    raw = table.get(key)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("value"), int | float):
        raise rfm.ConfigError(f'{where}.{key}: expected {{ value = …, source = "…" }}')
    if not isinstance(raw.get("source"), str) or not raw["source"]:
        raise rfm.ConfigError(f"{where}.{key}: the value needs a source")
    return Sourced(float(raw["value"]), str(raw["source"]))


def _claim(c: Mapping[str, Any]) -> Claim:
    return Claim(
        quote=str(c["quote"]),
        kind=str(c["kind"]),
        table=int(c["table"]),
        post=str(c["post"]),
        year=int(c["year"]),
        of=str(c.get("of", "")),
        against=str(c.get("against", "")),
        stated=float(c["stated"]) if "stated" in c else None,
        from_table=int(c["from_table"]) if "from_table" in c else None,
        from_post=str(c.get("from_post", "")),
    )


def read_audit(path: Path) -> Audit:
    """The figures, claims, frame rules and placements of a ``granskning.toml``."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise rfm.ConfigError(f"{path.name}: not valid TOML ({exc})") from None
    figures = tuple(
        Figure(
            int(f["table"]),
            str(f["post"]),
            int(f["year"]),
            {str(k): float(v) for k, v in f["values"].items()},
            str(f.get("note", "")),
        )
        for f in doc.get("figure", [])
    )
    claims = tuple(_claim(c) for c in doc.get("claim", []))
    frames = []
    for i, f in enumerate(doc.get("frame", []), start=1):
        where = f"{path.name}: frame[{i}]"
        demo = None
        if "demography" in f:
            d = f["demography"]
            demo = Demography(
                float(d["persons"]),
                str(d["persons_source"]),
                float(d["rate"]),
                str(d["rate_source"]),
            )
        frames.append(
            FrameRule(
                str(f["committee"]),
                int(f["year"]),
                _sourced(f, "wage_share", where),
                _sourced(f, "wage_increase", where),
                _sourced(f, "other_increase", where),
                _sourced(f, "savings", where),
                demo,
                str(f.get("note", "")),
            )
        )
    placements = None
    if "placements" in doc:
        p = doc["placements"]
        placements = Placements(
            int(p["year"]), int(p["balance_max"]),
            {int(y): float(v) for y, v in p["actual"].items()}, str(p["actual_source"]),
            int(p["own_homes"]), str(p["own_homes_source"]), float(p["deficit_2012"]),
            str(p["deficit_source"]), str(p["cost_source"]),
        )  # fmt: skip
    return Audit(str(doc.get("source", "")), figures, claims, tuple(frames), placements)


# -- the claims --------------------------------------------------------------------------------


def _places(value: float) -> int:
    text = repr(float(value)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def check(audit: Audit, claim: Claim) -> Verdict:
    """Recompute one claim from the printed figures (see the module docstring)."""
    if claim.kind in ("percent", "similar"):
        a = audit.value(claim.table, claim.post, claim.year, claim.of)
        b = audit.value(claim.table, claim.post, claim.year, claim.against)
        computed = 100 * (a / b - 1)
        text = f"100 × ({N(a)} ÷ {N(b)} − 1) = {N(round(computed, 1))} %"
        if claim.kind == "similar":
            holds = abs(a / b - 1) <= SIMILAR
            verdict = "stämmer" if holds else f"stämmer inte: {N(round(computed, 1))} %"
            return Verdict(claim, text, verdict, holds)
        assert claim.stated is not None
        if abs(computed - claim.stated) < PERCENT_SLACK:
            return Verdict(claim, text, "stämmer", True)
        inverted = 100 * (b / a - 1)
        if claim.stated < 0 and abs(inverted + claim.stated) < PERCENT_SLACK:
            return Verdict(
                claim,
                text + f"; med jämförelsen som bas 100 × ({N(b)} ÷ {N(a)} − 1) = "
                f"{N(round(inverted, 1))} %",
                f"stämmer bara med omvänd bas: {N(a)} är {N(round(-computed, 1))} % lägre än "
                f"{N(b)}, inte {N(-claim.stated)} %",
                False,
            )
        return Verdict(claim, text, f"stämmer inte: angivet {N(claim.stated)} %", False)
    if claim.kind == "steg3":
        s1 = audit.value(claim.table, claim.post, claim.year, "Steg 1")
        s2 = audit.value(claim.table, claim.post, claim.year, "Steg 2")
        s3 = audit.value(claim.table, claim.post, claim.year, "Steg 3")
        low = 100 * ((s1 - 0.5) / (s2 + 0.5) - 1)
        high = 100 * ((s1 + 0.5) / (s2 - 0.5) - 1)
        half = 0.5 * 10 ** -_places(s3)
        text = (
            f"steg 3 = 100 × ({N(s1)} ÷ {N(s2)} − 1) = {N(round(100 * (s1 / s2 - 1), 1), 1)}; "
            f"med steg 1 och 2 avrundade mellan {N(round(low, 1), 1)} och {N(round(high, 1), 1)}"
        )
        holds = s3 + half >= low and s3 - half <= high
        verdict = (
            f"stämmer inom avrundningen (tryckt {N(s3)})"
            if holds
            else f"följer inte: tryckt steg 3 = {N(s3)} ligger utanför"
        )
        return Verdict(claim, text, verdict, holds)
    if claim.kind == "steg1":
        assert claim.from_table is not None
        s1 = audit.value(claim.table, claim.post, claim.year, "Steg 1")
        a = audit.value(claim.from_table, claim.from_post, claim.year, claim.of)
        b = audit.value(claim.from_table, claim.from_post, claim.year, claim.against)
        computed = 100 * a / b
        text = f"Tabell {claim.from_table}: 100 × {N(a)} ÷ {N(b)} = {N(round(computed, 1))}"
        holds = abs(computed - s1) <= 0.5 + 1e-9
        verdict = (
            f"stämmer (tryckt steg 1 = {N(s1)})"
            if holds
            else f"följer inte: Tabell {claim.table} trycker steg 1 = {N(s1)}"
        )
        return Verdict(claim, text, verdict, holds)
    raise rfm.ConfigError(f"granskning: unknown claim kind {claim.kind!r}")


def tables_text(audit: Audit, tables: Sequence[int] = (3, 4, 5, 6, 7, 8)) -> list[str]:
    lines = []
    for t in tables:
        mine = [f for f in audit.figures if f.table == t]
        if not mine:
            continue
        columns = list(dict.fromkeys(c for f in mine for c in f.values))
        rows = [
            [f.post, str(f.year), *(N(f.values[c]) if c in f.values else "–" for c in columns)]
            for f in mine
        ]
        lines += [
            f"Tabell {t}",
            rfm.text_table(["Post", "År", *columns], rows, [False, False, *[True] * len(columns)]),
            *[f"Anm. {f.post} {f.year}: {f.note}" for f in mine if f.note],
            "",
        ]
    return lines


def claims_text(audit: Audit) -> list[str]:
    lines = ["Vad texten säger, räknat på tabellernas siffror", ""]
    for v in (check(audit, c) for c in audit.claims):
        lines += [f'• "{v.claim.quote}"', f"  {v.computation}: {v.verdict}", ""]
    return lines


# -- the council's frame rule ---------------------------------------------------------------------


@attrs.frozen
class FrameResult:
    rule: FrameRule
    previous: float
    actual: float | None
    """mnkr; the budget decided for the year, when the follow-up has it."""

    @property
    def wages(self) -> float:
        return self.previous * self.rule.wage_share.value * self.rule.wage_increase.value

    @property
    def other(self) -> float:
        return self.previous * (1 - self.rule.wage_share.value) * self.rule.other_increase.value

    @property
    def demography(self) -> float:
        d = self.rule.demography
        return 0.0 if d is None else d.persons * d.rate / 1_000_000

    @property
    def computed(self) -> float:
        return self.previous + self.wages + self.other + self.demography - self.rule.savings.value


def _budget(data: pl.DataFrame, committee: str, year: int) -> float | None:
    hit = data.filter(
        (pl.col("committee") == committee)
        & (pl.col("post") == "Kostnader")
        & (pl.col("year") == year)
        & (pl.col("kind") == "budget")
    )
    return None if hit.height == 0 else abs(float(hit.item(0, "amount")))


def frame(audit: Audit, follow_up: pl.DataFrame, committee: str, year: int) -> FrameResult:
    rules = [r for r in audit.frames if r.committee == committee and r.year == year]
    if not rules:
        known = ", ".join(f"{r.committee} {r.year}" for r in audit.frames)
        raise rfm.ConfigError(f"granskning: no frame rule for {committee} {year} (known: {known})")
    previous = _budget(follow_up, committee, year - 1)
    if previous is None:
        raise rfm.ConfigError(f"uppfoljning: no budget {year - 1} ('Kostnader') for {committee}")
    return FrameResult(rules[0], previous, _budget(follow_up, committee, year))


def frame_text(result: FrameResult) -> list[str]:
    r, y = result.rule, result.rule.year
    rows = [
        [f"Budget {y - 1} (Tabell 1/2)", N(result.previous, 1), ""],
        [
            "Löneökningar",
            N(round(result.wages, 1), 1),
            f"{N(result.previous, 1)} × {N(r.wage_share.value * 100)} % löner × "
            f"{N(r.wage_increase.value * 100)} %",
        ],
        [
            "Övriga kostnader",
            N(round(result.other, 1), 1),
            f"{N(result.previous, 1)} × {N((1 - r.wage_share.value) * 100)} % × "
            f"{N(r.other_increase.value * 100)} %",
        ],
    ]
    if r.demography is not None:
        rows.append(
            [
                "Demografitillägg 65+",
                N(round(result.demography, 1), 1),
                f"{N(r.demography.persons)} fler invånare 65+ × {N(r.demography.rate)} kr",
            ]
        )
    rows += [
        ["Sparbeting", N(-r.savings.value, 1), ""],
        [f"Ram {y} enligt regeln", N(round(result.computed, 1), 1), ""],
    ]
    lines = [
        f"{r.committee}: ram {y} enligt fullmäktiges regel (mnkr)",
        rfm.text_table(["Steg", "mnkr", "Hur"], rows, [False, True, False]),
    ]
    if result.actual is not None:
        rest = result.actual - result.computed
        lines.append(
            f"Beslutad budget {y} (Tabell 1/2): {N(result.actual, 1)} mnkr; skillnad mot regeln "
            f"{'+' if rest >= 0 else ''}{N(round(rest, 1), 1)} mnkr: beslut utöver regeln som "
            "granskningen inte redovisar."
        )
    sources = [
        f"löneandel: {r.wage_share.source}",
        f"löneökning: {r.wage_increase.source}",
        f"övriga kostnader: {r.other_increase.source}",
        f"sparbeting: {r.savings.source}",
    ]
    if r.demography is not None:
        sources += [
            f"invånare 65+: {r.demography.persons_source}",
            f"kr per invånare: {r.demography.rate_source}",
        ]
    lines += [f"  {s}" for s in sources]
    if r.note:
        lines.append(f"Anm. {r.note}")
    return [*lines, ""]


def placements_text(p: Placements) -> list[str]:
    cost = p.cost_per_placement
    y = p.year
    before = p.actual[y - 1]
    lines = [
        f"Socialnämnden: placeringar av barn och unga, finansiering per placering {y}",
        rfm.text_table(
            ["", "Placeringar", "kr"],
            [
                ["Budget i balans", str(p.balance_max), N(round(p.balance_max * cost), 0)],
                [f"Nivån {y - 1}", N(before), N(round(before * cost), 0)],
                [
                    "Skillnad",
                    N(before - p.balance_max),
                    N(round((before - p.balance_max) * cost), 0),
                ],
            ]
            + (
                [[f"Utfall {y}", N(p.actual[y]), N(round(p.actual[y] * cost), 0)]]
                if y in p.actual
                else []
            ),
            [False, True, True],
        ),
        f"Kostnad per placering {N(round(cost), 0)} kr = {N(p.deficit)} mkr ÷ "
        f"({N(before)} − {p.balance_max}) placeringar ({p.cost_source}).",
        f"Underskottet: {p.deficit_source}. Placeringarna: {p.actual_source}. Egna boenden: "
        f"{p.own_homes} ({p.own_homes_source}).",
        "Skillnaden är per konstruktion hela underskottet: kostnaden per placering är härledd ur "
        "det, inte en verklig siffra.",
    ]
    return [*lines, ""]
