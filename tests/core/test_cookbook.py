"""docs/cookbook: each model family as a runnable tenant file, checked against a hand calculation.

The expected figures are worked out here from the published rates and the example volumes,
with Python's Decimal, independently of rfm's code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

import rfm

COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "cookbook"


def kr(value: Decimal | int | float) -> Decimal:
    """Rounded half-up to whole kronor, as the decisions say."""
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def totals(name: str, year: int, rfm_registry) -> dict[str, Decimal]:
    tenant = rfm.load_tenant_file(COOKBOOK / name / "tenant.toml", rfm_registry)
    result = rfm.run(tenant, rfm_registry, [year])
    return dict(result.totals(["recipient"]).iter_rows())


def test_lss_housing_is_grundpeng_plus_nivapeng_per_day_with_enskild_at_2_5_percent(rfm_registry):
    got = totals("lss-bostad-stockholm", 2022, rfm_registry)
    enskild = kr(Decimal(763) * Decimal("1.025")) + kr(Decimal(4880) * Decimal("1.025"))
    assert enskild == 782 + 5002  # 782,075 → 782 and 5 002,0
    assert got == {
        "Gruppbostaden Linden": 1825 * (763 + 2609) + 1460 * (763 + 3701),
        "Servicebostaden Eken": 2190 * (587 + 918) + 365 * (587 + 4702),
        "Gruppbostaden Björken": 2555 * enskild,
    }


def test_daglig_verksamhet_derives_halvtid_deltid_and_extern_rounding_each_step(rfm_registry):
    got = totals("daglig-verksamhet-tyreso", 2024, rfm_registry)
    heltid = {1: 412, 2: 587, 3: 813, 4: 1139, 5: 1677}

    def extern(rate: Decimal) -> Decimal:
        return kr(rate * Decimal("1.06"))

    def share(level: int, part: str) -> Decimal:
        return kr(Decimal(heltid[level]) * Decimal(part))

    assert share(5, "0.5") == 839  # 838,5 rounds half up
    assert got == {
        "Kommunens dagcenter": 2200 * 412 + 1320 * share(3, "0.5") + 660 * 1677,
        "Arbetsglädje AB": 1100 * extern(Decimal(587))
        + 880 * extern(share(4, "0.75"))
        + 440 * extern(share(5, "0.5")),
    }


def test_hemtjanst_lov_pays_hours_and_meals_by_area_type_exactly(rfm_registry):
    got = totals("hemtjanst-lov-jonkoping", 2016, rfm_registry)
    assert got == {
        "Kommunal hemtjänst Öster": Decimal("18250.5") * Decimal("414.80")
        + Decimal("6120.25") * Decimal("430.05")
        + 7300 * 45,
        "Omsorg i Småland AB": Decimal("4380.75") * Decimal("506.70") + 1460 * 62,
    }
    tenant = rfm.load_tenant_file(
        COOKBOOK / "hemtjanst-lov-jonkoping" / "tenant.toml", rfm_registry
    )
    rows = rfm.run(tenant, rfm_registry, [2016]).lineage
    units = dict(zip(rows["component"], zip(rows["volume_unit"], rows["rate_unit"], strict=True),
                     strict=True))  # fmt: skip
    assert units["lov: tatort, matleverans"] == ("st", "kr/st")
    assert units["lov: tatort, utford_tid"] == ("timmar", "kr/timme")


def test_grundskola_is_a_schablon_per_pupil_plus_a_pot_above_the_cut_off(rfm_registry):
    tenant = rfm.load_tenant_file(COOKBOOK / "grundskola-stockholm" / "tenant.toml", rfm_registry)
    result = rfm.run(tenant, rfm_registry, [2025])
    by = {(m, r): a for m, r, a in result.totals(["model", "recipient"]).iter_rows()}
    assert by[("schablon", "Rinkebyskolan")] == 210 * 62400 + 180 * 58700 + 160 * 71300
    assert by[("schablon", "Bromma skola")] == 240 * 62400 + 230 * 58700
    points = {"Rinkebyskolan": 550 * 0.85, "Bromma skola": 0.0, "Kungsholmens skola": 420 * 0.12}
    for school, p in points.items():
        assert float(by[("socioekonomi", school)]) == pytest.approx(
            12_000_000 * p / sum(points.values()), abs=1e-6
        )
    assert float(sum(by[("socioekonomi", s)] for s in points)) == pytest.approx(12_000_000)


def test_volumes_may_be_the_change_between_years_with_corrections_as_rows_of_their_own(
    rfm_registry,
):
    tenant = rfm.load_tenant_file(COOKBOOK / "gata-park-forandring" / "tenant.toml", rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2025]).lineage
    got = dict(rows.group_by("recipient").agg(pl.col("amount").sum()).iter_rows())
    assert got == {
        "Norr": (186500 - 182000) * Decimal("38.5"),
        "Söder": (47250 - 40500) * Decimal("21.75") - 6000 * Decimal("21.75"),
    }
    correction = rows.filter(pl.col("component").str.ends_with("(korrigering)"))
    assert correction["basis"][0].startswith("korrigering: KF 2025-02-10 § 12")


def test_aldreomsorg_by_age_bands_as_sjobo_publishes_it(rfm_registry):
    population = pl.read_csv(COOKBOOK / "aldreomsorg-sjobo" / "befolkning.csv").filter(
        pl.col("year") == 2024
    )
    rates = {"65-79": 21900, "80-89": 137300, "90+": 381100}  # Sjöbo budget 2024
    expected = sum(Decimal(str(c)) * rates[a] for a, c in zip(population["age"],
                                                               population["count"], strict=True))  # fmt: skip
    assert totals("aldreomsorg-sjobo", 2024, rfm_registry) == {"Äldreomsorg": expected}


def test_forskola_100_children_at_97_000_kr_give_9_7_mnkr(rfm_registry):
    """Malå (DOMAIN.md §1): "97 000 kr per child aged 1–5, so 100 children give 9.7 mnkr"."""
    assert totals("forskola-mala", 2024, rfm_registry) == {"Förskolan": Decimal(9_700_000)}


# -- a rate table from a file: Swedish CSV and Excel, and its errors ------------------------------

TABLE_TOML = """[tenant]
id = "taxa"
[data.volymer]
path = "volymer.csv"
schema = "volumes"
[rates.taxa]
dimensions = ["niva", "omfattning", "regi", "tid"]
unit = "kr/timme"
path = "{table}"
source = "Taxa 2024"
[[models]]
id = "m"
type = "rate_table"
dataset = "volymer"
recipient_column = "enhet"
rates = "taxa"
source = "KF"
"""
LEVELS, SCOPES, REGIS, TIMES = (
    ["1", "2", "3", "4", "5"],
    ["heltid", "halvtid"],
    ["intern", "extern"],
    ["dag", "kväll", "natt", "helg", "storhelg"],
)


def rate_of(i: int) -> Decimal:
    return Decimal(400) + Decimal(i) * Decimal("12.35")


def table_rows() -> list[tuple[str, str, str, str, int, Decimal]]:
    combos = [(n, o, r, t) for n in LEVELS for o in SCOPES for r in REGIS for t in TIMES]
    assert len(combos) == 100
    return [(*c, 2024, rate_of(i)) for i, c in enumerate(combos)]


def swedish_csv(rows) -> bytes:
    lines = ["niva;omfattning;regi;tid;from_year;rate"]
    lines += [f"{n};{o};{r};{t};{y};{str(v).replace('.', ',')}" for n, o, r, t, y, v in rows]
    return ("\n".join(lines) + "\n").encode("cp1252")


def workbook(rows) -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Taxa")
    sheet.write_row(0, 0, ["niva", "omfattning", "regi", "tid", "from_year", "rate"])
    for i, (n, o, r, t, y, v) in enumerate(rows, start=1):
        sheet.write_row(i, 0, [n, o, r, t, y, float(v)])
    book.close()
    return buffer.getvalue()


VOLUMES = "enhet,year,niva,omfattning,regi,tid,volume\nA,2024,3,halvtid,extern,natt,120\nB,2024,5,heltid,intern,storhelg,7.5\n"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_100_row_rate_table_from_a_swedish_csv_or_excel(tenant_file, rfm_registry, suffix):
    rows = table_rows()
    content = swedish_csv(rows) if suffix == "csv" else workbook(rows)
    path = tenant_file(TABLE_TOML.format(table=f"taxa.{suffix}"),
                       {f"taxa.{suffix}": content, "volymer.csv": VOLUMES})  # fmt: skip
    tenant = rfm.load_tenant_file(path, rfm_registry)
    assert len(tenant.rates["taxa"].keys) == 100
    got = dict(rfm.run(tenant, rfm_registry, [2024]).totals(["recipient"]).iter_rows())
    index = {(n, o, r, t): v for n, o, r, t, _, v in rows}
    assert got == {
        "A": 120 * index[("3", "halvtid", "extern", "natt")],
        "B": Decimal("7.5") * index[("5", "heltid", "intern", "storhelg")],
    }


def test_an_unmatched_combination_is_one_clear_error(tenant_file, rfm_registry):
    rows = [r for r in table_rows() if r[:4] != ("3", "halvtid", "extern", "natt")]
    path = tenant_file(TABLE_TOML.format(table="taxa.csv"),
                       {"taxa.csv": swedish_csv(rows), "volymer.csv": VOLUMES})  # fmt: skip
    tenant = rfm.load_tenant_file(path, rfm_registry)
    with pytest.raises(rfm.ModelError, match=r"1 combination\(s\) of dataset 'volymer' have no "
                       r"rate in 'taxa':\n  - .*no rate for taxa\[3, halvtid, extern, natt\]"):  # fmt: skip
        rfm.run(tenant, rfm_registry, [2024])


def test_two_matching_rate_rows_are_refused_with_their_rows(tenant_file, rfm_registry):
    rows = [*table_rows(), table_rows()[7]]
    path = tenant_file(TABLE_TOML.format(table="taxa.csv"),
                       {"taxa.csv": swedish_csv(rows), "volymer.csv": VOLUMES})  # fmt: skip
    with pytest.raises(rfm.InputError, match=r"taxa\.csv, row 102.*repeats row 9"):
        rfm.load_tenant_file(path, rfm_registry)


def test_a_year_without_a_rate_is_refused(tenant_file, rfm_registry):
    path = tenant_file(TABLE_TOML.format(table="taxa.csv"),
                       {"taxa.csv": swedish_csv(table_rows()),
                        "volymer.csv": VOLUMES.replace("2024", "2023")})  # fmt: skip
    tenant = rfm.load_tenant_file(path, rfm_registry)
    with pytest.raises(rfm.ModelError, match=r"no value for 2023 \(its first value is from 2024\)"):
        rfm.run(tenant, rfm_registry, [2023])


def test_a_scenario_overrides_one_rate_and_the_derived_rates_follow(tenant_file, rfm_registry):
    toml = (COOKBOOK / "daglig-verksamhet-tyreso" / "tenant.toml").read_text(encoding="utf-8")
    toml += (
        '[scenarios.hojning]\n[scenarios.hojning.overrides."dv[5, heltid, intern]"]\n'
        'unit = "kr/dygn"\nvalues = { 2024 = { value = 1700, source = "KS förslag" } }\n'
    )
    files = {n: (COOKBOOK / "daglig-verksamhet-tyreso" / n).read_text(encoding="utf-8")
             for n in ("dagar.csv", "utforare.csv")}  # fmt: skip
    tenant = rfm.load_tenant_file(tenant_file(toml, files), rfm_registry)
    got = dict(rfm.run(tenant, rfm_registry, [2024], scenario="hojning").totals(["recipient"])
               .iter_rows())  # fmt: skip
    base = dict(rfm.run(tenant, rfm_registry, [2024]).totals(["recipient"]).iter_rows())
    assert got["Kommunens dagcenter"] - base["Kommunens dagcenter"] == 660 * (1700 - 1677)
    # extern halvtid nivå 5 = round(round(1 700 × 0,5) × 1,06) = 901 (was 889)
    assert got["Arbetsglädje AB"] - base["Arbetsglädje AB"] == 440 * (901 - 889)
