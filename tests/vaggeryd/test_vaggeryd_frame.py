"""The frame build-up "steg för steg" and the committee's use of the model money (seed 004)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import fastexcel
import polars as pl
import pytest

import rfm
from rfm.documentation import readable

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "packages" / "rfm-plugins-vaggeryd"


@pytest.fixture(scope="module")
def registry() -> rfm.Registry:
    return rfm.PluginHost().registry


@pytest.fixture(scope="module")
def buildup(registry) -> rfm.FrameBuildUp:
    return rfm.build_frame(registry.tenant("vaggeryd"), registry, 2023)


def test_tillaggsaskanden_2023_sum_to_6325_tkr_with_each_programs_line(buildup):
    assert buildup.requested() == 6_325_000
    lines = dict(buildup.items_by_program().select("program", "requested").iter_rows())
    assert lines == {
        "771 Äldreomsorg": 3_000_000,
        "774 Hälso- och sjukvård": 1_800_000,
        "750 Verkställighet IFO": 800_000,
        "770 Ledning och stödsystem": 725_000,
    }


def test_frame_cli_prints_the_requests_and_the_sum(rfm_cli):
    result = rfm_cli("frame", "vaggeryd", "--year", "2023")
    assert result.exit_code == 0, result.output
    per_program = result.output.split("Tilläggsäskanden per programområde")[1]
    assert re.search(r"771 Äldreomsorg\s+3 000\s+0", per_program)
    assert re.search(r"770 Ledning och stödsystem\s+725\s+0", per_program)
    assert re.search(r"Summa\s+6 325\s+0", per_program)


def test_each_programs_frame_adds_up_and_model_steps_are_the_models_change(buildup):
    t = buildup.table
    for r in t.iter_rows(named=True):
        parts = (
            r["previous"]
            + r["volume"]
            + r["rate_change"]
            + r["price_wage"]
            + r["additions"]
            - r["savings"]
        )
        assert r["frame"] == pytest.approx(parts, abs=0.01)
        assert r["price_wage"] == pytest.approx(r["previous"] * 0.04)
    for r in buildup.models.iter_rows(named=True):
        assert r["volume"] + r["rate_change"] == pytest.approx(
            r["amount_after"] - r["amount_before"]
        )
    # The IFO uplift falling from 10 to 5 % is a change of rate, not of volume.
    ifo = buildup.models.filter(pl.col("model") == "ifo").row(0, named=True)
    assert ifo["rate_change"] == pytest.approx(ifo["amount_after"] * (1 - 1.10 / 1.05))
    # No request is granted in the data, so none is in the frame; ledning gets only PLK.
    ledning = t.filter(pl.col("program") == "770 Ledning och stödsystem").row(0, named=True)
    assert ledning["frame"] == pytest.approx(25_000_000 * 1.04)


def test_granted_items_enter_the_frame(registry, tmp_path):
    folder = PLUGIN / "src" / "rfm_vaggeryd" / "tenant"
    text = (folder / "tillaggsaskanden.csv").read_text(encoding="utf-8")
    (tmp_path / "tillagg.csv").write_text(
        text.replace("Systemförvaltare;600 000;äskat", "Systemförvaltare;600 000;beviljat"),
        encoding="utf-8",
    )
    (tmp_path / "t.toml").write_text(
        '[tenant]\nid = "v2"\nextends = "vaggeryd"\n[data.tillaggsaskanden]\npath = "tillagg.csv"\nschema = "budget_items"\n',
        encoding="utf-8",
    )
    tenant = rfm.load_tenant_file(tmp_path / "t.toml", registry)
    b = rfm.build_frame(tenant, registry, 2023)
    ledning = b.table.filter(pl.col("program") == "770 Ledning och stödsystem").row(0, named=True)
    assert ledning["additions"] == 600_000
    assert ledning["frame"] == pytest.approx(25_000_000 * 1.04 + 600_000)


def test_ledger_personlig_assistans_hjalpmedel_and_cars(rfm_cli):
    result = rfm_cli("vaggeryd", "fordelning", "--year", "2023")
    assert result.exit_code == 0, result.output
    out = result.output
    # 900 tkr ÷ (324,50 − 304,30) kr per hour = 44 554 hours at the new schablon.
    assert pytest.approx(44_554.455, abs=0.001) == 900_000 / (324.50 - 304.30)
    assert "900 000 kr ÷ (324,50 − 304,30) kr/timme = 44 554 timmar" in out
    # Hjälpmedel: half of the 2 600 tkr deficit of 2020 remains, 1 300 tkr from the model.
    assert "underskott 2020 2 600 000 kr × (1 − 0,5) = 1 300 000 kr" in out
    # Cars: 400 tkr, 200 from the model, 200 as the tilläggsäskande under 750 IFO.
    assert "kostnad 400 000 kr − 200 000 kr ur modellen = 200 000 kr som tilläggsäskande" in out


def test_ledger_arithmetic_that_does_not_hold_is_refused(rfm_cli, tmp_path):
    from rfm_vaggeryd.commands import ledger_path

    text = ledger_path().read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("amount = 1300000", "amount = 1400000"), encoding="utf-8")
    result = rfm_cli("vaggeryd", "fordelning", "--ledger", str(bad))
    assert result.exit_code == 1
    assert "is not what the deficit leaves, 1 300 000 kr" in result.output
    cars = tmp_path / "cars.toml"
    cars.write_text(text.replace("total = 400000", "total = 500000"), encoding="utf-8")
    result = rfm_cli("vaggeryd", "fordelning", "--ledger", str(cars))
    assert result.exit_code == 1
    assert "the rest 300 000 kr should be the tilläggsäskande" in result.output
    assert "Traceback" not in result.output


def test_forecast_is_rebuilt_identically_by_its_script():
    script = PLUGIN / "scripts" / "make_forecast.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_forecast_starts_from_the_real_scb_figures_and_says_it_is_illustrative():
    doc = json.loads(
        (PLUGIN / "src" / "rfm_vaggeryd" / "tenant" / "befolkningsprognos.json").read_text(
            encoding="utf-8"
        )
    )
    assert doc["extension"]["rfm"]["illustrative"] is True
    assert any("ILLUSTRATIV" in n for n in doc["note"])
    ages = list(doc["dimension"]["Alder"]["category"]["index"])
    years = list(doc["dimension"]["Tid"]["category"]["index"])
    n = len(years)
    col = {a: doc["value"][i * n + years.index("2020")] for i, a in enumerate(ages)}

    def group(lo: int, hi: int) -> int:
        return sum(col[str(a)] for a in range(lo, hi + 1))

    sheet = fastexcel.read_excel(
        PLUGIN / "scripts" / "sources" / "Folkhalsomyndigheten_Covid19_Vaccine.xlsx"
    )
    scb = sheet.load_sheet("Vaccinerade kommun och ålder", dtypes="string").to_polars()
    scb = dict(scb.filter(pl.col("Kommun") == "0665").select("Ålder", "Befolkning").iter_rows())
    assert group(80, 89) == int(scb["80-89"]) == 599
    assert col["90+"] == int(scb["90 eller äldre"]) == 140
    assert group(18, 29) == int(scb["18-29"])
    assert sum(col.values()) == 14_532  # SCB, Vaggeryd 31 Dec 2020
    assert years == [str(y) for y in range(2020, 2031)]


def test_a_municipality_replaces_the_forecast_with_its_own_csv(registry, tmp_path):
    (tmp_path / "prognos.csv").write_bytes(
        "Region;År;Ålder;Antal\n".encode("cp1252")
        + "".join(
            f"0665;{y};{a};1 000\n" for y in (2022, 2023) for a in ("0-64", "65-79", "80-89", "90+")
        ).encode("cp1252")
    )
    (tmp_path / "t.toml").write_text(
        '[tenant]\nid = "egen"\nextends = "vaggeryd"\n[data.population]\npath = "prognos.csv"\n'
        'schema = "municipal_population"\ncolumns = { Region = "area", "År" = "year", "Ålder" = "age", Antal = "count" }\n',
        encoding="utf-8",
    )
    tenant = rfm.load_tenant_file(tmp_path / "t.toml", registry)
    result = rfm.run(tenant, registry, [2023], models=["aldreomsorg_sarskilt_boende", "ifo"])
    amounts = dict(result.totals(["model"]).iter_rows())
    assert amounts["aldreomsorg_sarskilt_boende"] == 1000 * 60_000 + 1000 * 330_000
    assert amounts["ifo"] == pytest.approx(4000 * 4900 * 1.05)


def test_docs_describe_every_model_with_formula_values_sources_and_criteria(rfm_cli, registry):
    md = rfm_cli("docs", "vaggeryd")
    assert md.exit_code == 0, md.output
    tenant = registry.tenant("vaggeryd")
    for model in tenant.models:
        assert f"## {model.label}" in md.output
        assert readable(model.formula(), tenant) in md.output
    for criterion in ("Opåverkbarhet", "Stabilitet", "Tillförlitlig dataförsörjning"):
        assert criterion in md.output
    assert "KF: ny resursfördelningsmodell för budget 2023, uppräkning 5 %" in md.output
    assert "| uppräkning av standardkostnaden | 2023 | 5 % | andel |" in md.output
    assert "Förordning (2008:776), bilaga: BB = 1,25 × BV" in md.output
    html = rfm_cli("docs", "vaggeryd", "--format", "html")
    assert html.exit_code == 0
    from html.parser import HTMLParser

    class Count(HTMLParser):
        tables = 0

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                Count.tables += 1

    Count().feed(html.output)
    assert Count.tables >= len(tenant.models)
    assert "<script" not in html.output and "src=" not in html.output  # self-contained


def test_frame_as_a_workbook_sheet_adds_up(rfm_cli, buildup, tmp_path):
    import fastexcel

    out = tmp_path / "ram.xlsx"
    done = rfm_cli("frame", "vaggeryd", "--year", "2023", "--format", "xlsx", "--out", str(out))
    assert done.exit_code == 0, done.output
    reader = fastexcel.read_excel(str(out))
    assert reader.sheet_names == ["Läs mig", "Ramberäkning", "Parametrar"]
    rows = [
        list(r) for r in reader.load_sheet("Ramberäkning", header_row=None).to_polars().iter_rows()
    ]
    want = {r["program"]: r for r in buildup.table.iter_rows(named=True)}
    got = {r[0]: r for r in rows if r[0] in want}
    assert got.keys() == want.keys()
    for program, r in got.items():
        steps = [float(v) for v in r[1:8]]
        # Ram 2022 + volume + rate change + PLK + additions − savings = Ram 2023, as rfm says.
        assert steps[6] == pytest.approx(sum(steps[:5]) - steps[5])
        assert steps[6] == pytest.approx(want[program]["frame"])
        assert steps[3] == pytest.approx(0.04 * steps[0])  # PLK 4 % of last year's frame
