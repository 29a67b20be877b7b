"""The sheet *Ramberäkning*: the frame build-up steg för steg, with its sums as formulas.

Ram(t) = Ram(t−1) + volymkompensation + förändrat ersättningsbelopp + pris- och
lönekompensation + beviljade tilläggsäskanden − besparingar, per programområde; the price and
wage compensation is Ram(t−1) × the PLK's named cell on *Parametrar*, so it follows a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rfm.frame_buildup import STEPS
from rfm.reports.xlsx_cells import cell

if TYPE_CHECKING:
    from rfm.reports.workbook import Writer


def write_frame_sheet(w: Writer, frames: Sequence[Any]) -> None:
    sheet = w.book.add_worksheet("Ramberäkning")
    sheet.write_string(0, 0, "Ramberäkning steg för steg (kr)", w.title)
    sheet.write_string(
        1, 0,
        "Ram = ram föregående år + volymkompensation + förändrat ersättningsbelopp + pris- "
        "och lönekompensation + beviljade tilläggsäskanden − besparingar.",
    )  # fmt: skip
    row = 3
    settings = w.tenant.frame
    for b in frames:
        labels = [lab for _, lab in STEPS]
        labels[0], labels[-1] = f"Ram {b.year - 1}", f"Ram {b.year}"
        sheet.write_string(row, 0, f"{b.year}, scenario {b.scenario}", w.bold)
        row += 1
        head = row
        sheet.write_row(row, 0, ["Programområde", *labels], w.head)
        first = row + 1
        plk = None
        if settings is not None and settings.price_index is not None:
            dated = w.result.parameters[settings.price_index].at(b.year)
            plk = w.names.get((settings.price_index, dated.year))
        for r in b.table.iter_rows(named=True):
            row += 1
            sheet.write_string(row, 0, r["program"])
            for j, (name, _) in enumerate(STEPS[:-1], start=1):
                if name == "price_wage" and plk is not None:
                    sheet.write_formula(row, j, f"={cell(row, 1)}*{plk}", w.kr,
                                        w.value(r[name]))  # fmt: skip
                else:
                    sheet.write_number(row, j, float(r[name]), w.kr)
            n = len(STEPS)
            total = f"={cell(row, 1)}+{cell(row, 2)}+{cell(row, 3)}+{cell(row, 4)}+{cell(row, 5)}-{cell(row, 6)}"
            sheet.write_formula(row, n, total, w.kr, w.value(r["frame"]))
        w.table(sheet, head, row, ["Programområde", *labels], len(STEPS) + 1)
        row += 1
        sheet.write_string(row, 0, "Summa", w.bold)
        for j in range(1, len(STEPS) + 1):
            sheet.write_formula(
                row, j, f"=SUM({cell(first, j)}:{cell(row - 1, j)})", w.kr_bold,
                w.value(float(b.table[STEPS[j - 1][0]].sum())),
            )  # fmt: skip
        row += 3
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, len(STEPS), 16)
    w.protect(sheet)
    w.page(sheet, None, "Ramberäkning")
