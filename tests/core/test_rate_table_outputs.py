"""Issue 17, items 2 and 3 in every output: the units of each row, and a derived rate's rule.

Item 2: "Units per row for volume and rate (dygn, timmar, st, elever, m², kr/dygn …), in lineage
and in every output". The Jönköping cookbook (docs/cookbook/hemtjanst-lov-jonkoping) mixes two
units in one model: performed hours (``timmar``, the table's ``kr/timme``) and meal deliveries
(``st``, the rows' own ``kr/st``). The expected units below are read off the tenant's files by
hand; each output must show them row by row, not one label for the whole model.

Item 3: "Derived rates … with the rounding the decision states; the basis shows the rule". The
expected basis texts are written out from the decisions (Stockholm: enskild = kommunal × 1,025
in whole kronor; Tyresö: extern = intern × 1,06 after halvtid = heltid × 0,5, each in whole
kronor) with the arithmetic done here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import fastexcel
import polars as pl
import pytest

import rfm

COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "cookbook"
LOV = COOKBOOK / "hemtjanst-lov-jonkoping" / "tenant.toml"
LSS = COOKBOOK / "lss-bostad-stockholm" / "tenant.toml"
TYRESO = COOKBOOK / "daglig-verksamhet-tyreso" / "tenant.toml"

# (recipient, component) → (volume unit, rate unit), from utfort.csv's unit column and the rate
# table (unit = "kr/timme" for the table, unit = "kr/st" on each matleverans row).
ENHET_OSTER = "Kommunal hemtjänst Öster"
SMALAND = "Omsorg i Småland AB"
UNITS = {
    (ENHET_OSTER, "lov: tatort, utford_tid"): ("timmar", "kr/timme"),
    (ENHET_OSTER, "lov: villaomrade, utford_tid"): ("timmar", "kr/timme"),
    (ENHET_OSTER, "lov: tatort, matleverans"): ("st", "kr/st"),
    (SMALAND, "lov: landsbygd, utford_tid"): ("timmar", "kr/timme"),
    (SMALAND, "lov: landsbygd, matleverans"): ("st", "kr/st"),
}


def kr(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _units_of(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["recipient"], r["component"]): (r["volume_unit"], r["rate_unit"]) for r in rows}


def test_units_per_row_in_the_lineage(rfm_registry):
    tenant = rfm.load_tenant_file(LOV, rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2016]).lineage
    assert _units_of(list(rows.iter_rows(named=True))) == UNITS


@pytest.mark.parametrize("excel", [False, True], ids=["csv", "csv-excel"])
def test_units_per_row_in_csv(rfm_cli, excel):
    args = ["run", "--config", str(LOV), "--year", "2016", "--format", "csv"]
    done = rfm_cli(*args, *(["--excel"] if excel else []))
    assert done.exit_code == 0, done.output
    text = done.stdout_bytes.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if excel else ","))
    assert _units_of(rows) == UNITS


def test_units_per_row_in_json(rfm_cli):
    done = rfm_cli("run", "--config", str(LOV), "--year", "2016", "--format", "json")
    assert done.exit_code == 0, done.output
    assert _units_of(json.loads(done.stdout)["rows"]) == UNITS


def test_units_per_row_in_parquet(rfm_cli, tmp_path):
    out = tmp_path / "lov.parquet"
    done = rfm_cli("run", "--config", str(LOV), "--year", "2016", "--format", "parquet",
                   "--out", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    assert _units_of(list(pl.read_parquet(out).iter_rows(named=True))) == UNITS


def test_units_per_row_in_the_workbook(rfm_cli, tmp_path):
    out = tmp_path / "lov.xlsx"
    done = rfm_cli("run", "--config", str(LOV), "--year", "2016", "--format", "xlsx",
                   "--out", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    sheet = fastexcel.read_excel(str(out)).load_sheet(
        "Hemtjänst (LOV, utförd tid)", header_row=None, dtypes="string"
    )
    cells = [list(r) for r in sheet.to_polars().iter_rows()]
    head = next(i for i, r in enumerate(cells) if r[0] == "Mottagare")
    names = cells[head]
    assert names[:7] == ["Mottagare", "År", "Komponent", "Volym", "Volymenhet", "Ersättning",
                         "Enhet"]  # fmt: skip
    rows = [dict(zip(names, r, strict=True)) for r in cells[head + 1 :] if r[2] is not None]
    got = {(r["Mottagare"], r["Komponent"]): (r["Volymenhet"], r["Enhet"]) for r in rows}
    assert got == UNITS


def test_units_per_row_in_explain(rfm_cli):
    for recipient in (ENHET_OSTER, SMALAND):
        done = rfm_cli("explain", "--config", str(LOV), "--model", "hemtjanst", "--recipient",
                       recipient, "--year", "2016")  # fmt: skip
        assert done.exit_code == 0, done.output
        lines = done.output.splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith("Komponent"))
        assert re.split(r"\s{2,}", lines[head].strip())[:5] == [
            "Komponent", "Volym", "Volymenhet", "Ersättning", "Enhet"
        ]  # fmt: skip
        got = {}
        for line in lines[head + 2 :]:
            if not line.strip():
                break
            component, _volume, volume_unit, _rate, rate_unit, *_ = re.split(r"\s{2,}", line)
            got[(recipient, component)] = (volume_unit, rate_unit)
        assert got == {k: v for k, v in UNITS.items() if k[0] == recipient}


# -- item 3: the derived rate's rule in its basis -------------------------------------------------

STOCKHOLM_RULE = "Stockholms stad: enskilda utförare får 2,5 % momskompensation, hela kronor"
STOCKHOLM_SOURCE = "Stockholms stad, ersättningar LSS 2022 (kommunal regi), från 2022"


def test_a_derived_rates_rule_is_its_basis_in_lineage_csv_and_explain(rfm_registry, rfm_cli):
    # Stockholm, enskild regi: 763 × 1,025 = 782,075 → 782; 4 880 × 1,025 = 5 002,0 → 5 002.
    assert kr(Decimal(763) * Decimal("1.025")) == 782
    assert kr(Decimal(4880) * Decimal("1.025")) == 5002
    grundpeng = (
        "782 kr/dygn = grundpeng[gruppbostad, kommunal] 763 × 1,025, avrundat till hela kronor "
        f"({STOCKHOLM_RULE}); 763 kr/dygn ({STOCKHOLM_SOURCE})"
    )
    nivapeng = (
        "5 002 kr/dygn = nivapeng[gruppbostad, 7, kommunal] 4 880 × 1,025, avrundat till hela "
        f"kronor ({STOCKHOLM_RULE}); 4 880 kr/dygn ({STOCKHOLM_SOURCE})"
    )
    tenant = rfm.load_tenant_file(LSS, rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2022]).lineage
    bjorken = rows.filter(pl.col("recipient") == "Gruppbostaden Björken")
    basis = dict(zip(bjorken["component"], bjorken["basis"], strict=True))
    assert basis == {
        "grundpeng: gruppbostad, 7, enskild": grundpeng,
        "nivapeng: gruppbostad, 7, enskild": nivapeng,
    }
    # A rate of kommunal regi is not derived, and its basis says only its source.
    linden = rows.filter(pl.col("recipient") == "Gruppbostaden Linden")["basis"].to_list()
    assert all("×" not in b and b.endswith(f"({STOCKHOLM_SOURCE})") for b in linden)

    done = rfm_cli("run", "--config", str(LSS), "--year", "2022", "--format", "csv")
    csv_basis = {
        r["component"]: r["basis"]
        for r in csv.DictReader(io.StringIO(done.stdout))
        if r["recipient"] == "Gruppbostaden Björken"
    }
    assert csv_basis == basis
    explained = rfm_cli("explain", "--config", str(LSS), "--model", "lss_bostad", "--recipient",
                        "Gruppbostaden Björken", "--year", "2022").output  # fmt: skip
    assert grundpeng in explained and nivapeng in explained


def test_a_chain_of_derivations_shows_each_rule_in_the_order_it_was_rounded(rfm_registry):
    # Tyresö, extern halvtid nivå 5: heltid 1 677 × 0,5 = 838,5 → 839; 839 × 1,06 = 889,34 → 889.
    halvtid = kr(Decimal(1677) * Decimal("0.5"))
    extern = kr(halvtid * Decimal("1.06"))
    assert (halvtid, extern) == (839, 889)
    tenant = rfm.load_tenant_file(TYRESO, rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage
    row = rows.filter(pl.col("component") == "dv: 5, halvtid, extern").row(0, named=True)
    assert row["rate"] == 889
    assert row["basis"] == (
        "889 kr/dygn = dv[5, halvtid, intern] 839 × 1,06, avrundat till hela kronor "
        "(Extern utförare (LOV): intern × 1,06, hela kronor); "
        "839 kr/dygn = dv[5, heltid, intern] 1 677 × 0,5, avrundat till hela kronor "
        "(Halvtid: 50 % av heltid, hela kronor); "
        "1 677 kr/dygn (ILLUSTRATIVT: heltidsersättning per nivå för intern regi (Tyresös "
        "struktur), från 2024)"
    )


def test_an_added_amount_and_rounding_to_ore_are_shown_in_the_basis(tenant_file, rfm_registry):
    # A supplement of + 12,40 kr on 301,15 × 1,02 = 307,173 + 12,40 = 319,573 → 319,57 (öre).
    assert (Decimal("301.15") * Decimal("1.02") + Decimal("12.40")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    ) == Decimal("319.57")
    path = tenant_file(
        '[tenant]\nid = "tillagg"\n'
        '[data.tid]\npath = "tid.csv"\nschema = "volumes"\nsource = "test"\n'
        '[rates.pris]\ndimensions = ["regi"]\nunit = "kr/timme"\nsource = "Beslut 1"\n'
        'rows = [{ regi = "intern", from_year = 2024, rate = 301.15 }]\n'
        '[[rates.pris.derive]]\nset = { regi = "extern" }\nfrom = { regi = "intern" }\n'
        'factor = 1.02\nadd = 12.40\nround = 2\nsource = "Beslut 2: tillägg för extern regi"\n'
        '[[models]]\nid = "m"\ntype = "rate_table"\ndataset = "tid"\nrecipient_column = "enhet"\n'
        'volume_unit = "timmar"\nrates = "pris"\nsource = "test"\n',
        {"tid.csv": "enhet,year,regi,volume\nA,2024,extern,100\n"},
    )
    tenant = rfm.load_tenant_file(path, rfm_registry)
    row = rfm.run(tenant, rfm_registry, [2024]).lineage.row(0, named=True)
    assert row["rate"] == pytest.approx(319.57)
    assert row["basis"].startswith(
        "319,57 kr/timme = pris[intern] 301,15 × 1,02 + 12,4, avrundat till 2 decimaler "
        "(Beslut 2: tillägg för extern regi); 301,15 kr/timme (Beslut 1"
    )
