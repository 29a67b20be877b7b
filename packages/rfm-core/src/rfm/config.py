"""Strict readers for configuration tables (the dicts a TOML file becomes).

Configuration is data: rfm reads it with ``tomllib`` and checks every key against what is
allowed, so a typo (``sorce`` for ``source``) is an error naming the file and the key, not a
silently ignored line. Nothing in a configuration file is ever evaluated as code.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from rfm.errors import ConfigError, UnreadableFileError
from rfm.files import read_regular_file

Table = Mapping[str, Any]

MAX_NUMBER = 1e15
"""The largest magnitude a number in a configuration file may have (10^15, a million billion).

No municipal rate, amount or index comes near it; beyond it a typo (``1e300``) would overflow
what tables and workbooks can show, and a float no longer holds whole öre."""

READER_OPTION_TYPES = {
    "separator": "one character (';', ',' or a tab)",
    "encoding": "the name of a text encoding ('utf-8', 'cp1252', 'latin-1') or 'auto'",
    "decimal_comma": "true or false (without quotes)",
    "sheet": "a sheet name",
}


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every way it can fail into a clear error naming the file."""
    raw = read_regular_file(Path(path), str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"{path}: not UTF-8 (byte {exc.start}); TOML files must be saved as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of [[…]] or { … }
        raise ConfigError(
            f"{path}: not valid TOML: arrays or tables nested too deeply to read"
        ) from None


def check_keys(
    table: Table, where: str, *, allowed: Collection[str], required: Collection[str] = ()
) -> None:
    """Refuse keys that are not allowed, and name the required keys that are missing."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table, found {type(table).__name__}")
    unknown = sorted(set(table) - set(allowed) - set(required))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted({*allowed, *required}))}"
        )
    missing = [k for k in required if k not in table]
    if missing:
        raise ConfigError(f"{where}: missing required key(s) {', '.join(map(repr, missing))}")


def get_str(table: Table, key: str, where: str, default: str | None = None) -> str:
    """A string value, or ``default`` when absent and one is given."""
    if key not in table:
        if default is None:
            raise ConfigError(f"{where}: missing required key {key!r}")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: expected text, found {value!r}")
    return value


def get_number(value: Any, where: str) -> float:
    """A finite number (int or float, never a bool or text) of magnitude at most 10^15.

    TOML knows ``inf`` and ``nan``, and a typo such as ``1e300`` is a valid float: neither is a
    value anyone decided. ``-0.0`` is read as 0 (it would print as "-0").
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, found {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer with more digits than a float holds
        number = math.inf
    if not math.isfinite(number):
        raise ConfigError(f"{where}: expected a finite number, found {value!r}")
    if abs(number) > MAX_NUMBER:
        raise ConfigError(
            f"{where}: {value!r} is larger than any municipal figure (at most 10^15); "
            "check the value"
        )
    return number + 0.0


def get_year(key: Any, where: str) -> int:
    """A budget year written as a TOML key (``2024 = …`` arrives as the text ``"2024"``).

    Only the ASCII digits 0–9: ``"²⁰²⁴"`` or Arabic-Indic digits are digits to Python's
    ``str.isdigit`` but not a year anyone typed on purpose.
    """
    text = str(key).strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        raise ConfigError(f"{where}: expected a four-digit budget year, found {key!r}")
    return int(text)


def get_reader_options(table: Table, keys: Collection[str], where: str) -> dict[str, Any]:
    """The reader options among ``keys`` in ``table``, each checked for its type.

    ``separator`` is one character, ``encoding`` a text encoding Python knows (or ``auto``),
    ``decimal_comma`` a TOML boolean (``"yes"`` is text, and text is not silently true),
    ``sheet`` a name.
    """
    options: dict[str, Any] = {}
    for key in keys:
        if key in table:
            value = table[key]
            if not _reader_option_ok(key, value):
                expected = READER_OPTION_TYPES.get(key, "a value")
                raise ConfigError(f"{where}.{key}: expected {expected}, found {value!r}")
            options[key] = value
    return options


def _reader_option_ok(key: str, value: Any) -> bool:
    if key == "separator":
        return isinstance(value, str) and len(value) == 1 and value not in '\r\n"'
    if key == "encoding":
        return isinstance(value, str) and (value == "auto" or _text_encoding(value))
    if key == "decimal_comma":
        return isinstance(value, bool)
    if key == "sheet":
        return isinstance(value, str) and bool(value)
    return True


def _text_encoding(name: str) -> bool:
    try:
        b"".decode(name)  # LookupError for unknown names and for rot13-like str codecs
    except LookupError:
        return False
    return True


NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""Ids and names (tenant, model, dataset, scenario): lower-case ASCII letters, digits, - and _.

Checked with a *full* match: a pattern anchored with ``$`` would let ``"prov\n"`` through, and a
name may end up in a file name (the run archive, reproduced inputs, demo outputs)."""


def check_name(value: Any, where: str) -> str:
    """``value`` if it is a valid id or name (:data:`NAME_PATTERN`), else a clear error."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value) or len(value) > 100:
        raise ConfigError(
            f"{where}: {value!r} is not a valid name (lower-case letters a–z, digits, '-' and "
            "'_', starting with a letter or digit)"
        )
    return value


def get_table(table: Table, key: str, where: str) -> Table:
    value = table.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}.{key}: expected a table, found {value!r}")
    return value
