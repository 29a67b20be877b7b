"""Registration by name (rfm.Deferred): nothing is imported until used, and what is imported is
what the name promised."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types

import attrs
import pytest

import rfm
from rfm import builtin
from rfm.deferred import Deferred, LazyTable
from rfm.errors import ConfigError, PluginError
from rfm.testing import host_with


def test_the_cores_registrations_by_name_are_exactly_its_model_types_readers_and_schemas():
    from rfm.io.readers import BUILTIN_READERS
    from rfm.models import BUILTIN_MODEL_TYPES
    from rfm.schemas.builtin import BUILTIN_SCHEMAS

    for deferred, objects, name_of in (
        (builtin.MODEL_TYPES, BUILTIN_MODEL_TYPES, lambda t: t.type_name),
        (builtin.READERS, BUILTIN_READERS, lambda r: r.name),
        (builtin.SCHEMAS, BUILTIN_SCHEMAS, lambda s: s.name),
    ):
        assert [d.name for d in deferred] == [name_of(o) for o in objects]
        assert [d.load() for d in deferred] == list(objects)
    for d, reader in zip(builtin.READERS, BUILTIN_READERS, strict=True):
        assert d.suffixes == reader.suffixes  # known before the reader is imported


def test_a_registry_imports_only_what_is_looked_up():
    registry = host_with().registry
    assert isinstance(registry.model_types, LazyTable)
    assert "age_bands" in registry.model_types and len(registry.model_types) == 9
    assert isinstance(registry.model_types.registered("blend"), Deferred)
    from rfm.models.age_bands import AgeBands

    assert registry.model_type("age_bands") is AgeBands
    assert registry.model_types.registered("age_bands") is AgeBands  # imported once, kept
    assert isinstance(registry.model_types.registered("blend"), Deferred)  # still not needed


@pytest.mark.parametrize("command", [["--help"], ["plugins"]])
def test_help_and_plugins_do_not_import_polars(command):
    """The start-up cost of `rfm --help` and `rfm plugins` is Python, click and the plugins'
    hooks: Polars (a fifth of a second) is imported only by a command that reads a table."""
    code = (
        "import sys\nfrom rfm.cli import main\n"
        f"sys.argv = ['rfm', *{command!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('POLARS' if 'polars' in sys.modules else 'NO POLARS', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().endswith("NO POLARS"), done.stderr


def plugin(**hooks: object) -> types.ModuleType:
    module = types.ModuleType("lat")
    for name, function in hooks.items():
        setattr(module, name, rfm.hookimpl(function))  # type: ignore[arg-type]
    return module


def test_a_deferred_target_that_does_not_import_is_a_plugin_error_naming_it():
    def register_model_types(register):
        register(Deferred("saknas", "rfm_finns_inte.modeller:Saknas"))

    registry = host_with(("lat", plugin(register_model_types=register_model_types))).registry
    assert "saknas" in registry.model_types  # listed by name without importing
    with pytest.raises(PluginError, match=r"'saknas' is registered at 'rfm_finns_inte\.modeller:Saknas', which cannot be imported"):  # fmt: skip
        registry.model_type("saknas")


def test_a_deferred_object_must_be_what_its_name_promised():
    def register_model_types(register):
        register(Deferred("ålder", "rfm.models.age_bands:AgeBands"))  # is 'age_bands'

    def register_schemas(register):
        register(Deferred("fel", "rfm.io.readers:CSV_READER"))  # a reader, not a schema

    host = host_with(
        (
            "lat",
            plugin(register_model_types=register_model_types, register_schemas=register_schemas),
        )
    )
    with pytest.raises(PluginError, match=r"plugin 'lat' registered the model type 'ålder', but the object imported for it is named 'age_bands'"):  # fmt: skip
        host.registry.model_type("ålder")
    with pytest.raises(PluginError, match=r"plugin 'lat' registered .*CSV.*, not a SchemaSpec"):
        host.registry.schema("fel")


def test_a_target_without_module_and_attribute_is_refused_at_once():
    with pytest.raises(PluginError, match=r"expected 'package\.module:attribute'"):
        Deferred("x", "rfm.models.age_bands")


def test_two_plugins_claiming_one_suffix_by_name_is_a_conflict_without_importing():
    def register_readers(register):
        register(Deferred("min-csv", "rfm.io.readers:CSV_READER", (".csv",)))

    host = host_with(("lat", plugin(register_readers=register_readers)))
    registry = host.registry
    assert ("file suffix", ".csv") in registry.conflicts
    assert "rfm" in registry.conflicts[("file suffix", ".csv")]


# -- a deferred entry whose import fails, in every way a plugin's module can fail ------------------

FAILING_MODULES = {
    "raises": 'raise RuntimeError("kaputt vid import")\n',
    "exits": "import sys\nsys.exit(0)\n",
    "interrupts": "raise KeyboardInterrupt\n",
    "syntax": "def f(:\n",
    "no_attribute": "X = 1\n",
    "getattr_exits": "import sys\n\ndef __getattr__(name):\n    sys.exit(3)\n",
}


@pytest.fixture
def failing_modules(tmp_path, monkeypatch):
    """Modules ``lat_<kind>`` on the path whose import fails as FAILING_MODULES says."""
    for kind, body in FAILING_MODULES.items():
        (tmp_path / f"lat_{kind}.py").write_text(body, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("raises", r"RuntimeError\('kaputt vid import'\)"),
        ("exits", r"called sys\.exit\(0\)"),
        ("interrupts", "raised KeyboardInterrupt itself"),
        ("syntax", "SyntaxError"),
        ("no_attribute", "has no attribute 'Modell'"),
        ("missing", "No module named 'lat_missing'"),
        ("getattr_exits", r"called sys\.exit\(3\)"),
    ],
)
def test_a_deferred_import_that_fails_in_any_way_is_one_plugin_error_naming_the_plugin(
    failing_modules, kind, said
):
    """sys.exit() at import time exited rfm with code 0 and no output; a RuntimeError or a
    SyntaxError was a traceback; and no message named the plugin."""

    def register_model_types(register):
        register(Deferred("bom", f"lat_{kind}:Modell"))

    registry = host_with(("lat", plugin(register_model_types=register_model_types))).registry
    with pytest.raises(PluginError) as caught:
        registry.model_type("bom")
    message = str(caught.value)
    assert message.startswith("plugin 'lat': model type 'bom' is registered at "), message
    assert re.search(said, message), message
    with pytest.raises(PluginError):  # the same again: a failed import is not kept as success
        registry.model_type("bom")
    assert registry.model_type("age_bands").type_name == "age_bands"  # the others work


def test_a_deferred_readers_suffixes_must_be_the_readers_own():
    """The suffixes decide which reader reads a file (and whether two plugins clash) before
    anything is imported, so a reader that reads other suffixes than it declared is refused."""

    def register_readers(register):
        register(Deferred("csv2", "lat_reader:READER", (".csv2",)))

    module = types.ModuleType("lat_reader")
    from rfm.io.readers import CSV_READER

    module.READER = attrs.evolve(CSV_READER, name="csv2", suffixes=(".csv", ".csv2"))
    sys.modules["lat_reader"] = module
    try:
        registry = host_with(("lat", plugin(register_readers=register_readers))).registry
        with pytest.raises(PluginError, match=r"plugin 'lat' registered the reader 'csv2' for \.csv2, but the reader imported for it reads \.csv, \.csv2"):  # fmt: skip
            registry.readers["csv2"]
    finally:
        del sys.modules["lat_reader"]


def test_a_file_is_read_without_importing_readers_of_other_suffixes(failing_modules, tmp_path):
    """Choosing the reader of a .csv file imported every reader registered before it: a
    plugin's broken .zz reader stopped every CSV file (a traceback for a RuntimeError)."""
    from rfm.io.readers import read_table

    def register_readers(register):
        register(Deferred("zz", "lat_raises:READER", (".zz",)))

    registry = host_with(("lat", plugin(register_readers=register_readers))).registry
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_table(registry.readers, path).frame.height == 1
    with pytest.raises(PluginError, match=r"^plugin 'lat': reader 'zz' is registered at"):
        read_table(registry.readers, path.with_suffix(".zz"))
    with pytest.raises(ConfigError, match=r"no reader for files ending '\.yy'; known: .*\.zz"):
        read_table(registry.readers, path.with_suffix(".yy"))


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ((5, "a.b:c"), "a name must be text"),
        (("", "a.b:c"), "a name must be text"),
        (("x", None), "expected 'package.module:attribute'"),
        (("x", "a.b:c", ".se"), r"suffixes: expected a tuple such as \('\.se',\)"),
        (("x", "a.b:c", ("se",)), r"suffixes: expected a tuple such as \('\.se',\)"),
    ],
)
def test_a_deferred_of_the_wrong_types_is_refused_at_once(arguments, expected):
    """A suffix given as the text '.se' was taken as the four suffixes '.', 's', 'e' and
    nothing was said; a name 5 sorted beside text broke `rfm models` with a TypeError."""
    with pytest.raises(PluginError, match=expected):
        Deferred(*arguments)


