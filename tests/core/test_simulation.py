"""rfm simulate: the forecast-error model, its percentiles, determinism and its refusals."""

from __future__ import annotations

import math

import polars as pl
import pytest

import rfm
from rfm.errors import ConfigError, ModelError
from rfm.simulation import simulate

TENANT = """
[tenant]
id = "sim"
name = "Simulering"
[data.population]
path = "befolkning.csv"
schema = "municipal_population"
source = "test"
[[models]]
id = "aldreomsorg"
type = "age_bands"
dataset = "population"
source = "test"
[models.bands]
"80+" = {{ 2024 = {{ value = 100000, source = "test" }} }}
[[models]]
id = "ifo"
type = "per_capita_standard_cost"
dataset = "population"
standard_cost = {{ 2024 = {{ value = 5000, source = "test" }} }}
source = "test"
{extra}
[simulation]
dataset = "population"
first_forecast_year = 2025
size_reference = 10000
size_elasticity = {elasticity}
correlation = 0.5
source = "test"
[simulation.sigma]
{sigma}
"""
SIGMA = '"0-79" = 0.02\n"80+" = 0.05'


def population() -> str:
    rows = ["area,year,age,count"]
    for area, size in (("0665", 10000.0), ("2380", 64000.0)):
        for year in range(2024, 2029):
            rows += [f"{area},{year},0-79,{size * 0.95}", f"{area},{year},80+,{size * 0.05}"]
    return "\n".join(rows) + "\n"


def load(tenant_file, registry, *, sigma=SIGMA, elasticity=0.25, extra=""):
    text = TENANT.format(sigma=sigma, elasticity=elasticity, extra=extra)
    path = tenant_file(text, {"befolkning.csv": population()})
    return rfm.load_tenant_file(path, registry)


def test_same_seed_same_figures_and_percentiles_in_order(tenant_file, rfm_registry):
    tenant = load(tenant_file, rfm_registry)
    years = range(2024, 2029)
    a = simulate(tenant, rfm_registry, years, draws=2000, seed=7).table
    b = simulate(tenant, rfm_registry, years, draws=2000, seed=7).table
    c = simulate(tenant, rfm_registry, years, draws=2000, seed=8).table
    assert a.equals(b)
    assert not a.equals(c)
    assert (a["p5"] <= a["p50"]).all() and (a["p50"] <= a["p95"]).all()
    # The forecast amount is the engine's amount.
    run = rfm.run(tenant, rfm_registry, years).totals()
    assert a.select("model", "recipient", "year", "amount").equals(
        run.with_columns(pl.col("amount").cast(pl.Float64))  # statistics run in floats
    )


def test_observed_years_are_certain_and_the_spread_grows_with_the_horizon(
    tenant_file, rfm_registry
):
    table = simulate(load(tenant_file, rfm_registry), rfm_registry, range(2024, 2029)).table
    observed = table.filter(pl.col("year") == 2024)
    assert (observed["p5"] == observed["amount"]).all()
    assert (observed["p95"] == observed["amount"]).all()
    for (model, recipient), part in table.group_by("model", "recipient"):
        spread = (part.sort("year")["p95"] - part.sort("year")["p5"]).to_list()
        assert spread == sorted(spread) and spread[-1] > 0, (model, recipient)
    # Larger municipalities are more certain (size_elasticity 0.25).
    width = table.filter(pl.col("year") == 2028).with_columns(
        ((pl.col("p95") - pl.col("p5")) / pl.col("amount")).alias("w")
    )
    small = width.filter(pl.col("recipient") == "0665")["w"].to_list()
    large = width.filter(pl.col("recipient") == "2380")["w"].to_list()
    assert all(s > big for s, big in zip(small, large, strict=True))


def test_percentiles_match_the_lognormal_random_walk(tenant_file, rfm_registry):
    """One age group, no size effect: ln M(h) ~ N(0, σ²h), so P95/P50 = exp(1.645 σ √h)."""
    tenant = load(tenant_file, rfm_registry, sigma='"0+" = 0.03', elasticity=0)
    table = simulate(tenant, rfm_registry, range(2024, 2029), draws=40000, seed=3).table
    for row in table.filter(pl.col("year") > 2024).iter_rows(named=True):
        h = row["year"] - 2024
        expected = math.exp(1.6449 * 0.03 * math.sqrt(h))
        assert row["p95"] / row["p50"] == pytest.approx(expected, rel=2e-3)
        assert row["p50"] / row["amount"] == pytest.approx(1.0, abs=2e-3)


def test_a_model_not_linear_in_the_population_is_refused_by_name(tenant_file, rfm_registry):
    cap = """
[data.bokslut]
path = "bokslut.csv"
schema = "allocation"
[[models]]
id = "tak"
type = "change_limit"
model = "ifo"
previous = "bokslut"
max_increase = { 2024 = 0.0 }
source = "test"
"""
    text = TENANT.format(sigma=SIGMA, elasticity=0, extra=cap)
    files = {
        "befolkning.csv": population(),
        "bokslut.csv": "recipient,year,amount\n0665,2023,49000000\n2380,2023,330000000\n",
    }
    tenant = rfm.load_tenant_file(tenant_file(text, files), rfm_registry)
    with pytest.raises(ModelError, match="model 'tak' is not linear in the population"):
        simulate(tenant, rfm_registry, [2024, 2025], draws=10)


@pytest.mark.parametrize(
    ("sigma", "message"),
    [
        ('"0-79" = 0.02\n"85+" = 0.05', "leaves a gap"),
        ('"0-79" = 0.02\n"70+" = 0.05', "overlaps"),
        ('"0-79" = 0.02', "must reach the oldest ages"),
        ('"0-79" = 0.02\n"80+" = -0.1', "expected a σ from 0 to 1"),
    ],
)
def test_bad_age_groups_are_refused(tenant_file, rfm_registry, sigma, message):
    with pytest.raises(ConfigError, match=message):
        load(tenant_file, rfm_registry, sigma=sigma)


def test_the_command_prints_swedish_headers_and_refuses_a_tenant_without_simulation(
    tenant_file, rfm_cli
):
    path = tenant_file(
        TENANT.format(sigma=SIGMA, elasticity=0.25, extra=""), {"befolkning.csv": population()}
    )
    out = rfm_cli("simulate", "--config", str(path), "--years", "2024-2026", "--draws", "500")
    assert out.exit_code == 0, out.output
    # kr, the one default of --round in every command
    assert "P5 (kr)" in out.output and "P95 (kr)" in out.output and "Prognos" in out.output
    assert "Källa: test" in out.output
    csv = rfm_cli(
        "simulate", "--config", str(path), "--years", "2024-2026", "--format", "csv",
        "--recipient", "0665",
    )  # fmt: skip
    assert csv.output.splitlines()[0] == (
        "model,recipient,year,amount,p5,p50,p95,mean,amount_kr,p5_kr,p50_kr,p95_kr"
    )
    assert {line.split(",")[1] for line in csv.output.splitlines()[1:]} == {"0665"}
    bare = rfm_cli("simulate", "exempel", "--year", "2024")
    assert bare.exit_code == 1 and "has no [simulation] table" in bare.output
