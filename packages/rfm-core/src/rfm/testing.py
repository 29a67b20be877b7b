"""Pytest fixtures for plugin authors (loaded automatically through the ``pytest11`` entry point).

def test_my_tenant_runs(rfm_cli):
    result = rfm_cli("run", "vaggeryd", "--year", "2023")
    assert result.exit_code == 0, result.output

def test_my_model(rfm_registry, tenant_file):
    csv = population_csv({("0665", 2024): {85: 120, 90: 40}})  # every other age 0
    path = tenant_file('''[tenant]\nid = "t"\n...''', {"befolkning.csv": csv})
    tenant = rfm.load_tenant_file(path, rfm_registry)

A population must give every age of every band a model counts (rfm.coverage): ``population_csv``
writes the single years 0–99 and an open group "100+" for each area and year, so a test names
only the ages it cares about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rfm.plugins.manager import PluginHost
from rfm.registry import Registry


def population_csv(counts: Mapping[tuple[str, int], Mapping[int, float]], *, top: int = 100) -> str:
    """A complete population file: single ages 0…top−1 and an open group ``top+``.

    ``counts`` gives, per (area, year), the inhabitants of the ages that matter; every other age
    has 0 (written out, so the file covers every age). Ages from ``top`` up are summed into the
    open group.
    """
    lines = ["area,year,age,count"]
    for (area, year), by_age in counts.items():
        for age in range(top):
            lines.append(f"{area},{year},{age},{_plain(by_age.get(age, 0))}")
        older = sum(v for a, v in by_age.items() if a >= top)
        lines.append(f"{area},{year},{top}+,{_plain(older)}")
    return "\n".join(lines) + "\n"


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def host_with(*plugins: tuple[str, object]) -> PluginHost:
    """A plugin host with rfm's own contributions and ``plugins`` only: no entry points.

    A plugin's tests override ``rfm_host`` with it, so they see exactly rfm and that plugin,
    installed or not (``pytest`` run from the plugin's folder with ``pythonpath = ["src"]``)::

        @pytest.fixture
        def rfm_host():
            return rfm.testing.host_with(("skolpeng", plugin))
    """
    from rfm import builtin

    return PluginHost(entry_points=False, plugins=[("rfm", builtin), *plugins])


@pytest.fixture
def rfm_host() -> PluginHost:
    """A plugin host with every installed plugin loaded from its entry point."""
    return PluginHost()


@pytest.fixture
def rfm_registry(rfm_host: PluginHost) -> Registry:
    """The model types, readers, schemas and tenants the installed plugins register."""
    return rfm_host.registry


@pytest.fixture
def rfm_cli(rfm_host: PluginHost) -> Callable[..., Result]:
    """Run the ``rfm`` command line in-process: ``rfm_cli("run", "exempel", "--year", "2024")``."""
    from rfm.cli import build_cli

    cli = build_cli(rfm_host)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def tenant_file(tmp_path: Path) -> Callable[[str, Mapping[str, str | bytes]], Path]:
    """Write a tenant file and its data files into a fresh folder; return the tenant file's path."""

    def write(toml: str, files: Mapping[str, str | bytes] | None = None) -> Path:
        folder = tmp_path / "tenant"
        folder.mkdir(exist_ok=True)
        for name, content in (files or {}).items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        path = folder / "tenant.toml"
        path.write_text(toml, encoding="utf-8")
        return path

    return write
