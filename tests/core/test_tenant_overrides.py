"""A tenant file may build on a packaged tenant and override its defaults."""

from __future__ import annotations

import json

import pytest

import rfm

OVERRIDE = """
[tenant]
id = "min-kommun"
name = "Min kommun"
extends = "exempel"

[data.population]
path = "egen.csv"

[overrides."aldreomsorg.bands.90+"]
unit = "kr/invånare"
values = { 2025 = { value = 400000, source = "KF 2024-11-18 § 150" } }
"""
OWN = "area,year,age,count\nX,2024,65-79,10\nX,2024,80-89,5\nX,2024,90+,2\nX,2025,65-79,10\nX,2025,80-89,5\nX,2025,90+,2\n"


def test_extends_replaces_data_and_merges_overrides(tenant_file, rfm_cli):
    path = tenant_file(OVERRIDE, {"egen.csv": OWN})
    out = rfm_cli("run", "--config", str(path), "--years", "2024-2025", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    by = {(r["year"], r["component"]): r for r in rows}
    assert by[(2024, "90+")]["rate"] == 381100  # the packaged value still holds in 2024
    assert by[(2025, "90+")]["rate"] == 400000  # the override from 2025
    assert "KF 2024-11-18 § 150" in by[(2025, "90+")]["basis"]
    assert by[(2025, "65-79")]["volume"] == 10  # the tenant's own population file
    assert {r["tenant"] for r in rows} == {"min-kommun"}


def test_override_of_an_unknown_parameter_is_refused(tenant_file, rfm_cli):
    path = tenant_file(OVERRIDE.replace("bands.90+", "bands.95+"), {"egen.csv": OWN})
    out = rfm_cli("run", "--config", str(path), "--year", "2025")
    assert out.exit_code == 1 and "cannot override unknown parameter" in out.output


def test_override_in_another_unit_is_refused(tenant_file, rfm_cli):
    path = tenant_file(
        OVERRIDE.replace('unit = "kr/invånare"', 'unit = "tkr/invånare"'), {"egen.csv": OWN}
    )
    out = rfm_cli("run", "--config", str(path), "--year", "2025")
    assert out.exit_code == 1 and "'tkr/invånare'" in out.output


GLIDE = """
[tenant]
id = "glid"
[data.need]
path = "need.csv"
[[models]]
id = "ny"
type = "distribution_key"
source = "t"
total = { 2024 = 1000 }
points_column = "a"
[[models]]
id = "gammal"
type = "distribution_key"
source = "t"
total = { 2024 = 1000 }
points_column = "b"
[[models]]
id = "glidbana"
type = "blend"
old = "gammal"
new = "ny"
source = "KF 2023-06-12 § 45"
glide = { from = 2024, to = 2027 }
"""


def test_glide_path_moves_a_quarter_a_year(tenant_file, rfm_registry):
    need = "".join(f"A,{y},1,3\nB,{y},3,1\n" for y in range(2024, 2028))
    path = tenant_file(GLIDE, {"need.csv": "area,year,a,b\n" + need})
    result = rfm.run(rfm.load_tenant_file(path, rfm_registry), rfm_registry, range(2024, 2028))
    totals = {(r, y): a for r, y, a in result.totals(["recipient", "year"]).iter_rows()}
    # new gives A 250, old gives A 750; the new share is 25 %, 50 %, 75 %, 100 %
    for year, share in zip(range(2024, 2028), (0.25, 0.5, 0.75, 1.0), strict=True):
        assert totals[("A", year)] == pytest.approx(share * 250 + (1 - share) * 750)
