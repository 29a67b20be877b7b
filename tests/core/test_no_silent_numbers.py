"""No number nobody decided: what used to become 0 kr, a halved volume or a float rounded down.

The classes that end in an error are in the adversarial table (tests/core/test_adversarial.py,
docs/reliability.md). Here are the ones whose answer is the right number, or an error from a
command other than ``rfm run``: each expected figure is worked out by hand in the test.
"""

from __future__ import annotations

import io
import json
import re
import types
from collections.abc import Callable
from csv import DictReader
from decimal import Decimal
from typing import Any

import attrs
import polars as pl
import pytest

import rfm
from rfm.testing import host_with, population_csv

HALF_KRONA = """[tenant]
id = "ore"
[data.counts]
path = "antal.csv"
[[models]]
id = "insatser"
type = "price_tags"
recipient = "Nämnden"
source = "KF 2024-01-01 § 1"
prices = { timmar = { 2024 = 25.15 } }
"""
COUNTS = "area,year,category,count\nX,2024,timmar,650\n"


def test_25_15_kr_times_650_is_16_347_50_exact_and_16_348_rounded(rfm_cli, tenant_file, tmp_path):
    """25,15 kr × 650 = 16 347,50 kr; half-up to kronor 16 348 (a float gives 16 347,4999…)."""
    path = str(tenant_file(HALF_KRONA, {"antal.csv": COUNTS}))
    table = rfm_cli("run", "--config", path, "--year", "2024")
    assert table.exit_code == 0, table.output
    assert "16 348" in table.output and "16 347" not in table.output
    csv = rfm_cli("run", "--config", path, "--year", "2024", "--format", "csv")
    rows = list(DictReader(io.StringIO(csv.output)))
    assert [r["amount"] for r in rows] == ["16347.5"]  # the exact decimal, not 16347.4999…
    assert [r["amount_kr"] for r in rows] == ["16348"]  # half up from 16 347,50, not 16 347
    as_json = rfm_cli("run", "--config", path, "--year", "2024", "--format", "json")
    parsed = json.loads(as_json.output, parse_float=Decimal)
    assert parsed["rows"][0]["amount"] == Decimal("16347.5")
    assert parsed["rows"][0]["amount_kr"] == 16348
    assert '"amount": 16347.5' in as_json.output
    tkr = rfm_cli("run", "--config", path, "--year", "2024", "--round", "tkr")
    assert " 16\n" in tkr.output  # 16,3475 tkr → 16
    result = rfm.run(rfm.load_tenant_file(tenant_file(HALF_KRONA, {"antal.csv": COUNTS}),
                                          rfm.PluginHost().registry), rfm.PluginHost().registry,
                     [2024])  # fmt: skip
    assert result.totals()["amount"].to_list() == [Decimal("16347.5")]
    assert rfm.round_to(result.totals()["amount"][0]) == 16348


def test_the_workbook_shows_16_348_after_libreoffice_recalculates(tenant_file, tmp_path):
    """LibreOffice recalculates the workbook from zero cached values: the model sheet's amount
    is 16 347,5 (= 25,15 × 650) and Sammanfattning, rounding by formulas, shows 16 348."""
    from rfm.reports.workbook import write_workbook
    from tests.core.test_workbook import as_number, recalculate, sheet

    registry = rfm.PluginHost().registry
    result = rfm.run(
        rfm.load_tenant_file(tenant_file(HALF_KRONA, {"antal.csv": COUNTS}), registry),
        registry,
        [2024],
    )
    book = tmp_path / "ore.xlsx"
    write_workbook(result, book, cached_values=False)
    recalculated = recalculate(book, tmp_path)
    model = sheet(recalculated, "insatser")
    start = next(i for i, r in enumerate(model) if r[0] == "Mottagare") + 1
    assert as_number(model[start][7]) == 16347.5
    summary = sheet(recalculated, "Sammanfattning")
    assert [as_number(r[2]) for r in summary if r[:2] == ["insatser", "Nämnden"]] == [16348]


MEAN_MAPPED = """[tenant]
id = "medel"
[data.population]
path = "pop.csv"
[data.stadsdelar]
path = "stadsdelar.csv"
schema = "area_mapping"
[[models]]
id = "ao"
type = "age_bands"
area_mapping = "stadsdelar"
population_reference = "mean_of_year_ends"
source = "KF"
bands = { "80+" = { 2024 = 100 } }
"""


