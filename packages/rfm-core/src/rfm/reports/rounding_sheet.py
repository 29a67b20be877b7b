"""The hidden sheet *Avrundning*: rfm's nested largest-remainder rounding as formulas.

Rows: every (year, model, recipient) total, then every (year, model), then every year — each
with its exact sum (SUMIFS over the model sheet, or over the level below), its value in steps,
floor, remainder, rank among its siblings (ties to the earlier row, as
:func:`rfm.display_rounding.allocate` breaks them) and the rounded figure: the floor plus one
for the siblings whose rank is within what the parent's figure still needs. Sammanfattning's
figures refer to this sheet, so a changed rate is rounded as ``rfm run`` rounds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rfm.display_rounding import nested
from rfm.reports.xlsx_cells import cell, quoted

if TYPE_CHECKING:
    from rfm.reports.workbook import Writer


def write_rounding_sheet(w: Writer, sheet: Any) -> dict[tuple[Any, ...], tuple[int, float]]:
    """The nested largest remainder as formulas; returns where each figure's cell is.

    Columns: A level, B model, C recipient, D year, E exact (kr), F in steps, G floor,
    H remainder, I rank among its siblings, J the parent's row, K rounded steps,
    L the figure in the unit.
    """
    result = w.result
    levels = nested(
        result.totals(["model", "recipient", "year"]),
        [["year"], ["year", "model"], ["year", "model", "recipient"]],
        w.rounding,
    )
    headers = ["Nivå", "Modell", "Mottagare", "År", "Exakt (kr)", "I steg", "Golv", "Rest",
               "Rang", "Förälderns rad", "Avrundat (steg)", f"Avrundat ({w.rounding.unit})"]  # fmt: skip
    sheet.write_row(0, 0, headers, w.head)
    step = float(w.rounding.step)
    places: dict[tuple[Any, ...], int] = {}
    shown: dict[tuple[Any, ...], tuple[int, float]] = {}
    row = 1
    bounds: dict[int, tuple[int, int]] = {}
    # Rows: level 3 first (they read the model sheets), then 2, then 1; siblings contiguous.
    for depth in (2, 1, 0):
        start = row
        frame = levels[depth]
        for r in frame.iter_rows(named=True):
            key = tuple(r[k] for k in ("year", "model", "recipient")[: depth + 1])
            places[key] = row
            sheet.write_number(row, 0, depth + 1)
            if "model" in r:
                sheet.write_string(row, 1, r["model"])
            if "recipient" in r:
                sheet.write_string(row, 2, r["recipient"])
            sheet.write_number(row, 3, r["year"])
            row += 1
        bounds[depth] = (start, row - 1)
    sibling_rows: dict[tuple[Any, ...], list[int]] = {}
    for key, at in places.items():
        if len(key) > 1:
            sibling_rows.setdefault(key[:-1], []).append(at)
    for depth in (2, 1, 0):
        frame = levels[depth]
        for r in frame.iter_rows(named=True):
            key = tuple(r[k] for k in ("year", "model", "recipient")[: depth + 1])
            at = places[key]
            if depth == 2:
                m = r["model"]
                sh, (a, b) = quoted(w.sheets[m]), w.ranges[m]
                exact = (
                    f"=SUMIFS({sh}!$H${a}:$H${b},{sh}!$A${a}:$A${b},{cell(at, 2)},"
                    f"{sh}!$B${a}:$B${b},{cell(at, 3)})"
                )
            else:
                clo, chi = bounds[depth + 1]
                crit = f"$D${clo + 1}:$D${chi + 1},{cell(at, 3)}"
                if depth == 1:
                    crit += f",$B${clo + 1}:$B${chi + 1},{cell(at, 1)}"
                exact = f"=SUMIFS($E${clo + 1}:$E${chi + 1},{crit})"
            sheet.write_formula(at, 4, exact, w.kr, w.value(r["exact"]))
            sheet.write_formula(at, 5, f"={cell(at, 4)}/{step!r}", None,
                                w.value(r["exact"] / step))  # fmt: skip
            sheet.write_formula(at, 6, f"=INT({cell(at, 5)})")
            sheet.write_formula(at, 7, f"={cell(at, 5)}-{cell(at, 6)}")
            if depth == 0:
                sheet.write_formula(at, 10, f"=ROUND({cell(at, 5)},0)", None,
                                    w.value(r["steps"]))  # fmt: skip
            else:
                parent_key = key[:-1]
                parent = places[parent_key]
                sheet.write_number(at, 9, parent + 1)
                siblings = sibling_rows[parent_key]
                s_lo, s_hi = min(siblings), max(siblings)
                block = f"$H${s_lo + 1}:$H${s_hi + 1}"
                above = f"$H${s_lo + 1}:{cell(at - 1, 7)}" if at > s_lo else None
                rank = f"SUMPRODUCT(--({block}>{cell(at, 7)}))" + (
                    f"+SUMPRODUCT(--({above}={cell(at, 7)}))" if above else ""
                )
                sheet.write_formula(at, 8, f"={rank}+1")
                short = f"$K${parent + 1}-SUM($G${s_lo + 1}:$G${s_hi + 1})"
                sheet.write_formula(
                    at, 10, f"={cell(at, 6)}+IF({cell(at, 8)}<=({short}),1,0)", None,
                    w.value(r["steps"]),
                )  # fmt: skip
            figure = w.rounding.value(r["steps"])
            shown[key] = (at, figure)
            sheet.write_formula(
                at, 11, f"={cell(at, 10)}/{10**w.rounding.decimals}", w.unit,
                w.value(figure),
            )  # fmt: skip
    sheet.set_column(0, 11, 14)
    sheet.hide()
    w.protect(sheet)
    return shown
