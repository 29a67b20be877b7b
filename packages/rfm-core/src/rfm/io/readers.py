"""Which reader reads which file: by suffix, extensible by plugins.

A reader is a function ``(path, name=…, **options) -> RawTable``. The core registers CSV, Excel,
Parquet and PxWeb JSON; a plugin may register more through the ``register_readers`` hook.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from rfm.errors import ConfigError, RfmError, UnknownNameError
from rfm.files import check_regular_file
from rfm.io.csv_reader import read_csv
from rfm.io.table import RawTable

ReadFunction = Callable[..., RawTable]
"""``(path, *, name=None, **options) -> RawTable``."""


@attrs.frozen
class Reader:
    """A named reader, the suffixes it handles by default, and the options it accepts."""

    name: str
    suffixes: tuple[str, ...]
    read: ReadFunction
    options: tuple[str, ...] = ()
    description: str = ""
    reads_typed: bool = False
    """The reader accepts ``column_kinds``: each column's kind by name, as the schema the table
    is read for declares it (a hint to read number columns as numbers)."""

    def refusing(self, error: Exception) -> Reader:
        """This reader made unusable: reading with it raises ``error`` (a name two plugins claim)."""

        def refuse(path: Path, **_: Any) -> RawTable:
            raise error

        return attrs.evolve(self, read=refuse)


def _imported_when_read(module: str, function: str) -> ReadFunction:
    """``module.function``, imported when a file is first read with it (the Excel reader's XML
    parser, say, is no part of a run that reads CSV files)."""

    def read(path: Path, **options: Any) -> RawTable:
        try:
            read_function: ReadFunction = getattr(importlib.import_module(module), function)
        except Exception as exc:  # a broken install: one clear error, as when rfm imported it
            raise RfmError(
                f"{path}: the reader {module}:{function} cannot be imported: {exc!r}"
            ) from None
        return read_function(path, **options)

    read.__name__ = read.__qualname__ = function
    return read


read_excel = _imported_when_read("rfm.io.excel_reader", "read_excel")
read_parquet = _imported_when_read("rfm.io.parquet_reader", "read_parquet")
read_pxweb = _imported_when_read("rfm.io.pxweb_reader", "read_pxweb")

CSV_READER = Reader(
    "csv",
    (".csv", ".txt", ".tsv"),
    read_csv,
    ("separator", "encoding", "decimal_comma", "thousands_separator"),
    "CSV, also Swedish exports (';', decimal comma, Latin-1)",
    reads_typed=True,
)
EXCEL_READER = Reader("excel", (".xlsx",), read_excel, ("sheet",), "Excel workbook, one sheet")
PARQUET_READER = Reader("parquet", (".parquet",), read_parquet, (), "Parquet")
PXWEB_READER = Reader("pxweb", (".json",), read_pxweb, (), "SCB PxWeb JSON-stat2 / v1 json")
BUILTIN_READERS = (CSV_READER, EXCEL_READER, PARQUET_READER, PXWEB_READER)


def pick_reader(readers: Mapping[str, Reader], path: Path, fmt: str | None) -> Reader:
    """The reader named ``fmt``, or the one whose suffix matches ``path``.

    The suffixes are read as registered (:meth:`rfm.deferred.LazyTable.registered`), so only
    the reader chosen is imported: a plugin's reader that fails to import stops the files it
    reads, not every file whose reader comes after it.
    """
    if fmt:
        if fmt not in readers:
            raise UnknownNameError("file format", fmt, list(readers))
        return readers[fmt]
    suffix = path.suffix.lower()
    registered = _registered_suffixes(readers)
    for name, suffixes in registered.items():
        if suffix in suffixes:
            return readers[name]
    known = sorted({s for suffixes in registered.values() for s in suffixes})
    raise ConfigError(
        f"{path.name}: no reader for files ending {suffix or '(no suffix)'!r}; known: "
        f'{", ".join(known)} (or give format = "csv" …)'
    )


def _registered_suffixes(readers: Mapping[str, Reader]) -> dict[str, tuple[str, ...]]:
    """Each reader's suffixes, in order, without importing a reader registered by name."""
    from rfm.deferred import LazyTable

    if isinstance(readers, LazyTable):
        return {name: readers.registered(name).suffixes for name in readers}
    return {name: reader.suffixes for name, reader in readers.items()}


def read_table(
    readers: Mapping[str, Reader],
    path: Path,
    *,
    name: str | None = None,
    fmt: str | None = None,
    options: Mapping[str, Any] | None = None,
    column_kinds: Callable[[str], str | None] | None = None,
) -> RawTable:
    """Read ``path`` with the right reader, checking the options it is given.

    ``column_kinds`` tells a reader that can use it (:attr:`Reader.reads_typed`) the kind each
    column will be checked as; others read as they always do.

    Only a regular file is handed to a reader: a FIFO or a device is refused here, before any
    reader (a plugin's too) could block on it or read it without end.
    """
    reader = pick_reader(readers, path, fmt)
    check_regular_file(path, name or str(path))
    options = dict(options or {})
    unknown = sorted(set(options) - set(reader.options))
    if unknown:
        raise ConfigError(
            f"{name or path}: the {reader.name} reader has no option(s) {', '.join(unknown)}; "
            f"it accepts: {', '.join(reader.options) or 'none'}"
        )
    if column_kinds is not None and reader.reads_typed:
        options["column_kinds"] = column_kinds
    return reader.read(path, name=name or str(path), **options)
