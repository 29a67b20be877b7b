"""Vaggeryd's tenant named on the command line as every command names a tenant: ``vaggeryd``
(installed) or ``--config FILE`` (a copy of its folder, changed by a kommun's own hand)."""

from __future__ import annotations

import shutil

from rfm_vaggeryd.plugin import tenant_path

BASE_COST = "value = 30021875,"  # hälso- och sjukvård, bokslut 2020 (calibrated, see its source)


def hsl_line(output: str) -> list[str]:
    """The row of the model halso_sjukvard: model, programområde, change, fördelat, ej fördelat."""
    line = next(r for r in output.splitlines() if r.startswith("halso_sjukvard "))
    return [cell.strip() for cell in line.split("  ") if cell.strip()]


def test_a_plugin_command_runs_a_copied_tenant_file_given_with_config(rfm_cli, tmp_path):
    """`rfm vaggeryd fordelning --config FILE` computes from FILE, not from the packaged tenant.

    The copy doubles the base year's cost: 60 043 750 kr ÷ 739 invånare 80+ (2020) = 81 250 kr,
    × (831 − 799) more invånare 80+ in 2023 than in 2022 = 2 600 000 kr of change, of which the
    ledger gives 1 300 000 kr to hjälpmedel and 1 300 000 kr stay unallotted. The packaged
    tenant: 30 021 875 ÷ 739 = 40 625 kr × 32 = 1 300 000 kr, all of it allotted."""
    copy = tmp_path / "vaggeryd"
    shutil.copytree(tenant_path().parent, copy)
    toml = copy / tenant_path().name
    text = toml.read_text(encoding="utf-8")
    assert text.count(BASE_COST) == 1
    toml.write_text(text.replace(BASE_COST, "value = 60043750,"), encoding="utf-8")

    packaged = rfm_cli("vaggeryd", "fordelning", "vaggeryd", "--year", "2023")
    assert packaged.exit_code == 0, packaged.output
    assert hsl_line(packaged.output)[2:] == ["1 300 000", "1 300 000", "0"]
    own = rfm_cli("vaggeryd", "fordelning", "--config", str(toml), "--year", "2023")
    assert own.exit_code == 0, own.output
    assert hsl_line(own.output)[2:] == ["2 600 000", "1 300 000", "1 300 000"]
    both = rfm_cli("vaggeryd", "fordelning", "vaggeryd", "--config", str(toml))
    assert both.exit_code == 1 and "give a TENANT or --config FILE, not both" in both.stderr


def test_tenants_check_takes_the_installed_tenants_name(rfm_cli):
    """`rfm tenants check vaggeryd` said "vaggeryd: file not found"; it checks the packaged file."""
    done = rfm_cli("tenants", "check", "vaggeryd")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == (
        f"OK: {tenant_path()} matches the tenant schema and loads"
    )
