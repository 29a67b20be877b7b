"""Strict readers for configuration tables (the dicts a TOML file becomes).

Configuration is data: rfm reads it with ``tomllib`` and checks every key against what is
allowed, so a typo (``sorce`` for ``source``) is an error naming the file and the key, not a
silently ignored line. Nothing in a configuration file is ever evaluated as code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from rfm.errors import ConfigError, UnreadableFileError

Table = Mapping[str, Any]


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every way it can fail into a clear error naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot read ({exc.strerror})") from None
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
    """A number (int or float, never a bool or text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, found {value!r}")
    return float(value)


def get_year(key: Any, where: str) -> int:
    """A budget year written as a TOML key (``2024 = …`` arrives as the text ``"2024"``)."""
    text = str(key).strip()
    if not text.isdigit() or len(text) != 4:
        raise ConfigError(f"{where}: expected a four-digit budget year, found {key!r}")
    return int(text)


def get_table(table: Table, key: str, where: str) -> Table:
    value = table.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}.{key}: expected a table, found {value!r}")
    return value
