"""A self-contained HTML report of a run, for a nämnd's handlingar: on screen and printed on A4.

One file, no script and nothing fetched, so it opens anywhere (an e-mail attachment, an archive,
a council member's tablet offline). It shows, in order:

1. **Sammanfattning** — the total of the first and last year (or A against B), the change in kr
   and %, and the largest increases and decreases.
2. **Pengar per modell och år** — each model's total per year as lines (with several years)
   and the table behind them.
3. **Jämförelse mellan scenarier** — with a comparison scenario: per model and year A, B, Δ.
4. **Fördelning per mottagare** — for models with several recipients: each recipient's change
   as diverging bars, recipients in natural order; the table below.
5. the plugins' sections (Kolada, goals), then **Källor** — every parameter value used, by its
   label, with its source; every dataset with its sha256.

Every figure is rounded as :mod:`rfm.display_rounding` says (``--round``), the same figures as
``rfm run`` prints. The page comes from Jinja2 templates (:mod:`rfm.reports.pages`) with print
rules for A4 and the municipality's own name, logo and colours. Labels are Swedish by default;
``lang="en"`` gives English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from rfm import __version__
from rfm.display_rounding import Rounding, natural_sorted, nested, sort_key
from rfm.engine import RunResult
from rfm.formatting import half_up, number, percent
from rfm.io.atomic import write_text_atomic
from rfm.reports.labels import parameter_label, prices_text, years_text
from rfm.reports.pages import branding, render_page
from rfm.reports.svg import diverging_bars, line_chart

LANGUAGES = ("sv", "en")
TEXT = {
    "sv": {
        "title": "Resursfördelning",
        "scenario": "Scenario",
        "years": "år",
        "made": "Framtaget",
        "with": "med",
        "amounts_in": "Belopp i {unit}",
        "summary": "Sammanfattning",
        "total_year": "Summa {year}",
        "change": "Förändring {first}–{last}",
        "change_vs": "{a} jämfört med {b}, {year}",
        "largest_up": "Störst ökning",
        "largest_down": "Störst minskning",
        "up_down_years": "Förändring från {first} till {last}",
        "money": "Pengar per modell och år",
        "money_lead": "Varje modells belopp per år ({unit}).",
        "money_chart": "Tabellen under diagrammet har samma siffror.",
        "model": "Modell",
        "recipient": "Mottagare",
        "year": "År",
        "total": "Summa",
        "compare": "Jämförelse mellan scenarier",
        "compare_lead": "Belopp per modell och år i {a} jämfört med {b} ({unit}).",
        "diff": "Δ {unit}",
        "diff_pct": "Δ %",
        "spread": "Fördelning per mottagare",
        "spread_vs": "Förändring per mottagare: {a} jämfört med {b}, {year} ({unit}).",
        "spread_years": "Förändring per mottagare från {first} till {last} ({unit}).",
        "sources": "Källor",
        "parameter": "Parameter",
        "unit": "Enhet",
        "from": "Från år",
        "value": "Värde",
        "source": "Källa",
        "dataset": "Underlag",
        "file": "Fil",
        "rows": "Rader",
        "trace": "Varje belopp kan spåras till volym, ersättningsbelopp och källa med rfm explain.",
        "chart_money": "Belopp per modell och år",
        "chart_spread": "Förändring per mottagare, {model}",
        "chart_amounts": "Belopp per mottagare, {model}",
        "amounts_year": "Belopp per mottagare {year} ({unit}).",
        "amount": "Belopp ({unit})",
        "ends": "upphör",
    },
    "en": {
        "title": "Resource allocation",
        "scenario": "Scenario",
        "years": "years",
        "made": "Produced",
        "with": "with",
        "amounts_in": "Amounts in {unit}",
        "summary": "Summary",
        "total_year": "Total {year}",
        "change": "Change {first}–{last}",
        "change_vs": "{a} compared with {b}, {year}",
        "largest_up": "Largest increase",
        "largest_down": "Largest decrease",
        "up_down_years": "Change from {first} to {last}",
        "money": "Money per model and year",
        "money_lead": "Each model's amount per year ({unit}).",
        "money_chart": "The table below the chart has the same figures.",
        "model": "Model",
        "recipient": "Recipient",
        "year": "Year",
        "total": "Total",
        "compare": "Comparison between scenarios",
        "compare_lead": "Amounts per model and year in {a} compared with {b} ({unit}).",
        "diff": "Δ {unit}",
        "diff_pct": "Δ %",
        "spread": "Allocation per recipient",
        "spread_vs": "Change per recipient: {a} compared with {b}, {year} ({unit}).",
        "spread_years": "Change per recipient from {first} to {last} ({unit}).",
        "sources": "Sources",
        "parameter": "Parameter",
        "unit": "Unit",
        "from": "From year",
        "value": "Value",
        "source": "Source",
        "dataset": "Dataset",
        "file": "File",
        "rows": "Rows",
        "trace": "Every amount can be traced to a volume, a rate and a source with rfm explain.",
        "chart_money": "Amount per model and year",
        "chart_spread": "Change per recipient, {model}",
        "chart_amounts": "Amount per recipient, {model}",
        "amounts_year": "Amount per recipient {year} ({unit}).",
        "amount": "Amount ({unit})",
        "ends": "ends",
    },
}
UNIT_EN = {"kr": "SEK", "tkr": "SEK thousand", "mnkr": "SEK million"}
TOP = 3
"""How many increases and decreases the summary names."""


def kr(value: float) -> str:
    return half_up(value)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    totals: int = 0,
) -> dict[str, Any]:
    return {
        "kind": "table",
        "headers": list(headers),
        "rows": [list(r) for r in rows],
        "numeric": list(numeric),
        "totals": totals,
        "caption": "",
    }


def para(text: str) -> dict[str, Any]:
    return {"kind": "p", "text": text}


def section_id(raw: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A safe HTML id for a section: a plugin's id as it is when it is a plain name
    (``kolada``), else made one (``s-…``), so no id can break out of its attribute or link.

    An id in ``taken`` (rfm's own sections', or one an earlier section got) gets a number
    (``sources-2``): two sections with one id would send a link of the contents to the first.
    """
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,60}", raw):
        safe = raw
    else:
        safe = "s-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")[:60] or "avsnitt")
    unique, n = safe, 2
    while unique in taken:
        unique, n = f"{safe}-{n}", n + 1
    return unique


