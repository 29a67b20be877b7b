"""What a schema says about a table: its columns, their kinds, its key, and its value checks.

A :class:`SchemaSpec` is the contract for one kind of frame that crosses a boundary (a population
file, a table of insats counts, the lineage rows a model yields). It has two layers:

* the columns and their kinds, which rfm uses to turn text cells into typed values, naming
  every cell that does not parse (file, row, column, what was expected);
* a pandera ``DataFrameModel`` over Polars with the value checks (``count >= 0``, a known
  kommunkod), run lazily so that every failing row is reported at once. It may be given as the
  class or as ``"module:Class"``, imported when a table is first validated (pandera is slow to
  import, and ``rfm plugins`` lists schemas without validating anything).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import attrs

from rfm.errors import PluginError, Problem

if TYPE_CHECKING:
    import polars as pl

FrameCheck = Callable[["pl.DataFrame", str], list[Problem]]
"""A check over a whole typed table (with ``_row``) that names each row it fails: ``(frame, file)``."""

ColumnKind = Literal["text", "int", "number", "age", "sex"]

KIND_EXPECTED = {
    "text": "text (without control characters)",
    "int": "a whole number",
    "number": "a number (decimal comma or point; spaces between thousands are fine)",
    "age": "an age or age group (85, 80-89, 90+)",
    "sex": "a sex: m or k (man/kvinna, män/kvinnor, 1/2) or totalt",
}


@attrs.frozen
class ColumnSpec:
    """One column: its name, kind, whether it must be present and whether it may be empty."""

    name: str
    kind: ColumnKind
    description: str = ""
    required: bool = True
    nullable: bool = False


@attrs.frozen
class SchemaSpec:
    """A named table schema (see module docstring)."""

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    model: type | str
    """The pandera ``DataFrameModel`` with the value checks, or its ``"module:Class"``."""
    key: tuple[str, ...] = ()
    extra_columns: ColumnKind | None = None  # kind of further columns, or None to drop them
    frame_checks: tuple[FrameCheck, ...] = ()
    """Checks over the whole table in Polars (ages that overlap, …), each naming its rows."""
    passes: Callable[[pl.DataFrame], bool] | None = None
    """A native pass that is True only when the pandera checks would all pass: then pandera is
    not run (it costs far more); when it is False, pandera runs and names every failing row."""

    def checks(self) -> type:
        """The pandera model with the value checks (imported now if given as a name)."""
        if isinstance(self.model, type):
            return self.model
        module, _, name = self.model.partition(":")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise PluginError(
                f"schema {self.name!r}: its checks {self.model!r} cannot be imported ({exc})"
            ) from None
        if not isinstance(found, type):
            raise PluginError(f"schema {self.name!r}: {self.model!r} is not a class")
        return found

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def kind_of(self, name: str) -> ColumnKind | None:
        """The kind a column of this name is checked as: its own, else that of extra columns."""
        for column in self.columns:
            if column.name == name:
                return column.kind
        return self.extra_columns
