"""Writing output files so that a failure never leaves half a file, and never the wrong file.

Everything rfm writes goes to a temporary file in the same folder first and is renamed over the
target only when it is complete (``os.replace`` is atomic on one file system). If anything fails
on the way, the temporary file is removed and the old target, if any, is untouched.

What ``--out`` may replace is checked before anything is computed (:func:`check_output_target`)
and again when writing: only a regular file the user may write, in a folder that exists and
can be written. A symlink (rfm does not write through links), a FIFO, a device (``/dev/null``
would be replaced by a file, as root), a folder or a read-only file is refused. A full disk or a
read-only folder ends in one clear :class:`~rfm.errors.OutputError`, not a traceback.

:func:`held_outputs` keeps the files written inside it as temporary files until the caller
releases them: ``rfm run --save --out`` writes the output, stores the run, and only then puts
the output in place, so that either both happen or neither does.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from rfm.errors import OutputError
from rfm.files import kind_of

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
_RUST_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def describe_os_error(exc: OSError) -> str:
    """An OS error in words a user acts on: the disk is full, the folder is read-only, …

    Polars writing a file itself raises an OSError with no ``errno``, only Rust's text
    ("No space left on device (os error 28)"); the number is read from that text.
    """
    code, reason = exc.errno, exc.strerror
    rust = _RUST_OS_ERROR.search(str(exc)) if code is None else None
    if rust is not None:
        code, reason = int(rust[1]), os.strerror(int(rust[1]))
    if code in _FULL:
        return "the disk is full (no space left on the device); nothing was written"
    if code in _READ_ONLY:
        return f"not allowed to write there ({reason}); is the folder read-only?"
    return reason or str(exc)


def check_output_target(target: Path) -> None:
    """Refuse a target rfm must not replace (see the module docstring), before any work."""
    target = Path(target)
    if "\x00" in str(target):
        raise OutputError(f"{target!r}: the path contains a NUL byte")
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise OutputError(f"{target}: the folder {folder} does not exist")
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{target}: {describe_os_error(exc)}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                f"{target}: is a symbolic link; rfm replaces only regular files (give the path "
                "the link points to, or another name)"
            )
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"{target}: is {kind_of(info.st_mode)}, not a regular file; rfm writes only "
                "regular files"
            )
        if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise OutputError(f"{target}: the file is read-only; rfm leaves it as it is")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{target}: cannot write in the folder {folder} (read-only)")


_HELD: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("rfm_held_outputs", default=None)


class HeldOutputs:
    """Files written but not yet in place: ``(temporary file, target)`` pairs."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, Path]] = []

    def release(self) -> None:
        """Put every held file in place (each rename is atomic)."""
        while self.files:
            tmp, target = self.files[0]
            try:
                tmp.replace(target)
            except OSError as exc:
                raise OutputError(f"{target}: {describe_os_error(exc)}") from None
            self.files.pop(0)

    def discard(self) -> None:
        for tmp, _ in self.files:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.files.clear()


@contextlib.contextmanager
def held_outputs() -> Iterator[HeldOutputs]:
    """Files written inside stay temporary until ``release()``; on an error they are removed."""
    held = HeldOutputs()
    token = _HELD.set(held.files)
    try:
        yield held
    except BaseException:
        held.discard()
        raise
    finally:
        _HELD.reset(token)
    held.discard()  # anything not released is not wanted


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` in one step."""
    target = Path(target)
    check_output_target(target)
    folder = target.parent if str(target.parent) else Path()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: {describe_os_error(exc)}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:
            raise OutputError(f"{target}: {describe_os_error(exc)}") from None
        except Exception as exc:  # a writer library wrapping the OS error (xlsxwriter does)
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, OSError):
                raise OutputError(f"{target}: {describe_os_error(cause)}") from None
            if _RUST_OS_ERROR.search(str(exc)):  # Polars' Parquet writer: "… (os error 28)"
                raise OutputError(f"{target}: {describe_os_error(OSError(str(exc)))}") from None
            raise
        # mkstemp makes the file private (0600); give it the mode any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
        held = _HELD.get()
        if held is not None:
            held.append((tmp, target))
            return
        try:
            tmp.replace(target)
        except OSError as exc:
            raise OutputError(f"{target}: {describe_os_error(exc)}") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