def test_two_plugins_registering_one_name_one_by_name_one_as_object_is_a_conflict():
    from rfm.models.age_bands import AgeBands

    def by_name(register):
        register(Deferred("ålder", "rfm.models.age_bands:AgeBands"))

    def as_object(register):
        register(type("Ålder", (AgeBands,), {"type_name": "ålder"}))

    host = host_with(
        ("första", plugin(register_model_types=by_name)),
        ("andra", plugin(register_model_types=as_object)),
    )
    with pytest.raises(PluginError, match="model type 'ålder' is registered by two plugins"):
        host.registry.model_type("ålder")
    assert {p.name: p.status for p in host.plugins()}["första"] == "conflict"


LAT_PLUGIN = """
import rfm

@rfm.hookimpl
def register_model_types(register):
    register(rfm.Deferred("bom", "lat_exits:Modell"))
    register(rfm.Deferred("saknas", "lat_finns_inte.modeller:Modell"))

@rfm.hookimpl
def register_schemas(register):
    register(rfm.Deferred("bomschema", "lat_raises:SCHEMA"))

@rfm.hookimpl
def register_readers(register):
    register(rfm.Deferred("zz", "lat_interrupts:READER", (".zz",)))
"""


@pytest.fixture
def installed_lat(failing_modules):
    """A plugin 'lat' installed with an entry point (a dist-info folder on PYTHONPATH) whose
    entries by name fail at import: sys.exit(0), a RuntimeError, a KeyboardInterrupt, and a
    module that is not there."""
    site = failing_modules
    (site / "lat_plugin.py").write_text(LAT_PLUGIN, encoding="utf-8")
    info = site / "lat-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lat\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[rfm]\nlat = lat_plugin\n")
    (site / "befolkning.csv").write_text("area,year,age,count\n0665,2024,5,10\n")
    (site / "befolkning.zz").write_text("area,year,age,count\n0665,2024,5,10\n")
    (site / "t.toml").write_text('[tenant]\nid = "t"\n\n[[models]]\nid = "m"\ntype = "bom"\n')

    def rfm_command(*args: str) -> subprocess.CompletedProcess[str]:
        code = "import sys\nfrom rfm.cli import main\nsys.argv = ['rfm', *sys.argv[1:]]\nmain()\n"
        env = {**os.environ, "PYTHONPATH": str(site)}
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True, text=True, timeout=120, env=env, cwd=site,
        )  # fmt: skip

    return rfm_command


