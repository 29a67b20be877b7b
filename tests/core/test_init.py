"""``rfm init``: from a kommunkod to a tenant that runs, against a local PxWeb-shaped SCB.

The expected amounts are computed here from SCB's 2019 file with the csv module and Sjöbo's
published kr per inhabitant (the figures the starter marks EXEMPEL), independently of rfm.
"""

from __future__ import annotations

import csv
import re
import tomllib
from decimal import Decimal

import pytest

from tests.core.scb_server import KOMMUNER, POPULATION_2019, ScbState, serve

SJOBO_2020 = {(65, 79): 17700, (80, 89): 102700, (90, 200): 374900}
SJOBO_2018 = {(65, 79): 16500, (80, 89): 95400, (90, 200): 346400}


@pytest.fixture
def scb(monkeypatch, tmp_path) -> ScbState:
    for state in serve():
        monkeypatch.setenv("RFM_SCB_BASE_URL", state.base_url_v2)
        monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.chdir(tmp_path)
        yield state


def population_2019(kommun: str) -> dict[int, int]:
    with KOMMUNER.open(encoding="utf-8") as f:
        name = {r["kommunkod"]: r["kommun"] for r in csv.DictReader(f)}[kommun]
    ages: dict[int, int] = {}
    with POPULATION_2019.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["region"] == name:
                ages[int(r["ålder"])] = ages.get(int(r["ålder"]), 0) + int(r["X2019"])
    return ages


def by_bands(ages: dict[int, int], rates: dict[tuple[int, int], int]) -> int:
    return sum(
        n * rate for (lo, hi), rate in rates.items() for a, n in ages.items() if lo <= a <= hi
    )


