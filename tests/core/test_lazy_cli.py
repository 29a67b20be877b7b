"""rfm --help is fast because commands are imported only when they run."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from rfm.cli import CORE_COMMANDS, build_cli
from rfm.cli.lazy import LazyCommand, lazy_command
from rfm.errors import PluginError
from rfm.plugins import PluginHost


@pytest.mark.parametrize(("name", "target", "short_help"), CORE_COMMANDS)
def test_each_core_command_has_its_own_first_help_line(name, target, short_help):
    real = LazyCommand(name, target, short_help).load()
    assert real.name == name
    assert (real.help or "").strip().splitlines()[0] == short_help


def test_help_and_import_rfm_do_not_import_polars_or_pandera():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import rfm\n"
        "from rfm.cli import build_cli\n"
        "from rfm.plugins import PluginHost\n"
        "out = CliRunner().invoke(build_cli(PluginHost()), ['--help'])\n"
        "assert out.exit_code == 0 and 'simulate' in out.output, out.output\n"
        "heavy = sorted(m for m in ('polars', 'pandera', 'numpy', 'httpx', 'starlette', 'uvicorn') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_a_command_runs_its_real_code_and_shows_its_own_help(rfm_cli):
    out = rfm_cli("run", "--help")
    assert "--format" in out.output
    assert rfm_cli("run", "exempel", "--year", "2024").exit_code == 0


def test_a_lazy_command_that_cannot_be_imported_is_one_clear_error():
    def register_commands(cli: click.Group) -> None:
        cli.add_command(lazy_command("trasig", "no_such_module_xyz:group", "Broken."))

    import types

    plugin = types.SimpleNamespace(register_commands=register_commands)
    from rfm.plugins import hookimpl

    hookimpl(register_commands)
    host = PluginHost(plugins=[("trasig", plugin)])
    from click.testing import CliRunner

    out = CliRunner().invoke(build_cli(host), ["trasig"])
    assert out.exit_code == 1
    assert "command 'trasig' could not be loaded from no_such_module_xyz:group" in out.output
    assert "Traceback" not in out.output


def test_a_target_must_name_module_and_attribute():
    with pytest.raises(PluginError, match="is not 'module:attribute'"):
        lazy_command("x", "just_a_module", "X.")
