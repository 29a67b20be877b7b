"""The core never imports a plugin."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
from pathlib import Path

import rfm

PLUGIN_MODULES = ("rfm_kolada", "rfm_vaggeryd", "rfm_stockholm_ekbistand", "rfm_ostersund")


def test_core_source_imports_no_plugin():
    root = Path(rfm.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for name in names:
                    assert not name.startswith(PLUGIN_MODULES), f"{path} imports {name}"


def test_importing_every_core_module_loads_no_plugin():
    before = set(sys.modules)
    for info in pkgutil.walk_packages(rfm.__path__, "rfm."):
        importlib.import_module(info.name)
    loaded = set(sys.modules) - before
    assert not [m for m in loaded if m.startswith(PLUGIN_MODULES)]