def _plugin_ids_unique(sections: list[dict[str, Any]]) -> None:
    """Give the plugins' sections (those with a ``raw_id``) ids that are safe and that neither
    rfm's own sections nor an earlier plugin section have; rfm's own keep theirs."""
    taken = {s["id"] for s in sections if "raw_id" not in s}
    for section in sections:
        if "raw_id" in section:
            section["id"] = section_id(section.pop("raw_id"), taken)
            taken.add(section["id"])


class _Figures:
    """The run's figures rounded once, nested, for every table of the report."""

    def __init__(self, totals: pl.DataFrame, rounding: Rounding, value: str = "amount") -> None:
        frame = totals.select("model", "recipient", "year", pl.col(value).alias("amount"))
        self.year, self.model, self.recipient = (
            {tuple(r[:-2]): r[-1] for r in level.iter_rows()}
            for level in nested(
                frame, [["year"], ["year", "model"], ["year", "model", "recipient"]], rounding
            )
        )

    def of_year(self, year: int) -> int | None:
        return self.year.get((year,))

    def of_model(self, year: int, model: str) -> int | None:
        return self.model.get((year, model))

    def of_recipient(self, year: int, model: str, recipient: str) -> int | None:
        return self.recipient.get((year, model, recipient))


def _as_float(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(n).cast(pl.Float64) for n, t in frame.schema.items() if isinstance(t, pl.Decimal)
    )


def render_report(
    result: RunResult,
    *,
    comparison: pl.DataFrame | None = None,
    labels: tuple[str, str] = ("A", "B"),
    lang: str = "sv",
    extra_sections: Sequence[tuple[str, str, str]] = (),
    rounding: Rounding | None = None,
) -> str:
    """The report as one HTML document (see the module docstring)."""
    parts = report_parts(
        result,
        comparison=comparison,
        labels=labels,
        lang=lang,
        extra_sections=extra_sections,
        rounding=rounding,
    )
    return render_page("report.html.j2", **parts)


