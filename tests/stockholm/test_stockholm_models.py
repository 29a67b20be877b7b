"""Stockholm's ekonomiskt bistånd key on the bundled data: budgets, transition, districts, explain."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import rfm
from rfm import largest_remainder, run
from rfm.formatting import number

PLUGIN = Path(__file__).resolve().parents[2] / "packages" / "rfm-plugins-stockholm-ekbistand"
TENANT_DIR = PLUGIN / "src" / "rfm_stockholm_ekbistand" / "tenant"
YEARS = [2006, 2007, 2008]
REPORTED = ("ekonomiskt_bistand", "arbetsmarknadsatgarder")
# Which budgets each reported model splits (seed 003: utbetalt + handläggning as one budget).
BUDGETS = {
    "ekonomiskt_bistand": ("budget.utbetalt", "budget.handlaggning"),
    "arbetsmarknadsatgarder": ("budget.arbetsmarknad",),
}
DISTRICTS_2007_2020 = {
    "Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
    "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö",
    "Hägersten-Liljeholmen", "Skärholmen",
}  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> rfm.Registry:
    return rfm.PluginHost().registry


@pytest.fixture(scope="module")
def stockholm(registry):
    return registry.tenant("stockholm")


@pytest.fixture(scope="module")
def runs(stockholm, registry):
    return {
        name: run(stockholm, registry, YEARS, scenario=name)
        for name in ("standard", "ny-modell", "gammal-modell")
    }


def budget(result, model: str, year: int) -> int:
    values = [result.parameters[key].at(year).value for key in BUDGETS[model]]
    assert all(float(v).is_integer() for v in values)
    return int(sum(values))


def amounts(result, model: str, year: int) -> dict[str, float]:
    """Each recipient's amount from ``model`` (reported or an input) in ``year``."""
    part = (
        result.all_lineage.filter((pl.col("model") == model) & (pl.col("year") == year))
        .group_by("recipient")
        .agg(pl.col("amount").cast(pl.Float64).sum())
    )
    return dict(zip(part["recipient"], part["amount"].cast(pl.Float64), strict=True))


def test_each_budget_is_split_exactly_over_the_districts(runs):
    for scenario, result in runs.items():
        for model in REPORTED:
            for year in YEARS:
                parts = amounts(result, model, year)
                assert set(parts) == DISTRICTS_2007_2020, (scenario, model, year)
                total = budget(result, model, year)
                assert abs(sum(parts.values()) - total) < 1e-3
                for unit in (1, 1000):
                    shown = largest_remainder(list(parts.values()), unit, total=total)
                    assert sum(shown) * unit == round(total / unit) * unit


def test_the_table_total_is_the_budget_in_kr_and_tkr(rfm_cli, runs):
    labels = {m.id: m.label for m in runs["standard"].tenant.models}
    for unit, factor in (("kr", 1), ("tkr", 1000)):
        out = rfm_cli("run", "stockholm", "--years", "2006-2008", "--round", unit)
        assert out.exit_code == 0, out.output
        for model in REPORTED:
            for year in YEARS:
                expected = number(round(budget(runs["standard"], model, year) / factor), 0)
                line = f"{labels[model]}  Summa"
                rows = [
                    r.removeprefix(labels[model]).strip()
                    for r in out.output.splitlines()
                    if r.startswith(labels[model]) and "Summa" in r
                ]
                assert any(r.split()[1] == str(year) and r.endswith(expected) for r in rows), (
                    line,
                    year,
                    expected,
                )


WEIGHTS = {  # the key's weights, as the tenant file states them
    "ej_forvarvsarbetande_utrikes_fodda": 0.20,
    "lag_inkomst": 0.01,
    "arbetslosa": 0.30,
    "lagutbildade": 0.02,
    "boende_hyresratt_niva_1": 0.17,
}


