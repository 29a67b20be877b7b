"""The workbook is a live model: change a rate on Parametrar as a user would (openpyxl), let
LibreOffice recalculate, and every amount, total and Δ is what ``rfm run`` gives with that rate
as a scenario override. LibreOffice also prints each workbook's Sammanfattning one page wide.

Vaggeryd is changed twice: an äldreomsorg band rate, and the inputs of its LSS standard cost
(förordning 2008:776: a prislapp, the FK schablon, KPIF and a räkenskapssammandrag line), which
reach the ersättningsbelopp through S, FK, PK-IX and KPIF written as formulas.

One LibreOffice process recalculates every changed workbook, another prints them.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import openpyxl
import pytest
from pypdf import PdfReader

import rfm
from rfm.cli.render import shown_totals
from rfm.display_rounding import Rounding
from rfm.parameters import DatedValue, Parameter
from rfm.reports.workbook import sheet_names, write_workbook
from tests.core.test_workbook import libreoffice, summary_figures

VAGGERYD = list(range(2023, 2031))
CASES: dict[str, tuple[str, list[int], str, list[tuple[str, int, float]], dict[str, set[int]]]] = {
    # case: tenant, years, comparison scenario, the parameters changed (key, from year, new
    # value), and the models whose amounts must change in which years (so the change is seen to
    # reach them, not only to leave them equal to rfm).
    "vaggeryd": (
        "vaggeryd", VAGGERYD, "modell-2022",
        [("aldreomsorg_ordinart_boende.bands.80-89", 2022, 75_000.0)],
        {"aldreomsorg_ordinart_boende": set(VAGGERYD)},
    ),
    # The LSS standard cost of year t reads the prislappar, FK and RS lines dated t, and KPIF
    # from the data year t − 2 to the price year 2022: the change of KPIF 2023 reaches every
    # year from 2025 (÷ (1 + k 2023)).
    "vaggeryd-lss": (
        "vaggeryd", VAGGERYD, "modell-2022",
        [("lss.pris_bostad", 2024, 1_250_000.0), ("lss.fk_schablon", 2026, 400.0),
         ("lss.kpif", 2023, 0.03), ("lss.rs.A", 2028, 50_000_000.0)],
        {"lss_insatser": {2024}, "lss_fk": {2026}, "lss": {2024, *range(2025, 2031)}},
    ),
    "stockholm": (
        "stockholm", list(range(2006, 2009)), "gammal-modell",
        [("nyckel.arbetslosa", 2005, 0.45)], {},
    ),
}  # fmt: skip
PRINTED = ["ostersund", "stockholm", "vaggeryd"]
OWN_FUNCTIONS = {"SUMIFS", "SUM", "ROUND", "INT", "SUMPRODUCT", "IF", "ABS"}


def override(tenant: rfm.Tenant, changes: list[tuple[str, int, float]]) -> rfm.Tenant:
    """The tenant whose standard scenario also sets each ``key`` from ``year`` to ``value``."""
    scenario = tenant.scenario(None)
    extra = tuple(
        Parameter(key, tenant.parameters[key].unit, (DatedValue(year, value, "test"),))
        for key, year, value in changes
    )
    changed = attrs.evolve(scenario, overrides=(*scenario.overrides, *extra))
    return attrs.evolve(tenant, scenarios={**tenant.scenarios, scenario.name: changed})


def set_parameters(path: Path, changes: list[tuple[str, int, float]], target: Path) -> None:
    """Type each ``value`` into the yellow cell of ``key`` from ``year``, as a user would."""
    book = openpyxl.load_workbook(path)
    sheet = book["Parametrar"]
    for key, year, value in changes:
        cells = [
            r[3] for r in sheet.iter_rows(min_row=4) if (r[5].value, r[2].value) == (key, year)
        ]
        assert len(cells) == 1, f"{key} from {year} is not on Parametrar once"
        assert cells[0].protection.locked is False  # an input cell, open to the user
        assert float(cells[0].value) != value
        cells[0].value = value
    book.save(target)


def formulas(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, registry):
    """Per tenant: the original and changed workbooks, LibreOffice's recalculation and print."""
    tmp = tmp_path_factory.mktemp("live")
    made = {}
    for case, (tenant_id, years, against, changes, _) in CASES.items():
        tenant = registry.tenant(tenant_id)
        a = rfm.run(tenant, registry, years)
        b = rfm.run(tenant, registry, years, scenario=against)
        original = tmp / f"{case}.xlsx"
        frames = [rfm.build_frame(tenant, registry, years[0])] if tenant.frame else []
        write_workbook(
            a, original, comparison=rfm.compare(a, b), labels=("standard", against), frames=frames
        )
        changed = tmp / f"{case}-changed.xlsx"
        set_parameters(original, changes, changed)
        expected = rfm.run(override(tenant, changes), registry, years)
        made[case] = {"a": a, "b": b, "expected": expected, "changed": changed,
                      "original": original, "frames": frames}  # fmt: skip
    # Östersund's model types are a plugin's (rates as values): printed, not changed.
    ostersund = registry.tenant("ostersund")
    a = rfm.run(ostersund, registry, [2013])
    write_workbook(a, tmp / "ostersund.xlsx")
    made["ostersund"] = {"a": a, "original": tmp / "ostersund.xlsx"}
    changing = [m for m in made.values() if "changed" in m]
    recalculated = libreoffice([m["changed"] for m in changing], tmp)
    for m, r in zip(changing, recalculated, strict=True):
        m["recalculated"] = r
    # Each tenant's book printed once (vaggeryd-lss's original is Vaggeryd's).
    printing = [made[t] for t in PRINTED]
    printed = libreoffice([m["original"] for m in printing], tmp, to="pdf")
    for m, p in zip(printing, printed, strict=True):
        m["pdf"] = p
    return made


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_changed_rate_gives_rfm_runs_amounts_totals_and_differences(workbooks, case):
    made = workbooks[case]
    must_change = CASES[case][4]
    expected, b = made["expected"], made["b"]
    book = openpyxl.load_workbook(made["recalculated"], data_only=True)
    labels = {m.id: m.label for m in expected.tenant.models}
    names = sheet_names([labels[m] for m in sorted(set(expected.all_lineage["model"].to_list()))])
    # Every amount on every model sheet (a blend's inputs too) is the overridden run's.
    changed_rows = 0
    changed_years: dict[str, set[int]] = {}
    before = {
        (r["model"], r["recipient"], r["year"], r["component"]): float(r["amount"])
        for r in made["a"].all_lineage.iter_rows(named=True)
    }
    for model_id in set(expected.all_lineage["model"].to_list()):
        ws = book[names[labels[model_id]]]
        want = {
            (r["recipient"], r["year"], r["component"]): float(r["amount"])
            for r in expected.all_lineage.filter(rfm_model(model_id)).iter_rows(named=True)
        }
        got = {
            (row[0], int(row[1]), row[2]): float(row[7])
            for row in ws.iter_rows(min_row=5, values_only=True)
            if row[0] and row[2] and isinstance(row[7], int | float)
        }
        assert got.keys() == want.keys()
        for k, v in want.items():
            assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-5), (model_id, k)
            if abs(v - before[(model_id, *k)]) > 1:
                changed_rows += 1
                changed_years.setdefault(model_id, set()).add(k[1])
    assert changed_rows > 0  # the change reached the amounts
    for model_id, years in must_change.items():
        assert changed_years.get(model_id, set()) == years, model_id
    # Sammanfattning: the figures rfm run prints for the overridden run, to the krona.
    models, totals, recipients = summary_figures(made["recalculated"])
    shown = shown_totals(expected.totals(["model", "recipient", "year"]), Rounding())
    assert recipients == {
        (labels[r["model"]], r["recipient"], r["year"]): float(r["steps"])
        for r in shown.iter_rows(named=True)
    }
    for year in expected.years:
        assert totals[year] == sum(v for (_, y), v in models.items() if y == year)
    # Jämförelse: A is the overridden run, B the comparison scenario, Δ = A − B.
    exact_a = {
        (labels[r["model"]], r["recipient"], r["year"]): float(r["amount"])
        for r in expected.totals(["model", "recipient", "year"]).iter_rows(named=True)
    }
    exact_b = {
        (labels[r["model"]], r["recipient"], r["year"]): float(r["amount"])
        for r in b.totals(["model", "recipient", "year"]).iter_rows(named=True)
    }
    rows = [
        r
        for r in book["Jämförelse"].iter_rows(min_row=5, values_only=True)
        if isinstance(r[2], int | float)
    ]
    assert rows
    for model, recipient, year, a_value, _b_value, diff, _share in rows:
        key = (model, recipient, int(year))
        assert a_value == pytest.approx(exact_a.get(key, 0.0), rel=1e-9, abs=1e-5)
        assert diff == pytest.approx(exact_a.get(key, 0.0) - exact_b.get(key, 0.0), abs=1e-4)


