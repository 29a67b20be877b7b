"""The Excel workbook: read back, and recalculated in LibreOffice, every cell is rfm's value."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import fastexcel
import polars as pl
import pytest

import rfm
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


def recalculate(path: Path, tmp: Path) -> Path:
    """Open ``path`` in LibreOffice headless, recalculate every formula, save it as xlsx."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui"
    profile = tmp / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = tmp / "recalculated"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out / path.name


@pytest.fixture
def key_run(tenant_file, rfm_registry) -> rfm.RunResult:
    path = tenant_file(KEY, {"need.csv": NEED, "bokslut.csv": BOKSLUT})
    return rfm.run(rfm.load_tenant_file(path, rfm_registry), rfm_registry, [2006])


def summary_amounts(rows: list[list[object]]) -> dict[tuple[str, str, int], float]:
    start = next(i for i, r in enumerate(rows) if r[0] == "Modell") + 1
    return {
        (str(r[0]), str(r[1]), int(as_number(r[2]))): as_number(r[3])
        for r in rows[start:]
        if r[0] not in (None, "") and r[1] != "Summa"
    }


def check_against_rfm(path: Path, result: rfm.RunResult) -> None:
    """Every amount and total in the workbook equals rfm's, to the krona."""
    rows = sheet(path, "Sammanfattning")
    got = summary_amounts(rows)
    expected = {
        (r["model"], r["recipient"], r["year"]): r["amount"]
        for r in result.totals(["model", "recipient", "year"]).iter_rows(named=True)
    }
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert abs(got[key] - float(value)) < 0.5, key
    totals = [r for r in rows if r[1] == "Summa"]
    for r in totals:
        want = sum(
            v for (m, _, y), v in expected.items() if m == r[0] and y == int(as_number(r[2]))
        )
        assert abs(as_number(r[3]) - float(want)) < 0.5
    names = sheet_names(sorted(set(result.all_lineage["model"].to_list())))
    for model_id, name in names.items():
        lines = sheet(path, name)
        start = next(i for i, r in enumerate(lines) if r[0] == "Mottagare") + 1
        data = result.all_lineage.filter(pl.col("model") == model_id).sort(
            "recipient", "year", "component"
        )
        for r, want in zip(
            lines[start : start + data.height], data.iter_rows(named=True), strict=True
        ):
            assert (r[0], r[2]) == (want["recipient"], want["component"])
            assert abs(as_number(r[7]) - float(want["amount"])) < 0.5
            assert abs(as_number(r[7]) - as_number(r[3]) * as_number(r[5])) < 1e-6 * max(
                1, float(want["amount"])
            )


def test_the_workbook_reads_back_as_rfm_computed_it(key_run, tmp_path):
    path = tmp_path / "fordelning.xlsx"
    write_workbook(key_run, path)
    check_against_rfm(path, key_run)
    names = fastexcel.read_excel(str(path)).sheet_names
    assert names[:1] == ["Sammanfattning"] and {"Parametrar", "Indata", "ny", "gammal"} <= set(
        names
    )
    params = sheet(path, "Parametrar")
    assert any(
        r[0] == "ny.total" and r[1] == "kr" and as_number(r[3]) == 1e8 and r[4] == "KF 2005"
        for r in params
    )
    inputs = sheet(path, "Indata")
    assert any(r[0] == "need" and len(str(r[4])) == 64 for r in inputs)


def test_libreoffice_recalculates_every_formula_to_rfms_value(key_run, tmp_path):
    """Formulas written with cached results of 0: only a real recalculation gives the amounts."""
    blank = tmp_path / "blank.xlsx"
    write_workbook(key_run, blank, cached_values=False)
    assert all(
        as_number(r[3]) == 0 for r in sheet(blank, "Sammanfattning")[5:] if r[0] not in (None, "")
    )
    check_against_rfm(recalculate(blank, tmp_path), key_run)


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
    for r in rows[1:]:
        want = by_recipient[str(r[1])]
        assert abs(as_number(r[5]) - float(want["diff"])) < 0.5
        assert abs(as_number(r[6]) - want["diff_share"]) < 1e-9


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["a" * 40, "a" * 40 + "b", "x/y", "Parametrar"])
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()}) == 4
    assert "/" not in names["x/y"] and names["Parametrar"] != "Parametrar"