def report_parts(
    result: RunResult,
    *,
    comparison: pl.DataFrame | None = None,
    labels: tuple[str, str] = ("A", "B"),
    lang: str = "sv",
    extra_sections: Sequence[tuple[str, str, str]] = (),
    rounding: Rounding | None = None,
) -> dict[str, Any]:
    """The report's content: its ``sections`` (each an id, a title and blocks: paragraphs,
    figures, charts, tables) and the page's ``title``, ``name``, ``logo``, ``colours``,
    ``meta`` and ``lang``. :func:`render_report` puts them on a page; ``rfm serve`` shows the
    same sections (``templates/sections.html.j2``) beside its forms."""
    t = TEXT[lang]
    rounding = rounding or Rounding()
    unit = rounding.unit if lang == "sv" else UNIT_EN[rounding.unit]

    def show(steps: int | None) -> str:
        if steps is None:
            return "–"
        text = rounding.text(steps)
        if lang == "en":
            text = text.replace(",", ".").replace(" ", ",")
        return text

    def pct(share: float | None) -> str:
        if share is None:
            return "–"
        text = percent(share)
        return text.replace(",", ".") if lang == "en" else text

    tenant = result.tenant
    years = sorted(result.years)
    totals = result.totals(["model", "recipient", "year"])
    models = natural_sorted(sorted(set(totals["model"].to_list())))
    label = {m.id: m.label for m in tenant.models}
    a_figures = _Figures(totals, rounding)
    # B's figures from the rows B has: a model or recipient that only A has is absent in B
    b_figures = (
        _Figures(comparison.filter(pl.col("b").is_not_null()), rounding, "b")
        if comparison is not None
        else None
    )
    look = branding(tenant)
    colours = [look["colours"]["primary"], look["colours"]["accent"], "#2e8b57", "#edae49",
               "#6a4c93", "#00798c", "#8c564b", "#7f7f7f"]  # fmt: skip
    sections: list[dict[str, Any]] = []

    # 1. summary
    sections.append(
        {
            "id": "summary",
            "title": t["summary"],
            "blocks": _summary(
                t, years, models, label, totals, comparison, labels, a_figures, b_figures,
                show, pct, unit,
            ),
        }
    )  # fmt: skip

    # 2. money per model and year
    rows = [[label[m], *(show(a_figures.of_model(y, m)) for y in years)] for m in models]
    rows.append([t["total"], *(show(a_figures.of_year(y)) for y in years)])
    blocks: list[dict[str, Any]] = [para(t["money_lead"].format(unit=unit))]
    if len(years) > 1:
        series = {
            label[m]: [rounding.value(a_figures.of_model(y, m) or 0) for y in years] for m in models
        }
        chart_fmt = _axis_format(lang)
        blocks[0] = para(t["money_lead"].format(unit=unit) + " " + t["money_chart"])
        blocks.append(
            {
                "kind": "chart",
                "svg": line_chart(
                    years, series, title=t["chart_money"], fmt=chart_fmt, colours=colours
                ),
            }
        )
    blocks.append(
        table([t["model"], *map(str, years)], rows, [False, *[True] * len(years)], totals=1)
    )
    sections.append({"id": "money", "title": t["money"], "blocks": blocks})

    # 3. comparison
    if comparison is not None and b_figures is not None:
        a, b = labels
        per = comparison.group_by("model", "year").agg(pl.col("a", "b").sum()).sort("model", "year")
        rows = []
        for r in sorted(per.iter_rows(named=True), key=lambda r: sort_key((r["model"], r["year"]))):
            ra = a_figures.of_model(r["year"], r["model"])
            rb = b_figures.of_model(r["year"], r["model"])
            both = ra is not None and rb is not None
            b_exact = float(r["b"] or 0)
            share = (float(r["a"] or 0) - b_exact) / abs(b_exact) if both and b_exact else None
            rows.append(
                [
                    label.get(r["model"], r["model"]),
                    str(r["year"]),
                    show(ra) if ra is not None else f"finns inte i {a}",
                    show(rb) if rb is not None else f"finns inte i {b}",
                    show(ra - rb) if both else "–",  # type: ignore[operator]
                    pct(share),
                ]
            )
        sections.append(
            {
                "id": "compare",
                "title": t["compare"],
                "blocks": [
                    para(t["compare_lead"].format(a=a, b=b, unit=unit)),
                    table(
                        [t["model"], t["year"], a, b, t["diff"].format(unit=unit), t["diff_pct"]],
                        rows,
                        [False, False, True, True, True, True],
                    ),
                ],
            }
        )

    # 4. per recipient, for models with several recipients
    spread: list[dict[str, Any]] = []
    for m in models:
        mine = totals.filter(pl.col("model") == m)
        if mine["recipient"].n_unique() < 3:
            continue
        spread += _spread(
            t, m, label[m], mine, years, comparison, labels, a_figures, b_figures, show, pct,
            unit, colours, lang,
        )  # fmt: skip
    if spread:
        sections.append({"id": "spread", "title": t["spread"], "blocks": spread})

    for raw_id, title, content in extra_sections:
        sections.append(
            {
                "raw_id": raw_id,  # made a safe, unique id once every section is here
                "title": title,
                "blocks": [{"kind": "html", "html": content}],
            }
        )

    # 5. sources
    rows = []
    for key in sorted(result.parameters, key=lambda k: sort_key((parameter_label(tenant, k),))):
        p = result.parameters[key]
        for dated in p.values:
            shown = t["ends"] if dated.value is None else number(dated.value)
            rows.append(
                [parameter_label(tenant, key), p.unit, str(dated.year), shown, dated.source or ""]
            )
    data_rows = [
        [d.source or d.name, d.path, str(d.rows), d.sha256[:16] + "…" if d.sha256 else "–"]
        for d in result.datasets
    ]
    sections.append(
        {
            "id": "sources",
            "title": t["sources"],
            "blocks": [
                para(t["trace"]),
                table(
                    [t["parameter"], t["unit"], t["from"], t["value"], t["source"]],
                    rows,
                    [False, False, False, True, False],
                ),
                table(
                    [t["dataset"], t["file"], t["rows"], "sha256"],
                    data_rows,
                    [False, False, True, False],
                ),
            ],
        }
    )

    _plugin_ids_unique(sections)
    meta = (
        f"{t['scenario']} {result.scenario.name}, {prices_text(result.prices, lang)}, "
        f"{t['years']} {years_text(years)}. {t['amounts_in'].format(unit=unit)}. "
        f"{t['made']} {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} {t['with']} rfm "
        f"{__version__}."
    )
    return {
        "lang": lang,
        "title": f"{t['title']}: {look['name']}",
        "name": look["name"],
        "logo": look["logo"],
        "colours": look["colours"],
        "meta": meta,
        "sections": sections,
    }


