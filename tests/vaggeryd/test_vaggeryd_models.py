"""Vaggeryd's models of budget 2023 on the bundled data: every figure the seeds give."""

from __future__ import annotations

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


def test_ifo_under_the_decision_is_5_over_10_percent_of_the_old_model(registry, vaggeryd):
    new = rfm.run(vaggeryd, registry, YEARS, scenario="modell-2023").totals()
    old = rfm.run(vaggeryd, registry, YEARS, scenario="modell-2022").totals()
    ifo_new = dict(new.filter(pl.col("model") == "ifo").select("year", "amount").iter_rows())
    ifo_old = dict(old.filter(pl.col("model") == "ifo").select("year", "amount").iter_rows())
    assert sorted(ifo_new) == YEARS
    for year in YEARS:
        assert round(ifo_new[year]) == round(ifo_old[year] * 1.05 / 1.10), year
    # The old scenario has neither of the new models.
    assert set(old["model"].unique()) == {
        "aldreomsorg_ordinart_boende",
        "aldreomsorg_sarskilt_boende",
        "ifo",
    }


def test_compare_is_the_consequence_at_fixed_prices(rfm_cli):
    result = rfm_cli(
        "compare",
        "vaggeryd",
        "--scenario",
        "modell-2023",
        "--against",
        "modell-2022",
        "--years",
        "2023-2030",
        "--prices",
        "fixed",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(result.output.encode())
    ifo = rows.filter(pl.col("model") == "ifo")
    assert ifo.height == 8
    # IFO falls by 1 − 1,05/1,10 ≈ 4,5 % every year; ÄO is unchanged; LSS and HSL are new.
    assert all(abs(s - (1.05 / 1.10 - 1)) < 1e-9 for s in ifo["diff_share"])
    assert rows.filter(pl.col("model").str.starts_with("aldreomsorg"))["diff"].abs().max() == 0
    assert (rows.filter(pl.col("model").is_in(["lss", "halso_sjukvard"]))["b"] == 0).all()


def test_lss_is_the_equalisation_standard_cost_times_population(registry, vaggeryd):
    # By hand from the tenant file: counts × national price × the regulation's weight.
    bv, dv, kv, pak = 1_000_000, 130_000, 250_000, 350_000
    s = (
        45 * bv
        + 2 * 1.25 * bv
        + 1 * 0.45 * bv
        + 60 * dv
        + 12 * kv
        + 8 * 0.55 * kv
        + 3 * 0.25 * kv
        + 10 * 0.25 * kv
        + 30 * 0.10 * kv
        + 10 * pak
        + 15 * 0.50 * pak
    )
    per_inhabitant = s * 1.0 / 14_532
    result = rfm.run(vaggeryd, registry, [2023])
    row = result.lineage.filter(pl.col("model") == "lss").row(0, named=True)
    assert row["rate"] == pytest.approx(per_inhabitant, rel=1e-12)
    everyone = rfm.run(vaggeryd, registry, [2023], models=["ifo"]).lineage
    assert row["volume"] == everyone.item(0, "volume")  # the whole population
    assert row["amount"] == pytest.approx(per_inhabitant * row["volume"], rel=1e-12)
    assert "lss_insatser" in row["basis"] and "PK-IX" in row["basis"]


def test_hsl_rate_is_base_year_cost_over_base_year_volume(registry, vaggeryd):
    result = rfm.run(vaggeryd, registry, [2021, 2023], models=["halso_sjukvard"])
    hsl = result.lineage.filter(pl.col("model") == "halso_sjukvard").sort("year")
    assert hsl["rate"].to_list() == [pytest.approx(30_000_000 / 788)] * 2
    # The documented base volume is the dataset's own figure for 2021 (80 years and older).
    assert hsl.item(0, "volume") == 788
    assert hsl.item(0, "amount") == pytest.approx(30_000_000)
    assert "basår 2021" in hsl.item(1, "basis")


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
