"""The Excel workbook: read back, and recalculated in LibreOffice, every cell is rfm's value.

Checks that do not need rfm's own rounding code: every figure on Sammanfattning lies within one
unit of the exact amount, the recipients of a model add up to the model's figure, the models to
the year's total, and the year's total is the exact total rounded half up; on the model sheets
amount = volume × rate, equal to rfm's amount.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import fastexcel
import polars as pl
import pytest

import rfm
from rfm.display_rounding import Rounding
from rfm.reports.workbook import sheet_names, write_workbook
from tests.core.test_models import BOKSLUT, KEY, NEED

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def sheet(path: Path, name: str) -> list[list[object]]:
    frame = fastexcel.read_excel(str(path)).load_sheet(name, header_row=None).to_polars()
    return [list(r) for r in frame.iter_rows()]


def as_number(value: object) -> float:
    return float(str(value))


def libreoffice(paths: list[Path], tmp: Path, to: str = "xlsx") -> list[Path]:
    """Open ``paths`` in LibreOffice headless (one process for all), recalculate every formula,
    and save each as ``to`` (xlsx, or pdf to print it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui"
    profile = tmp / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = tmp / f"libreoffice-{to}"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(out), *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [out / p.with_suffix(f".{to}").name for p in paths]


def recalculate(path: Path, tmp: Path) -> Path:
    return libreoffice([path], tmp)[0]


@pytest.fixture
def key_run(tenant_file, rfm_registry) -> rfm.RunResult:
    path = tenant_file(KEY, {"need.csv": NEED, "bokslut.csv": BOKSLUT})
    return rfm.run(rfm.load_tenant_file(path, rfm_registry), rfm_registry, [2006])


def summary_figures(
    path: Path,
) -> tuple[dict[tuple[str, int], float], dict[int, float], dict[tuple[str, str, int], float]]:
    """Sammanfattning as (model label, year) → figure, year → total, (label, recipient, year)."""
    rows = sheet(path, "Sammanfattning")
    heads = [i for i, r in enumerate(rows) if r[0] == "Modell"]
    first, second = heads[0], heads[1]
    years = [int(str(y)) for y in rows[first][2:] if y not in (None, "")]
    models: dict[tuple[str, int], float] = {}
    totals: dict[int, float] = {}
    for r in rows[first + 1 : second - 1]:
        if r[0] in (None, ""):
            continue
        for j, y in enumerate(years):
            if r[2 + j] not in (None, ""):
                target = totals if r[0] == "Summa" else models
                target[y if r[0] == "Summa" else (str(r[0]), y)] = as_number(r[2 + j])  # type: ignore[index]
    recipients: dict[tuple[str, str, int], float] = {}
    for r in rows[second + 1 :]:
        if r[0] in (None, "") or r[1] == "Summa":
            continue
        for j, y in enumerate(years):
            if r[2 + j] not in (None, ""):
                recipients[(str(r[0]), str(r[1]), y)] = as_number(r[2 + j])
    return models, totals, recipients


def check_against_rfm(path: Path, result: rfm.RunResult, rounding: Rounding | None = None) -> None:
    """Every figure is rfm's amount rounded to the unit, and the parts add up to the totals."""
    rounding = rounding or Rounding()
    models, totals, recipients = summary_figures(path)
    label = {m.id: m.label for m in result.tenant.models}
    unit = rounding.divisor
    exact = {
        (label[r["model"]], r["recipient"], r["year"]): float(r["amount"])
        for r in result.totals(["model", "recipient", "year"]).iter_rows(named=True)
    }
    assert recipients.keys() == exact.keys()
    for key, value in exact.items():
        assert abs(recipients[key] * unit - value) < unit, key
    for (model, year), figure in models.items():
        parts = [v for (m, _, y), v in recipients.items() if (m, y) == (model, year)]
        assert figure == pytest.approx(sum(parts)), (model, year)
    for year, total in totals.items():
        assert total == pytest.approx(sum(v for (_, y), v in models.items() if y == year))
        want = sum(v for (_, _, y), v in exact.items() if y == year) / unit
        assert total == math.floor(want + 0.5), year  # half up (amounts here are positive)
    names = sheet_names([label[m] for m in sorted(set(result.all_lineage["model"].to_list()))])
    for model_id in set(result.all_lineage["model"].to_list()):
        lines = sheet(path, names[label[model_id]])
        start = next(i for i, r in enumerate(lines) if r[0] == "Mottagare") + 1
        data = result.all_lineage.filter(pl.col("model") == model_id)
        want = {
            (r["recipient"], r["year"], r["component"]): float(r["amount"])
            for r in data.iter_rows(named=True)
        }
        got = lines[start : start + data.height]
        assert {(r[0], int(as_number(r[1])), r[2]) for r in got} == want.keys()
        for r in got:
            amount = as_number(r[7])
            assert abs(amount - want[(r[0], int(as_number(r[1])), r[2])]) < 1e-6 * max(1, amount)
            assert abs(amount - as_number(r[3]) * as_number(r[5])) < 1e-6 * max(1, amount)


def test_the_workbook_reads_back_as_rfm_computed_it(key_run, tmp_path):
    path = tmp_path / "fordelning.xlsx"
    write_workbook(key_run, path)
    check_against_rfm(path, key_run)
    names = fastexcel.read_excel(str(path)).sheet_names
    assert names[:2] == ["Läs mig", "Sammanfattning"]
    assert {"Parametrar", "Indata", "ny", "gammal", "Avrundning"} <= set(names)
    params = sheet(path, "Parametrar")
    assert any(
        r[5] == "ny.total" and r[1] == "kr" and as_number(r[3]) == 1e8 and r[4] == "KF 2005"
        for r in params
    )
    inputs = sheet(path, "Indata")
    assert any(r[0] == "need" and len(str(r[4])) == 64 for r in inputs)


def test_libreoffice_recalculates_every_formula_to_rfms_value(key_run, tmp_path):
    """Formulas written with cached results of 0: only a real recalculation gives the amounts."""
    blank = tmp_path / "blank.xlsx"
    write_workbook(key_run, blank, cached_values=False, rounding=Rounding("tkr", 1))
    _, totals, _ = summary_figures(blank)
    assert set(totals.values()) == {0}
    check_against_rfm(recalculate(blank, tmp_path), key_run, Rounding("tkr", 1))


def test_run_and_compare_write_workbooks_from_the_cli(rfm_cli, tmp_path):
    out = tmp_path / "exempel.xlsx"
    done = rfm_cli("run", "exempel", "--years", "2024", "--format", "xlsx", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "Sammanfattning" in fastexcel.read_excel(str(out)).sheet_names
    no_out = rfm_cli("run", "exempel", "--years", "2024", "--format", "xlsx")
    assert no_out.exit_code == 1 and "--out" in no_out.output


def test_a_comparison_sheet_has_live_differences(tenant_file, rfm_registry, tmp_path):
    from tests.core.test_models import load

    toml = KEY.replace("new_share = { 2006 = 0.7, 2007 = 1.0 }", 'new_share = "andel"') + (
        '[parameters.andel]\nunit = "andel"\nsource = "KF"\nvalues = { 2006 = 0.7 }\n'
        '[scenarios.helt-ny]\nmodels = ["overgang"]\n'
        '[scenarios.helt-ny.overrides]\nandel = { unit = "andel", values = { 2006 = { value = 1.0, source = "t" } } }\n'
        '[scenarios.standard]\nmodels = ["overgang"]\n'
    )
    tenant = load(tenant_file, rfm_registry, toml, {"need.csv": NEED, "bokslut.csv": BOKSLUT})
    a = rfm.run(tenant, rfm_registry, [2006], scenario="helt-ny")
    b = rfm.run(tenant, rfm_registry, [2006])
    frame = rfm.compare(a, b)
    path = tmp_path / "jamforelse.xlsx"
    write_workbook(a, path, comparison=frame, labels=("helt-ny", "standard"), cached_values=False)
    rows = sheet(recalculate(path, tmp_path), "Jämförelse")
    by_recipient = {r["recipient"]: r for r in frame.iter_rows(named=True)}
    start = next(i for i, r in enumerate(rows) if r[0] == "Modell") + 1
    assert len(rows[start:]) == frame.height
    for r in rows[start:]:
        want = by_recipient[str(r[1])]
        assert abs(as_number(r[3]) - float(want["a"])) < 1e-6 * float(want["a"])
        assert abs(as_number(r[5]) - float(want["diff"])) < 0.5
        assert abs(as_number(r[6]) - want["diff_share"]) < 1e-9


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["a" * 40, "a" * 40 + "b", "x/y", "Parametrar", "=A1", "𖠀" * 20])
    # Excel counts UTF-16 code units: a character outside the BMP is two.
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()}) == 6
    assert "/" not in names["x/y"] and names["Parametrar"] != "Parametrar"
    assert sheet_names(["SORT(1)"]) == {"SORT(1)": "SORT (1)"}  # xlsxwriter leaves it alone
