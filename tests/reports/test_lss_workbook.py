"""The LSS standard cost in the workbook is förordning (2008:776) as formulas: written with every
cached result 0, recalculated in LibreOffice, its rate is the hand-computed standard cost of
tests/core/test_lss_standard_cost.py, for each way a tenant gives FK, PK-IX and KPIF, and after
a prislapp or FK is typed into Parametrar, the hand value with that input.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import rfm
from rfm.reports.workbook import write_workbook
from tests.core.test_lss_standard_cost import BASE, LINES, POPULATION, by_hand
from tests.core.test_workbook import libreoffice

PUBLISHED = 12_500_000 * 1.05 * 1.027 * 1.013 * 0.9 / 8000
"""S × PK-IX as published × KPIF 2025–2026 × korrigeringsfaktor ÷ invånare."""

VARIANTS = {
    # name: (fk, index, extra, the cells typed into Parametrar, the rate by hand)
    "PK-IX computed from S, FK in kr": ("{ 2026 = 500000 }", LINES, "", {}, by_hand()[0]),
    "FK typed into Parametrar": (
        "{ 2026 = 500000 }", LINES, "", {("lss", "fk"): 600_000.0}, by_hand(fk=600_000.0)[0],
    ),
    # bostad för vuxna 10 × 1 100 000 + daglig verksamhet 20 × 200 000 × 0,5 = 13 000 000 kr.
    "a prislapp typed into Parametrar": (
        "{ 2026 = 500000 }", LINES, "", {("insatser", "bv"): 1_100_000.0},
        by_hand(s_insatser=13_000_000.0)[0],
    ),
    "PK-IX as published": ("{ 2026 = 500000 }", "personnel_index = { 2026 = 1.05 }", "", {},
                           PUBLISHED),
    # Data year 2024 to the price level of 2025: × (1 + 2,7 %) only.
    "fixed prices of 2025": ("{ 2026 = 500000 }", LINES, "price_year = 2025", {},
                             by_hand(kpif=1.027)[0]),
}  # fmt: skip


def parameter_key(tenant: rfm.Tenant, model: str, what: str) -> str:
    """The parameter key of the LSS model's FK, or of a prislapp of the insatser."""
    found = tenant.model(model)
    return str(found.fk_key if what == "fk" else found.price_keys[what])  # type: ignore[attr-defined]


def type_into_parametrar(path: Path, cells: dict[str, float]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Parametrar"]
    for key, value in cells.items():
        (cell,) = [r[3] for r in sheet.iter_rows(min_row=4) if r[5].value == key]
        assert cell.protection.locked is False
        cell.value = value
    book.save(path)


def lss_sheet(book: openpyxl.Workbook, label: str):  # type: ignore[no-untyped-def]
    (sheet,) = [ws for ws in book.worksheets if ws["A1"].value == label]
    return sheet


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, registry):
    tmp = tmp_path_factory.mktemp("lss")
    written = {}
    for i, (name, (fk, index, extra, typed, _)) in enumerate(VARIANTS.items()):
        folder = tmp / f"tenant{i}"
        folder.mkdir()
        (folder / "pop.csv").write_text(POPULATION, encoding="utf-8")
        path = folder / "tenant.toml"
        path.write_text(BASE.format(fk=fk, index=index, extra=extra), encoding="utf-8")
        tenant = rfm.load_tenant_file(path, registry)
        result = rfm.run(tenant, registry, [2026])
        book = tmp / f"variant{i}.xlsx"
        write_workbook(result, book, cached_values=False)
        label = tenant.model("lss").label
        rate = lss_sheet(openpyxl.load_workbook(book), label)["F5"]
        assert rate.data_type == "f", name  # a formula, not rfm's number
        type_into_parametrar(book, {parameter_key(tenant, m, w): v for (m, w), v in typed.items()})
        written[name] = (book, label)
    paths = libreoffice([book for book, _ in written.values()], tmp)
    return {
        name: lss_sheet(openpyxl.load_workbook(out, data_only=True), label)
        for (name, (_, label)), out in zip(written.items(), paths, strict=True)
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_libreoffice_computes_the_lss_standard_cost_by_hand(recalculated, variant):
    sheet = recalculated[variant]
    assert sheet["A5"].value == "K" and sheet["B5"].value == 2026
    expected = VARIANTS[variant][4]
    assert sheet["F5"].value == pytest.approx(expected, rel=1e-12)
    assert sheet["H5"].value == pytest.approx(expected * 10_000, rel=1e-12)  # 10 000 invånare
    steps = {
        row[2]: row[3]
        for row in sheet.iter_rows(min_row=7, values_only=True)
        if row[0] == "K" and isinstance(row[3], float | int)
    }
    # The steps shown below the row: S and (when computed) PK-IX, as by hand.
    fk = VARIANTS[variant][3].get(("lss", "fk"), 500_000.0)
    s_insatser = 13_000_000.0 if ("insatser", "bv") in VARIANTS[variant][3] else 12_000_000.0
    assert steps["S"] == pytest.approx(s_insatser + fk, rel=1e-12)
    if "PK-IX" in steps:
        index = by_hand(fk=fk, s_insatser=s_insatser)[1]
        assert steps["PK-IX"] == pytest.approx(index, rel=1e-12)
