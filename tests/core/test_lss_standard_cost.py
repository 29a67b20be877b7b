"""``lss_standard_cost`` by förordning (2008:776): every expected value worked out by hand here.

The regulation's text the tests encode:

* bilaga: "S = BV × bv + BB × bb + … + PAK × pak + PAF × paf + FK" (FK = "kommunens ersättning
  till Försäkringskassan enligt 51 kap. socialförsäkringsbalken");
* bilaga, steg 1: "Lönekostnaden (A) × (1 + PO-pålägg) + 0,85 × (B + C + D + E) - 0,85 × (F + G +
  J) + 0,85 × 0,20 × ((H / 0,20) - G) = beräknade personalkostnader";
* steg 2–3: "0,85 × S", "× 0,7", "Indexet fås … = (S + steg 3) / S";
* "Slutlig standardkostnad … = S × PK-IX × konsumentprisindex med fast ränta ×
  korrigeringsfaktorn / antalet invånare i kommunen";
* bilaga, KPIF: "2025: 2,7", "2026: 1,3"; §3: the data are "två år före utjämningsåret".
"""

from __future__ import annotations

import polars as pl
import pytest

import rfm

POPULATION = "area;year;age;count\nK;2026;0-64;9000\nK;2026;65+;1000\n"
BASE = """
[tenant]
id = "lss-test"
[data.population]
path = "pop.csv"
[[models]]
id = "insatser"
type = "price_tags"
recipient = "K"
source = "test"
prices = {{ bv = {{ 2026 = 1000000 }}, dv = {{ 2026 = 200000 }} }}
weights = {{ dv = {{ 2026 = 0.5 }} }}
[models.counts]
bv = {{ 2026 = 10 }}
dv = {{ 2026 = 20 }}
[[models]]
id = "lss"
type = "lss_standard_cost"
recipient = "K"
insatser = "insatser"
source = "test"
fk = {fk}
{index}
kpif = {{ 2025 = 0.027, 2026 = 0.013 }}
{extra}
correction = {{ 2026 = 0.9 }}
equalisation_population = {{ 2026 = 8000 }}
"""
LINES = (
    "personnel_costs = { A = { 2026 = 6000000 }, B = { 2026 = 1000000 }, C = { 2026 = 200000 }, "
    "D = { 2026 = 100000 }, E = { 2026 = 50000 }, F = { 2026 = 300000 }, G = { 2026 = 800000 }, "
    "J = { 2026 = 40000 } }\npo_rate = { 2026 = 0.4718 }"
)


def run(tenant_file, registry, *, fk="{ 2026 = 500000 }", index=LINES, extra=""):
    path = tenant_file(BASE.format(fk=fk, index=index, extra=extra), {"pop.csv": POPULATION})
    tenant = rfm.load_tenant_file(path, registry)
    return rfm.run(tenant, registry, [2026], models=["lss"]).lineage.row(0, named=True)


def by_hand(*, fk=500_000.0, s_insatser=10 * 1_000_000 + 20 * 200_000 * 0.5, kpif=1.027 * 1.013):
    s = s_insatser + fk
    a, b, c, d, e, f, g, j, h = 6e6, 1e6, 2e5, 1e5, 5e4, 3e5, 8e5, 4e4, fk
    p = a * 1.4718 + 0.85 * (b + c + d + e) - 0.85 * (f + g + j) + 0.85 * 0.20 * (h / 0.20 - g)
    steg3 = (p - 0.85 * s) * 0.7
    index = (s + steg3) / s
    return s * index * kpif * 0.9 / 8000, index


def test_standard_cost_follows_the_regulation_step_by_step(tenant_file, rfm_registry):
    # S = 10 × 1 000 000 + 20 × 200 000 × 0,5 + FK 500 000 = 12 500 000 kr.
    # P = 6 000 000 × 1,4718 + 0,85 × 1 350 000 − 0,85 × 1 140 000 + 0,85 × (500 000 − 160 000)
    #   = 8 830 800 + 1 147 500 − 969 000 + 289 000 = 9 298 300;
    # steg 3 = (9 298 300 − 10 625 000) × 0,7 = −928 690; PK-IX = 11 571 310 / 12 500 000.
    expected, index = by_hand()
    assert index == pytest.approx(11_571_310 / 12_500_000, rel=1e-12)
    row = run(tenant_file, rfm_registry)
    assert row["rate"] == pytest.approx(expected, rel=1e-12)
    assert row["volume"] == 10_000  # every age of the budget year's population
    assert float(row["amount"]) == pytest.approx(expected * 10_000, rel=1e-9)
    for words in ("S 12 500 000 kr", "FK 500 000 kr", "PK-IX", "KPIF 1,0404", "÷ 8 000"):
        assert words in row["basis"]


