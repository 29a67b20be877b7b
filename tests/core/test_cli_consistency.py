"""One command line: years from [report], rfm scenarios, TENANT first, the same --format,
--offline anywhere, completion of tenants/scenarios/models, "did you mean", a plugin's failure
as one message, and the manual from the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import rfm
from rfm.cli import build_cli
from rfm.plugins import PluginHost, hookimpl

ROOT = Path(__file__).resolve().parents[2]
REPORTED = """
[tenant]
id = "t"

[data.population]
path = "befolkning.csv"

[[models]]
id = "aldreomsorg"
type = "age_bands"
recipient = "Äldreomsorg"
source = "KF"
[models.bands]
"80+" = {{ 2024 = 100, 2025 = 200 }}

[scenarios.beslut]
description = "Beslutet"

[scenarios.hog]
description = "Högre belopp"
overrides = {{ "aldreomsorg.bands.80+" = {{ unit = "kr/invånare", values = {{ 2025 = 300 }}, source = "Förslag" }} }}
{report}
"""


@pytest.fixture
def tenant_path(tenant_file):
    population = rfm.testing.population_csv({("x", 2024): {85: 10}, ("x", 2025): {85: 20}})
    return lambda report="": tenant_file(
        REPORTED.format(report=report), {"befolkning.csv": population}
    )


def test_years_come_from_report_when_none_are_given(rfm_cli, tenant_path):
    path = tenant_path('[report]\nyears = "2024-2025"\n')
    done = rfm_cli("run", "--config", str(path), "--format", "csv")
    assert done.exit_code == 0, done.output
    years = sorted({line.split(",")[3] for line in done.stdout.splitlines()[1:]})
    assert years == ["2024", "2025"]  # 10 × 100 in 2024 and 20 × 200 in 2025
    one = rfm_cli("run", "--config", str(path), "--year", "2025", "--format", "csv")
    assert {line.split(",")[3] for line in one.stdout.splitlines()[1:]} == {"2025"}


def test_without_report_the_error_says_how_to_give_years(rfm_cli, tenant_path):
    path = tenant_path()
    done = rfm_cli("run", "--config", str(path))
    assert done.exit_code == 1
    assert "--year YEAR or --years FIRST-LAST" in done.output and "[report]" in done.output
    assert "--year 2024" not in done.output  # no guessed year for a tenant whose data may be 2006


def test_rfm_scenarios_lists_each_with_what_it_changes(rfm_cli, tenant_path):
    path = tenant_path('[report]\nyears = "2025"\nagainst = "hog"\n')
    done = rfm_cli("scenarios", "--config", str(path))
    assert done.exit_code == 0, done.output
    assert "hog (jämförs med i rapporten)" in done.output
    assert "Högre belopp" in done.output and "aldreomsorg.bands.80+" in done.output
    stock = rfm_cli("scenarios", "exempel")
    assert "standard (utan --scenario)" in stock.output


def test_runs_take_the_tenant_first_and_still_read_the_older_order(rfm_cli, tmp_path):
    archive = str(tmp_path / "a.sqlite")
    for label in ("ett", "två"):
        saved = rfm_cli(
            "run", "exempel", "--year", "2024", "--save", "--label", label, "--archive", archive
        )
        assert saved.exit_code == 0, saved.output
    first = rfm_cli("runs", "show", "exempel", "2", "--archive", archive)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Körning 2: två")
    assert rfm_cli("runs", "show", "2", "exempel", "--archive", archive).output == first.output
    assert rfm_cli("runs", "show", "2", "--archive", archive).output == first.output
    diff = rfm_cli("runs", "diff", "exempel", "1", "2", "--archive", archive)
    assert diff.exit_code == 0 and "Indata, körning 1 → 2" in diff.output
    again = rfm_cli("runs", "reproduce", "exempel", "1", "--archive", archive)
    assert again.exit_code == 0, again.output
    bad = rfm_cli("runs", "show", "ett", "--archive", archive)
    assert bad.exit_code == 2 and "expected [TENANT] RUN_ID" in bad.output


def test_the_tenant_comes_first_in_every_core_command():
    cli = build_cli(PluginHost())
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        real = command.load() if hasattr(command, "load") else command
        commands = list(real.commands.values()) if isinstance(real, click.Group) else [real]
        for cmd in commands:
            arguments = [p.name for p in cmd.params if isinstance(p, click.Argument)]
            if "tenant" in arguments:
                assert arguments[0] == "tenant", (name, cmd.name, arguments)


def test_compare_writes_html_as_run_does(rfm_cli, tenant_path, tmp_path):
    path = str(tenant_path())
    out = tmp_path / "jamforelse.html"
    done = rfm_cli(
        "compare",
        "--config",
        path,
        "--scenario",
        "hog",
        "--against",
        "beslut",
        "--year",
        "2025",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8").replace("\xa0", " ")  # numbers keep their spaces
    assert html.lower().startswith("<!doctype html>") and "hog" in html and "beslut" in html
    # 20 × 300 = 6 000 against 20 × 200 = 4 000
    assert "6 000" in html and "4 000" in html


def test_report_without_out_writes_to_stdout_as_docs_does(rfm_cli, tenant_path):
    path = str(tenant_path('[report]\nyears = "2024"\n'))
    done = rfm_cli("report", "--config", path)
    assert done.exit_code == 0, done.output
    assert done.stdout.lstrip().lower().startswith("<!doctype html>")
    docs = rfm_cli("docs", "--config", path)
    assert docs.exit_code == 0 and docs.stdout.startswith("#")


def test_validate_names_its_reader_option_reader(rfm_cli, tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(rfm.testing.population_csv({("0665", 2024): {85: 1}}), encoding="utf-8")
    done = rfm_cli("validate", "municipal_population", str(path), "--reader", "csv")
    assert done.exit_code == 0, done.output
    old = rfm_cli("validate", "municipal_population", str(path), "--format", "csv")
    assert old.exit_code == 0 and "--format is now --reader" in old.stderr


def test_offline_may_stand_anywhere(rfm_cli):
    seen: list[bool] = []

    @click.command("fetch")
    @click.option("--n", default=1)
    @click.pass_context
    def fetch(ctx: click.Context, n: int) -> None:
        seen.append(rfm.offline_requested(ctx) and os.environ.get("RFM_OFFLINE") == "1")

    plugin = types.SimpleNamespace(register_commands=lambda cli: cli.add_command(fetch))
    hookimpl(plugin.register_commands)
    cli = build_cli(PluginHost(plugins=[("fetcher", plugin)]))
    for args in (
        ["--offline", "fetch"],
        ["fetch", "--offline"],
        ["fetch", "--n", "2", "--offline"],
    ):
        assert CliRunner().invoke(cli, args).exit_code == 0
    assert CliRunner().invoke(cli, ["fetch"]).exit_code == 0
    assert seen == [True, True, True, False]
    assert "RFM_OFFLINE" not in os.environ  # set for the command only


def complete(words: str) -> list[str]:
    """What the shell would offer for the last word of ``words`` (bash protocol)."""
    parts = words.split(" ")
    env = {
        "_RFM_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
    }
    cli = build_cli(PluginHost())
    done = CliRunner().invoke(cli, [], env=env, prog_name="rfm")
    return [line.split(",", 1)[1] for line in done.output.splitlines() if "," in line]


def test_the_shell_completes_tenants_scenarios_and_models():
    assert "exempel" in complete("rfm run ")
    assert complete("rfm run exe") == ["exempel"]
    assert complete("rfm explain exempel --model ") == ["aldreomsorg"]
    assert (
        complete("rfm compare exempel --scenario ") == ["standard"]
        or complete("rfm compare exempel --scenario ") == []
    )
    assert "tenants" in complete("rfm ten")


def test_completion_reads_a_tenant_file_given_with_config(tenant_path):
    path = tenant_path()
    assert complete(f"rfm run --config {path} --scenario ") == ["beslut", "hog"]


def test_unknown_names_get_a_did_you_mean(rfm_cli, tenant_path):
    assert "Did you mean 'run' or 'runs'?" in rfm_cli("rn").output
    assert "(did you mean 'exempel'?)" in rfm_cli("run", "exempl").output
    model = rfm_cli(
        "explain", "exempel", "--model", "aldreomsrg", "--recipient", "x", "--year", "2024"
    )
    assert "(did you mean 'aldreomsorg'?)" in model.output
    path = str(tenant_path())
    scenario = rfm_cli("run", "--config", path, "--year", "2024", "--scenario", "hgo")
    assert "(did you mean 'hog'?)" in scenario.output


class Exploding(rfm.Model):
    type_name = "exploding"
    summary = "raises"
    config_keys = ("fail_in",)

    def __init__(self, config: rfm.ModelConfig) -> None:
        super().__init__(config)
        if config.table.get("fail_in") == "config":
            _ = 1 / 0

    def formula(self) -> str:
        return "–"

    def compute(self, ctx, years):
        return {}["saknas"]


def test_a_plugins_failure_is_one_message_naming_plugin_and_model(tenant_file):
    Exploding.__module__ = "rfm_exploderande.models"  # as if a plugin package defined it
    plugin = types.SimpleNamespace(register_model_types=lambda register: register(Exploding))
    hookimpl(plugin.register_model_types)
    cli = build_cli(PluginHost(plugins=[("exploderande", plugin)]))
    for fail_in, expected in (("compute", "KeyError: 'saknas'"), ("config", "ZeroDivisionError")):
        path = tenant_file(
            f'[tenant]\nid = "t"\n[[models]]\nid = "m"\ntype = "exploding"\nfail_in = "{fail_in}"\n'
        )
        done = CliRunner().invoke(cli, ["run", "--config", str(path), "--year", "2024"])
        assert done.exit_code == 1, done.output
        assert "Traceback" not in done.output
        message = done.output.strip().removeprefix("Error: ")
        assert message.startswith("plugin 'rfm_exploderande', model 'm'"), message
        assert expected in message and "test_cli_consistency.py:" in message
        assert str(path) in message


def test_the_manual_is_read_from_the_installation(rfm_cli):
    listed = rfm_cli("manual")
    assert listed.exit_code == 0
    for topic in ("tenant-file", "cli", "plugins", "simulation", "model-types", "glossary"):
        assert topic in listed.output
    page = rfm_cli("manual", "simulation")
    assert page.stdout == (ROOT / "docs" / "simulation.md").read_text(encoding="utf-8")
    assert "did you mean 'simulation'" in rfm_cli("manual", "simulaton").output


def test_the_wheel_carries_the_manual_and_the_plugin_templates(tmp_path):
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    done = subprocess.run(
        [
            uv,
            "build",
            "--wheel",
            "--offline",
            "-o",
            str(tmp_path),
            str(ROOT / "packages" / "rfm-core"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("rfm_core-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"rfm/manual/simulation.md", "rfm/manual/tenant-file.md", "rfm/py.typed"} <= names
    assert "rfm/scaffold/template/src/__MODULE__/models.py.tmpl" in names
