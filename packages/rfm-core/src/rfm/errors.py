"""The exceptions rfm raises, as a taxonomy.

Every error a *user* can cause and fix (a bad file, an unknown parameter, a path that leaves the
tenant's folder) derives from :class:`RfmError`. The command line prints such an error as one
clear message and exits with code 1, never with a traceback. Anything else that escapes is a bug
in rfm or in a plugin, and is allowed to show its traceback.

Errors that concern a place in a file carry a :class:`Location` (file, row, column), so that the
message always says where the problem is and what was expected there.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Location:
    """Where in an input a problem is: file, row (1-based, as a spreadsheet shows it), column."""

    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts) if parts else "(no location)"


@attrs.frozen
class Problem:
    """One thing wrong at one place: the value found and what was expected instead."""

    location: Location
    expected: str
    found: str | None = None

    def __str__(self) -> str:
        found = f": found {self.found!r}" if self.found is not None else ""
        return f"{self.location}{found}; expected {self.expected}"


class RfmError(Exception):
    """A problem the user can fix. The CLI prints it and exits 1, without a traceback."""


class InputError(RfmError):
    """An input file or value is not what rfm expected; lists every problem found at once."""

    def __init__(self, problems: Sequence[Problem], title: str | None = None) -> None:
        self.problems = tuple(problems)
        self.title = title or "invalid input"
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        lines = [f"{self.title} ({len(self.problems)} problem{'s' * (len(self.problems) != 1)}):"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        return "\n".join(lines)


class UnreadableFileError(RfmError):
    """A file that cannot be read at all: missing, wrong format, wrong encoding, truncated."""


class ConfigError(RfmError):
    """A tenant or parameter file that is not valid: unknown keys, wrong types, missing values."""


class PathOutsideFolderError(ConfigError):
    """A configured path that leaves the tenant's data folder (``..``, absolute, a symlink out)."""


class ParameterError(RfmError):
    """A parameter that is unknown, has no unit, or has no value for a year."""


class UnknownNameError(RfmError):
    """A name (tenant, model, model type, scenario, schema, reader) that is not known."""

    def __init__(self, kind: str, name: str, known: Sequence[str]) -> None:
        import difflib

        self.kind, self.name, self.known = kind, name, tuple(known)
        choices = ", ".join(sorted(known)) or "none"
        near = difflib.get_close_matches(str(name), [str(k) for k in known], n=3, cutoff=0.6)
        self.suggestions = tuple(near)
        hint = f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""
        super().__init__(f"unknown {kind} {name!r}{hint}; known: {choices}")


class ModelError(RfmError):
    """A model that cannot compute with the data and parameters it was given."""


class ContractError(RfmError):
    """Lineage rows that break the contract (columns, types, amount = volume × rate)."""


class PluginError(RfmError):
    """A plugin that failed to load or raised inside a hook."""


class OutputError(RfmError):
    """An output that cannot be written where it was asked for."""
