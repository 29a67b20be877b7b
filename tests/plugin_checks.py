"""Checks every plugin package must pass with only rfm-core beside it."""

from __future__ import annotations

import ast
import importlib
import re
import sys
import tomllib
from pathlib import Path

from rfm.plugins.manager import PluginHost

ROOT = Path(__file__).resolve().parents[1]


def check_plugin(entry_point: str, module: str, package_dir: str) -> None:
    host = PluginHost()
    listed = {p.name: p for p in host.plugins()}
    assert entry_point in listed, f"{entry_point} not found among {sorted(listed)}"
    assert listed[entry_point].status == "ok", listed[entry_point].error
    assert "rfm" in listed, "the core registers itself as a plugin too"
    importlib.import_module(module)
    stdlib = set(sys.stdlib_module_names)
    # Beyond rfm and what rfm-core brings (click, polars, attrs), a plugin may import what its
    # own pyproject declares.
    pyproject = tomllib.loads((ROOT / "packages" / package_dir / "pyproject.toml").read_text())
    declared = {
        re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].replace("-", "_")
        for d in pyproject["project"].get("dependencies", [])
    } - {"rfm_core"}
    for path in (ROOT / "packages" / package_dir / "src" / module).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert (
                    top in stdlib
                    or top in declared
                    or top
                    in (
                        "rfm",
                        module,
                        "rfm_kolada",
                        "click",
                        "polars",
                        "attrs",
                        "pytest",
                    )
                ), f"{path}: imports {name}"
                if top == "rfm":
                    assert name == "rfm", (
                        f"{path}: imports {name}; plugins use only rfm's public API"
                    )
