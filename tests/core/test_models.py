"""The core model types from tenant files: price tags, standard cost, key, blend, limits, prices."""

from __future__ import annotations

import polars as pl
import pytest

import rfm
from rfm import run

POP = "area,year,age,count\n" + "".join(
    f"{area},{year},{age},{n}\n"
    for area, base in (("Norr", 1000), ("Söder", 3000))
    for year in (2022, 2023, 2024)
    for age, n in (("0-19", base), ("20-64", 2 * base), ("65+", base // 2 + year - 2022))
)


def load(tenant_file, registry, toml, files=None):
    return rfm.load_tenant_file(tenant_file(toml, files or {"pop.csv": POP}), registry)


def totals(result):
    return {
        (r["recipient"], r["year"]): float(r["amount"])
        for r in result.totals(["recipient", "year"]).iter_rows(named=True)
    }


IFO = """
[tenant]
id = "ifo"
[data.population]
path = "pop.csv"
[[models]]
id = "ifo"
type = "per_capita_standard_cost"
recipient = "Socialnämnden"
source = "SCB kostnadsutjämning 2022"
standard_cost = { 2022 = 5600 }
uplift = { 2022 = { value = 0.10, source = "KF 2018" }, 2023 = { value = 0.05, source = "KF 2022-06-20" } }
[scenarios.modell-2022]
overrides = { "ifo.uplift" = { unit = "andel", values = { 2023 = { value = 0.10, source = "gammal modell" } } } }
"""


def test_per_capita_standard_cost_with_dated_uplift(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, IFO)
    result = run(tenant, rfm_registry, [2022, 2023])
    inhabitants = {y: sum(b * 3.5 + y - 2022 for b in (1000, 3000)) for y in (2022, 2023)}
    got = totals(result)
    assert got[("Socialnämnden", 2022)] == pytest.approx(inhabitants[2022] * 5600 * 1.10)
    assert got[("Socialnämnden", 2023)] == pytest.approx(inhabitants[2023] * 5600 * 1.05)
    old = totals(run(tenant, rfm_registry, [2023], scenario="modell-2022"))
    assert old[("Socialnämnden", 2023)] == pytest.approx(inhabitants[2023] * 5600 * 1.10)
    basis = result.lineage.filter(pl.col("year") == 2023)["basis"][0]
    assert "5 600 kr/invånare" in basis and "5 %" in basis and "KF 2022-06-20" in basis


def test_compare_scenarios(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, IFO)
    diff = rfm.compare(
        run(tenant, rfm_registry, [2023]), run(tenant, rfm_registry, [2023], scenario="modell-2022")
    )
    row = diff.row(0, named=True)
    assert row["diff"] == pytest.approx(row["a"] - row["b"])
    assert row["diff_share"] == pytest.approx(1.05 / 1.10 - 1)


LSS = """
[tenant]
id = "lss"
[[models]]
id = "lss"
type = "price_tags"
recipient = "LSS"
source = "SCB LSS-utjämning 2022"
counts = { bostad_vuxna = { 2023 = 20 }, bostad_barn = { 2023 = 2 }, familjehem = { 2023 = 1 } }
prices = { bostad_vuxna = { 2023 = 1000000 }, bostad_barn = { 2023 = 1000000 }, familjehem = { 2023 = 1000000 } }
weights = { bostad_barn = { 2023 = 1.25 }, familjehem = { 2023 = 0.45 } }
"""


def test_price_tags_with_the_lss_weights(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, LSS, {})
    result = run(tenant, rfm_registry, [2023])
    assert totals(result)[("LSS", 2023)] == pytest.approx(1e6 * (20 + 2 * 1.25 + 1 * 0.45))
    barn = result.lineage.filter(pl.col("component") == "bostad_barn").row(0, named=True)
    assert barn["rate"] == 1.25e6 and "vikt 1,25" in barn["basis"]


KEY = """
[tenant]
id = "stad"
[data.need]
path = "need.csv"
[[models]]
id = "ny"
type = "distribution_key"
source = "KF 2005"
total = { 2006 = 100000000 }
variables = { arbetslosa = { 2006 = 2.0 }, lag_inkomst = { 2006 = 1.0 } }
[data.bokslut]
path = "bokslut.csv"
schema = "allocation"
[[models]]
id = "gammal"
type = "distribution_key"
source = "Bokslut 2004"
total = { 2006 = 100000000 }
points_column = "utfall"
dataset = "need"
[[models]]
id = "overgang"
type = "blend"
old = "gammal"
new = "ny"
source = "KF 2005-06-13"
new_share = { 2006 = 0.7, 2007 = 1.0 }
[[models]]
id = "tak"
type = "change_limit"
model = "ny"
previous = "bokslut"
max_increase = { 2006 = 0.05 }
max_decrease = { 2006 = 0.05 }
source = "KF 2005-06-13"
"""
NEED = "area,year,arbetslosa,lag_inkomst,utfall\nRinkeby,2006,9,7,30\nBromma,2006,2,1,10\nSkärholmen,2006,6,5,25\n"
BOKSLUT = (
    "recipient,year,amount\nRinkeby,2005,40000000\nBromma,2005,15000000\nSkärholmen,2005,45000000\n"
)


def test_distribution_key_blend_and_caps(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, KEY, {"need.csv": NEED, "bokslut.csv": BOKSLUT})
    assert set(tenant.reported_models(tenant.scenario(None))) == {"overgang", "tak"}
    result = run(tenant, rfm_registry, [2006])
    rows = result.all_lineage
    new = (
        rows.filter(pl.col("model") == "ny")
        .group_by("recipient")
        .agg(pl.col("amount").sum().cast(pl.Float64))
    )
    new = dict(new.iter_rows())
    points = {"Rinkeby": 2 * 9 + 7, "Bromma": 2 * 2 + 1, "Skärholmen": 2 * 6 + 5}
    for r, p in points.items():
        assert new[r] == pytest.approx(1e8 * p / sum(points.values()))
    old = dict(
        rows.filter(pl.col("model") == "gammal")
        .group_by("recipient")
        .agg(pl.col("amount").sum().cast(pl.Float64))
        .iter_rows()
    )
    blend = dict(
        rows.filter(pl.col("model") == "overgang")
        .group_by("recipient")
        .agg(pl.col("amount").sum().cast(pl.Float64))
        .iter_rows()
    )
    for r in points:
        assert blend[r] == pytest.approx(0.7 * new[r] + 0.3 * old[r])
    assert sum(blend.values()) == pytest.approx(1e8)
    capped = dict(
        rows.filter(pl.col("model") == "tak")
        .group_by("recipient")
        .agg(pl.col("amount").sum().cast(pl.Float64))
        .iter_rows()
    )
    assert sum(capped.values()) == pytest.approx(1e8)
    previous = {"Rinkeby": 40e6, "Bromma": 15e6, "Skärholmen": 45e6}
    for r, prev in previous.items():
        assert prev * 0.95 - 1e-6 <= capped[r] <= prev * 1.05 + 1e-6


def test_explain_shows_rows_and_sources(tenant_file, rfm_cli):
    path = tenant_file(KEY, {"need.csv": NEED, "bokslut.csv": BOKSLUT})
    out = rfm_cli(
        "explain", "--config", str(path), "--model", "ny", "--recipient", "Bromma", "--year", "2006"
    )
    assert out.exit_code == 0, out.output
    assert "arbetslosa" in out.output and "kr/poäng" in out.output and "KF 2005" in out.output
    assert "sha256" in out.output


PRICES = IFO.replace(
    "[[models]]",
    """[prices]
base_year = 2022
index = "pkv"
[parameters.pkv]
unit = "förändring"
source = "SKR PKV oktober 2022"
values = { 2023 = 0.061, 2024 = 0.035 }
[[models]]""",
    1,
)


def test_current_prices_by_index(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, PRICES)
    fixed = totals(run(tenant, rfm_registry, [2022, 2023, 2024]))
    current = totals(run(tenant, rfm_registry, [2022, 2023, 2024], prices="current"))
    key = "Socialnämnden"
    assert current[(key, 2022)] == pytest.approx(fixed[(key, 2022)])
    assert current[(key, 2023)] == pytest.approx(fixed[(key, 2023)] * 1.061)
    assert current[(key, 2024)] == pytest.approx(fixed[(key, 2024)] * 1.061 * 1.035)


def test_current_prices_without_index_is_a_clear_error(tenant_file, rfm_cli):
    path = tenant_file(IFO, {"pop.csv": POP})
    out = rfm_cli("run", "--config", str(path), "--year", "2023", "--prices", "current")
    assert out.exit_code == 1 and "no price index" in out.output


def test_a_model_may_not_compute_amounts():
    frame = pl.DataFrame({c: [1] for c in (*rfm.MODEL_COLUMNS, "amount")})
    with pytest.raises(rfm.ContractError, match="only the core"):
        rfm.apply_contract(frame, "t", "m")


SPLIT_KEY = """
[tenant]
id = "stad"
[data.need]
path = "need.csv"
[parameters."budget.utbetalt"]
unit = "kr"
source = "KF budget 2006"
values = { 2006 = 80000000 }
[parameters."budget.handlaggning"]
unit = "kr"
source = "KF budget 2006, handläggning"
values = { 2006 = 20000000 }
[[models]]
id = "ny"
type = "distribution_key"
source = "KF 2005"
total = ["budget.utbetalt", "budget.handlaggning"]
index_column = "index"
variables = { arbetslosa = { 2006 = 2.0 }, lag_inkomst = { 2006 = 1.0 } }
"""
INDEXED_NEED = (
    "area,year,arbetslosa,lag_inkomst,index\n"
    "Rinkeby,2006,9,7,1.1\nBromma,2006,2,1,0.9\nSkärholmen,2006,6,5,1\n"
)


def test_a_key_splits_merged_budgets_with_an_adjustment_index(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry, SPLIT_KEY, {"need.csv": INDEXED_NEED})
    result = run(tenant, rfm_registry, [2006])
    rows = result.all_lineage
    got = dict(rows.group_by("recipient").agg(pl.col("amount").sum().cast(pl.Float64)).iter_rows())
    points = {"Rinkeby": (2 * 9 + 7) * 1.1, "Bromma": (2 * 2 + 1) * 0.9, "Skärholmen": 2 * 6 + 5}
    for r, p in points.items():
        assert got[r] == pytest.approx(1e8 * p / sum(points.values()))
    basis = rows.filter((pl.col("recipient") == "Rinkeby") & (pl.col("component") == "arbetslosa"))
    text = basis["basis"][0]
    assert text.startswith("poäng = vikt 2 (KF 2005) × 9 arbetslosa × justeringsindex 1,1; ")
    assert "(80 000 000 kr (KF budget 2006) + 20 000 000 kr (KF budget 2006, handläggning))" in text


def test_a_key_refuses_an_index_of_zero(tenant_file, rfm_registry):
    bad = INDEXED_NEED.replace("Bromma,2006,2,1,0.9", "Bromma,2006,2,1,0")
    tenant = load(tenant_file, rfm_registry, SPLIT_KEY, {"need.csv": bad})
    with pytest.raises(rfm.ModelError, match=r"index must be a number above 0.*Bromma"):
        run(tenant, rfm_registry, [2006])


NAMED_LIKE_RFM = """
[tenant]
id = "namn"
[data.need]
path = "need.csv"
schema = "area_variables"
[[models]]
id = "ny"
type = "distribution_key"
dataset = "need"
source = "KF"
total = { 2006 = 1000 }
variables = { gap = { 2006 = 1.0 }, recipient = { 2006 = 2.0 }, "_volume_1" = { 2006 = 1.0 }, x = { 2006 = 0.5 } }
"""


def test_a_key_variable_may_have_any_column_name(tenant_file, rfm_registry):
    """Variables named like the columns rfm works with ("gap", "recipient", …) are the file's."""
    need = "area,year,gap,recipient,_volume_1,x\nA,2006,1,2,3,4\nB,2006,2,1,1,1\n"
    tenant = load(tenant_file, rfm_registry, NAMED_LIKE_RFM, {"need.csv": need})
    got = totals(run(tenant, rfm_registry, [2006]))
    points = {"A": 1 * 1 + 2 * 2 + 1 * 3 + 0.5 * 4, "B": 1 * 2 + 2 * 1 + 1 * 1 + 0.5 * 1}
    for recipient, p in points.items():
        assert got[(recipient, 2006)] == pytest.approx(1000 * p / sum(points.values()))
