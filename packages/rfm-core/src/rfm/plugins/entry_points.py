"""The installed plugins' entry points, read from their metadata folders directly.

``importlib.metadata`` imports the ``email`` package and its helpers to read a distribution's
metadata: 30–60 ms of every command's start, more than all of rfm's own modules take to import.
An entry point is one line of a small INI file, ``entry_points.txt``, in each distribution's
``NAME-VERSION.dist-info`` (or ``.egg-info``) folder on ``sys.path``; this module reads those
files as ``importlib.metadata`` finds them:

* the folders of each ``sys.path`` entry, in order; a distribution found twice counts once, the
  first time (by its normalised name, as ``importlib.metadata`` does);
* the distribution's name and version from the first lines of its ``METADATA`` (``PKG-INFO``).

A ``sys.path`` entry that is not a folder (a zip archive) is one this reading does not cover:
then the answer comes from ``importlib.metadata`` itself.
"""

from __future__ import annotations

import importlib
import re
import sys
from functools import reduce
from pathlib import Path
from typing import Any

import attrs

_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value, ``module:attr [extras]`` (importlib.metadata's pattern)."""


@attrs.frozen
class EntryPoint:
    """One ``name = module:attr`` of an entry-point group, with the distribution declaring it."""

    name: str
    value: str
    package: str
    version: str

    def load(self) -> Any:
        """Import the module and return the attribute the value names (or the module)."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r}: {self.value!r} is not module:attribute")
        module = importlib.import_module(match.group("module"))
        return reduce(getattr, filter(None, (match.group("attr") or "").split(".")), module)


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point of ``group`` that the distributions on ``sys.path`` declare."""
    folders = [Path(p or ".") for p in sys.path]
    if any(p.exists() and not p.is_dir() for p in folders):
        return _from_importlib(group)
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for folder in folders:
        try:
            paths = sorted(folder.iterdir())
        except OSError:
            continue
        for path in paths:
            stem, dot, suffix = path.name.rpartition(".")
            if not dot or suffix.lower() not in ("dist-info", "egg-info"):
                continue
            key = _normalised(stem.partition("-")[0])
            if key in seen:
                continue
            seen.add(key)
            declared = _section(path / "entry_points.txt", group)
            if declared:
                package, version = _name_and_version(path)
                found += [EntryPoint(n, v, package, version) for n, v in declared]
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _section(path: Path, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of ``[group]`` in an ``entry_points.txt`` (none if absent)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    section, out = None, []
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.strip()))
    return out


def _name_and_version(folder: Path) -> tuple[str, str]:
    """``Name`` and ``Version`` from the header of a distribution's ``METADATA`` file."""
    fields: dict[str, str] = {}
    for file in ("METADATA", "PKG-INFO"):
        try:
            with (folder / file).open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # the header ends at the first blank line
                    key, _, value = line.partition(":")
                    if key in ("Name", "Version"):
                        fields.setdefault(key, value.strip())
        except (OSError, UnicodeDecodeError):
            continue
        break
    return fields.get("Name", "?"), fields.get("Version", "?")


def _from_importlib(group: str) -> list[EntryPoint]:
    import importlib.metadata as metadata

    return [
        EntryPoint(
            ep.name,
            ep.value,
            ep.dist.name if ep.dist else "?",
            ep.dist.version if ep.dist else "?",
        )
        for ep in metadata.entry_points(group=group)
    ]
