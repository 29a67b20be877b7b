"""An Excel workbook of a run that is a live model: change a rate, and every amount follows.

Sheets, in order:

* **Läs mig** — what the workbook is, how to change a rate, which models follow a change on
  Parametrar, judged from the cells written (:mod:`rfm.reports.liveness`).
* **Sammanfattning** — the amount per model and year with a total per year, then per model,
  recipient and year; every figure rounded as rfm rounds it (``--round``, largest remainder,
  the parts adding up to their totals), by formulas over the hidden sheet *Avrundning*; a chart
  of each model per year drawn from the first table.
* **Jämförelse** (with a comparison) — A live from the model sheets, B as computed for the other
  scenario, Δ = A − B and Δ % as formulas.
* **Ramberäkning** (a tenant with ``[frame]``) — the frame build-up steg för steg; the price
  and wage compensation refers to its rate on *Parametrar*, the frame is a sum.
* **one sheet per model**, named by its label — the lineage rows in an Excel table with a
  filter: recipient, year, component, volume, rate, ``belopp = volym × ersättning`` and the
  basis. A rate is a formula over the named cells of *Parametrar* (a derived rate over its
  inputs, a blend over the other models' sheets); see :mod:`rfm.reports.derivation`. A
  derivation's named steps (the LSS standard cost's S, FK, P, PK-IX and KPIF) stand in cells of
  their own below the yearly sums, each a formula the rate refers to.
* **Parametrar** — every dated value the run could use; the values are the input cells (yellow,
  unlocked), each with a name (``p_ifo_uplift_2023``) that the formulas use.
* **Indata** — every dataset read, with its sha256.
* **Avrundning** (hidden) — the nested largest-remainder rounding as formulas.

The book carries document properties (title, subject, the municipality as author). The other cells are locked (protection without a password, as SKR's calculators do: it guards
against slips, not against the user). Every text is written with ``write_string``, so a name
from data never becomes a formula; every formula is rfm's own. Formulas carry rfm's value as
their cached result, so a viewer that does not calculate still shows the numbers; the tests
recalculate in LibreOffice and compare with ``rfm run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import xlsxwriter

from rfm import __version__
from rfm.display_rounding import Rounding, natural_sorted, sort_key
from rfm.engine import RunResult
from rfm.io.atomic import atomic_path
from rfm.reports.derivation import (
    Derivations,
    Expr,
    ModelSum,
    Num,
    Op,
    Param,
    Step,
    VolumeSum,
)
from rfm.reports.frame_sheet import write_frame_sheet
from rfm.reports.labels import parameter_label, prices_text, years_text
from rfm.reports.liveness import Liveness
from rfm.reports.rounding_sheet import write_rounding_sheet
from rfm.reports.xlsx_cells import (
    DECIMAL,
    HEAD,
    KR,
    cell,
    defined_name,
    quoted,
    sheet_names,
    xml_text,
)

__all__ = ["Writer", "sheet_names", "write_frame_workbook", "write_workbook"]

if TYPE_CHECKING:
    from rfm.frame_buildup import FrameBuildUp


def write_workbook(
    result: RunResult,
    target: Path,
    *,
    comparison: pl.DataFrame | None = None,
    labels: tuple[str, str] = ("A", "B"),
    cached_values: bool = True,
    rounding: Rounding | None = None,
    frames: Sequence[FrameBuildUp] = (),
) -> None:
    """Write the workbook of ``result`` to ``target`` atomically.

    ``cached_values=False`` leaves every formula's cached result at 0, so that only a
    spreadsheet that recalculates shows the amounts (the tests use it to prove LibreOffice does).
    """
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        try:
            Writer(book, result, rounding or Rounding(), cached_values).write(
                comparison, labels, frames
            )
        finally:
            book.close()


def inner_steps(expr: Expr) -> list[Step]:
    """The outermost steps within ``expr`` (not ``expr`` itself), left to right."""
    if isinstance(expr, Op):
        return [
            *(inner_steps(expr.left) if not isinstance(expr.left, Step) else [expr.left]),
            *(inner_steps(expr.right) if not isinstance(expr.right, Step) else [expr.right]),
        ]
    return []


def write_frame_workbook(frames: Sequence[FrameBuildUp], target: Path) -> None:
    """``rfm frame --format xlsx``: the build-up sheet, its parameters and a Läs mig sheet."""
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        try:
            writer = Writer(book, frames[0].run, Rounding(), True)
            writer.readme(frame_only=True)
            write_frame_sheet(writer, frames)
            writer.parameters()
        finally:
            book.close()


class Writer:
    """Writes one workbook; keeps the formats, the parameter names and where each model is."""

    def __init__(self, book: Any, result: RunResult, rounding: Rounding, cached: bool) -> None:
        self.book, self.result, self.rounding, self.cached = book, result, rounding, cached
        self.tenant = result.tenant
        f = book.add_format
        self.title = f({"bold": True, "font_size": 14})
        self.bold = f({"bold": True})
        self.wrap = f({"text_wrap": True, "valign": "top"})
        self.head = f({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top",
                       "bg_color": "#DCE6F1"})  # fmt: skip
        self.kr = f({"num_format": KR})
        self.unit = f({"num_format": rounding.format_code()})
        self.unit_bold = f({"num_format": rounding.format_code(), "bold": True, "top": 1})
        self.kr_bold = f({"num_format": KR, "bold": True, "top": 1})
        self.decimal = f({"num_format": DECIMAL})
        self.percent = f({"num_format": "0.0%"})
        self.input = f({"num_format": DECIMAL, "bg_color": "#FFF2CC", "border": 1,
                        "border_color": "#BF9000", "locked": False})  # fmt: skip
        self.input_text = f({"bg_color": "#FFF2CC", "border": 1, "border_color": "#BF9000"})
        self.names: dict[tuple[str, int], str] = {}
        """(parameter key, from year) → the defined name of its cell on Parametrar."""
        self._taken: set[str] = set()
        for key in sorted(result.parameters):
            for dated in result.parameters[key].values:
                if dated.value is not None:
                    self.names[(key, dated.year)] = defined_name(key, dated.year, self._taken)
        self.sheets: dict[str, str] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        self.derivations = Derivations(result)
        self.liveness = Liveness()
        """What each written row reads; Läs mig says from it which models follow Parametrar."""
        self.steps: dict[tuple[Any, ...], str] = {}
        """(recipient, year, step) → the cell of a derivation step on the current model sheet."""
        self.next_step = 0
        """The row of the next step cell on the current model sheet."""
        self.tables = 0

    def value(self, v: Any) -> float | int:
        return float(v) if self.cached else 0

    def protect(self, sheet: Any) -> None:
        sheet.protect("", {"autofilter": True, "sort": True, "format_columns": True})

    def page(self, sheet: Any, header_rows: tuple[int, int] | None, title: str) -> None:
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as needed
        sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        if header_rows is not None:
            sheet.repeat_rows(*header_rows)
        safe = xml_text(title).replace("&", "&&")[:200]
        sheet.set_header(f"&L{safe}&R&P / &N")

    def table(self, sheet: Any, first: int, last: int, headers: Sequence[str], cols: int) -> None:
        """An Excel table with a filter over ``first``–``last`` (header row included)."""
        if last <= first:
            return
        self.tables += 1
        sheet.add_table(
            first, 0, last, cols - 1,
            {"name": f"Tabell{self.tables}", "style": "Table Style Light 9",
             "columns": [{"header": xml_text(h)} for h in headers]},
        )  # fmt: skip

    # -- the whole book ------------------------------------------------------------------------

    def write(
        self, comparison: pl.DataFrame | None, labels: tuple[str, str], frames: Sequence[Any]
    ) -> None:
        result = self.result
        lineage = result.all_lineage
        models = natural_sorted(sorted(set(lineage["model"].to_list())))
        label = {m: self.tenant.model(m).label for m in models}
        ordered_labels = [label[m] for m in models]
        by_label = sheet_names(ordered_labels)
        self.sheets = {m: by_label[label[m]] for m in models}
        counts = dict(lineage.group_by("model").len().iter_rows())
        self.ranges = {m: (HEAD + 2, HEAD + 1 + counts[m]) for m in models}
        readme = self.book.add_worksheet("Läs mig")
        summary = self.book.add_worksheet("Sammanfattning")
        compare_sheet = self.book.add_worksheet("Jämförelse") if comparison is not None else None
        if frames:
            write_frame_sheet(self, frames)
        for m in models:
            self.model_sheet(m)
        self.parameters()
        self.inputs()
        rounding_sheet = self.book.add_worksheet("Avrundning")
        places = write_rounding_sheet(self, rounding_sheet)
        self.summary(summary, places)
        if compare_sheet is not None and comparison is not None:
            self.comparison(compare_sheet, comparison, labels)
        self.readme(sheet=readme)
        summary.activate()
        author = (self.tenant.report and self.tenant.report.name) or self.tenant.name
        self.book.set_properties(
            {
                "title": xml_text(f"Resursfördelning: {self.tenant.name}"),
                "subject": xml_text(f"Scenario {result.scenario.name}, {years_text(result.years)}"),
                # The document is the municipality's ([report] name, else the tenant's name);
                # rfm, which wrote it, is named in the comments.
                "author": xml_text(author),
                "company": xml_text(author),
                "comments": f"Skapad av rfm {__version__}. Ändra gula celler på bladet Parametrar.",
            }
        )

    # -- Läs mig ------------------------------------------------------------------------------

    def readme(self, sheet: Any = None, frame_only: bool = False) -> None:
        sheet = sheet or self.book.add_worksheet("Läs mig")
        r = self.result
        lines: list[tuple[str, Any]] = [
            (f"Resursfördelning: {self.tenant.name}", self.title),
            (
                f"Scenario {r.scenario.name}, {prices_text(r.prices)}, år {years_text(r.years)}. "
                f"Skapad med rfm {__version__} {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
                self.wrap,
            ),
            ("", None),
            ("Så använder du arbetsboken", self.bold),
            (
                "Ändra ett värde i en gul cell på bladet Parametrar. Alla ersättningsbelopp som "
                "bygger på värdet, alla belopp, summor och jämförelser räknas om direkt.",
                self.wrap,
            ),
            (
                "Övriga celler är låsta mot oavsiktliga ändringar (utan lösenord: Granska → "
                "Ta bort skydd). Filtrera och sortera tabellerna med pilarna i rubrikraden.",
                self.wrap,
            ),
            (
                f"Beloppen i Sammanfattning visas i {self.rounding.unit}"
                + (f" med {self.rounding.decimals} decimaler" if self.rounding.decimals else "")
                + ", avrundade med största rest: delarna summerar alltid till den avrundade "
                "summan (beräkningen finns på det dolda bladet Avrundning).",
                self.wrap,
            ),
        ]
        if not frame_only:
            lines += [("", None), ("Blad", self.bold)]
            lines += [
                ("Sammanfattning: belopp per modell och år, och per mottagare.", self.wrap),
                ("Ett blad per modell: volym × ersättning = belopp på varje rad, med grund.", self.wrap),
                ("Parametrar: alla beslutade värden med källa; de gula cellerna är indata.", self.wrap),
                ("Indata: filerna som lästes, med kontrollsumma (sha256).", self.wrap),
            ]  # fmt: skip
            verdicts = self.liveness.verdicts()
            groups = (
                ("live", "Följer ändringar på Parametrar (räknas om i arbetsboken):"),
                ("partly", "Följer delvis ändringar på Parametrar (en del rader är fasta "
                           "värden ur rfm; kör rfm igen efter en ändring):"),
                ("fixed", "Fasta värden ur rfm (räknas inte om i arbetsboken; kör rfm igen "
                          "efter en ändring):"),
            )  # fmt: skip
            for verdict, heading in groups:
                named = [m for m in verdicts if verdicts[m] == verdict]
                if named:
                    lines += [("", None), (heading, self.bold)]
                    lines += [(f"– {self.tenant.model(m).label}", self.wrap) for m in named]
        else:
            lines.append(
                (
                    "Ramberäkning: ram föregående år + förändringar = ram; PLK från Parametrar.",
                    self.wrap,
                )
            )
        sheet.set_column(0, 0, 110)
        for i, (text, fmt) in enumerate(lines):
            if text:
                sheet.write_string(i, 0, text, fmt)
        self.protect(sheet)
        self.page(sheet, None, "Läs mig")

    # -- model sheets -------------------------------------------------------------------------

    def model_sheet(self, model_id: str) -> None:
        result = self.result
        model = self.tenant.model(model_id)
        name = self.sheets[model_id]
        sheet = self.book.add_worksheet(name)
        sheet.write_string(0, 0, model.label, self.title)
        sheet.write_string(1, 0, f"Formel: {model.formula()}")
        headers = ["Mottagare", "År", "Komponent", "Volym", "Volymenhet", "Ersättning", "Enhet",
                   "Belopp (kr)", "Grund"]  # fmt: skip
        rows = result.all_lineage.filter(pl.col("model") == model_id)
        records = sorted(
            rows.iter_rows(named=True),
            key=lambda r: sort_key((r["recipient"], r["year"], r["component"])),
        )
        first = HEAD + 1
        last = first + len(records) - 1
        years = sorted(set(rows["year"].to_list()))
        # Derivation steps (S, P, PK-IX, KPIF of the LSS standard cost) go below the yearly sums.
        steps_head = last + len(years) + 4
        self.steps, self.next_step = {}, steps_head + 1
        sheet.write_row(HEAD, 0, headers, self.head)
        for i, r in enumerate(records):
            row = first + i
            found = self.derivations.row(model, r)
            self.liveness.add(model_id, found.volume, found.rate)
            sheet.write_string(row, 0, r["recipient"])
            sheet.write_number(row, 1, r["year"])
            sheet.write_string(row, 2, r["component"])
            self.number_or_formula(sheet, row, 3, found.volume, r, "volume", model_id)
            sheet.write_string(row, 4, r["volume_unit"])
            self.number_or_formula(sheet, row, 5, found.rate, r, "rate", model_id)
            sheet.write_string(row, 6, r["rate_unit"])
            sheet.write_formula(
                row, 7, f"=ROUND({cell(row, 3)}*{cell(row, 5)},6)", self.kr,
                self.value(r["amount"]),
            )  # fmt: skip
            sheet.write_string(row, 8, r["basis"])
        self.table(sheet, HEAD, last, headers, len(headers))
        row = last + 2
        for year in years:
            total = sum(float(r["amount"]) for r in records if r["year"] == year)
            sheet.write_string(row, 0, f"Summa {year}", self.bold)
            sheet.write_number(row, 1, year, self.bold)
            sheet.write_formula(
                row, 7,
                f"=SUMIFS({cell(first, 7, True)}:{cell(last, 7, True)},"
                f"{cell(first, 1, True)}:{cell(last, 1, True)},{cell(row, 1)})",
                self.kr_bold, self.value(total),
            )  # fmt: skip
            row += 1
        if self.steps:
            sheet.write_string(steps_head - 1, 0, "Ersättningen steg för steg", self.bold)
            sheet.write_row(
                steps_head, 0,
                ["Mottagare", "År", "Steg", "Värde", "Enhet", "", "", "", "Beräkning"], self.head,
            )  # fmt: skip
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, 1, 7)
        sheet.set_column(2, 2, 24)
        sheet.set_column(3, 7, 14)
        sheet.set_column(8, 8, 70)
        sheet.freeze_panes(HEAD + 1, 1)
        self.protect(sheet)
        self.page(sheet, (HEAD, HEAD), model.label)

    def number_or_formula(
        self, sheet: Any, row: int, col: int, expr: Expr | None, r: dict[str, Any], field: str,
        model: str,
    ) -> None:  # fmt: skip
        value = r[field]
        if expr is None:
            sheet.write_number(row, col, float(value), self.decimal)
        else:
            text = self.excel(expr, model, row, sheet, (r["recipient"], r["year"]))
            sheet.write_formula(row, col, f"={text}", self.decimal, self.value(value))

    def step(self, step: Step, model: str, sheet: Any, at: tuple[str, int]) -> str:
        """The cell of ``step`` for (recipient, year) ``at`` on ``model``'s sheet, written on
        first use below the sums: recipient, year, label, the value as a formula, unit, text."""
        key = (*at, step)
        if key not in self.steps:
            for inner in inner_steps(step.expr):  # the steps it uses take the rows above it
                self.step(inner, model, sheet, at)
            row = self.next_step
            self.next_step += 1
            text = self.excel(step.expr, model, row, sheet, at)
            recipient, year = at
            value = self.derivations.evaluate(step.expr, model, recipient, year)
            sheet.write_string(row, 0, recipient)
            sheet.write_number(row, 1, year)
            sheet.write_string(row, 2, step.label)
            sheet.write_formula(row, 3, f"={text}", self.decimal, self.value(value))
            sheet.write_string(row, 4, step.unit)
            sheet.write_string(row, 8, step.text)
            self.steps[key] = cell(row, 3)
        return self.steps[key]

    def excel(self, expr: Expr, model: str, row: int, sheet: Any, at: tuple[str, int]) -> str:
        """An expression as an Excel formula in ``row`` of ``model``'s sheet, whose columns A
        and B hold the recipient and year ``at``."""
        if isinstance(expr, Step):
            return self.step(expr, model, sheet, at)
        if isinstance(expr, Param):
            dated = self.result.parameters[expr.key].at(expr.year)
            return self.names[(expr.key, dated.year)]
        if isinstance(expr, Num):
            return repr(float(expr.value))
        if isinstance(expr, ModelSum):
            parts = []
            for m in expr.models:
                sheet = quoted(self.sheets[m])
                lo, hi = self.ranges[m]
                parts.append(
                    f"SUMIFS({sheet}!$H${lo}:$H${hi},{sheet}!$A${lo}:$A${hi},{cell(row, 0)},"
                    f"{sheet}!$B${lo}:$B${hi},{cell(row, 1)})"
                )
            return "(" + "+".join(parts) + ")"
        if isinstance(expr, VolumeSum):
            lo, hi = self.ranges[model]
            return f"SUMIFS($D${lo}:$D${hi},$B${lo}:$B${hi},{cell(row, 1)})"
        left = self.excel(expr.left, model, row, sheet, at)
        right = self.excel(expr.right, model, row, sheet, at)
        return f"({left}{expr.op}{right})"

    # -- parameters and inputs ----------------------------------------------------------------

    def parameters(self) -> None:
        sheet = self.book.add_worksheet("Parametrar")
        headers = ["Parameter", "Enhet", "Från år", "Värde", "Källa", "Nyckel", "Namn i formlerna"]
        sheet.write_string(0, 0, "Beslutade värden. Ändra de gula cellerna; allt annat räknas om.",
                           self.bold)  # fmt: skip
        sheet.write_row(2, 0, headers, self.head)
        row = 3
        for key in sorted(self.result.parameters, key=lambda k: sort_key((k,))):
            p = self.result.parameters[key]
            for dated in p.values:
                sheet.write_string(row, 0, parameter_label(self.tenant, key))
                sheet.write_string(row, 1, p.unit)
                sheet.write_number(row, 2, dated.year)
                if dated.value is None:
                    sheet.write_string(row, 3, "upphör")
                else:
                    sheet.write_number(row, 3, dated.value, self.input)
                    name = self.names[(key, dated.year)]
                    self.book.define_name(name, f"=Parametrar!$D${row + 1}")
                    sheet.write_string(row, 6, name)
                sheet.write_string(row, 4, dated.source or "")
                sheet.write_string(row, 5, key)
                row += 1
        self.table(sheet, 2, row - 1, headers, len(headers))
        sheet.set_column(0, 0, 44)
        sheet.set_column(1, 2, 10)
        sheet.set_column(3, 3, 16)
        sheet.set_column(4, 4, 60)
        sheet.set_column(5, 6, 30)
        sheet.freeze_panes(3, 1)
        self.protect(sheet)
        self.page(sheet, (2, 2), "Parametrar")

    def inputs(self) -> None:
        sheet = self.book.add_worksheet("Indata")
        headers = ["Dataset", "Fil", "Schema", "Rader", "sha256", "Källa"]
        sheet.write_row(0, 0, headers, self.head)
        for i, d in enumerate(self.result.datasets, start=1):
            for j, v in enumerate([d.name, d.path, d.schema, d.rows, d.sha256, d.source or ""]):
                if isinstance(v, int):
                    sheet.write_number(i, j, v)
                else:
                    sheet.write_string(i, j, v)
        self.table(sheet, 0, len(self.result.datasets), headers, len(headers))
        sheet.set_column(0, 3, 18)
        sheet.set_column(4, 4, 66)
        sheet.set_column(5, 5, 60)
        self.protect(sheet)
        self.page(sheet, (0, 0), "Indata")

    # -- rounding -----------------------------------------------------------------------------

    # -- summary ------------------------------------------------------------------------------

    def summary(self, sheet: Any, places: dict[tuple[Any, ...], tuple[int, float]]) -> None:
        result, unit = self.result, self.rounding.unit
        years = sorted(result.years)
        sheet.write_string(0, 0, self.tenant.name, self.title)
        sheet.write_string(
            1, 0,
            f"Scenario {result.scenario.name}, {prices_text(result.prices)}, år "
            f"{years_text(result.years)}. Belopp i {unit}, avrundade så att delarna summerar "
            "till summan.",
        )  # fmt: skip
        sheet.write_string(
            2, 0, f"rfm {__version__}: ändra gula celler på Parametrar, så räknas allt om."
        )
        models = natural_sorted(sorted(set(result.lineage["model"].to_list())))
        label = {m: self.tenant.model(m).label for m in models}
        ref = "=Avrundning!$L${}"
        years_cols = len(years)

        def figure(row: int, col: int, key: tuple[Any, ...], fmt: Any) -> None:
            if key in places:  # a recipient without a row in a year stays empty
                at, shown = places[key]
                sheet.write_formula(row, col, ref.format(at + 1), fmt, self.value(shown))

        # Block 1: models × years, and the total of each year.
        row = 4
        sheet.write_string(row, 0, f"Belopp per modell och år ({unit})", self.bold)
        row += 1
        head1 = row
        sheet.write_row(row, 0, ["Modell", "", *map(str, years)], self.head)
        row += 1
        for m in models:
            sheet.write_string(row, 0, label[m])
            for j, y in enumerate(years):
                figure(row, 2 + j, (y, m), self.unit)
            row += 1
        sheet.write_string(row, 0, "Summa", self.bold)
        for j, y in enumerate(years):
            figure(row, 2 + j, (y,), self.unit_bold)
        row += 2
        # Block 2: per model and recipient.
        sheet.write_string(row, 0, f"Belopp per mottagare ({unit})", self.bold)
        row += 1
        sheet.write_row(row, 0, ["Modell", "Mottagare", *map(str, years)], self.head)
        row += 1
        for m in models:
            recipients = natural_sorted(
                sorted(set(result.lineage.filter(pl.col("model") == m)["recipient"].to_list()))
            )
            for rec in recipients:
                sheet.write_string(row, 0, label[m])
                sheet.write_string(row, 1, rec)
                for j, y in enumerate(years):
                    figure(row, 2 + j, (y, m, rec), self.unit)
                row += 1
            if len(recipients) > 1:
                sheet.write_string(row, 0, label[m], self.bold)
                sheet.write_string(row, 1, "Summa", self.bold)
                for j, y in enumerate(years):
                    figure(row, 2 + j, (y, m), self.unit_bold)
                row += 1
        self.summary_chart(sheet, head1, len(models), years, row + 2)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 26)
        sheet.set_column(2, 1 + years_cols, 13)
        sheet.freeze_panes(head1 + 1, 1)
        self.protect(sheet)
        self.page(sheet, (head1, head1), "Sammanfattning")

    def summary_chart(self, sheet: Any, head: int, models: int, years: list[int], at: int) -> None:
        """Each model's amount per year, drawn from the first table (so it follows a change)."""
        if not models:
            return
        several = len(years) > 1
        chart = self.book.add_chart({"type": "line" if several else "column"})
        last_col = 1 + len(years)
        for i in range(models):
            row = head + 1 + i
            chart.add_series(
                {
                    "name": ["Sammanfattning", row, 0],
                    "categories": ["Sammanfattning", head, 2, head, last_col],
                    "values": ["Sammanfattning", row, 2, row, last_col],
                    "marker": {"type": "circle"} if several else None,
                }
            )
        chart.set_title({"name": f"Belopp per modell och år ({self.rounding.unit})"})
        chart.set_legend({"position": "bottom"})
        chart.set_y_axis({"num_format": "#,##0", "min": 0})
        chart.set_size({"width": 760, "height": 340})
        sheet.insert_chart(at, 0, chart)

    # -- comparison -----------------------------------------------------------------------------

    def comparison(self, sheet: Any, comparison: pl.DataFrame, labels: tuple[str, str]) -> None:
        a, b = labels
        divisor = self.rounding.divisor
        unit = self.rounding.unit
        headers = [
            "Modell",
            "Mottagare",
            "År",
            f"{a} ({unit})",
            f"{b} ({unit})",
            f"Δ ({unit})",
            "Δ %",
        ]
        sheet.write_string(0, 0, f"{a} jämfört med {b}", self.title)
        sheet.write_string(
            1, 0,
            f"{a} räknas om från modellbladen; {b} är beräknat av rfm för det scenariot.",
        )  # fmt: skip
        sheet.write_row(HEAD, 0, headers, self.head)
        records = sorted(
            comparison.iter_rows(named=True),
            key=lambda r: sort_key((r["model"], r["year"], r["recipient"])),
        )
        row = HEAD
        for r in records:
            row += 1
            m = r["model"]
            sheet.write_string(row, 0, self.tenant.model(m).label if m in self.sheets else m)
            sheet.write_string(row, 1, r["recipient"])
            sheet.write_number(row, 2, r["year"])
            a_value = float(r["a"] or 0) / divisor
            if m in self.sheets:
                sh, (lo, hi) = quoted(self.sheets[m]), self.ranges[m]
                sheet.write_formula(
                    row, 3,
                    f"=SUMIFS({sh}!$H${lo}:$H${hi},{sh}!$A${lo}:$A${hi},{cell(row, 1)},"
                    f"{sh}!$B${lo}:$B${hi},{cell(row, 2)})/{divisor}",
                    self.unit, self.value(a_value),
                )  # fmt: skip
            else:
                sheet.write_number(row, 3, a_value, self.unit)
            sheet.write_number(row, 4, float(r["b"] or 0) / divisor, self.unit)
            sheet.write_formula(row, 5, f"={cell(row, 3)}-{cell(row, 4)}", self.unit,
                                self.value(float(r["diff"] or 0) / divisor))  # fmt: skip
            share = r["diff_share"]
            sheet.write_formula(
                row, 6, f'=IF({cell(row, 4)}=0,"",{cell(row, 5)}/ABS({cell(row, 4)}))',
                self.percent, self.value(share) if share is not None else "",
            )  # fmt: skip
        self.table(sheet, HEAD, row, headers, len(headers))
        sheet.set_column(0, 1, 30)
        sheet.set_column(3, 6, 15)
        sheet.freeze_panes(HEAD + 1, 0)
        self.protect(sheet)
        self.page(sheet, (HEAD, HEAD), "Jämförelse")

    # -- frame build-up -----------------------------------------------------------------------
