"""Plugins: a broken plugin is named and listed as broken; the others keep working."""

from __future__ import annotations

import types
import warnings

import pytest

import rfm
from rfm.cli import build_cli
from rfm.plugins.manager import PluginHost, PluginWarning
from rfm.registry import TenantDefinition


def plugin_module(name: str, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, func in hooks.items():
        setattr(module, hook_name, rfm.hookimpl(func))  # type: ignore[arg-type]
    return module


class Doubling(rfm.Model):
    type_name = "doubling"
    summary = "test"

    def compute(self, ctx, years):  # pragma: no cover - not run
        raise NotImplementedError

    def formula(self) -> str:
        return "x"


def test_plugin_raising_in_a_hook_is_broken_and_others_work():
    def raising(register):
        register(Doubling)
        raise RuntimeError("boom")

    def good(register):
        register(Doubling)

    with pytest.warns(PluginWarning, match="'bad'.*boom"):
        host = PluginHost(
            plugins=[
                ("bad", plugin_module("bad", register_model_types=raising)),
                ("good", plugin_module("good", register_model_types=good)),
            ]
        )
        registry = host.registry
    assert "doubling" in registry.model_types  # from the good plugin
    assert "age_bands" in registry.model_types  # the core keeps working
    status = {p.name: p.status for p in host.plugins()}
    assert status["bad"] == "broken" and status["good"] == "ok" and status["rfm"] == "ok"


def test_a_broken_plugin_contributes_nothing():
    def raising(register):
        register(TenantDefinition("half", "Half", lambda reg: None))  # type: ignore[arg-type,return-value]
        raise ValueError("half-way")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        host = PluginHost(plugins=[("half", plugin_module("half", register_tenants=raising))])
        assert "half" not in host.registry.tenants


def test_plugin_with_an_unknown_hook_fails_check_pending():
    def register_modles(register):  # misspelt hook
        pass

    with pytest.warns(PluginWarning, match="invalid hooks"):
        host = PluginHost(
            plugins=[("typo", plugin_module("typo", register_modles=register_modles))]
        )
    assert {p.name: p.status for p in host.plugins()}["typo"] == "broken"


def test_broken_plugin_shows_in_rfm_plugins_and_commands_still_run():
    def raising(cli):
        raise RuntimeError("no commands today")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        host = PluginHost(plugins=[("flaky", plugin_module("flaky", register_commands=raising))])
        cli = build_cli(host)
    from click.testing import CliRunner

    out = CliRunner().invoke(cli, ["plugins"])
    assert out.exit_code == 0
    line = next(line for line in out.output.splitlines() if line.startswith("flaky"))
    assert "broken" in line and "no commands today" in line
    assert CliRunner().invoke(cli, ["run", "exempel", "--year", "2024"]).exit_code == 0


def test_a_plugin_can_add_a_command():
    import click

    def register_commands(cli):
        @cli.command("hej")
        def hej() -> None:
            click.echo("hej från pluginet")

    host = PluginHost(
        plugins=[("greeter", plugin_module("greeter", register_commands=register_commands))]
    )
    from click.testing import CliRunner

    out = CliRunner().invoke(build_cli(host), ["hej"])
    assert out.output.strip() == "hej från pluginet"