def _axis_format(lang: str) -> Any:
    def fmt(v: float) -> str:
        text = half_up(v)
        return text.replace(" ", ",") if lang == "en" else text.replace(" ", "\u00a0")

    return fmt


def _summary(
    t: dict[str, str],
    years: list[int],
    models: list[str],
    label: dict[str, str],
    totals: pl.DataFrame,
    comparison: pl.DataFrame | None,
    labels: tuple[str, str],
    a: _Figures,
    b: _Figures | None,
    show: Any,
    pct: Any,
    unit: str,
) -> list[dict[str, Any]]:
    """Key figures, then the largest increases and decreases."""
    first, last = years[0], years[-1]
    items = [{"label": t["total_year"].format(year=first), "value": f"{show(a.of_year(first))} {unit}", "tone": "", "note": ""}]  # fmt: skip
    changes: list[tuple[str, int]] = []
    if comparison is not None and b is not None:
        ra, rb = a.of_year(first) or 0, b.of_year(first) or 0
        b_exact = float(comparison.filter(pl.col("year") == first)["b"].sum())
        a_exact = float(comparison.filter(pl.col("year") == first)["a"].sum())
        items.append(
            {
                "label": t["change_vs"].format(a=labels[0], b=labels[1], year=first),
                "value": f"{show(ra - rb)} {unit}",
                "tone": "up" if ra > rb else "down" if ra < rb else "",
                "note": pct((a_exact - b_exact) / abs(b_exact)) if b_exact else "",
            }
        )
        lead = t["change_vs"].format(a=labels[0], b=labels[1], year=first)
        for r in comparison.filter(pl.col("year") == first).iter_rows(named=True):
            fa = a.of_recipient(first, r["model"], r["recipient"])
            fb = b.of_recipient(first, r["model"], r["recipient"])
            if fa is not None and fb is not None:  # a change needs both sides
                changes.append((_who(r["model"], r["recipient"], label, totals), fa - fb))
    elif len(years) > 1:
        ra, rb = a.of_year(last) or 0, a.of_year(first) or 0
        exact_first = float(totals.filter(pl.col("year") == first)["amount"].sum())
        exact_last = float(totals.filter(pl.col("year") == last)["amount"].sum())
        items.append({"label": t["total_year"].format(year=last), "value": f"{show(ra)} {unit}", "tone": "", "note": ""})  # fmt: skip
        items.append(
            {
                "label": t["change"].format(first=first, last=last),
                "value": f"{show(ra - rb)} {unit}",
                "tone": "up" if ra > rb else "down" if ra < rb else "",
                "note": pct((exact_last - exact_first) / abs(exact_first)) if exact_first else "",
            }
        )
        lead = t["up_down_years"].format(first=first, last=last)
        keys = totals.select("model", "recipient").unique().iter_rows()
        for model, recipient in keys:
            fl = a.of_recipient(last, model, recipient) or 0
            ff = a.of_recipient(first, model, recipient) or 0
            changes.append((_who(model, recipient, label, totals), fl - ff))
    else:
        lead = ""
    blocks: list[dict[str, Any]] = [{"kind": "figures", "items": items}]
    ups = sorted((c for c in changes if c[1] > 0), key=lambda c: -c[1])[:TOP]
    downs = sorted((c for c in changes if c[1] < 0), key=lambda c: c[1])[:TOP]
    if ups or downs:
        blocks.append(para(f"{lead} ({unit}):"))
        rows = [[t["largest_up"], who, show(v)] for who, v in ups]
        rows += [[t["largest_down"], who, show(v)] for who, v in downs]
        blocks.append(
            table(["", t["recipient"], t["diff"].format(unit=unit)], rows, [False, False, True])
        )
    return blocks


