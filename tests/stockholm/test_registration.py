"""rfm-plugins-stockholm-ekbistand installs with only rfm-core, registers through the `rfm` entry point, and uses only
rfm's public API."""

from __future__ import annotations

import rfm
from tests.plugin_checks import check_plugin


def test_plugin_registers_and_imports_only_public_rfm():
    check_plugin(
        "stockholm-ekbistand", "rfm_stockholm_ekbistand", "rfm-plugins-stockholm-ekbistand"
    )


def test_docs_say_which_figures_are_real_and_which_are_not_and_why(rfm_cli):
    """Issue 23: every illustrative, constructed or assumed figure says why no real one exists."""
    from rfm.provenance import REAL, figures

    tenant = rfm.PluginHost().registry.tenant("stockholm")
    found = figures(tenant)
    assert any(f.kind == REAL for f in found)
    for f in found:
        if f.kind in ("illustrativ", "konstruerad", "antagande"):
            assert "eftersom" in f.source, (f.what, f.source)
    out = rfm_cli("docs", "stockholm")
    assert out.exit_code == 0, out.output
    assert "## Verkliga och illustrativa uppgifter" in out.output
    assert "### Verkliga uppgifter, med källa" in out.output
    assert "### Illustrativa eller delvis illustrativa uppgifter, och varför" in out.output