def test_init_then_run_computes_the_kommuns_own_population(rfm_cli, scb, tmp_path):
    made = rfm_cli("init", "0680")
    assert made.exit_code == 0, made.output
    folder = tmp_path / "jonkoping"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "befolkning.csv",
        "tenant.schema.json",
        "tenant.toml",
    ]
    toml = (folder / "tenant.toml").read_text(encoding="utf-8")
    assert toml.startswith("#:schema ./tenant.schema.json\n")
    doc = tomllib.loads(toml)
    assert doc["tenant"] == {
        "id": "jonkoping",
        "name": "Jönköpings kommun",
        "kommunkod": "0680",
        "description": doc["tenant"]["description"],
        "own": doc["tenant"]["own"],
    }
    assert "SCB, tabell TAB638" in doc["data"]["population"]["source"]
    assert doc["report"] == {"years": "2020"}  # the population is of 31 December 2019
    # every value of the example model says it is Sjöbo's and is to be replaced
    bands = doc["models"][0]["bands"]
    assert all(
        "EXEMPEL" in v["source"] and "ERSÄTT" in v["source"]
        for b in bands.values()
        for v in b.values()
    )

    run = rfm_cli("run", "--config", str(folder / "tenant.toml"), "--format", "json")
    assert run.exit_code == 0, run.output
    expected = by_bands(population_2019("0680"), SJOBO_2020)
    import json

    rows = json.loads(run.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert {r["year"] for r in rows} == {2020}
    assert sum(Decimal(str(r["amount"])) for r in rows) == expected
    assert "befolkning.csv" in (folder / "README.md").read_text(encoding="utf-8")


def test_offline_init_uses_the_cache_and_asks_nothing(rfm_cli, scb, tmp_path):
    assert rfm_cli("init", "0680").exit_code == 0
    asked = len(scb.requests)
    again = rfm_cli("--offline", "init", "0680", "--out", "second")
    assert again.exit_code == 0, again.output
    assert len(scb.requests) == asked
    assert (tmp_path / "second" / "befolkning.csv").read_text() == (
        tmp_path / "jonkoping" / "befolkning.csv"
    ).read_text()


def test_without_scb_the_population_is_a_template_and_the_readme_says_how_to_fill_it(
    rfm_cli, scb, tmp_path
):
    done = rfm_cli("--offline", "init", "0665")  # an empty cache: SCB cannot be asked
    assert done.exit_code == 0, done.output
    folder = tmp_path / "vaggeryd"
    assert (folder / "befolkning.csv").read_text() == "area,year,age,count\n"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "rfm scb population 0665" in readme and "not in the cache" in readme
    assert scb.requests == []


def test_an_unknown_kommunkod_or_a_used_folder_is_refused(rfm_cli, scb, tmp_path):
    bad = rfm_cli("init", "0681")
    assert bad.exit_code == 1 and "did you mean" in bad.output and "0680 (Jönköping)" in bad.output
    (tmp_path / "jonkoping").mkdir()
    (tmp_path / "jonkoping" / "mine.txt").write_text("keep")
    used = rfm_cli("init", "0680")
    assert used.exit_code == 1 and "not empty" in used.output
    assert (tmp_path / "jonkoping" / "mine.txt").read_text() == "keep"


def test_init_from_a_packaged_tenant_marks_every_own_figure_and_refuses_until_given(
    rfm_cli, scb, tmp_path
):
    done = rfm_cli("init", "0680", "--from", "exempel", "--out", "jkp")
    assert done.exit_code == 0, done.output
    path = tmp_path / "jkp" / "tenant.toml"
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert doc["tenant"]["extends"] == "exempel"
    assert doc["data"]["population"]["path"] == "befolkning.csv"  # from SCB, filled in
    marked = re.findall(r"^# ERSÄTT (\S+)", text, flags=re.M)
    assert marked == [f"parameters.aldreomsorg.bands.{b}" for b in ("65-79", "80-89", "90+")]
    assert "från 2024: 21 900 kr/invånare (Sjöbo budget 2024)" in text  # the base's value
    refused = rfm_cli("run", "--config", str(path), "--year", "2019")
    assert refused.exit_code == 1
    assert str(path) in refused.output
    for band in ("65-79", "80-89", "90+"):
        assert f"parameters.aldreomsorg.bands.{band}" in refused.output
    checked = rfm_cli("tenants", "check", str(path))
    assert checked.exit_code == 1 and "Att ersätta (3)" in checked.output

    # the kommun gives its own figures: uncomment and fill in, then it runs with them
    own = {"65-79": 20000, "80-89": 100000, "90+": 300000}
    lines = []
    for line in text.splitlines():
        match = re.match(r'^# ("aldreomsorg\.bands\.([^"]+)") = (.*)$', line)
        if match:
            value = own[match.group(2)]
            line = f'{match.group(1)} = {{ unit = "kr/invånare", values = {{ 2018 = {{ value = {value}, source = "KF Jönköping" }} }} }}'
        lines.append(line)
    path.write_text("\n".join(lines), encoding="utf-8")
    ran = rfm_cli("run", "--config", str(path), "--year", "2019", "--format", "csv")
    assert ran.exit_code == 0, ran.output
    total = sum(Decimal(r["amount"]) for r in csv.DictReader(ran.stdout.splitlines()))
    expected = by_bands(
        population_2019("0680"), {(65, 79): 20000, (80, 89): 100000, (90, 200): 300000}
    )
    assert total == expected

    # an inherited model's error names the user's file first, the base's after
    later = rfm_cli("run", "--config", str(path), "--year", "2030")
    assert later.exit_code == 1
    first_line = later.output.removeprefix("Error: ").splitlines()[0]
    assert first_line.startswith(f"{path}: model 'aldreomsorg' (inherited through extends")
    assert "exempel.toml" in first_line


def test_show_inherited_lists_what_the_file_takes_from_its_base(rfm_cli, scb, tmp_path):
    assert rfm_cli("init", "0680", "--from", "exempel", "--out", "jkp").exit_code == 0
    path = tmp_path / "jkp" / "tenant.toml"
    text = path.read_text(encoding="utf-8").replace(
        "# inherit = []",
        'inherit = ["parameters.aldreomsorg.bands.65-79", "parameters.aldreomsorg.bands.80-89", "parameters.aldreomsorg.bands.90+"]',
    )
    path.write_text(text, encoding="utf-8")
    shown = rfm_cli("tenants", "show", "--config", str(path), "--inherited")
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert "Bygger på: exempel" in out
    assert "Modeller (1):\n  aldreomsorg  [age_bands]" in out
    assert "Data (0):" in out  # the population is its own
    assert "aldreomsorg.bands.65-79 [kr/invånare] från 2024: 21 900 — Sjöbo budget 2024" in out
    assert "ersatta här: data.population" in out
    assert "ärvda med [tenant] inherit: parameters.aldreomsorg.bands.65-79" in out
    plain = rfm_cli("tenants", "show", "exempel", "--inherited")
    assert plain.exit_code == 1 and "has no 'extends'" in plain.output


def test_tenants_without_a_subcommand_still_lists(rfm_cli):
    done = rfm_cli("tenants")
    assert done.exit_code == 0 and "exempel" in done.output
    wrong = rfm_cli("tenants", "shwo")
    assert wrong.exit_code == 2 and "Did you mean 'show'" in wrong.output


def test_the_starter_names_kommuner_in_the_genitive(tmp_path):
    from rfm.tenants.starter import tenant_id, tenant_name

    assert tenant_name("Jönköping") == "Jönköpings kommun"
    assert tenant_name("Vännäs") == "Vännäs kommun"
    assert tenant_id("Upplands Väsby") == "upplands-vasby"
    assert tenant_id("Östersund") == "ostersund"


def test_every_kommun_gets_a_starter_the_loader_accepts(tmp_path, rfm_registry):
    """All 290: the name init writes never names another kommun (the loader checks that)."""
    from rfm.schemas.builtin import kommun_names
    from rfm.tenants.starter import Population, starter
    from rfm.tenants.toml_loader import load_tenant_file

    template = Population("area,year,age,count\n", "ERSÄTT", None)
    for code in sorted(kommun_names()):
        folder = tmp_path / code
        folder.mkdir()
        for name, text in starter(code, template).files.items():
            (folder / name).write_text(text, encoding="utf-8")
        tenant = load_tenant_file(folder / "tenant.toml", rfm_registry)
        assert tenant.kommunkod == code