def test_a_plugins_broken_entries_by_name_through_the_command_line(installed_lat):
    """Each failure is one message naming the plugin (no traceback, no silent exit 0); what
    needs the entry stops with exit code 1; listings name it and list the rest; the rest works."""
    rfm_command = installed_lat
    done = rfm_command("plugins")
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("lat "))
    assert " missing " in line
    assert "registers model type 'saknas' at 'lat_finns_inte.modeller:Modell', but no module 'lat_finns_inte.modeller' is installed" in line  # fmt: skip

    for args, shown in (
        (("models",), "age_bands"),
        (("schemas",), "population"),
        (("tenants", "schema"), '"age_bands"'),
    ):
        done = rfm_command(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert shown in done.stdout
        assert "Traceback" not in done.stderr
        assert "Warning: plugin 'lat': " in done.stderr, (args, done.stderr)
    assert "called sys.exit(0); left out here" in rfm_command("models").stderr
    assert '"bom"' in rfm_command("tenants", "schema").stdout  # a known type, keys unchecked

    done = rfm_command("validate", "population", "befolkning.csv")
    assert done.returncode == 0, done.stderr  # the .zz reader is not imported for a .csv file
    for args, said in (
        (("validate", "population", "befolkning.zz"),
         "plugin 'lat': reader 'zz' is registered at 'lat_interrupts:READER', which cannot be imported: raised KeyboardInterrupt itself (no Ctrl-C was pressed)"),
        (("validate", "bomschema", "befolkning.csv"),
         "plugin 'lat': schema 'bomschema' is registered at 'lat_raises:SCHEMA', which cannot be imported: RuntimeError('kaputt vid import')"),
        (("run", "--config", "t.toml", "--year", "2024"),
         "plugin 'lat': model type 'bom' is registered at 'lat_exits:Modell', which cannot be imported: called sys.exit(0)"),
    ):  # fmt: skip
        done = rfm_command(*args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert done.stderr.strip() == f"Error: {said}", (args, done.stderr)
    assert rfm_command("run", "exempel", "--year", "2024").returncode == 0


def test_an_object_registered_under_a_name_that_is_not_text_breaks_its_plugin_only():
    """A model type whose type_name was 5 sorted beside text: TypeError in every listing."""
    from rfm.models.age_bands import AgeBands
    from rfm.plugins.manager import PluginWarning

    def register_model_types(register):
        register(type("Fem", (AgeBands,), {"type_name": 5}))

    with pytest.warns(PluginWarning, match=r"'lat' is broken.*model type named 5, not text"):
        host = host_with(("lat", plugin(register_model_types=register_model_types)))
        names = sorted(host.registry.model_types)
    assert "age_bands" in names and 5 not in names


def test_a_suffix_clash_with_a_reader_that_exits_at_import_is_still_the_clash(failing_modules):
    """The clash's refusal imports the first claimant: its sys.exit(0) ended `rfm plugins`."""
    from rfm.io.readers import read_table

    def register_readers(register):
        register(Deferred("min-csv", "lat_exits:READER", (".csv",)))

    host = host_with(("lat", plugin(register_readers=register_readers)))
    assert {p.name: p.status for p in host.plugins()}["lat"] == "conflict"
    path = failing_modules / "data.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(PluginError, match=r"file suffix '\.csv' is registered by two plugins"):
        read_table(host.registry.readers, path)