def test_a_mean_of_year_ends_with_an_area_renamed_between_them_is_mapped(rfm_registry, tenant_file):
    """Gamla at 31/12 2023 is Nya at 31/12 2024: with a mapping both year-ends count in full."""
    population = population_csv({("Gamla", 2023): {85: 30}, ("Nya", 2024): {85: 50}})
    # Gamla is Nya's name at 31/12 2023 only: the mapping ends it with budget year 2024.
    mapping = "area,recipient,from_year,to_year\nGamla,Nya,2024,2024\nNya,Nya,2024,\n"
    tenant = rfm.load_tenant_file(
        tenant_file(MEAN_MAPPED, {"pop.csv": population, "stadsdelar.csv": mapping}),
        rfm_registry,
    )
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage
    assert rows["recipient"].to_list() == ["Nya"]
    assert rows["volume"].to_list() == [(30 + 50) / 2]  # not 15 + 25 under two names
    assert rows["amount"].to_list() == [Decimal(4000)]


def test_under_a_mapping_a_fine_area_missing_at_one_year_end_is_an_error(rfm_registry, tenant_file):
    """A and B make up R. B missing at 31/12 2024 must not make R's mean (20 + 10) / 2."""
    population = population_csv(
        {(a, y): {85: 10} for a in ("A", "B", "C") for y in (2022, 2023)}
        | {("A", 2024): {85: 10}, ("C", 2024): {85: 10}}
    )
    mapping = "area,recipient,from_year,to_year\nA,R,2000,\nB,R,2000,\nC,S,2000,\n"
    tenant = rfm.load_tenant_file(
        tenant_file(MEAN_MAPPED, {"pop.csv": population, "stadsdelar.csv": mapping}),
        rfm_registry,
    )
    with pytest.raises(rfm.ModelError, match=r"area 'B', data year 2024 \(budget year 2024\)"):
        rfm.run(tenant, rfm_registry, [2024])


def test_a_one_year_run_expects_every_area_the_dataset_knows(rfm_registry, tenant_file):
    """B has rows in 2024 only: a run of 2025 alone must not pay A alone in silence."""
    population = population_csv(
        {("A", 2024): {85: 10}, ("B", 2024): {85: 5}, ("A", 2025): {85: 10}}
    )
    toml = NAMES.replace('bands = { "80+" = { 2024 = 100 } }', 'bands = { "80+" = { 2024 = 100 } }')
    tenant = rfm.load_tenant_file(tenant_file(toml, {"pop.csv": population}), rfm_registry)
    with pytest.raises(rfm.ModelError, match=r"area 'B', data year 2025"):
        rfm.run(tenant, rfm_registry, [2025])


NAMES = """[tenant]
id = "namn"
[data.population]
path = "pop.csv"
[[models]]
id = "ao"
type = "age_bands"
source = "KF"
bands = { "80+" = { 2024 = 100 } }
"""


def test_one_recipient_whatever_unicode_form_its_name_has(rfm_registry, tenant_file):
    """NFC, NFD and a zero-width space are one Södermalm, not three recipients."""
    nfc, nfd, hidden = "Södermalm", "So\u0308dermalm", "Söder\u200bmalm"
    lines = population_csv({(nfc, 2024): {85: 10}}).splitlines()
    # Single ages 0–49 under one form of the name, 50–99 under another, 100+ under a third.
    text = "\n".join(
        [lines[0]]
        + [line.replace(nfc, nfd) for line in lines[1:51]]
        + [line.replace(nfc, hidden) for line in lines[51:101]]
        + lines[101:]
    )
    tenant = rfm.load_tenant_file(tenant_file(NAMES, {"pop.csv": text}), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage
    assert rows["recipient"].to_list() == [nfc]
    assert rows["volume"].to_list() == [10.0]


def test_a_declared_gap_is_zero_and_says_so(rfm_registry, tenant_file):
    toml = NAMES.replace(
        'path = "pop.csv"',
        'path = "pop.csv"\ngaps = { means = "zero", reason = "SCB redovisar inte tomma åldrar" }',
    )
    csv = "area,year,age,count\nA,2024,85,10\nB,2024,81,2\n"
    tenant = rfm.load_tenant_file(tenant_file(toml, {"pop.csv": csv}), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2024]).lineage.sort("recipient")
    assert rows["volume"].to_list() == [10.0, 2.0]
    assert all(
        "räknas som 0 enligt tenantfilen (SCB redovisar inte tomma åldrar)" in b
        for b in rows["basis"]
    )


