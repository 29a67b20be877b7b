"""Rate tables beyond the cookbook: classification, registers, uprating, scenarios that swap
data, and ``extends`` of a local tenant file. Expected figures are worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

import rfm
from rfm.testing import population_csv

HOURS = """[tenant]
id = "timmar"
[data.timmar]
path = "timmar.csv"
schema = "volumes"
numbers = ["bedomda"]
[data.enheter]
path = "enheter.csv"
schema = "register"
[classifications.niva]
boundary = "{boundary}"
unit = "timmar per månad"
source = "Nämndens beslut"
levels = {{ 2024 = {{ "1" = [1, 25], "2" = [25, 75], "3" = [75, 225] }}, 2025 = {{ "1" = [1, 30], "2" = [30, 75], "3" = [75, 225] }} }}
[rates.niva]
dimensions = ["niva", "regi"]
unit = "kr/personmånad"
source = "Nämndens beslut"
rows = [
  {{ niva = "1", regi = "kommunal", from_year = 2024, rate = 5000 }},
  {{ niva = "2", regi = "kommunal", from_year = 2024, rate = 12000 }},
  {{ niva = "3", regi = "kommunal", from_year = 2024, rate = 30000 }},
]
[[rates.niva.derive]]
set = {{ regi = "privat" }}
from = {{ regi = "kommunal" }}
add = 250
source = "LOV: + 250 kr per personmånad för privata utförare"
[[models]]
id = "hemtjanst"
type = "rate_table"
dataset = "timmar"
recipient_column = "enhet"
volume_unit = "personmånader"
rates = "niva"
classify = {{ niva = {{ classification = "niva", column = "bedomda" }} }}
dimensions_from = {{ regi = {{ dataset = "enheter", key = "enhet" }} }}
source = "KF"
"""
TIMMAR = "enhet,year,person,bedomda,volume\nA,2024,p1,25,1\nA,2024,p2,25.5,1\nB,2024,p3,80,1\nB,2024,p4,1,1\n"
ENHETER = "enhet,regi\nA,kommunal\nB,privat\n"


@pytest.mark.parametrize(
    ("boundary", "a_expected"), [("lower", 5000 + 12000), ("upper", 2 * 12000)]
)
def test_a_classified_level_follows_the_boundary_rule(
    tenant_file, rfm_registry, boundary, a_expected
):
    files = {"timmar.csv": TIMMAR, "enheter.csv": ENHETER}
    tenant = rfm.load_tenant_file(tenant_file(HOURS.format(boundary=boundary), files), rfm_registry)
    got = dict(rfm.run(tenant, rfm_registry, [2024]).totals(["recipient"]).iter_rows())
    # 25 h is nivå 1 under "lower", nivå 2 under "upper"; 25,5 h is nivå 2 either way.
    assert got["A"] == a_expected
    assert got["B"] == (30000 + 250) + (5000 + 250)  # 80 h nivå 3, 1 h nivå 1, privat + 250


def test_thresholds_are_dated_and_a_value_outside_every_level_stops_the_run(
    tenant_file, rfm_registry
):
    files = {"timmar.csv": TIMMAR.replace("2024", "2025"), "enheter.csv": ENHETER}
    tenant = rfm.load_tenant_file(tenant_file(HOURS.format(boundary="lower"), files), rfm_registry)
    got = dict(rfm.run(tenant, rfm_registry, [2025]).totals(["recipient"]).iter_rows())
    assert got["A"] == 5000 + 5000  # from 2025 nivå 1 runs to 30 h: 25 and 25,5 h are both nivå 1
    outside = {"timmar.csv": TIMMAR + "B,2024,p5,230,1\n", "enheter.csv": ENHETER}
    tenant = rfm.load_tenant_file(
        tenant_file(HOURS.format(boundary="lower"), outside), rfm_registry
    )
    with pytest.raises(rfm.ModelError, match=r"bedomda = 230\.0, outside every level of 'niva'"):
        rfm.run(tenant, rfm_registry, [2024])


def test_a_unit_missing_from_the_register_is_named(tenant_file, rfm_registry):
    files = {"timmar.csv": TIMMAR, "enheter.csv": "enhet,regi\nA,kommunal\n"}
    tenant = rfm.load_tenant_file(tenant_file(HOURS.format(boundary="lower"), files), rfm_registry)
    with pytest.raises(rfm.ModelError, match=r"register 'enheter' has no enhet 'B'"):
        rfm.run(tenant, rfm_registry, [2024])


UPRATED = """[tenant]
id = "upp"
[prices]
base_year = 2024
index = "pkv"
[parameters]
"pkv" = { unit = "förändring", values = { 2025 = { value = 0.03, source = "SKR PKV" } } }
"opi" = { unit = "förändring", values = { 2025 = { value = 0.05, source = "SKR OPI" } } }
[data.v]
path = "v.csv"
schema = "volumes"
[rates.lov]
dimensions = ["tjanst"]
unit = "kr/timme"
index = "opi"
source = "LOV 2024"
rows = [{ tjanst = "omsorg", from_year = 2024, rate = 400 }]
[[models]]
id = "m"
type = "rate_table"
dataset = "v"
recipient_column = "enhet"
rates = "lov"
source = "KF"
"""


def test_a_rate_table_follows_its_own_index_at_current_prices(tenant_file, rfm_registry):
    files = {"v.csv": "enhet,year,tjanst,volume\nA,2025,omsorg,100\n"}
    tenant = rfm.load_tenant_file(tenant_file(UPRATED, files), rfm_registry)
    fixed = rfm.run(tenant, rfm_registry, [2025]).lineage
    current = rfm.run(tenant, rfm_registry, [2025], prices="current").lineage
    assert fixed["amount"].to_list() == [Decimal(40000)]
    assert current["rate"].to_list() == [pytest.approx(400 * 1.05)]  # OPI, not the tenant's PKV
    assert "opi" in current["basis"][0]


def test_a_scenario_reads_another_forecast_vintage(tenant_file, rfm_registry):
    toml = """[tenant]
