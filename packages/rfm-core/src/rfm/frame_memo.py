"""Facts about a frame, computed once per run (or found once while the file was read).

A run reads each dataset once and hands the same frame to every model that uses it. What the
models then ask of it — its distinct years and areas, its rows in the data years of a run and
their age labels — is the same question each time; on a population of half a million rows each
answer is a pass over every row. :func:`memo` keeps the answer for the rest of the run (the
``scope``: the run's context), so the run's second model gets it for free.

Answers are kept per run, not per frame, because a Polars frame can be changed in place
(``frame[i, "count"] = …``, ``frame.extend(…)``): a caller that hands :func:`rfm.run` a frame,
changes it and runs again must get the numbers of the changed frame, and a frame a caller
keeps must not be held here after the run (a simulation makes hundreds).

The one fact kept with a frame itself is what the reader found while parsing it: the distinct
values of its text columns (:func:`know_distinct`), true of the frame as read. A frame read by
rfm is rfm's; change it with ``with_columns`` (a new frame), not in place.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import polars as pl

T = TypeVar("T")

_READ: dict[int, tuple[weakref.ref[pl.DataFrame], dict[str, pl.Series]]] = {}
"""Per frame (by id, checked through a weak reference): the distinct values found on reading."""
_RUNS: weakref.WeakKeyDictionary[object, dict[tuple[int, Hashable], Any]] = (
    weakref.WeakKeyDictionary()
)
"""Per run context: (frame id, question) → (weak reference to the frame, answer)."""
_LOCK = threading.Lock()


def memo(frame: pl.DataFrame, question: Hashable, answer: Callable[[], T], scope: object) -> T:
    """``answer()``, computed the first time ``question`` is asked of ``frame`` within
    ``scope`` (a run's context) and kept until the scope is gone.

    A scope that cannot be weakly referenced keeps nothing: the answer is computed each time.
    """
    key = (id(frame), question)
    with _LOCK:
        try:
            answers = _RUNS.setdefault(scope, {})
        except TypeError:  # not weakly referable (or not hashable): nothing is kept
            answers = None
        if answers is not None:
            kept = answers.get(key)
            if kept is not None and kept[0]() is frame:  # not another frame with a dead one's id
                return kept[1]  # type: ignore[no-any-return]
    value = answer()
    if answers is not None:
        with _LOCK:
            answers[key] = (weakref.ref(frame), value)
    return value


def distinct(frame: pl.DataFrame, column: str, scope: object | None = None) -> pl.Series:
    """The distinct values of ``column`` (in no particular order): as the reader found them,
    else kept for ``scope`` (a run's context) when one is given, else computed."""
    with _LOCK:
        entry = _READ.get(id(frame))
        if entry is not None and entry[0]() is frame and column in entry[1]:
            return entry[1][column]

    def values() -> pl.Series:
        return frame.get_column(column).unique()

    return values() if scope is None else memo(frame, ("distinct", column), values, scope)


def know_distinct(frame: pl.DataFrame, column: str, values: pl.Series) -> None:
    """Record ``values`` as the distinct values of ``column`` of ``frame``, a frame the reader
    has just made (it found them while parsing: the next pass is saved)."""
    key = id(frame)
    with _LOCK:
        entry = _READ.get(key)
        if entry is None or entry[0]() is not frame:
            entry = (weakref.ref(frame, _forget(key)), {})
            _READ[key] = entry
        entry[1].setdefault(column, values)


def _forget(key: int) -> Callable[[weakref.ref[pl.DataFrame]], None]:
    answers, lock = _READ, _LOCK  # held here: at exit the module's globals may be gone

    def forget(ref: weakref.ref[pl.DataFrame]) -> None:
        with lock:
            entry = answers.get(key)
            if entry is not None and entry[0] is ref:
                del answers[key]

    return forget


def carry_distinct(source: pl.DataFrame, target: pl.DataFrame) -> pl.DataFrame:
    """``target`` knowing what ``source`` knew of the distinct values of their common columns;
    for a frame the reader made with the same rows as ``source`` (a column dropped, say)."""
    with _LOCK:
        entry = _READ.get(id(source))
        known = dict(entry[1]) if entry is not None and entry[0]() is source else {}
    for column, values in known.items():
        if column in target.columns:
            know_distinct(target, column, values)
    return target
