"""The frame build-up on a small tenant: volume and rate changes, index, granted items only."""

from __future__ import annotations

import pytest

import rfm
from rfm.testing import population_csv

TENANT = """
[tenant]
id = "ram"
[documentation]
introduction = "Testkommun."
[documentation.criteria]
"Stabilitet" = "Inga tröskeleffekter."
[data.population]
path = "bef.csv"
[data.ramar]
path = "ramar.csv"
schema = "allocation"
[data.tillagg]
path = "tillagg.csv"
schema = "budget_items"
[data.spar]
path = "spar.csv"
schema = "budget_items"
[parameters]
"plk" = { unit = "andel", values = { 2024 = { value = 0.02, source = "PKV okt" } } }
[[models]]
id = "ao"
type = "age_bands"
recipient = "SN"
criteria = { "Stabilitet" = "Befolkningen ändras långsamt." }
source = "KF"
bands = { "80+" = { 2023 = 100, 2024 = 110 } }
[frame]
previous = "ramar"
additions = "tillagg"
savings = "spar"
price_index = "plk"
programs = { ao = "Äldreomsorg" }
"""
FILES = {
    "bef.csv": population_csv({("X", 2023): {85: 10}, ("X", 2024): {85: 12}}),
    "ramar.csv": "recipient;year;amount\nÄldreomsorg;2023;1 000\nStab;2023;500\n",
    "tillagg.csv": "recipient;year;item;amount;status\nStab;2024;Ny tjänst;40;beviljat\nStab;2024;Bil;7;äskat\n",
    "spar.csv": "recipient;year;item;amount;status\nÄldreomsorg;2024;Effektivisering;30;beviljat\n",
}


def test_frame_is_last_years_plus_each_step(rfm_registry, tenant_file):
    tenant = rfm.load_tenant_file(tenant_file(TENANT, FILES), rfm_registry)
    b = rfm.build_frame(tenant, rfm_registry, 2024)
    rows = {r["program"]: r for r in b.table.iter_rows(named=True)}
    ao = rows["Äldreomsorg"]
    assert ao["volume"] == pytest.approx(100 * (12 - 10))  # last year's rate × Δ volume
    assert ao["rate_change"] == pytest.approx((110 - 100) * 12)  # Δ rate × this year's volume
    assert ao["price_wage"] == pytest.approx(1000 * 0.02)
    assert ao["savings"] == 30
    assert ao["frame"] == pytest.approx(1000 + 200 + 120 + 20 - 30)
    stab = rows["Stab"]
    assert stab["additions"] == 40  # the request not granted stays out
    assert stab["frame"] == pytest.approx(500 * 1.02 + 40)
    assert b.requested() == 47


def test_frame_without_settings_or_with_unknown_model_is_a_clear_error(
    rfm_registry, tenant_file, rfm_cli
):
    bad = TENANT.replace('programs = { ao = "Äldreomsorg" }', 'programs = { nope = "X" }')
    path = tenant_file(bad, FILES)
    result = rfm_cli("frame", "--config", str(path), "--year", "2024")
    assert result.exit_code == 1
    assert "[frame].programs: no model 'nope'" in result.output
    result = rfm_cli("frame", "exempel", "--year", "2024")
    assert result.exit_code == 1 and "has no [frame] table" in result.output


def test_docs_list_criteria_and_refuse_unknown_ones(rfm_registry, tenant_file, rfm_cli):
    path = tenant_file(TENANT, FILES)
    result = rfm_cli("docs", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert "- Stabilitet: Befolkningen ändras långsamt." in result.output
    assert "| ersättning per invånare 80+ år | 2024 | 110 | kr/invånare | KF |" in result.output
    bad = TENANT.replace('criteria = { "Stabilitet"', 'criteria = { "Stabil"')
    result = rfm_cli("docs", "--config", str(tenant_file(bad, FILES)))
    assert result.exit_code == 1 and "'Stabil' is not one of the criteria" in result.output
