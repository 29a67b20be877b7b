"""The tenant file's JSON Schema: made from the loader's own key lists, used by
``rfm tenants check``, and read by taplo (the engine of Even Better TOML) as an editor would."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rfm.errors import ConfigError
from rfm.tenants.check import schema_problems
from rfm.tenants.schema_export import schema_text, tenant_schema
from rfm.tenants.toml_loader import tenant_from_document

ROOT = Path(__file__).resolve().parents[2]
COOKBOOK = sorted((ROOT / "docs" / "cookbook").glob("*/tenant.toml"))
TAPLO = Path(sys.executable).parent / "taplo"


def core_tenant_files(rfm_registry) -> list[Path]:
    """Every tenant file of the installed tenants and every cookbook tenant."""
    packaged = [Path(rfm_registry.tenant(t).origin) for t in sorted(rfm_registry.tenants)]
    return packaged + COOKBOOK


def test_every_installed_and_cookbook_tenant_matches_the_schema(rfm_registry):
    files = core_tenant_files(rfm_registry)
    assert len(COOKBOOK) >= 7
    for path in files:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert schema_problems(doc, rfm_registry) == [], path


def test_the_schema_is_valid_draft_07(rfm_registry):
    from jsonschema import Draft7Validator

    Draft7Validator.check_schema(tenant_schema(rfm_registry))


@pytest.mark.parametrize(
    ("where", "table"),
    [
        ("tenant", lambda d: d["tenant"]),
        ("data.population", lambda d: d["data"]["population"]),
        ("models[1]", lambda d: d["models"][0]),
        ("report", lambda d: d.setdefault("report", {"years": "2024"})),
        ("prices", lambda d: d.setdefault("prices", {})),
        ("scenarios.x", lambda d: d.setdefault("scenarios", {}).setdefault("x", {})),
        ("(the file)", lambda d: d),
    ],
)
def test_a_key_the_loader_refuses_the_schema_refuses_too(rfm_registry, where, table, tmp_path):
    demo = Path(rfm_registry.tenant("exempel").origin)
    doc = tomllib.loads(demo.read_text(encoding="utf-8"))
    shutil.copy(demo.parent / "befolkning.csv", tmp_path / "befolkning.csv")
    good = copy.deepcopy(doc)
    table(good)
    tenant_from_document(good, tmp_path / "t.toml", rfm_registry)  # the table is fine as it is
    assert schema_problems(good, rfm_registry) == []
    bad = copy.deepcopy(good)
    table(bad)["sorce"] = "KF"
    with pytest.raises(ConfigError, match="sorce"):
        tenant_from_document(bad, tmp_path / "t.toml", rfm_registry)
    problems = schema_problems(bad, rfm_registry)
    assert any(p.startswith(f"{where}:") and "'sorce'" in p for p in problems), problems


def test_each_model_type_allows_its_own_keys_and_requires_its_required(rfm_registry):
    doc = {"tenant": {"id": "t"}, "models": [{"id": "m", "type": "age_bands", "recipient": "X"}]}
    problems = schema_problems(doc, rfm_registry)
    assert problems == ["models[1]: 'bands' is a required property"]
    doc["models"][0] |= {"bands": {"65-79": {"2024": 1}}, "weights": {}}
    assert schema_problems(doc, rfm_registry) == [
        "models[1]: Additional properties are not allowed ('weights' was unexpected)"
    ]
    doc["models"][0]["type"] = "no_such_type"
    assert any("is not one of" in p for p in schema_problems(doc, rfm_registry))


def test_tenants_check_lists_every_problem_with_its_place(rfm_cli, tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        '[tenant]\nid = "t"\nkommunkod = 665\n\n[report]\nyear = "2024"\n\n'
        '[[models]]\nid = "m"\ntype = "age_bands"\nrecipient = "X"\nbands = {}\nsorce = "KF"\n',
        encoding="utf-8",
    )
    done = rfm_cli("tenants", "check", str(path))
    assert done.exit_code == 1
    out = done.output
    assert "problem(s) against the tenant schema" in out
    assert "tenant.kommunkod: 665 is not of type 'string'" in out
    assert "report: Additional properties are not allowed ('year' was unexpected)" in out
    assert "models[1]: Additional properties are not allowed ('sorce' was unexpected)" in out
    ok = rfm_cli("tenants", "check", str(COOKBOOK[0]))
    assert ok.exit_code == 0 and "matches the tenant schema and loads" in ok.output


def test_tenants_check_says_when_the_schema_holds_but_the_data_do_not(rfm_cli, tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        '[tenant]\nid = "t"\n\n[data.population]\npath = "saknas.csv"\n\n'
        '[[models]]\nid = "m"\ntype = "age_bands"\nrecipient = "X"\nsource = "KF"\n'
        '[models.bands]\n"65-79" = { 2024 = 1 }\n\n[scenarios.a]\nmodels = ["n"]\n',
        encoding="utf-8",
    )
    done = rfm_cli("tenants", "check", str(path))
    assert done.exit_code == 1
    assert "the schema holds, but the file cannot be loaded" in done.output
    assert "unknown model(s) n" in done.output


def test_tenants_check_takes_a_tenant_or_config_file_as_every_command_does(rfm_cli, tmp_path):
    """One argument order: ``tenants check TENANT`` checks the installed tenant's own file
    (``exempel`` is rfm's demo), ``--config FILE`` a file; a path where TENANT stands is still
    read as a file (rfm init's README of earlier versions wrote it so)."""
    from rfm.builtin import demo_tenant_path

    demo = demo_tenant_path()
    by_name = rfm_cli("tenants", "check", "exempel")
    assert by_name.exit_code == 0, by_name.output
    assert by_name.output.splitlines()[0] == f"OK: {demo} matches the tenant schema and loads"
    broken = tmp_path / "t.toml"
    broken.write_text(demo.read_text(encoding="utf-8").replace("[tenant]", "[tenant]\nnamn = 1", 1),
                      encoding="utf-8")  # fmt: skip
    for args in (["--config", str(broken)], [str(broken)]):
        done = rfm_cli("tenants", "check", *args)
        assert done.exit_code == 1, done.output
        assert done.output.startswith(f"{broken}: 1 problem(s) against the tenant schema:")
        assert (
            "tenant: Additional properties are not allowed ('namn' was unexpected)" in done.output
        )
    misspelt = rfm_cli("tenants", "check", "exempl")
    assert misspelt.exit_code == 1 and "Traceback" not in misspelt.output
    assert misspelt.stderr.startswith("Error: unknown tenant 'exempl' (did you mean 'exempel'?)")
    assert "file not found" not in misspelt.stderr
    both = rfm_cli("tenants", "check", "exempel", "--config", str(broken))
    assert both.exit_code == 1 and "give a TENANT or --config FILE, not both" in both.stderr
    neither = rfm_cli("tenants", "check")
    assert neither.exit_code == 1 and "or give --config FILE" in neither.stderr


def test_rfm_tenants_schema_writes_what_init_puts_beside_the_file(rfm_cli, rfm_registry, tmp_path):
    out = tmp_path / "tenant.schema.json"
    assert rfm_cli("tenants", "schema", "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == schema_text(rfm_registry)
    assert json.loads(out.read_text(encoding="utf-8"))["$schema"].startswith("http://json-schema")


def taplo_check(folder: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TAPLO), "check", name],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "RUST_LOG": "error"},
        check=False,
        timeout=60,
    )


def test_an_editor_checks_a_tenant_file_through_its_schema_line(rfm_registry, tmp_path):
    """taplo reads the ``#:schema`` line as Even Better TOML does, and finds the typo."""
    (tmp_path / "tenant.schema.json").write_text(schema_text(rfm_registry), encoding="utf-8")
    for i, path in enumerate(core_tenant_files(rfm_registry)):
        text = path.read_text(encoding="utf-8")
        (tmp_path / f"t{i}.toml").write_text("#:schema ./tenant.schema.json\n" + text, "utf-8")
        done = taplo_check(tmp_path, f"t{i}.toml")
        assert done.returncode == 0, (path, done.stdout, done.stderr)
    typo = (
        (tmp_path / "t0.toml")
        .read_text(encoding="utf-8")
        .replace("[tenant]", "[tenant]\nnamn = 'x'", 1)
    )
    (tmp_path / "typo.toml").write_text(typo, encoding="utf-8")
    done = taplo_check(tmp_path, "typo.toml")
    assert done.returncode == 1
    assert "'namn' was unexpected" in done.stdout + done.stderr
