"""Rate tables beyond the cookbook: classification, registers, uprating, scenarios that swap
data, and ``extends`` of a local tenant file. Expected figures are worked out by hand."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import polars as pl
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


# -- found by the break-it review of issue 17 ---------------------------------------------------

SPELLED = """[tenant]
id = "stavning"
[data.v]
path = "v.csv"
schema = "volumes"
[classifications.niva]
boundary = "lower"
source = "Nämndens beslut"
levels = {{ 2024 = {{ "{level}" = [0, 25], "hög" = [25, 200] }} }}
[rates.taxa]
dimensions = ["niva", "regi"]
unit = "kr/dygn"
source = "KF"
rows = [
  {{ niva = "{level}", regi = "{regi}", from_year = 2024, rate = 100 }},
  {{ niva = "hög", regi = "{regi}", from_year = 2024, rate = 300 }},
]
[[models]]
id = "m"
type = "rate_table"
dataset = "v"
recipient_column = "enhet"
rates = "taxa"
classify = {{ niva = {{ classification = "niva", column = "timmar" }} }}
source = "KF"
"""


def test_names_in_the_tenant_file_are_read_as_the_datas(tenant_file, rfm_registry):
    """A decomposed "särskild" and a no-break space in the tenant file are the data's
    "särskild" and "låg nivå" (the data's names are NFC with one kind of space): the rows find
    their rates instead of "no rate for taxa[låg nivå, särskild]" between identical-looking
    names."""
    toml = SPELLED.format(
        level=unicodedata.normalize("NFD", "låg\u00a0nivå"),
        regi=unicodedata.normalize("NFD", "särskild") + " ",
    ).replace('numbers = ["timmar"]', "")
    toml = toml.replace('schema = "volumes"', 'schema = "volumes"\nnumbers = ["timmar"]')
    data = "enhet,year,timmar,regi,volume\nA,2024,10,särskild,7\nA,2024,30,särskild,2\n"
    tenant = rfm.load_tenant_file(tenant_file(toml, {"v.csv": data}), rfm_registry)
    got = rfm.run(tenant, rfm_registry, [2024]).lineage
    assert sorted(got["component"].to_list()) == ["taxa: hög, särskild", "taxa: låg nivå, särskild"]
    assert sum(got["amount"].to_list()) == 7 * 100 + 2 * 300


def test_data_of_other_years_do_not_stop_a_one_year_run(tenant_file, rfm_registry):
    """A classified dataset with rows for 2023 (before the first thresholds) and 2025, and a unit
    closed in 2023 that today's register no longer has (declared: a missing row means 0): a
    2024 run reads the 2024 rows only (it used to stop: "dataset 'timmar' has a row without
    'niva'", then "register 'enheter' has no enhet 'C'")."""
    rows = (
        "enhet,year,person,bedomda,volume\nA,2024,p1,25,1\nA,2024,p2,25.5,1\nB,2024,p3,80,1\n"
        "B,2024,p4,1,1\nA,2025,p1,40,1\nA,2023,p1,10,1\nC,2023,p9,10,1\n"
    )
    files = {"timmar.csv": rows, "enheter.csv": ENHETER}
    toml = HOURS.format(boundary="lower").replace(
        'numbers = ["bedomda"]',
        'numbers = ["bedomda"]\ngaps = { means = "zero", reason = "Enhet C lades ned 2023" }',
    )
    tenant = rfm.load_tenant_file(tenant_file(toml, files), rfm_registry)
    result = rfm.run(tenant, rfm_registry, [2024])
    got = dict(result.totals(["recipient"]).iter_rows())
    assert got == {"A": 5000 + 12000, "B": (30000 + 250) + (5000 + 250), "C": 0}
    # the closed unit is there as the declared zero (it used to stop: "no rate for niva[None]")
    closed = result.lineage.filter(pl.col("recipient") == "C")
    assert closed["component"].to_list() == ["niva: inga rader"]
    assert "Enhet C lades ned 2023" in closed["basis"][0]
    # 2025 reads its own row, classified by the thresholds of 2025 (nivå 1 up to 30 h)
    got = dict(rfm.run(tenant, rfm_registry, [2025]).totals(["recipient"]).iter_rows())
    assert got == {"A": 12000, "B": 0, "C": 0}  # 40 h; B and C have no 2025 rows (declared 0)


def test_a_scenario_that_swaps_a_vintage_is_saved_and_reproduced_from_the_archive(
    rfm_cli, tenant_file
):
    """--save of a scenario run that reads prognos_2024 in place of population used to fail with
    "prognos_2024.csv changed after the run read it"; the archive now stores the bytes as
    prognos_2024's, and reproduce replays them even after the file on disk has changed."""
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
    path = tenant_file(toml, files)
    saved = rfm_cli(
        "run", "--config", str(path), "--year", "2025", "--scenario", "ny-prognos", "--save",
        "--format", "csv",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert ",1200,1200" in saved.output  # 12 × 100 kr, the 2024 vintage
    (path.parent / "prognos_2024.csv").write_text(population_csv({("A", 2025): {85: 99}}))
    again = rfm_cli("runs", "reproduce", "--config", str(path), "1")
    assert again.exit_code == 0, again.output
    assert "bit för bit lika" in again.output
    shown = rfm_cli("runs", "show", "--config", str(path), "1")
    assert "prognos_2024: prognos_2024.csv" in shown.output


def test_a_rate_file_in_swedish_formats_is_read_with_its_declared_options(
    tenant_file, rfm_registry
):
    """A Latin-1 file separated by tabs, with points between thousands and decimal commas:
    the table takes the options a [data.…] table takes (the error for '1.234,50' tells the user
    to declare them, so they must be declarable here too)."""
    toml = """[tenant]
id = "taxa"
[data.v]
path = "v.csv"
schema = "volumes"
[rates.taxa]
dimensions = ["regi"]
unit = "kr/dygn"
source = "KF"
path = "taxa.txt"
format = "csv"
separator = "\\t"
encoding = "latin-1"
decimal_comma = true
thousands_separator = "."
[[models]]
id = "m"
type = "rate_table"
dataset = "v"
recipient_column = "enhet"
rates = "taxa"
source = "KF"
"""
    taxa = "regi\tfrom_year\trate\nsärskild\t2024\t1.234,50\nkommunal\t2024\t99,5\n"
    files = {
        "taxa.txt": taxa.encode("latin-1"),
        "v.csv": "enhet,year,regi,volume\nA,2024,särskild,10\nA,2024,kommunal,2\n",
    }
    tenant = rfm.load_tenant_file(tenant_file(toml, files), rfm_registry)
    got = rfm.run(tenant, rfm_registry, [2024]).lineage
    assert sum(got["amount"].to_list()) == Decimal("12345") + Decimal("199")


def test_mnkr_with_one_decimal_is_written_as_sjobo_publishes_it(rfm_cli):
    """Issue item 8: Sjöbo's 2024 budget publishes 74,7 + 144,7 + 65,9 = 285,3 mnkr. The CSV
    used to write 144.70000000000002 (Polars divides by 10 as × 0,1)."""
    from pathlib import Path

    sjobo = Path(__file__).resolve().parents[2] / "docs/cookbook/aldreomsorg-sjobo/tenant.toml"
    args = ("run", "--config", str(sjobo), "--year", "2024", "--round", "mnkr:1")
    csv = rfm_cli(*args, "--format", "csv").output.splitlines()
    assert [line.rsplit(",", 1)[1] for line in csv[1:]] == ["74.7", "144.7", "65.9"]
    table = rfm_cli(*args).output
    assert "285,3" in table
    json = rfm_cli(*args, "--format", "json").output
    assert '"amount_mnkr": 144.7' in json and "144.70000" not in json


def test_rounded_values_are_the_correctly_rounded_quotients():
    """Every step count shown as tkr:1, :2 or :3 is the float nearest to steps / 10^d."""
    import polars as pl

    from rfm.display_rounding import Rounding

    steps = pl.Series("s", [*range(-30000, 30000), None])
    for decimals in (1, 2, 3):
        shown = Rounding("tkr", decimals).values(steps).to_list()
        assert shown[:-1] == [s / 10**decimals for s in range(-30000, 30000)]
        assert shown[-1] is None


def test_a_run_that_does_not_reproduce_names_the_first_row_that_differs(rfm_cli, tenant_file):
    """A derivation rule is the tenant file's, not an archived parameter: changed after a save,
    reproduce fails and says where (it used to say only "4 archived rows, 4 now")."""
    from tests.core.test_adversarial import RATE_FILES, RATE_TOML

    path = tenant_file(RATE_TOML, RATE_FILES)
    saved = rfm_cli("run", "--config", str(path), "--year", "2024", "--save")
    assert saved.exit_code == 0, saved.output
    path.write_text(RATE_TOML.replace("factor = 1.025", "factor = 1.03"), encoding="utf-8")
    again = rfm_cli("runs", "reproduce", "--config", str(path), "1")
    assert again.exit_code == 1
    # Eken: 587 × 1,025 = 601,675 → 602 kr archived; 587 × 1,03 = 604,61 → 605 kr now
    assert (
        "1 row(s) differ, first 'lss', 'Eken', 2024, 'grundpeng: service, enskild': rate 602.0 "
        "archived, 605.0 now" in again.stderr
    )


@pytest.mark.parametrize(("boundary", "level_two"), [("lower", "(25, 75]"), ("upper", "[25, 75)")])
def test_the_basis_says_which_thresholds_gave_a_rows_level(
    tenant_file, rfm_registry, boundary, level_two
):
    """`rfm explain` answers "why nivå 2?": the interval, its boundary rule and the decision."""
    files = {"timmar.csv": TIMMAR, "enheter.csv": ENHETER}
    tenant = rfm.load_tenant_file(tenant_file(HOURS.format(boundary=boundary), files), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage.filter(pl.col("recipient") == "A")
    basis = dict(zip(rows["component"], rows["basis"], strict=True))
    assert basis["niva: 2, kommunal"].endswith(
        f"; niva 2: bedomda i {level_two} timmar per månad (Nämndens beslut, från 2024)"
    )


def test_at_current_prices_a_derived_rate_is_uprated_as_rounded_in_base_year_prices(
    tenant_file, rfm_registry
):
    """The order is a rule of the tool, said in docs/tenant-file.md: a derivation and its
    rounding apply at the table's own prices, and the index then uprates the rate as derived
    (782 kr × 1,03 = 805,46 kr), as it uprates every kr rate."""
    from tests.core.test_adversarial import RATE_FILES, RATE_TOML

    toml = RATE_TOML + (
        '[prices]\nbase_year = 2024\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "förändring", values = { 2025 = { value = 0.03, source = "SKR" } } }\n'
    )
    files = {k: v.replace("2024", "2025") if k == "dygn.csv" else v for k, v in RATE_FILES.items()}
    tenant = rfm.load_tenant_file(tenant_file(toml, files), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2025], prices="current").lineage
    rates = dict(zip(rows["recipient"], rows["rate"], strict=True))
    # Björken (kommunal): 763 × 1,03; Eken (enskild): round(587 × 1,025) = 602, × 1,03
    assert rates == {"Björken": 785.89, "Eken": 620.06}


def test_two_corrections_of_one_combination_are_one_row_naming_both_decisions(
    tenant_file, rfm_registry
):
    """Two decisions on Söder's parks in 2024 were two lineage rows with one component (a
    duplicate key); they are one row with the volumes summed and both sources."""
    from tests.core.test_adversarial import CORRECTED_TOML

    files = {
        "ytor.csv": "omrade,year,yta,volume\nSöder,2024,park,1000\n",
        "korr.csv": "omrade,year,yta,volume,source\nSöder,2024,park,-600,KF § 12\n"
        "Söder,2024,park,100,KF § 30\n",
    }
    tenant = rfm.load_tenant_file(tenant_file(CORRECTED_TOML, files), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage.sort("component")
    assert rows["component"].to_list() == ["skotsel: park", "skotsel: park (korrigering)"]
    assert rows["amount"].to_list() == [Decimal(1000 * 20), Decimal((-600 + 100) * 20)]
    assert rows["basis"][1].startswith("korrigering: KF § 12; KF § 30; 20 kr/m²")


def test_rows_whose_components_read_alike_stop_the_run(tenant_file, rfm_registry):
    """Two tables keyed by one dimension each: their keys differ, but the component names every
    dimension of the model, and ("x, y", "z") and ("x", "y, z") both read "a: x, y, z"."""
    toml = """[tenant]
id = "alike"
[data.v]
path = "v.csv"
schema = "volumes"
[rates.a]
dimensions = ["p"]
unit = "kr/st"
source = "KF"
rows = [{ p = "x, y", from_year = 2024, rate = 1 }, { p = "x", from_year = 2024, rate = 2 }]
[rates.b]
dimensions = ["q"]
unit = "kr/st"
source = "KF"
rows = [{ q = "z", from_year = 2024, rate = 3 }, { q = "y, z", from_year = 2024, rate = 4 }]
[[models]]
id = "m"
type = "rate_table"
dataset = "v"
recipient_column = "enhet"
rates = ["a", "b"]
source = "KF"
"""
    data = 'enhet,year,p,q,volume\nA,2024,"x, y",z,1\nA,2024,x,"y, z",1\n'
    tenant = rfm.load_tenant_file(tenant_file(toml, {"v.csv": data}), rfm_registry)
    with pytest.raises(
        rfm.ModelError, match=r"two combinations of 'A' in 2024 read alike, 'a: x, y, z'"
    ):
        rfm.run(tenant, rfm_registry, [2024])
