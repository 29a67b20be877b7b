"""Registration by name (rfm.Deferred): nothing is imported until used, and what is imported is
what the name promised."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import rfm
from rfm import builtin
from rfm.deferred import Deferred, LazyTable
from rfm.errors import PluginError
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
