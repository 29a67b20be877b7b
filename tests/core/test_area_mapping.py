"""Finer areas aggregate to the recipients of the budget year through a dated mapping."""

from __future__ import annotations

import polars as pl
import pytest

import rfm

TENANT = """
[tenant]
id = "stad"
[data.need]
path = "need.csv"
[data.stadsdelar]
path = "stadsdelar.csv"
schema = "area_mapping"
[[models]]
id = "nyckel"
type = "distribution_key"
area_mapping = "stadsdelar"
source = "KF"
total = { 2019 = 1000, 2021 = 1000 }
variables = { behov = { 2019 = 1 } }
"""
NEED = "area;year;behov\n" + "".join(
    f"{a};{y};{v}\n"
    for y in (2019, 2021)
    for a, v in (("HL-1", 30), ("HL-2", 20), ("ALV-1", 25), ("BRO-1", 25))
)
MAPPING = """area;recipient;from_year;to_year
HL-1;Hägersten-Liljeholmen;2007;2020
HL-2;Hägersten-Liljeholmen;2007;2020
ALV-1;Älvsjö;2007;2020
HL-1;Hägersten-Älvsjö;2021;
HL-2;Hägersten-Älvsjö;2021;
ALV-1;Hägersten-Älvsjö;2021;
BRO-1;Bromma;2007;
"""


def amounts(result: rfm.RunResult, year: int) -> dict[str, float]:
    rows = result.totals(["recipient", "year"]).filter(pl.col("year") == year)
    return dict(rows.select("recipient", "amount").iter_rows())


def test_areas_go_to_the_districts_of_the_budget_year(rfm_registry, tenant_file):
    tenant = rfm.load_tenant_file(
        tenant_file(TENANT, {"need.csv": NEED, "stadsdelar.csv": MAPPING}), rfm_registry
    )
    result = rfm.run(tenant, rfm_registry, [2019, 2021])
    assert amounts(result, 2019) == pytest.approx(
        {"Hägersten-Liljeholmen": 500, "Älvsjö": 250, "Bromma": 250}
    )
    assert amounts(result, 2021) == pytest.approx({"Hägersten-Älvsjö": 750, "Bromma": 250})


def test_an_unmapped_or_doubly_mapped_area_is_named(rfm_registry, tenant_file):
    gap = MAPPING.replace("ALV-1;Hägersten-Älvsjö;2021;\n", "")
    tenant = rfm.load_tenant_file(
        tenant_file(TENANT, {"need.csv": NEED, "stadsdelar.csv": gap}), rfm_registry
    )
    with pytest.raises(
        rfm.ModelError, match="gives area 'ALV-1' no recipient for budget year 2021"
    ):
        rfm.run(tenant, rfm_registry, [2021])
    twice = MAPPING.replace("BRO-1;Bromma;2007;\n", "BRO-1;Bromma;2007;\nBRO-1;Västerort;2019;\n")
    tenant = rfm.load_tenant_file(
        tenant_file(TENANT, {"need.csv": NEED, "stadsdelar.csv": twice}), rfm_registry
    )
    with pytest.raises(
        rfm.ModelError, match="sends area 'BRO-1' to more than one recipient in 2019"
    ):
        rfm.run(tenant, rfm_registry, [2019])


def test_a_blend_keeps_each_years_own_recipients(rfm_registry, tenant_file):
    """A blend over a merger: 2019 has the old districts only, 2021 the merged one only."""
    blend = (
        TENANT
        + """
[[models]]
id = "gammal"
type = "distribution_key"
area_mapping = "stadsdelar"
source = "KF"
total = { 2019 = 1000, 2021 = 1000 }
points_column = "behov"
[[models]]
id = "overgang"
type = "blend"
new = "nyckel"
old = ["gammal"]
source = "KF"
new_share = { 2019 = 0.7 }
"""
    )
    tenant = rfm.load_tenant_file(
        tenant_file(blend, {"need.csv": NEED, "stadsdelar.csv": MAPPING}), rfm_registry
    )
    result = rfm.run(tenant, rfm_registry, [2019, 2021], models=["overgang"])
    assert set(amounts(result, 2019)) == {"Hägersten-Liljeholmen", "Älvsjö", "Bromma"}
    assert set(amounts(result, 2021)) == {"Hägersten-Älvsjö", "Bromma"}
    assert sum(amounts(result, 2021).values()) == pytest.approx(1000)


def test_excluded_areas_are_left_out_before_mapping(rfm_registry, tenant_file):
    need = NEED + "Enhet för hemlösa;2019;40\n"
    excluded = TENANT.replace(
        'area_mapping = "stadsdelar"',
        'area_mapping = "stadsdelar"\nexclude_areas = ["Enhet för hemlösa"]',
    )
    tenant = rfm.load_tenant_file(
        tenant_file(excluded, {"need.csv": need, "stadsdelar.csv": MAPPING}), rfm_registry
    )
    assert amounts(rfm.run(tenant, rfm_registry, [2019]), 2019) == pytest.approx(
        {"Hägersten-Liljeholmen": 500, "Älvsjö": 250, "Bromma": 250}
    )
    kept = rfm.load_tenant_file(
        tenant_file(TENANT, {"need.csv": need, "stadsdelar.csv": MAPPING}), rfm_registry
    )
    with pytest.raises(rfm.ModelError, match="'Enhet för hemlösa' no recipient"):
        rfm.run(kept, rfm_registry, [2019])
