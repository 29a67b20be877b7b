"""Opening input files safely: only regular files, never a FIFO, a device or a socket.

A tenant folder may come from someone else. A data path that names a FIFO (``mkfifo pop.csv``)
would make a plain ``open`` wait forever for a writer; ``/dev/zero`` or ``/dev/urandom`` behind a
symlink would be read until memory runs out. Every file rfm reads as input goes through
:func:`open_regular`: it opens without blocking, checks on the open descriptor that the file is a
regular file (so nothing can swap it between a check and the read), and turns every way the
open can fail into one clear :class:`~rfm.errors.UnreadableFileError` naming the file.

This module imports only the standard library: the tenant file is read through it before
Polars is loaded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from rfm.errors import UnreadableFileError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words ("a FIFO (named pipe)", "a folder", …)."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def open_regular(path: Path, name: str | None = None) -> BinaryIO:
    """``path`` opened for binary reading, if it is a regular file; else a clear error."""
    name = name or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFileError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{name}: is a folder, not a file") from None
    except ValueError:  # "embedded null byte"
        raise UnreadableFileError(f"{name}: the path contains a NUL byte") from None
    except OSError as exc:
        raise UnreadableFileError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFileError(
                f"{name}: is {kind_of(mode)}, not a regular file; rfm reads data only from "
                "regular files"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: Path, name: str | None = None) -> bytes:
    """The bytes of ``path`` (a regular file), or a clear error naming it."""
    name = name or str(path)
    with open_regular(path, name) as f:
        try:
            return f.read()
        except OSError as exc:
            raise UnreadableFileError(f"{name}: cannot read ({exc.strerror})") from None


def check_regular_file(path: Path, name: str | None = None) -> None:
    """Refuse ``path`` unless it is a regular file that can be opened for reading."""
    open_regular(path, name).close()
