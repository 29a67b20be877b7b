"""Vaggeryd's models of budget 2023 on the bundled data, each figure worked out by hand from the
data files and the seeds, not from rfm's own output."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import polars as pl
import pytest

import rfm

YEARS = list(range(2023, 2031))
MODELS = {
    "aldreomsorg_ordinart_boende",
    "aldreomsorg_sarskilt_boende",
    "ifo",
    "lss",
    "halso_sjukvard",
}
TENANT = (
    Path(__file__).resolve().parents[2]
    / "packages"
    / "rfm-plugins-vaggeryd"
    / "src"
    / "rfm_vaggeryd"
    / "tenant"
)


def population() -> dict[int, list[int]]:
    """Year → persons by age 0…89, 90+, read straight from the JSON-stat file."""
    doc = json.loads((TENANT / "befolkningsprognos.json").read_text(encoding="utf-8"))
    ages = list(doc["dimension"]["Alder"]["category"]["index"])
    years = list(doc["dimension"]["Tid"]["category"]["index"])
    n = len(years)
    return {
        int(y): [doc["value"][i * n + j] for i in range(len(ages))] for j, y in enumerate(years)
    }


def tenant_doc() -> dict:
    return tomllib.loads((TENANT / "vaggeryd.toml").read_text(encoding="utf-8"))


def amount(frame: pl.DataFrame) -> float:
    return float(frame.select(pl.col("amount").cast(pl.Float64).sum()).item())


@pytest.fixture(scope="module")
def registry() -> rfm.Registry:
    return rfm.PluginHost().registry


@pytest.fixture(scope="module")
def vaggeryd(registry):
    return registry.tenant("vaggeryd")


def test_run_shows_every_model_for_every_year(rfm_cli, registry):
    result = rfm_cli("run", "vaggeryd", "--years", "2023-2030", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(result.output.encode())
    got = set(rows.select("model", "year").unique().iter_rows())
    assert got == {(m, y) for m in MODELS for y in YEARS}
    table = rfm_cli("run", "vaggeryd", "--years", "2023-2030", "--round", "tkr")
    assert table.exit_code == 0
    labels = {m.id: m.label for m in registry.tenant("vaggeryd").models}
    for model in MODELS:  # by their labels, not their ids
        assert labels[model] in table.output


def test_ifo_is_population_times_standard_cost_times_uplift(registry, vaggeryd):
    """Seed 000: "standardkostnaden … inte räknas upp med 10 % utan 5 %" from budget 2023."""
    pop = population()
    new = rfm.run(vaggeryd, registry, [2022, 2023, 2030], scenario="modell-2023").lineage
    old = rfm.run(vaggeryd, registry, [2023], scenario="modell-2022").lineage

    def ifo(frame: pl.DataFrame, year: int) -> float:
        return amount(frame.filter((pl.col("model") == "ifo") & (pl.col("year") == year)))

    assert ifo(new, 2022) == pytest.approx(2849 * 1.10 * sum(pop[2022]), rel=1e-12)
    assert ifo(new, 2023) == pytest.approx(2983 * 1.05 * sum(pop[2023]), rel=1e-12)
    assert ifo(new, 2030) == pytest.approx(2983 * 1.05 * sum(pop[2030]), rel=1e-12)
    assert ifo(old, 2023) == pytest.approx(2983 * 1.10 * sum(pop[2023]), rel=1e-12)


def test_compare_is_the_consequence_at_fixed_prices(rfm_cli):
    result = rfm_cli(
        "compare", "vaggeryd", "--scenario", "modell-2023", "--against", "modell-2022",
        "--years", "2023-2030", "--prices", "fixed", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(result.output.encode())
    ifo = rows.filter(pl.col("model") == "ifo")
    assert ifo.height == 8
    # IFO falls by 1 − 1,05/1,10 ≈ 4,5 % every year; ÄO is unchanged.
    assert all(abs(s - (1.05 / 1.10 - 1)) < 1e-9 for s in ifo["diff_share"])
    assert rows.filter(pl.col("model").str.starts_with("aldreomsorg"))["diff"].abs().max() == 0


def lss_by_hand(year: int) -> tuple[float, float]:
    """The LSS standard cost per inhabitant of ``year`` and its PK-IX, from the files alone.

    Förordning (2008:776), bilaga: "S = BV × bv + BB × bb + FH × fh + DV × dv + KV × kv + KT ×
    kt + AS × as + LS × ls + KP × kp + PAK × pak + PAF × paf + FK"; data two years back (§3).
    """
    doc = tenant_doc()
    params = doc["parameters"]

    def p(key: str, y: int) -> float:
        values = params[key]["values"]
        found = [int(k) for k in values if int(k) <= y]
        v = values[str(max(found))]
        return float(v["value"] if isinstance(v, dict) else v)

    data_year = year - 2
    with (TENANT / "lss_insatser.csv").open(encoding="utf-8") as f:
        n = {
            r["category"]: float(r["count"])
            for r in csv.DictReader(f)
            if int(r["year"]) == data_year
        }
    bv, dv = p("lss.pris_bostad", year), p("lss.pris_daglig_verksamhet", year)
    kv, pak = p("lss.pris_korttidsvistelse", year), p("lss.pris_personlig_assistans", year)
    insatser = (
        n["bostad_vuxna"] * bv + n["bostad_barn"] * 1.25 * bv + n["familjehem_barn"] * 0.45 * bv
        + n["daglig_verksamhet"] * dv + n["korttidsvistelse"] * kv
        + n["korttidstillsyn"] * 0.55 * kv + n["avlosarservice"] * 0.25 * kv
        + n["ledsagarservice"] * 0.25 * kv + n["kontaktperson"] * 0.10 * kv
        + n["personlig_assistans_lss"] * pak + n["personlig_assistans_sfb"] * 0.50 * pak
    )  # fmt: skip
    with (TENANT / "lss_fk_timmar.csv").open(encoding="utf-8") as f:
        hours = next(float(r["count"]) for r in csv.DictReader(f) if int(r["year"]) == data_year)
    schablon = float(params["pa.schablon"]["values"][str(data_year)]["value"])
    fk = hours * schablon  # the first 20 h a week (SFB 51 kap. 22 §) at the year's schablon
    s = insatser + fk
    rs = {k: p(f"lss.rs.{k}", year) for k in "ABCDEFGJ"}
    personnel = (
        rs["A"] * 1.4718 + 0.85 * (rs["B"] + rs["C"] + rs["D"] + rs["E"])
        - 0.85 * (rs["F"] + rs["G"] + rs["J"]) + 0.85 * 0.20 * (fk / 0.20 - rs["G"])
    )  # fmt: skip
    index = (s + 0.7 * (personnel - 0.85 * s)) / s
    # KPIF from the data year to the price level of 2022 (price_year): 2023 → × (1 + 7,7 %).
    kpif = {2022: 1.024 * 1.077, 2023: 1.077, 2024: 1.0, 2025: 1 / 1.060}[year]
    divisor = sum(population()[year - 1])  # 31 Dec the year before, as the tenant says
    return s * index * kpif * 1.0 / divisor, index


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_lss_is_the_regulation_standard_cost_times_population(registry, vaggeryd, year):
    expected, _ = lss_by_hand(year)
    row = (
        rfm.run(vaggeryd, registry, [year], models=["lss"])
        .lineage.filter(pl.col("model") == "lss")
        .row(0, named=True)
    )
    assert row["rate"] == pytest.approx(expected, rel=1e-9)
    assert row["volume"] == sum(population()[year])
    assert "FK" in row["basis"] and "PK-IX" in row["basis"] and "KPIF" in row["basis"]


def test_each_schablon_reaches_the_equalisation_two_years_later(registry, vaggeryd):
    """Seed 004: "Personlig assistans-kostnad/timme, ökar från 304,30 kr till 324,50 kr." The
    rise spans 2020–2023, and förordning 2008:776 §3 reads the accounts "två år före"."""
    lineage = rfm.run(vaggeryd, registry, [2022, 2023, 2024, 2025], models=["lss"]).all_lineage
    fk = dict(
        lineage.filter(pl.col("model") == "lss_fk").select("year", "rate").sort("year").iter_rows()
    )
    assert fk == {2022: 304.30, 2023: 315.00, 2024: 319.70, 2025: 324.50}


def test_hsl_rate_is_base_year_cost_over_base_year_volume(registry, vaggeryd):
    pop = population()
    assert sum(pop[2020][80:]) == 739  # SCB 31 Dec 2020: 80–89 599 + 90+ 140
    result = rfm.run(vaggeryd, registry, [2020, 2023], models=["halso_sjukvard"])
    hsl = result.lineage.filter(pl.col("model") == "halso_sjukvard").sort("year")
    assert hsl["rate"].to_list() == [pytest.approx(30_021_875 / 739)] * 2
    assert hsl["volume"].to_list() == [739, sum(pop[2023][80:])]
    assert "basår 2020" in hsl.item(1, "basis")


def test_a_base_cost_and_volume_of_different_years_are_refused(rfm_registry, tenant_file):
    path = tenant_file(
        """
[tenant]
id = "t"
[data.population]
path = "p.csv"
[[models]]
id = "hsl"
type = "base_year_rate"
recipient = "SN"
base_cost = { 2021 = { value = 100, source = "bokslut 2021" } }
base_volume = { 2020 = { value = 10, source = "SCB 2020" } }
""",
        {"p.csv": "area;year;age;count\nX;2023;80;10\n"},
    )
    tenant = rfm.load_tenant_file(path, rfm_registry)
    with pytest.raises(
        rfm.ModelError, match="base cost is from 2021 but the base volume from 2020"
    ):
        rfm.run(tenant, rfm_registry, [2023])


def test_lss_counts_are_given_for_every_data_year():
    """Counts are facts of their year: each data year 2020–2028 lists every insats once."""
    with (TENANT / "lss_insatser.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_year: dict[int, list[str]] = {}
    for r in rows:
        by_year.setdefault(int(r["year"]), []).append(r["category"])
    assert sorted(by_year) == list(range(2020, 2029))
    first = sorted(by_year[2020])
    assert len(first) == 11 and all(sorted(c) == first for c in by_year.values())