def test_counts_stand_for_a_later_year_only_when_the_tenant_says_so(rfm_registry, tenant_file):
    toml = """[tenant]
id = "lss"
[[models]]
id = "lss"
type = "price_tags"
recipient = "Socialnämnden"
source = "SCB 2018"
prices = { bostad = { 2018 = 1000000 } }
counts = { bostad = { 2018 = 12 } }
gaps = { means = "previous", reason = "prognos: oförändrat antal" }
"""
    tenant = rfm.load_tenant_file(tenant_file(toml, {}), rfm_registry)
    rows = rfm.run(tenant, rfm_registry, [2018, 2019]).lineage.sort("year")
    assert rows["amount"].to_list() == [Decimal(12_000_000)] * 2
    assert "inget värde för 2019, värdet från 2018 används" in rows["basis"][1]
    assert "prognos: oförändrat antal" in rows["basis"][1]
    assert "inget värde" not in rows["basis"][0]


def test_extends_for_another_kommun_may_inherit_what_it_names(rfm_registry, tenant_file):
    toml = (
        '[tenant]\nid = "kopia"\nname = "Vaggeryd"\nkommunkod = "0665"\nextends = "exempel"\n'
        'inherit = ["data.population", "parameters.aldreomsorg.bands.65-79", '
        '"parameters.aldreomsorg.bands.80-89", "parameters.aldreomsorg.bands.90+"]\n'
    )
    tenant = rfm.load_tenant_file(tenant_file(toml, {}), rfm_registry)
    assert tenant.kommunkod == "0665"
    wrong = toml.replace('"data.population", ', '"data.befolkning", ')
    with pytest.raises(rfm.ConfigError, match=r"inherit: 'data.befolkning' is not marked"):
        rfm.load_tenant_file(tenant_file(wrong, {}), rfm_registry)


# -- comparisons: absent is absent ------------------------------------------------------------------

SCENARIOS = (
    NAMES
    + '[[models]]\nid = "extra"\ntype = "age_bands"\nsource = "KF"\n'
    + 'bands = { "80+" = { 2024 = 50 } }\n'
    + '[scenarios.utan]\nmodels = ["ao"]\n[scenarios.med]\nmodels = ["ao", "extra"]\n'
)


def test_a_model_only_one_scenario_has_is_absent_in_the_other(rfm_cli, tenant_file):
    path = str(tenant_file(SCENARIOS, {"pop.csv": population_csv({("A", 2024): {85: 10}})}))
    out = rfm_cli("compare", "--config", path, "--scenario", "med", "--against", "utan",
                  "--year", "2024")  # fmt: skip
    assert out.exit_code == 0, out.output
    line = next(r for r in out.output.splitlines() if r.startswith("extra"))
    assert "500" in line and "finns inte i utan" in line and "–" in line
    assert " 0 " not in line.replace("500", "")
    csv = rfm_cli("compare", "--config", path, "--scenario", "med", "--against", "utan",
                  "--year", "2024", "--format", "csv")  # fmt: skip
    rows = pl.read_csv(csv.output.encode()).filter(pl.col("model") == "extra")
    assert rows["b"].to_list() == [None] and rows["diff"].to_list() == [None]


def test_compare_against_a_run_refuses_a_year_the_run_does_not_hold(rfm_cli, tenant_file, tmp_path):
    path = str(tenant_file(NAMES, {"pop.csv": population_csv(
        {("A", y): {85: 10} for y in (2024, 2025)})}))  # fmt: skip
    archive = str(tmp_path / "arkiv.sqlite")
    saved = rfm_cli("run", "--config", path, "--year", "2024", "--save", "--archive", archive)
    assert saved.exit_code == 0, saved.output
    out = rfm_cli("compare", "--config", path, "--scenario", "standard", "--against-run", "1",
                  "--archive", archive, "--year", "2025")  # fmt: skip
    assert out.exit_code == 1
    assert "archived run 1 holds the years 2024, not 2025" in out.stderr


def test_runs_diff_shows_a_year_only_one_run_has_as_absent(rfm_cli, tenant_file, tmp_path):
    path = str(tenant_file(NAMES, {"pop.csv": population_csv(
        {("A", y): {85: 10} for y in (2024, 2025)})}))  # fmt: skip
    archive = str(tmp_path / "arkiv.sqlite")
    for years in ("2024", "2024-2025"):
        saved = rfm_cli("run", "--config", path, "--years", years, "--save", "--archive", archive)
        assert saved.exit_code == 0, saved.output
    diff = rfm_cli("runs", "diff", "1", "2", "--config", path, "--archive", archive)
    assert diff.exit_code == 0, diff.output
    line = next(r for r in diff.output.splitlines() if "2025" in r and r.startswith("ao"))
    assert "finns inte i körning 1" in line and "1 000" in line