def test_fk_is_part_of_s_and_of_pk_ix(tenant_file, rfm_registry):
    """A rise of the municipality's payment to Försäkringskassan raises S and H at once."""
    low, high = (run(tenant_file, rfm_registry, fk=f"{{ 2026 = {v} }}") for v in (500000, 600000))
    assert high["rate"] == pytest.approx(by_hand(fk=600_000.0)[0], rel=1e-12)
    # S × PK-IX = 0,405 × S + 0,70 × P, and H enters P as 0,85 × H: ΔFK counts 0,405 + 0,595.
    delta = (high["rate"] - low["rate"]) * 8000 / (0.9 * 1.027 * 1.013)
    assert delta == pytest.approx(100_000 * (0.405 + 0.70 * 0.85), rel=1e-9)


def test_pk_ix_depends_on_s(tenant_file, rfm_registry):
    """§6: with the personnel cost P given, S × PK-IX = 0,405 × S + 0,70 × P (not S × a constant)."""
    small = by_hand()
    large = by_hand(s_insatser=13_000_000.0)
    assert large[1] < small[1]  # a larger S with the same P gives a lower index
    grow = (large[0] - small[0]) * 8000 / (0.9 * 1.027 * 1.013)
    assert grow == pytest.approx(0.405 * 1_000_000, rel=1e-9)


def test_a_published_index_is_taken_as_given(tenant_file, rfm_registry):
    row = run(tenant_file, rfm_registry, index="personnel_index = { 2026 = 1.05 }")
    assert row["rate"] == pytest.approx(12_500_000 * 1.05 * 1.027 * 1.013 * 0.9 / 8000, rel=1e-12)


def test_fixed_prices_carry_s_to_the_price_year(tenant_file, rfm_registry):
    # Data year 2024 (two years back) to the price level of 2025: × (1 + 2,7 %) only.
    row = run(tenant_file, rfm_registry, extra="price_year = 2025")
    assert row["rate"] == pytest.approx(by_hand(kpif=1.027)[0], rel=1e-12)
    # To the price level of 2023, a year before the data year: ÷ (1 + KPIF 2024).
    path_extra = "price_year = 2023"
    with pytest.raises(rfm.RfmError, match=r"'lss\.kpif' has no value for 2024"):
        run(tenant_file, rfm_registry, extra=path_extra)  # no KPIF for 2024 is given


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (LINES + "\npersonnel_index = { 2026 = 1.0 }", "not both"),
        ("", "not neither"),
        (LINES.replace(", J = { 2026 = 40000 }", ""), "wrong or missing: J"),
        (LINES.split("\n")[0], "po_rate"),
    ],
)
def test_the_index_must_be_given_one_way(tenant_file, rfm_registry, index, message):
    path = tenant_file(
        BASE.format(fk="{ 2026 = 500000 }", index=index, extra=""), {"pop.csv": POPULATION}
    )
    with pytest.raises(rfm.ConfigError, match=message):
        rfm.load_tenant_file(path, rfm_registry)


def test_fk_from_a_model_must_cover_the_year(tenant_file, rfm_registry):
    extra_model = """
[[models]]
id = "fk"
type = "price_tags"
recipient = "K"
volume_unit = "timmar"
source = "test"
prices = { timmar = { 2026 = 300 } }
counts = { timmar = { 2026 = 1000 } }
"""
    path = tenant_file(
        BASE.format(fk='"fk"', index=LINES, extra="") + extra_model, {"pop.csv": POPULATION}
    )
    tenant = rfm.load_tenant_file(path, rfm_registry)
    row = rfm.run(tenant, rfm_registry, [2026], models=["lss"]).lineage.row(0, named=True)
    assert row["rate"] == pytest.approx(by_hand(fk=300_000.0)[0], rel=1e-12)
    assert "modellen fk" in row["basis"]
    lineage = rfm.run(tenant, rfm_registry, [2026], models=["lss"]).all_lineage
    assert set(lineage["model"].unique()) == {"lss", "insatser", "fk"}
    assert isinstance(lineage, pl.DataFrame)