def key_by_hand(data_year: int, total: float) -> dict[str, float]:
    """The key worked out from behov.csv alone: poäng = Σ vikt × X × justeringsindex; andel =
    poäng ÷ Σ poäng; belopp = andel × total (the 14 districts map to themselves until 2020)."""
    with open(TENANT_DIR / "behov.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if int(r["year"]) == data_year]
    points = {
        r["area"]: sum(w * float(r[v]) for v, w in WEIGHTS.items()) * float(r["justeringsindex"])
        for r in rows
    }
    return {d: total * p / sum(points.values()) for d, p in points.items()}


def old_by_hand(data_year: int, total: float, columns: dict[str, float]) -> dict[str, float]:
    """An old model from gammal_modell.csv alone, without Enhet för hemlösa."""
    with open(TENANT_DIR / "gammal_modell.csv", encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if int(r["year"]) == data_year and r["area"] != "Enhet för hemlösa"
        ]
    points = {r["area"]: sum(w * float(r[c]) for c, w in columns.items()) for r in rows}
    return {d: total * p / sum(points.values()) for d, p in points.items()}


def close(got: dict[str, float], want: dict[str, float]) -> None:
    assert set(got) == set(want)
    for district, value in want.items():
        assert got[district] == pytest.approx(value, rel=1e-9), district


def test_the_same_run_gives_the_same_exact_amounts_every_time(stockholm, registry, runs):
    """A key's kr per poäng divides by Σ points; summed in whatever order a group_by left the
    rows, the sum differed in its last bits from run to run, so the exact amounts did too (by
    1e-8 kr) and `rfm runs reproduce` refused every saved Stockholm run."""
    first = runs["standard"].all_lineage
    for _ in range(3):
        assert run(stockholm, registry, YEARS).all_lineage.equals(first)


def test_2006_merges_utbetalt_and_handlaggning_on_the_key_without_a_transition(runs):
    """Seed 003: handläggning "ska fördelas enligt samma modell som används för utbetalt
    ekonomiskt bistånd och … dessa två läggs samman i en budget"; utbetalt has been on the key
    since KF 2004-06-17 (its own 70/30 was budget 2005)."""
    result = runs["standard"]
    for year in YEARS:
        total = budget(result, "ekonomiskt_bistand", year)
        close(amounts(result, "ekonomiskt_bistand", year), key_by_hand(year - 1, total))
    assert result.parameters["overgang.ekonomiskt_bistand"].at(2006).value == 1.0


def test_the_70_30_transition_is_on_the_budget_for_arbetsmarknadsatgarder(runs):
    """Seed 003: "För 2006 föreslås en övergångslösning för fördelning av budget för
    arbetsmarknadsåtgärder"; "för 2006 fördelas 70% av budgeten enligt den föreslagna modellen
    och 30% enligt tidigare modell"."""
    result = runs["standard"]
    total = budget(result, "arbetsmarknadsatgarder", 2006)
    new = key_by_hand(2005, total)
    old = old_by_hand(
        2004,
        total,
        {"oppet_arbetslosa": 1, "arbetslosa_i_program": 1, "arbetslosa_18_24": 0.5},
    )
    close(
        amounts(result, "arbetsmarknadsatgarder", 2006),
        {d: 0.7 * new[d] + 0.3 * old[d] for d in new},
    )
    for year in (2007, 2008):  # the new key alone from 2007
        total = budget(result, "arbetsmarknadsatgarder", year)
        close(amounts(result, "arbetsmarknadsatgarder", year), key_by_hand(year - 1, total))


def test_other_readings_are_named_scenarios(stockholm, registry):
    """Two other readings of the 70/30 sentence, each a scenario with its reason."""
    handl = run(stockholm, registry, [2006], scenario="overgang-handlaggning")
    whole = run(stockholm, registry, [2006], scenario="overgang-hela-anslaget")
    u, h = (handl.parameters[k].at(2006).value for k in ("budget.utbetalt", "budget.handlaggning"))
    cases = old_by_hand(2004, h, {"arenden_bifall": 1, "arenden_avslag": 1})
    key_u, key_h = key_by_hand(2005, u), key_by_hand(2005, h)
    # Handläggning only: utbetalt on the key, handläggning 70 % key + 30 % cases.
    close(
        amounts(handl, "ekonomiskt_bistand", 2006),
        {d: key_u[d] + 0.7 * key_h[d] + 0.3 * cases[d] for d in key_u},
    )
    # The whole budget, utbetalt's 30 % back on the outcome of the last accounts.
    outcome = old_by_hand(2004, u, {"utbetalt_kr": 1})
    close(
        amounts(whole, "ekonomiskt_bistand", 2006),
        {d: 0.7 * (key_u[d] + key_h[d]) + 0.3 * (outcome[d] + cases[d]) for d in key_u},
    )
    for name in ("overgang-handlaggning", "overgang-hela-anslaget"):
        text = stockholm.scenarios[name].description
        assert "Skäl:" in text and "Emot:" in text


def test_weights_and_index_are_labelled_as_what_they_are(stockholm):
    share = stockholm.parameters["nyckel.boende_hyresratt_niva_1"].at(2006)
    assert share.value == 0.17
    assert share.source.startswith("BESKRIVANDE ANDEL, INTE EN KOEFFICIENT")
    assert "PÅHITTAD" in stockholm.datasets["behov"].source
    assert "faktorn 0,5" in stockholm.datasets["behov"].source


def test_the_old_and_new_parts_are_the_models_the_seed_names(runs):
    result = runs["standard"]
    lineage = result.all_lineage
    components = set(
        lineage.filter(pl.col("model") == "ekonomiskt_bistand")["component"].unique().to_list()
    )
    assert components == {
        "ny modell: ekonomiskt_bistand_ny",
        "gammal modell: utbetalt_tidigare + handlaggning_gammal",
    }
    # The merged budget: the new key splits utbetalt + handläggning as one total.
    for year in YEARS:
        new_total = sum(amounts(result, "ekonomiskt_bistand_ny", year).values())
        assert new_total == pytest.approx(budget(result, "ekonomiskt_bistand", year))


def test_enhet_for_hemlosa_is_in_the_data_but_outside_the_model(runs, tmp_path, registry):
    with open(TENANT_DIR / "gammal_modell.csv", encoding="utf-8") as f:
        areas = {r["area"] for r in csv.DictReader(f)}
    assert "Enhet för hemlösa" in areas
    recipients = set(runs["standard"].all_lineage["recipient"].unique().to_list())
    assert "Enhet för hemlösa" not in recipients
    # Without the exclusion the unit has no district: a clear error, not a silent share.
    text = (TENANT_DIR / "stockholm.toml").read_text(encoding="utf-8")
    first = text.index('exclude_areas = ["Enhet för hemlösa"]\n')
    broken = text[:first] + text[first:].replace('exclude_areas = ["Enhet för hemlösa"]\n', "", 1)
    folder = tmp_path / "t"
    folder.mkdir()
    for name in ("behov.csv", "gammal_modell.csv", "stadsdelsnamnder.csv"):
        (folder / name).write_bytes((TENANT_DIR / name).read_bytes())
    (folder / "stockholm.toml").write_text(broken.replace('id = "stockholm"', 'id = "sthlm-test"'))
    tenant = rfm.load_tenant_file(folder / "stockholm.toml", registry)
    with pytest.raises(rfm.ModelError, match=r"Enhet för hemlösa.*no recipient"):
        run(tenant, registry, [2006])


def test_the_districts_merge_in_2021(tenant_file, registry):
    """Hägersten-Liljeholmen and Älvsjö → Hägersten-Älvsjö: 14 recipients in 2020, 13 in 2021."""
    need = pl.read_csv(TENANT_DIR / "behov.csv").filter(pl.col("year") == 2007)
    old = pl.read_csv(TENANT_DIR / "gammal_modell.csv").filter(pl.col("year") == 2006)
    behov = pl.concat([need.with_columns(pl.lit(y).alias("year")) for y in (2019, 2020)])
    gammal = pl.concat([old.with_columns(pl.lit(y).alias("year")) for y in (2018, 2019)])
    overrides = "".join(
        f'[overrides."{key}"]\nunit = "kr"\nvalues = {{ 2020 = {{ value = {v}, source = "test" }} }}\n'
        for key, v in (
            ("budget.utbetalt", 1_000_000_000),
            ("budget.handlaggning", 200_000_000),
            ("budget.arbetsmarknad", 100_000_000),
        )
    )
    path = tenant_file(
        '[tenant]\nid = "sthlm-2021"\nextends = "stockholm"\n'
        '[data.behov]\npath = "behov.csv"\nschema = "area_variables"\n'
        '[data.gammal_modell]\npath = "gammal.csv"\nschema = "area_variables"\n' + overrides,
        {"behov.csv": behov.write_csv(), "gammal.csv": gammal.write_csv()},
    )
    result = run(rfm.load_tenant_file(path, registry), registry, [2020, 2021])
    for model in REPORTED:
        before, after = amounts(result, model, 2020), amounts(result, model, 2021)
        assert set(before) == DISTRICTS_2007_2020
        merged = DISTRICTS_2007_2020 - {"Älvsjö", "Hägersten-Liljeholmen"} | {"Hägersten-Älvsjö"}
        assert set(after) == merged
        # Same data and budget in both years: the merged district gets what its parts got.
        assert after["Hägersten-Älvsjö"] == pytest.approx(
            before["Älvsjö"] + before["Hägersten-Liljeholmen"]
        )
        assert sum(after.values()) == pytest.approx(sum(before.values()))


def test_compare_new_against_old_gives_the_redistribution(rfm_cli, runs):
    out = rfm_cli(
        "compare", "stockholm", "--scenario", "ny-modell", "--against", "gammal-modell",
        "--year", "2006", "--format", "json",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    for model in REPORTED:
        mine = [r for r in rows if r["model"] == model]
        assert {r["recipient"] for r in mine} == DISTRICTS_2007_2020
        new, old = (
            amounts(runs["ny-modell"], model, 2006),
            amounts(runs["gammal-modell"], model, 2006),
        )
        for r in mine:
            assert r["diff"] == pytest.approx(new[r["recipient"]] - old[r["recipient"]])
            assert r["diff_share"] == pytest.approx(r["diff"] / old[r["recipient"]])
        # Zero-sum: what some districts gain, the others lose.
        assert sum(r["diff"] for r in mine) == pytest.approx(0, abs=1e-3)
        assert min(r["diff"] for r in mine) < 0 < max(r["diff"] for r in mine)
    table = rfm_cli(
        "compare", "stockholm", "--scenario", "ny-modell", "--against", "gammal-modell",
        "--year", "2006", "--round", "tkr",
    )  # fmt: skip
    assert table.exit_code == 0 and "Δ %" in table.output and "Rinkeby-Kista" in table.output


def test_explain_shows_index_share_old_new_and_blend_with_sources(rfm_cli, runs):
    out = rfm_cli(
        "explain", "stockholm", "--model", "arbetsmarknadsatgarder", "--recipient",
        "Rinkeby-Kista", "--year", "2006",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    text = out.output
    result = runs["standard"]
    new = amounts(result, "arbetsmarknadsatgarder_ny", 2006)
    old = amounts(result, "arbetsmarknad_gammal", 2006)
    blended = amounts(result, "arbetsmarknadsatgarder", 2006)["Rinkeby-Kista"]
    assert (
        f"Blandning: 70 % × {number(round(new['Rinkeby-Kista'], 2))} kr (ny) + "
        f"30 % × {number(round(old['Rinkeby-Kista'], 2))} kr (gammal) = "
        f"{number(round(blended, 2))} kr"
    ) in text
    share = new["Rinkeby-Kista"] / sum(new.values())
    assert f"= {number(round(share * 100, 4))} %" in text  # the share of the new key
    assert "justeringsindex" in text  # the step-2 index, per row
    need = pl.read_csv(TENANT_DIR / "behov.csv").filter(
        (pl.col("area") == "Rinkeby-Kista") & (pl.col("year") == 2005)
    )
    assert f"justeringsindex {number(need['justeringsindex'][0])}" in text
    for source in (
        "'För 2006 föreslås en övergångslösning för fördelning av budget för arbetsmarknadsåtgärder'",
        "BESKRIVANDE ANDEL",  # a weight's source
        "ILLUSTRATIVT eftersom stadens budget för arbetsmarknadsåtgärder",  # the budget's
        "Indata: Arbetsmarknadsåtgärder, tidigare modell",
        "Indata: Arbetsmarknadsåtgärder, ny modell",
        "statistik.stockholm.se",  # the data's
    ):
        assert source in text, source


def test_docs_describe_every_model(rfm_cli):
    out = rfm_cli("docs", "stockholm", "--format", "md")
    assert out.exit_code == 0, out.output
    for label in ("Ekonomiskt bistånd, nyckeln", "Arbetsmarknadsåtgärder", "Incitament"):
        assert label in out.output


def test_the_data_script_rebuilds_the_bundled_files():
    script = PLUGIN / "scripts" / "make_data.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    need = list(csv.DictReader(io.StringIO((TENANT_DIR / "behov.csv").read_text("utf-8"))))
    # Population 2005 is the real figure of the yearbook table, unchanged.
    with open(PLUGIN / "scripts" / "sources" / "folkmangd_2000_2011_prognos_2021.csv") as f:
        real = {
            r["stadsdelsomrade"]: r["population"] for r in csv.DictReader(f) if r["year"] == "2005"
        }
    for r in need:
        if r["year"] == "2005":
            assert r["befolkning"] == real[r["area"]]