def test_the_frame_build_up_sheet_recalculates_to_rfm_frame(workbooks):
    made = workbooks["vaggeryd"]
    (buildup,) = made["frames"]
    sheet = openpyxl.load_workbook(made["recalculated"], data_only=True)["Ramberäkning"]
    want = dict(buildup.table.select("program", "frame").iter_rows())
    got = {
        row[0]: row[7]
        for row in sheet.iter_rows(values_only=True)
        if row[0] in want and isinstance(row[7], int | float)
    }
    assert got.keys() == want.keys()
    for program, frame in want.items():
        assert got[program] == pytest.approx(float(frame), abs=1e-4)


def rfm_model(model_id: str):  # a filter expression, named for the reader
    import polars as pl

    return pl.col("model") == model_id


@pytest.mark.parametrize("case", sorted(CASES))
def test_libreoffice_holds_only_rfms_own_formulas(workbooks, case):
    found = formulas(workbooks[case]["recalculated"])
    assert len(found) > 100
    for formula in found:
        assert set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula)) <= OWN_FUNCTIONS, formula


@pytest.mark.parametrize("tenant_id", PRINTED)
def test_libreoffice_prints_sammanfattning_one_page_wide_on_a4(workbooks, tenant_id):
    made = workbooks[tenant_id]
    pages = PdfReader(made["pdf"]).pages
    # Läs mig prints first; Sammanfattning's first page comes right after (text extraction is
    # slow, so the search stops at the first page that has it).
    first, text = next(
        (i, t)
        for i, t in ((i, p.extract_text() or "") for i, p in enumerate(pages))
        if "Belopp per modell och år" in t
    )
    width, height = (float(v) for v in pages[first].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    years = sorted(made["a"].years)
    digits = re.sub(r"[\s,.\u00a0\u202f]", "", text)
    _, totals, _ = summary_figures(made["original"])
    # The last year's column and its total stand on the same page as the labels.
    assert str(years[-1]) in text and "Modell" in text
    assert str(round(totals[years[-1]])) in digits
    # Far fewer pages than the 57 (Vaggeryd) and 157 (Stockholm) before page setup.
    assert len(pages) < {"vaggeryd": 30, "stockholm": 60, "ostersund": 40}[tenant_id]
