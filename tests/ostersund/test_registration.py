"""rfm-plugins-ostersund installs with only rfm-core, registers through the `rfm` entry point, and uses only
rfm's public API."""

from __future__ import annotations

from tests.plugin_checks import check_plugin


def test_plugin_registers_and_imports_only_public_rfm():
    check_plugin("ostersund", "rfm_ostersund", "rfm-plugins-ostersund")
