"""A self-contained HTML report of a run: charts as inline SVG, and the table behind every chart.

One file, no script and nothing fetched, so it opens anywhere (an e-mail attachment, an archive,
a council member's tablet offline). It shows:

1. **Pengar per modell och år** — each model's total per year as lines, so a reader sees at a
   glance how each model's money changes over the years; the table below it.
2. **Jämförelse mellan scenarier** — when a comparison scenario is given: per model and year,
   A, B and Δ.
3. **Fördelning per mottagare** — for every model with several recipients (a district key, the
   units of a committee): each recipient's change, against the comparison scenario when given,
   else from the first year to the last, as diverging bars; the table below.
4. **Källor** — every parameter value used with its source, every dataset with its sha256.

Labels are Swedish by default; ``lang="en"`` gives English.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import polars as pl

from rfm import __version__
from rfm.engine import RunResult
from rfm.formatting import number, percent
from rfm.io.atomic import write_text_atomic
from rfm.reports.svg import diverging_bars, line_chart

LANGUAGES = ("sv", "en")
TEXT = {
    "sv": {
        "title": "Resursfördelning",
        "scenario": "Scenario",
        "fixed": "fasta priser",
        "current": "löpande priser",
        "years": "år",
        "made": "Framtaget",
        "with": "med",
        "money": "Pengar per modell och år",
        "money_lead": "Varje modells belopp per år (kr). Tabellen under diagrammet har samma siffror.",
        "model": "Modell",
        "recipient": "Mottagare",
        "year": "År",
        "total": "Summa",
        "compare": "Jämförelse mellan scenarier",
        "compare_lead": "Belopp per modell och år i {a} jämfört med {b} (kr).",
        "diff": "Δ kr",
        "diff_pct": "Δ %",
        "spread": "Fördelning per mottagare",
        "spread_vs": "Förändring per mottagare: {a} jämfört med {b}, {year} (kr).",
        "spread_years": "Förändring per mottagare från {first} till {last} (kr).",
        "sources": "Källor",
        "parameter": "Parameter",
        "unit": "Enhet",
        "from": "Från år",
        "value": "Värde",
        "source": "Källa",
        "dataset": "Dataset",
        "file": "Fil",
        "rows": "Rader",
        "trace": "Varje belopp kan spåras till volym, ersättningsbelopp och källa med rfm explain.",
        "chart_money": "Belopp per modell och år",
        "chart_spread": "Förändring per mottagare, {model}",
        "chart_amounts": "Belopp per mottagare, {model}",
        "amounts_year": "Belopp per mottagare {year} (kr).",
        "amount": "Belopp (kr)",
    },
    "en": {
        "title": "Resource allocation",
        "scenario": "Scenario",
        "fixed": "fixed prices",
        "current": "current prices",
        "years": "years",
        "made": "Produced",
        "with": "with",
        "money": "Money per model and year",
        "money_lead": "Each model's amount per year (SEK). The table below the chart has the same figures.",
        "model": "Model",
        "recipient": "Recipient",
        "year": "Year",
        "total": "Total",
        "compare": "Comparison between scenarios",
        "compare_lead": "Amounts per model and year in {a} compared with {b} (SEK).",
        "diff": "Δ SEK",
        "diff_pct": "Δ %",
        "spread": "Allocation per recipient",
        "spread_vs": "Change per recipient: {a} compared with {b}, {year} (SEK).",
        "spread_years": "Change per recipient from {first} to {last} (SEK).",
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
        "amounts_year": "Amount per recipient {year} (SEK).",
        "amount": "Amount (SEK)",
    },
}
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;
color:#222;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.4rem;border-bottom:2px solid #1f5f8b;padding-bottom:.2rem}
.meta{color:#555}table{border-collapse:collapse;margin:.8rem 0 1.6rem;font-size:.92rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid #999}
svg{max-width:100%;height:auto;font-size:12px;fill:#222}svg .grid{stroke:#e3e3e3}
svg .axis{stroke:#555}nav a{margin-right:1rem}.scroll{overflow-x:auto}
"""


