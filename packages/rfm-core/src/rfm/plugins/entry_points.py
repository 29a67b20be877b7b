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
import os
import re
import sys
from functools import reduce
from pathlib import Path, PurePath
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
    if any(Path(p or ".").exists() and not Path(p or ".").is_dir() for p in sys.path):
        return _from_importlib(group)
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for entry in sys.path:
        for path in _distributions(entry):
            metadata = _Metadata(path)
            key = _normalised(_name_from_stem(path.name) or metadata.fields()[0])
            if key in seen:
                continue
            seen.add(key)
            declared = _section(path / "entry_points.txt", group)
            if declared:
                package, version = metadata.fields()
                found += [EntryPoint(n, v, package, version) for n, v in declared]
    return found


def _distributions(entry: str) -> list[Path]:
    """The metadata folders of one ``sys.path`` entry, in importlib.metadata's order: the
    folder's own order (not sorted), those of one normalised name together, an ``.egg``'s
    ``EGG-INFO`` last."""
    try:
        children = [child.name for child in Path(entry or ".").iterdir()]  # os.listdir's order
    except OSError:
        return []
    infos: dict[str, list[Path]] = {}
    eggs: list[Path] = []
    is_egg = os.path.basename(entry).lower().endswith(".egg")  # noqa: PTH119 ("x.egg/" is not)
    for child in children:
        low = child.lower()
        if low.endswith((".dist-info", ".egg-info")):
            name = _normalised(low.rpartition(".")[0].partition("-")[0])
            infos.setdefault(name, []).append(Path(entry, child))
        elif is_egg and low == "egg-info":
            eggs.append(Path(entry, child))
    return [*(path for paths in infos.values() for path in paths), *eggs]


def _name_from_stem(folder: str) -> str:
    """The distribution's name as its folder's name gives it (``Foo_Bar-1.0.dist-info``), or
    "" when the name is not there (then importlib.metadata takes its ``METADATA``'s)."""
    path = PurePath(folder)
    return path.stem.partition("-")[0] if path.suffix in (".dist-info", ".egg-info") else ""


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _section(path: Path, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of ``[group]`` in an ``entry_points.txt`` (none if absent),
    read as importlib.metadata reads them: ``#`` starts a comment, ``[ x ]`` names the section
    `` x ``. A line without ``=`` (importlib.metadata raises on it) is passed over."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    section, out = None, []
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.strip()))
    return out


_HEADER = re.compile(r"(From |[\041-\071\073-\176]*:|[\t ])")
"""A line of a metadata file's header (the ``email`` package's pattern)."""


class _Metadata:
    """``Name`` and ``Version`` of a distribution, read when first asked for."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._fields: tuple[str, str] | None = None

    def fields(self) -> tuple[str, str]:
        """``Name`` and ``Version`` as ``email`` reads them from the header of ``METADATA``
        (else ``PKG-INFO``, else an ``.egg-info`` file itself): field names in any case, the
        first of each, continuation lines joined; "?" for one that is not there."""
        if self._fields is None:
            fields: dict[str, str] = {}
            for line, value in _header_fields(_metadata_text(self._folder)):
                fields.setdefault(line.lower(), value)
            self._fields = (fields.get("name", "?"), fields.get("version", "?"))
        return self._fields


def _metadata_text(folder: Path) -> str:
    for file in ("METADATA", "PKG-INFO", ""):
        try:
            text = (folder / file if file else folder).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            return text
    return ""


def _header_fields(text: str) -> list[tuple[str, str]]:
    """The header's ``(field, value)`` pairs, as ``email.message_from_string`` gives them."""
    lines: list[str] = []
    for line in re.findall(r"[^\n]*\n|[^\n]+", text):  # read_text made every line end "\n"
        if not _HEADER.match(line):
            break  # a blank line ends the header, and so does any line that is not one
        lines.append(line)
    pairs: list[tuple[str, list[str]]] = []
    for line in lines:
        if line[0] in " \t":
            if pairs:
                pairs[-1][1].append(line)
        elif not line.startswith("From ") and line.find(":") > 0:
            name, _, value = line.partition(":")
            pairs.append((name, [value.lstrip(" \t")]))
    return [(name, "".join(parts).rstrip("\r\n")) for name, parts in pairs]


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