# -- plugins: one name, one owner ------------------------------------------------------------------


class _Twin:
    """A plugin that registers the core's age_bands model type again (and a core command)."""

    @rfm.hookimpl
    def register_model_types(self, register):  # type: ignore[no-untyped-def]
        from rfm.models import AgeBands

        class Doubled(AgeBands):
            pass

        register(Doubled)

    @rfm.hookimpl
    def register_commands(self, cli):  # type: ignore[no-untyped-def]
        import click

        @cli.command("run")
        def hijack() -> None:
            click.echo("hijacked")


def test_a_name_two_plugins_register_is_an_error_naming_both(tenant_file):
    from click.testing import CliRunner

    from rfm.cli import build_cli

    host = rfm.PluginHost(plugins=[("tvilling", _Twin())], on_broken=lambda _m: None)
    registry = host.registry
    assert ("model type", "age_bands") in registry.conflicts
    path = tenant_file(NAMES, {"pop.csv": population_csv({("A", 2024): {85: 10}})})
    with pytest.raises(rfm.PluginError, match=r"model type 'age_bands' is registered by two "
                       r"plugins, .*'tvilling'"):  # fmt: skip
        rfm.load_tenant_file(path, registry)
    listed = {p.name: p for p in host.plugins()}
    assert listed["tvilling"].status == "conflict"
    assert "age_bands" in listed["tvilling"].error
    # The core's `run` stays rfm's: the plugin that tried to replace it is broken, named.
    cli = build_cli(host)
    out = CliRunner().invoke(cli, ["run", "--help"])
    assert "hijacked" not in out.output and "Compute a tenant's allocation" in out.output
    assert "tried to replace the command(s) run of rfm" in host.broken["tvilling"]


def _plugin(name: str, hook: str, *items: object) -> types.ModuleType:
    """A plugin module that registers ``items`` through ``hook`` and nothing else."""
    module = types.ModuleType(name)

    def register_all(register):  # type: ignore[no-untyped-def]
        for item in items:
            register(item)

    setattr(module, hook, rfm.hookimpl(register_all))
    return module


def _with(plugin: types.ModuleType) -> tuple[rfm.PluginHost, Callable[..., Any]]:
    """rfm's own contributions and ``plugin`` (no installed plugin), and its command line."""
    from click.testing import CliRunner

    from rfm.cli import build_cli

    host = host_with((plugin.__name__, plugin))
    cli = build_cli(host)
    return host, lambda *args: CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv_reader(name: str, suffixes: tuple[str, ...]) -> rfm.Reader:
    """A reader that reads as rfm's csv reader does, under another name and suffixes."""
    from rfm.io.readers import BUILTIN_READERS

    csv = next(r for r in BUILTIN_READERS if r.name == "csv")
    return attrs.evolve(csv, name=name, suffixes=suffixes)


def _both(message: str, kind: str, name: str) -> None:
    """``message`` says that two plugins, rfm and 'tvilling', both register ``kind`` ``name``."""
    assert message.startswith("Error: ") and "Traceback" not in message, message
    said = re.search(rf"{kind} '{re.escape(name)}' is registered by two plugins, '(\S+)' and "
                     r"'(\S+)'; rfm will not choose between them", message)  # fmt: skip
    assert said is not None, message
    assert set(said.groups()) == {"rfm", "tvilling"}, message


def _status(host: rfm.PluginHost) -> dict[str, str]:
    return {p.name: p.status for p in host.plugins()}


def test_a_tenant_two_plugins_register_is_an_error_naming_both():
    from rfm.builtin import demo_tenant_path

    copy = rfm.TenantDefinition.from_toml(demo_tenant_path(), plugin="tvilling")
    host, cli = _with(_plugin("tvilling", "register_tenants", copy))
    out = cli("run", "exempel", "--year", "2024")
    assert out.exit_code == 1
    _both(out.stderr, "tenant", "exempel")
    assert _status(host) == {"rfm": "conflict", "tvilling": "conflict"}
    # Without the copy, the same command runs: the error is the clash, not the tenant.
    _, alone_cli = _with(_plugin("annan", "register_tenants"))
    assert alone_cli("run", "exempel", "--year", "2024").exit_code == 0