id = "vintage"
[data.population]
path = "prognos_2023.csv"
[data.prognos_2024]
path = "prognos_2024.csv"
schema = "population"
[[models]]
id = "ao"
type = "age_bands"
recipient = "ÄO"
source = "KF"
bands = { "80+" = { 2025 = 100 } }
[scenarios.ny-prognos]
data = { population = "prognos_2024" }
"""
    files = {
        "prognos_2023.csv": population_csv({("A", 2025): {85: 10}}),
        "prognos_2024.csv": population_csv({("A", 2025): {85: 12}}),
    }
    tenant = rfm.load_tenant_file(tenant_file(toml, files), rfm_registry)
    old = rfm.run(tenant, rfm_registry, [2025])
    new = rfm.run(tenant, rfm_registry, [2025], scenario="ny-prognos")
    assert old.lineage["amount"].to_list() == [Decimal(1000)]
    assert new.lineage["amount"].to_list() == [Decimal(1200)]
    assert "prognos_2024.csv" in new.datasets[0].path
    wrong = toml.replace('schema = "population"', 'schema = "category_counts"')
    with pytest.raises(rfm.ConfigError, match=r"a scenario swaps data of the same kind"):
        rfm.load_tenant_file(tenant_file(wrong, files), rfm_registry)


def test_extends_may_name_a_tenant_file_beside_it(tenant_file, rfm_registry):
    shared = (
        '[tenant]\nid = "gemensam"\n[data.population]\npath = "pop.csv"\n[[models]]\nid = "ao"\n'
        'type = "age_bands"\nrecipient = "ÄO"\nsource = "Konsultens modell"\n'
        'bands = { "80+" = { 2024 = 100 } }\n'
    )
    files = {"gemensam.toml": shared, "pop.csv": population_csv({("A", 2024): {85: 7}})}
    path = tenant_file('[tenant]\nid = "egen"\nextends = "gemensam.toml"\n', files)
    tenant = rfm.load_tenant_file(path, rfm_registry)
    assert rfm.run(tenant, rfm_registry, [2024]).lineage["amount"].to_list() == [Decimal(700)]
    loop = {
        "gemensam.toml": shared.replace(
            'id = "gemensam"', 'id = "gemensam"\nextends = "tenant.toml"'
        )
    }
    with pytest.raises(rfm.ConfigError, match="goes round in a circle"):
        rfm.load_tenant_file(
            tenant_file('[tenant]\nid = "egen"\nextends = "gemensam.toml"\n', loop), rfm_registry
        )
    outside = '[tenant]\nid = "egen"\nextends = "../annan.toml"\n'
    with pytest.raises(rfm.ConfigError, match="outside"):
        rfm.load_tenant_file(tenant_file(outside, {}), rfm_registry)
