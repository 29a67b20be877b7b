"""An Excel workbook of a run in which every amount is a live formula an economist can check.

Sheets:

* **Sammanfattning** — per model, year and recipient the amount, each a ``SUMIFS`` over the
  model's own sheet; after each model and year a ``Summa`` row that is a ``SUM`` of the rows
  above it.
* **one sheet per model** (the inputs of a blend too) — the lineage rows: recipient, year, component, volume, rate,
  ``Belopp = volym × ersättning`` as a formula on the same row, and the basis (where the rate
  came from); a ``Summa`` row per year (``SUMIFS``).
* **Parametrar** — every parameter value the run could use: key, unit, from which year, value,
  source, description.
* **Indata** — every dataset read: file, schema, rows, sha256, source.
* **Jämförelse** (when a comparison is given) — A, B, Δ = A − B and Δ % as formulas.

The formulas also carry rfm's value as their cached result, so a viewer that does not calculate
still shows the numbers; a spreadsheet that recalculates must arrive at the same figures (the
tests check this in LibreOffice). Number formats use the format codes ``#,##0``; Excel and
LibreOffice show them with the reader's own separators (a space and a decimal comma in Swedish).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from rfm import __version__
from rfm.engine import RunResult
from rfm.io.atomic import atomic_path

KR = "#,##0"
DECIMAL = "#,##0.######"
MAX_SHEET_NAME = 31


def sheet_names(model_ids: Sequence[str]) -> dict[str, str]:
    """A valid, unique sheet name (≤ 31 characters, no ``[]:*?/\\``) for each model id."""
    names: dict[str, str] = {}
    taken = {"Sammanfattning", "Parametrar", "Indata", "Jämförelse"}
    for model_id in model_ids:
        base = re.sub(r"[\[\]:*?/\\']", "_", model_id)[:MAX_SHEET_NAME]
        name, n = base, 2
        while name.lower() in {t.lower() for t in taken}:
            suffix = f"~{n}"
            name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
        taken.add(name)
        names[model_id] = name
    return names


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def write_workbook(
    result: RunResult,
    target: Path,
    *,
    comparison: pl.DataFrame | None = None,
    labels: tuple[str, str] = ("A", "B"),
    cached_values: bool = True,
) -> None:
    """Write the workbook of ``result`` to ``target`` atomically.

    ``cached_values=False`` leaves every formula's cached result at 0, so that only a
    spreadsheet that recalculates shows the amounts (the tests use it to prove LibreOffice does).
    """
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False})
        try:
            _write(book, result, comparison, labels, cached_values)
        finally:
            book.close()


def _write(
    book: xlsxwriter.Workbook,
    result: RunResult,
    comparison: pl.DataFrame | None,
    labels: tuple[str, str],
    cached: bool,
) -> None:
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    kr = book.add_format({"num_format": KR})
    kr_bold = book.add_format({"num_format": KR, "bold": True, "top": 1})
    decimal = book.add_format({"num_format": DECIMAL})
    percent = book.add_format({"num_format": "0.0%"})

    def value(v: float) -> float:
        return float(v) if cached else 0

    # Every model computed gets its sheet (a blend's inputs too); the summary shows the reported.
    lineage = result.all_lineage.sort("model", "recipient", "year", "component")
    models = sorted(set(lineage["model"].to_list()))
    reported = sorted(set(result.lineage["model"].to_list()))
    names = sheet_names(models)
    summary = book.add_worksheet("Sammanfattning")

    # -- one sheet per model ----------------------------------------------------------------
    columns = [
        "Mottagare",
        "År",
        "Komponent",
        "Volym",
        "Volymenhet",
        "Ersättning",
        "Enhet",
        "Belopp (kr)",
        "Grund",
    ]
    ranges: dict[str, tuple[int, int]] = {}
    for model_id in models:
        sheet = book.add_worksheet(names[model_id])
        model = result.tenant.model(model_id)
        sheet.write(0, 0, f"{model.label} ({model_id}, {model.type_name})", bold)
        sheet.write(1, 0, f"Formel: {model.formula()}")
        sheet.write_row(3, 0, columns, head)
        rows = lineage.filter(pl.col("model") == model_id)
        first = 4
        for i, r in enumerate(rows.iter_rows(named=True)):
            row = first + i
            sheet.write_string(row, 0, r["recipient"])
            sheet.write_number(row, 1, r["year"])
            sheet.write_string(row, 2, r["component"])
            sheet.write_number(row, 3, r["volume"], decimal)
            sheet.write_string(row, 4, r["volume_unit"])
            sheet.write_number(row, 5, r["rate"], decimal)
            sheet.write_string(row, 6, r["rate_unit"])
            sheet.write_formula(row, 7, f"=D{row + 1}*F{row + 1}", kr, value(r["amount"]))
            sheet.write_string(row, 8, r["basis"])
        last = first + rows.height - 1
        ranges[model_id] = (first + 1, last + 1)
        row = last + 2
        for year in sorted(set(rows["year"].to_list())):
            total = float(rows.filter(pl.col("year") == year)["amount"].sum())
            sheet.write_string(row, 0, f"Summa {year}", bold)
            sheet.write_number(row, 1, year, bold)
            sheet.write_formula(
                row, 7, f"=SUMIFS(H{first + 1}:H{last + 1},B{first + 1}:B{last + 1},B{row + 1})",
                kr_bold, value(total),
            )  # fmt: skip
            row += 1
        sheet.set_column(0, 0, 24)
        sheet.set_column(2, 2, 22)
        sheet.set_column(3, 7, 14)
        sheet.set_column(8, 8, 80)
        sheet.freeze_panes(4, 0)

    # -- summary ------------------------------------------------------------------------------
    prices = "fasta" if result.prices == "fixed" else "löpande"
    summary.write(0, 0, result.tenant.name, bold)
    summary.write(
        1, 0, f"Scenario {result.scenario.name}, {prices} priser, år {_years(result.years)}"
    )
    summary.write(
        2, 0,
        f"rfm {__version__}, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: varje belopp är en "
        "formel över modellens blad; där är belopp = volym × ersättning på varje rad.",
    )  # fmt: skip
    summary.write_row(4, 0, ["Modell", "Mottagare", "År", "Belopp (kr)"], head)
    totals = result.totals(["model", "year", "recipient"]).sort("model", "year", "recipient")
    row = 5
    for model_id in reported:
        sheet = quoted(names[model_id])
        lo, hi = ranges[model_id]
        for year in sorted(set(totals.filter(pl.col("model") == model_id)["year"].to_list())):
            part = totals.filter((pl.col("model") == model_id) & (pl.col("year") == year))
            start = row
            for r in part.iter_rows(named=True):
                summary.write_string(row, 0, model_id)
                summary.write_string(row, 1, r["recipient"])
                summary.write_number(row, 2, year)
                formula = (
                    f"=SUMIFS({sheet}!$H${lo}:$H${hi},{sheet}!$A${lo}:$A${hi},B{row + 1},"
                    f"{sheet}!$B${lo}:$B${hi},C{row + 1})"
                )
                summary.write_formula(row, 3, formula, kr, value(r["amount"]))
                row += 1
            summary.write_string(row, 0, model_id, bold)
            summary.write_string(row, 1, "Summa", bold)
            summary.write_number(row, 2, year, bold)
            summary.write_formula(
                row, 3, f"=SUM(D{start + 1}:D{row})", kr_bold, value(float(part["amount"].sum()))
            )
            row += 2
    summary.set_column(0, 1, 28)
    summary.set_column(3, 3, 16)
    summary.freeze_panes(5, 0)

    # -- parameters and inputs ----------------------------------------------------------------
    params = book.add_worksheet("Parametrar")
    params.write_row(0, 0, ["Parameter", "Enhet", "Från år", "Värde", "Källa", "Beskrivning"], head)
    row = 1
    for key in sorted(result.parameters):
        p = result.parameters[key]
        for dated in p.values:
            params.write_string(row, 0, key)
            params.write_string(row, 1, p.unit)
            params.write_number(row, 2, dated.year)
            if dated.value is None:
                params.write_string(row, 3, "upphör")
            else:
                params.write_number(row, 3, dated.value, decimal)
            params.write_string(row, 4, dated.source or "")
            params.write_string(row, 5, p.description or "")
            row += 1
    params.set_column(0, 0, 40)
    params.set_column(3, 3, 16)
    params.set_column(4, 5, 60)
    params.freeze_panes(1, 0)

    inputs = book.add_worksheet("Indata")
    inputs.write_row(0, 0, ["Dataset", "Fil", "Schema", "Rader", "sha256", "Källa"], head)
    for i, d in enumerate(result.datasets, start=1):
        inputs.write_row(i, 0, [d.name, d.path, d.schema, d.rows, d.sha256, d.source or ""])
    inputs.set_column(0, 3, 18)
    inputs.set_column(4, 4, 66)
    inputs.set_column(5, 5, 60)

    if comparison is not None:
        _comparison(book, comparison, labels, head, kr, percent, value)


def _comparison(
    book: xlsxwriter.Workbook,
    comparison: pl.DataFrame,
    labels: tuple[str, str],
    head: Any,
    kr: Any,
    percent: Any,
    value: Any,
) -> None:
    sheet = book.add_worksheet("Jämförelse")
    a, b = labels
    sheet.write_row(
        0, 0, ["Modell", "Mottagare", "År", f"{a} (kr)", f"{b} (kr)", "Δ (kr)", "Δ %"], head
    )
    for i, r in enumerate(
        comparison.sort("model", "year", "recipient").iter_rows(named=True), start=1
    ):
        sheet.write_string(i, 0, r["model"])
        sheet.write_string(i, 1, r["recipient"])
        sheet.write_number(i, 2, r["year"])
        for column, side, label in ((3, "a", a), (4, "b", b)):
            if r[side] is None:  # absent on this side: said, never 0 kr
                sheet.write_string(i, column, f"finns inte i {label}")
            else:
                sheet.write_number(i, column, float(r[side]), kr)
        if r["diff"] is None:
            sheet.write_string(i, 5, "–")
            sheet.write_string(i, 6, "–")
            continue
        sheet.write_formula(i, 5, f"=D{i + 1}-E{i + 1}", kr, value(r["diff"]))
        share = r["diff_share"]
        sheet.write_formula(
            i, 6, f'=IF(E{i + 1}=0,"",F{i + 1}/ABS(E{i + 1}))', percent,
            value(share) if share is not None else "",
        )  # fmt: skip
    sheet.set_column(0, 1, 28)
    sheet.set_column(3, 5, 16)


def _years(years: Sequence[int]) -> str:
    ys = sorted(years)
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"
