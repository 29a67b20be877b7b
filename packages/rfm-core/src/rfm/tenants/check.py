"""``rfm tenants check TENANT | --config FILE``: a tenant file against its schema, then as ``rfm run`` loads it.

The schema check lists every structural problem at once (an unknown key, a value of the wrong
shape), each with its place in the file; the loader then checks what only the data can tell and
stops at its first problem. Figures still marked to replace (``ERSÄTT``, as ``rfm init`` marks
them) are listed, so a starter file is not mistaken for a finished one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from rfm.config import load_toml
from rfm.errors import RfmError
from rfm.registry import Registry
from rfm.tenants.starter import MARK


@attrs.frozen
class CheckReport:
    """What ``rfm tenants check`` found."""

    file: Path
    schema_problems: tuple[str, ...]
    load_error: str
    to_replace: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.schema_problems and not self.load_error


def place(path: Any) -> str:
    """``models[2].bands`` from a jsonschema path (deque of keys and indices)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the file)"


def schema_problems(doc: Mapping[str, Any], registry: Registry) -> list[str]:
    """Every place where ``doc`` breaks the tenant schema, in file order."""
    from jsonschema import Draft7Validator

    from rfm.tenants.schema_export import tenant_schema

    validator = Draft7Validator(tenant_schema(registry))
    problems = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        # a failed if/then of a model type: say it in the words of the branch that failed
        problems.append(f"{place(error.absolute_path)}: {error.message}")
    return problems


def marked(value: Any, path: tuple[Any, ...] = ()) -> Iterator[str]:
    """The places of text values that still say ERSÄTT."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from marked(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from marked(v, (*path, i))
    elif isinstance(value, str) and MARK in value:
        yield place(path)


def check_file(path: Path, registry: Registry) -> CheckReport:
    from rfm.tenants.toml_loader import load_tenant_file

    doc = load_toml(path)
    problems = tuple(schema_problems(doc, registry))
    error = ""
    if not problems:
        try:
            load_tenant_file(path, registry)
        except RfmError as exc:
            error = str(exc)
    text = path.read_text(encoding="utf-8-sig")
    commented = [
        f"line {n}: {line.strip().lstrip('#').strip()}"
        for n, line in enumerate(text.splitlines(), start=1)
        if line.lstrip().startswith("#") and line.lstrip("# ").startswith(MARK)
    ]
    return CheckReport(path, problems, error, (*marked(doc), *commented))
