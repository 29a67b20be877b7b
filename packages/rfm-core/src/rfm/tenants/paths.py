"""Keeping a tenant inside its folder.

A tenant file names its data by paths relative to its own folder. A path that is absolute, that
climbs out with ``..``, or that reaches a file through a symlink pointing outside the folder is
refused: one municipality's configuration can never read another's data, or the system's.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from rfm.errors import ConfigError, PathOutsideFolderError


def resolve_inside(folder: Path, relative: str, where: str) -> Path:
    """The real path of ``relative`` under ``folder``, or an error if it would leave it."""
    if not isinstance(relative, str) or not relative.strip():
        raise PathOutsideFolderError(f"{where}: expected a file path relative to the tenant file")
    if "\x00" in relative:
        raise ConfigError(f"{where}: {relative!r} contains a NUL byte, which no file name can")
    if (
        PurePosixPath(relative).is_absolute()
        or PureWindowsPath(relative).is_absolute()
        or (PureWindowsPath(relative).drive)
    ):
        raise PathOutsideFolderError(
            f"{where}: {relative!r} is an absolute path; give a path relative to {folder}"
        )
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise PathOutsideFolderError(
            f"{where}: {relative!r} leads outside the tenant's folder {root} (to {target})"
        )
    return target