def _who(model: str, recipient: str, label: dict[str, str], totals: pl.DataFrame) -> str:
    """A recipient named with its model when the model has several recipients."""
    several = totals.filter(pl.col("model") == model)["recipient"].n_unique() > 1
    return f"{recipient} ({label[model]})" if several else label[model]


def _spread(
    t: dict[str, str],
    m: str,
    name: str,
    mine: pl.DataFrame,
    years: list[int],
    comparison: pl.DataFrame | None,
    labels: tuple[str, str],
    a: _Figures,
    b: _Figures | None,
    show: Any,
    pct: Any,
    unit: str,
    colours: list[str],
    lang: str,
) -> list[dict[str, Any]]:
    fmt = _axis_format(lang)
    if comparison is not None and b is not None:
        year = years[0]
        part = comparison.filter(
            (pl.col("model") == m)
            & (pl.col("year") == year)
            & pl.col("a").is_not_null()
            & pl.col("b").is_not_null()  # a recipient one side lacks has no change to draw
        )
        names = natural_sorted(part["recipient"].to_list())
        exact = {r["recipient"]: (r["a"], r["b"]) for r in part.iter_rows(named=True)}
        before = [b.of_recipient(year, m, n) or 0 for n in names]
        after = [a.of_recipient(year, m, n) or 0 for n in names]
        lead = t["spread_vs"].format(a=labels[0], b=labels[1], year=year, unit=unit)
        heads = [labels[1], labels[0]]
    elif len(years) > 1:
        first, last = years[0], years[-1]
        names = natural_sorted(sorted(set(mine["recipient"].to_list())))
        amounts = {(r["recipient"], r["year"]): r["amount"] for r in mine.iter_rows(named=True)}
        exact = {n: (amounts.get((n, last), 0), amounts.get((n, first), 0)) for n in names}
        before = [a.of_recipient(first, m, n) or 0 for n in names]
        after = [a.of_recipient(last, m, n) or 0 for n in names]
        lead = t["spread_years"].format(first=first, last=last, unit=unit)
        heads = [str(first), str(last)]
    else:  # one year, nothing to compare with: each recipient's amount
        year = years[0]
        names = natural_sorted(mine.filter(pl.col("year") == year)["recipient"].to_list())
        figures = [a.of_recipient(year, m, n) or 0 for n in names]
        values = [float(v) for v in figures]
        rows = [[n, show(v)] for n, v in zip(names, figures, strict=True)]
        rows.append([t["total"], show(a.of_model(year, m))])
        return [
            {"kind": "h3", "text": name},
            para(t["amounts_year"].format(year=year, unit=unit)),
            {
                "kind": "chart",
                "svg": diverging_bars(
                    names,
                    values,
                    title=t["chart_amounts"].format(model=name),
                    fmt=lambda v: show(round(v)),
                    colours=colours,
                ),
            },
            table([t["recipient"], t["amount"].format(unit=unit)], rows, [False, True], totals=1),
        ]
    diffs = [x - y for x, y in zip(after, before, strict=True)]
    rows = []
    for n, x, y, d in zip(names, before, after, diffs, strict=True):
        ea, eb = (float(v or 0) for v in exact.get(n, (0, 0)))
        rows.append([n, show(x), show(y), show(d), pct((ea - eb) / abs(eb)) if eb else "–"])
    del fmt
    return [
        {"kind": "h3", "text": name},
        para(lead),
        {
            "kind": "chart",
            "svg": diverging_bars(
                names,
                [float(d) for d in diffs],
                title=t["chart_spread"].format(model=name),
                fmt=lambda v: show(round(v)),
                colours=colours,
            ),
        },
        table(
            [t["recipient"], *heads, t["diff"].format(unit=unit), t["diff_pct"]],
            rows,
            [False, True, True, True, True],
        ),
    ]


def write_report(result: RunResult, target: Path, **options: Any) -> None:
    """Write :func:`render_report` to ``target`` atomically."""
    write_text_atomic(target, render_report(result, **options))
