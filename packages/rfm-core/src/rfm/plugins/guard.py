"""Calling a plugin's code so that nothing it raises takes rfm down.

A plugin is third-party code. Its import or a hook may raise anything, including what is not an
``Exception``: ``sys.exit()`` raises ``SystemExit``, a stray ``raise KeyboardInterrupt`` looks like
Ctrl-C. rfm catches all of it and names the plugin, with one exception: a real Ctrl-C, the user
stopping rfm, must still stop it. :func:`guarded` tells the two apart by watching for the SIGINT
signal itself while the plugin's code runs; :func:`load_in_thread` imports a plugin in a worker
thread (where a signal never arrives) so that ``rfm --help`` can stop waiting for a slow one.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class PluginCrash(Exception):
    """A plugin's code raised something that is not an ``Exception`` (sys.exit, …)."""


def describe(exc: BaseException) -> str:
    """What a plugin did, in words: "called sys.exit(3)", "raised KeyboardInterrupt", …"""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt itself (no Ctrl-C was pressed)"
    if isinstance(exc, PluginCrash):
        return str(exc)
    return repr(exc)


@contextmanager
def _watching_ctrl_c() -> Iterator[list[bool]]:
    """Within: ``pressed[0]`` becomes True when SIGINT really arrives (main thread only)."""
    pressed = [False]
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        if previous == signal.SIG_IGN:
            return
        pressed[0] = True
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not in the main interpreter: leave signals alone
        yield pressed
        return
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def guarded(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)``; anything it raises arrives as an ``Exception``.

    ``SystemExit``, a self-raised ``KeyboardInterrupt`` and other ``BaseException`` subclasses
    become :class:`PluginCrash`; ``Exception`` subclasses pass as they are; a KeyboardInterrupt
    from a real Ctrl-C passes as it is, so the user can still stop rfm.
    """
    with _watching_ctrl_c() as pressed:
        try:
            return func(*args, **kwargs)
        except Exception:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) and pressed[0]:
                raise
            raise PluginCrash(describe(exc)) from None


class Loading:
    """A plugin being imported in a worker thread: :meth:`wait` for its result or its error."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load
        self.value: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="rfm-plugin-import")
        self._thread.start()

    def _run(self) -> None:
        try:
            self.value = self._load()
        except BaseException as exc:  # a worker thread gets no signals: all is the plugin's
            self.error = exc

    def wait(self, timeout: float | None) -> bool:
        """True when the import has finished (well or not) within ``timeout`` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


def load_in_thread(load: Callable[[], Any]) -> Loading:
    """Start ``load()`` (a plugin's import) in a daemon thread."""
    return Loading(load)
