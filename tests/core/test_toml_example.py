"""The tenant file of the issue, exactly as written, gives the amounts a hand calculation gives."""

from __future__ import annotations

import json

import pytest

import rfm
from rfm.testing import population_csv

EXAMPLE = """\
[tenant]
id = "exempel"
name = "Sjöbo kommun"
kommunkod = "1265"

[data.population]
path = "befolkning.csv"        # columns area,year,age,count; relative to this file's folder

[[models]]
id = "aldreomsorg"
type = "age_bands"
recipient = "Äldreomsorg"
dataset = "population"
source = "KF 2023-06-12 § 45"
[models.bands]                 # kr per inhabitant, by the budget year a value takes effect
"65-79" = { 2024 = 21900 }
"80-89" = { 2024 = 137300 }
"90+"   = { 2024 = 381100 }
"""

# Every single year of age for 2024 and 2025 (0 where not named), plus ages outside every band
# (which must not count); 101 lies in the open group "100+".
POPULATION = population_csv(
    {
        ("9999", year): {
            40: 500,
            64: 120,
            65: 100 + bump,
            79: 90,
            80: 60,
            89: 30,
            90: 12 + bump,
            101: 2,
        }
        for year, bump in ((2024, 0), (2025, 1))
    }
)


def hand_calculation(year: int) -> float:
    bump = year - 2024
    return (100 + bump + 90) * 21900 + (60 + 30) * 137300 + (12 + bump + 2) * 381100


def test_example_runs_as_written_and_matches_hand_calculation(tenant_file, rfm_cli):
    path = tenant_file(EXAMPLE, {"befolkning.csv": POPULATION})
    result = rfm_cli("run", "--config", str(path), "--years", "2024-2025", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert {r["component"] for r in rows} == {"65-79", "80-89", "90+"}
    for year in (2024, 2025):
        total = sum(r["amount"] for r in rows if r["year"] == year)
        assert total == pytest.approx(hand_calculation(year), abs=1e-6)
    row = next(r for r in rows if r["year"] == 2025 and r["component"] == "90+")
    assert (row["volume"], row["rate"], row["amount"]) == (15.0, 381100.0, 15 * 381100.0)
    assert "KF 2023-06-12 § 45" in row["basis"]
    assert list(rows[0]) == [*rfm.LINEAGE_COLUMNS, "amount_kr", "basis_parameters"]


def test_example_table_output_shows_the_total(tenant_file, rfm_cli):
    path = tenant_file(EXAMPLE, {"befolkning.csv": POPULATION})
    result = rfm_cli("run", "--config", str(path), "--year", "2024")
    assert result.exit_code == 0, result.output
    expected = f"{hand_calculation(2024):,.0f}".replace(",", " ")
    assert expected in result.output


def test_population_by_age_group_in_swedish_csv(tenant_file, rfm_cli):
    """Sjöbo's 2024 figures (DOMAIN §1.1) as a Swedish export: ';', decimal comma, Windows-1252."""
    text = "area;year;age;count\nSjöbo;2024;65-79;3 411,0\nSjöbo;2024;80–89;1 054\nSjöbo;2024;90+;173\n"
    path = tenant_file(EXAMPLE, {"befolkning.csv": text.encode("cp1252")})
    result = rfm_cli("run", "--config", str(path), "--year", "2024", "--format", "csv")
    assert result.exit_code == 0, result.output
    # 3 411 × 21 900 + 1 054 × 137 300 + 173 × 381 100 = 285 345 400 kr (Sjöbo: 285,3 mnkr)
    amounts = [float(line.rsplit(",", 1)[1]) for line in result.output.splitlines()[1:]]
    assert sum(amounts) == 285_345_400


def test_path_leaving_the_folder_is_refused(tenant_file, rfm_cli, tmp_path):
    (tmp_path / "secret.csv").write_text("area,year,age,count\n")
    for bad in ("../secret.csv", str(tmp_path / "secret.csv")):
        path = tenant_file(EXAMPLE.replace('"befolkning.csv"', json.dumps(bad)), {})
        result = rfm_cli("run", "--config", str(path), "--year", "2024")
        assert result.exit_code == 1
        assert "outside" in result.output or "absolute" in result.output
        assert "Traceback" not in result.output


def test_symlink_out_of_the_folder_is_refused(tenant_file, rfm_cli, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(POPULATION)
    path = tenant_file(EXAMPLE, {})
    (path.parent / "befolkning.csv").symlink_to(outside)
    result = rfm_cli("run", "--config", str(path), "--year", "2024")
    assert result.exit_code == 1
    assert "outside the tenant's folder" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('source = "KF', 'sorce = "KF'), "unknown key(s) 'sorce'"),
        (('"90+"   = { 2024 = 381100 }', '"90+"   = 381100'), "a bare number has no year"),
        (('type = "age_bands"', 'type = "age_band"'), "unknown model type 'age_band'"),
        (('kommunkod = "1265"', "kommunkod = 1265"), "expected four digits"),
        (('"80-89" = { 2024 = 137300 }', '"85-95" = { 2024 = 137300 }'), "overlaps"),
    ],
)
def test_bad_tenant_files_give_one_clear_error(tenant_file, rfm_cli, change, message):
    path = tenant_file(EXAMPLE.replace(*change), {"befolkning.csv": POPULATION})
    result = rfm_cli("run", "--config", str(path), "--year", "2024")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_year_in_data_is_an_error_not_zero(tenant_file, rfm_cli):
    path = tenant_file(EXAMPLE, {"befolkning.csv": POPULATION})
    result = rfm_cli("run", "--config", str(path), "--year", "2026")
    assert result.exit_code == 1
    assert "no rows for year(s) 2026" in result.output


def test_year_before_first_value_is_an_error(tenant_file, rfm_cli):
    population = POPULATION.replace("2025,", "2023,")
    path = tenant_file(EXAMPLE, {"befolkning.csv": population})
    result = rfm_cli("run", "--config", str(path), "--year", "2023")
    assert result.exit_code == 1
    assert "no value for 2023" in result.output