def kr(value: float) -> str:
    return number(round(value), 0)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], totals: int = 0
) -> str:
    head = "".join(
        f"<th{' class=n' if n else ''}>{escape(h)}</th>"
        for h, n in zip(headers, numeric, strict=True)
    )
    body = []
    for i, row in enumerate(rows):
        cls = ' class="total"' if i >= len(rows) - totals else ""
        cells = "".join(
            f"<td{' class=n' if n else ''}>{escape(c)}</td>"
            for c, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


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
) -> str:
    """The report as one HTML document (see the module docstring)."""
    t = TEXT[lang]
    tenant = result.tenant
    years = sorted(result.years)
    # Charts and their tables work in floats; each amount is an exact decimal (rfm.money) that a
    # float holds to well below an öre, and kr() rounds the float's decimal half-up.
    totals = result.totals(["model", "year"]).sort("model", "year").pipe(_as_float)
    models = sorted(set(totals["model"].to_list()))
    label = {m: tenant.model(m).label for m in models}
    sections: list[tuple[str, str, str]] = []

    # 1. money per model and year
    series = {
        label[m]: [
            float(totals.filter((pl.col("model") == m) & (pl.col("year") == y))["amount"].sum())
            for y in years
        ]
        for m in models
    }
    rows = [[label[m], *(kr(v) for v in series[label[m]])] for m in models]
    rows.append(
        [t["total"], *(kr(sum(series[label[m]][i] for m in models)) for i in range(len(years)))]
    )
    chart = line_chart(years, series, title=t["chart_money"], fmt=kr) if len(years) > 1 else ""
    sections.append(
        (
            "money",
            t["money"],
            f"<p>{escape(t['money_lead'])}</p>{chart}"
            + _table([t["model"], *map(str, years)], rows, [False, *[True] * len(years)], totals=1),
        )
    )

    # 2. comparison
    if comparison is not None:
        a, b = labels
        rows = []
        comparison = _as_float(comparison)
        per = (
            comparison.group_by("model", "year")
            .agg(pl.col("a", "b", "diff").sum())
            .sort("model", "year")
        )
        for r in per.iter_rows(named=True):
            share = percent(r["diff"] / abs(r["b"])) if r["b"] else "–"
            rows.append(
                [
                    label.get(r["model"], r["model"]),
                    str(r["year"]),
                    kr(r["a"]),
                    kr(r["b"]),
                    kr(r["diff"]),
                    share,
                ]
            )
        sections.append(
            (
                "compare",
                t["compare"],
                f"<p>{escape(t['compare_lead'].format(a=a, b=b))}</p>"
                + _table(
                    [t["model"], t["year"], a, b, t["diff"], t["diff_pct"]],
                    rows,
                    [False, False, True, True, True, True],
                ),
            )
        )

    # 3. per recipient, for models with several recipients
    spread_parts = []
    recipients = result.totals(["model", "recipient", "year"]).pipe(_as_float)
    for m in models:
        mine = recipients.filter(pl.col("model") == m)
        if mine["recipient"].n_unique() < 3:
            continue
        if comparison is not None:
            year = years[0]
            part = comparison.filter((pl.col("model") == m) & (pl.col("year") == year)).sort(
                "recipient"
            )
            names, diffs, base = (
                part["recipient"].to_list(),
                part["diff"].to_list(),
                part["b"].to_list(),
            )
            lead = t["spread_vs"].format(a=labels[0], b=labels[1], year=year)
        elif len(years) > 1:
            first = mine.filter(pl.col("year") == years[0]).select(
                "recipient", pl.col("amount").alias("b")
            )
            last = mine.filter(pl.col("year") == years[-1]).select(
                "recipient", pl.col("amount").alias("a")
            )
            # recipients of both years: one that exists in only one has no change to show
            part = first.join(last, on="recipient", how="inner").sort("recipient")
            names, base = part["recipient"].to_list(), part["b"].to_list()
            diffs = [x - y for x, y in zip(part["a"].to_list(), base, strict=True)]
            lead = t["spread_years"].format(first=years[0], last=years[-1])
        else:  # one year, nothing to compare with: each recipient's amount
            part = mine.filter(pl.col("year") == years[0]).sort("recipient")
            names, amounts = part["recipient"].to_list(), part["amount"].to_list()
            chart = diverging_bars(
                names, amounts, title=t["chart_amounts"].format(model=label[m]), fmt=kr
            )
            rows = [[n, kr(a)] for n, a in zip(names, amounts, strict=True)]
            rows.append([t["total"], kr(sum(amounts))])
            spread_parts.append(
                f"<h3>{escape(label[m])}</h3><p>{escape(t['amounts_year'].format(year=years[0]))}</p>"
                f"{chart}" + _table([t["recipient"], t["amount"]], rows, [False, True], totals=1)
            )
            continue
        chart = diverging_bars(names, diffs, title=t["chart_spread"].format(model=label[m]), fmt=kr)
        rows = [
            [n, kr(b), kr(b + d), kr(d), percent(d / abs(b)) if b else "–"]
            for n, b, d in zip(names, base, diffs, strict=True)
        ]
        spread_parts.append(
            f"<h3>{escape(label[m])}</h3><p>{escape(lead)}</p>{chart}"
            + _table(
                [
                    t["recipient"],
                    labels[1] if comparison is not None else str(years[0]),
                    labels[0] if comparison is not None else str(years[-1]),
                    t["diff"],
                    t["diff_pct"],
                ],
                rows,
                [False, True, True, True, True],
            )
        )
    if spread_parts:
        sections.append(("spread", t["spread"], "".join(spread_parts)))

    sections += list(extra_sections)

    # 4. sources
    rows = []
    for key in sorted(result.parameters):
        p = result.parameters[key]
        for dated in p.values:
            shown = "–" if dated.value is None else number(dated.value)
            rows.append([key, p.unit, str(dated.year), shown, dated.source or ""])
    data_rows = [
        [d.name, d.path, str(d.rows), d.sha256[:16] + "…", d.source or ""] for d in result.datasets
    ]
    sections.append(
        (
            "sources",
            t["sources"],
            f"<p>{escape(t['trace'])}</p>"
            + _table(
                [t["parameter"], t["unit"], t["from"], t["value"], t["source"]],
                rows,
                [False, False, False, True, False],
            )
            + _table(
                [t["dataset"], t["file"], t["rows"], "sha256", t["source"]],
                data_rows,
                [False, False, True, False, False],
            ),
        )
    )

    prices = t["fixed"] if result.prices == "fixed" else t["current"]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    meta = (
        f"{t['scenario']} {escape(result.scenario.name)}, {prices}, {t['years']} {span}. "
        f"{t['made']} {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} {t['with']} rfm {__version__}."
    )
    nav = "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title, _ in sections)
    body = "".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>{content}</section>'
        for sid, title, content in sections
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t['title'])}: {escape(tenant.name)}</title><style>{STYLE}</style></head>"
        f"<body><header><h1>{escape(tenant.name)}</h1><p class=meta>{meta}</p></header>"
        f"<nav>{nav}</nav>{body}</body></html>\n"
    )


def write_report(result: RunResult, target: Path, **options: object) -> None:
    """Write :func:`render_report` to ``target`` atomically."""
    write_text_atomic(target, render_report(result, **options))  # type: ignore[arg-type]