def test_a_schema_two_plugins_register_is_an_error_naming_both(tenant_file):
    from rfm.schemas.builtin import POPULATION

    host, cli = _with(_plugin("tvilling", "register_schemas", attrs.evolve(POPULATION)))
    population = population_csv({("A", 2024): {85: 10}})
    path = tenant_file(NAMES, {"pop.csv": population})
    out = cli("run", "--config", str(path), "--year", "2024")
    assert out.exit_code == 1
    _both(out.stderr, "schema", "population")
    checked = cli("validate", "population", str(path.parent / "pop.csv"))
    assert checked.exit_code == 1
    _both(checked.stderr, "schema", "population")
    assert _status(host)["tvilling"] == "conflict"


def test_a_reader_name_two_plugins_register_is_an_error_naming_both(tenant_file):
    """A plugin's reader called 'csv' (for its own suffix .semi): ``format = "csv"`` names a
    reader that is nobody's now, and says whose it would be."""
    host, cli = _with(_plugin("tvilling", "register_readers", _csv_reader("csv", (".semi",))))
    population = population_csv({("A", 2024): {85: 10}})
    named = NAMES.replace('path = "pop.csv"', 'path = "pop.csv"\nformat = "csv"')
    out = cli("run", "--config", str(tenant_file(named, {"pop.csv": population})),
              "--year", "2024")  # fmt: skip
    assert out.exit_code == 1
    _both(out.stderr, "reader", "csv")
    assert _status(host) == {"rfm": "conflict", "tvilling": "conflict"}
    # By its suffix, pop.csv (rfm's csv) and pop.semi (the plugin's) are not read either: the
    # same clash is said for a file of either claimant's suffixes, whichever the registry kept.
    for name in ("pop.csv", "pop.semi"):
        toml = NAMES.replace('path = "pop.csv"', f'path = "{name}"')
        by_suffix = cli("run", "--config", str(tenant_file(toml, {name: population})),
                        "--year", "2024", "--format", "csv")  # fmt: skip
        assert by_suffix.exit_code == 1 and by_suffix.stdout == "", by_suffix.output
        _both(by_suffix.stderr, "reader", "csv")


def test_a_file_suffix_two_plugins_claim_is_an_error_unless_the_reader_is_named(tenant_file):
    """A plugin's reader 'semikolon' for .csv files: which reader reads pop.csv is not rfm's
    guess. Named with ``format``, either reader reads it, and A is paid 10 × 100 kr = 1 000 kr."""
    host, cli = _with(_plugin("tvilling", "register_readers", _csv_reader("semikolon", (".csv",))))
    population = population_csv({("A", 2024): {85: 10}})
    out = cli("run", "--config", str(tenant_file(NAMES, {"pop.csv": population})),
              "--year", "2024")  # fmt: skip
    assert out.exit_code == 1
    _both(out.stderr, "file suffix", ".csv")
    assert _status(host) == {"rfm": "conflict", "tvilling": "conflict"}
    for reader in ("csv", "semikolon"):
        named = NAMES.replace('path = "pop.csv"', f'path = "pop.csv"\nformat = "{reader}"')
        done = cli("run", "--config", str(tenant_file(named, {"pop.csv": population})),
                   "--year", "2024", "--format", "csv")  # fmt: skip
        assert done.exit_code == 0, done.output
        assert [r["amount"] for r in DictReader(io.StringIO(done.stdout))] == ["1000"]


# -- years the data do not cover ---------------------------------------------------------------------


def test_a_model_that_gives_no_rows_for_a_year_stops_the_run(rfm_registry):
    class Partial(rfm.Model):
        type_name = "partial"
        summary = "rows for the first year only"

        def compute(self, ctx, years):  # type: ignore[no-untyped-def]
            first = min(years)
            return pl.DataFrame(
                {
                    "model": [self.id],
                    "recipient": ["X"],
                    "year": [first],
                    "component": ["c"],
                    "volume": [1.0],
                    "volume_unit": ["st"],
                    "rate": [1.0],
                    "rate_unit": ["kr/st"],
                    "basis": ["b"],
                }
            )

        def formula(self) -> str:
            return "1"

    registry = rfm.Registry(model_types={"partial": Partial})
    from rfm.tenants.toml_loader import tenant_from_document

    tenant = tenant_from_document(
        {"tenant": {"id": "t"}, "models": [{"id": "m", "type": "partial"}]},
        __import__("pathlib").Path("t.toml"),
        registry,
    )
    with pytest.raises(rfm.ModelError, match=r"model 'm': gives no rows for budget year\(s\) 2025"):
        rfm.run(tenant, registry, [2024, 2025])
