"""Facts about a frame, computed once while the frame lives.

A run reads each dataset once and hands the same frame to every model that uses it. What the
models then ask of it — its distinct years and areas, its rows in the data years of a run and
their age labels — is the same question each time; on a population of half a million rows each
answer is a pass over every row. :func:`memo` keeps the answer beside the frame (by identity,
through a weak reference) until the frame is gone, so a run's second model gets it for free.

Frames are immutable in Polars (every operation returns a new one), so an answer cannot go
stale while its frame lives.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import polars as pl

T = TypeVar("T")

_ANSWERS: dict[int, tuple[weakref.ref[pl.DataFrame], dict[Hashable, Any]]] = {}
_LOCK = threading.Lock()


def memo(frame: pl.DataFrame, question: Hashable, answer: Callable[[], T]) -> T:
    """``answer()``, computed the first time ``question`` is asked of ``frame`` and kept
    while ``frame`` lives."""
    key = id(frame)
    with _LOCK:
        entry = _ANSWERS.get(key)
        if entry is None or entry[0]() is not frame:
            entry = (weakref.ref(frame, _forget(key)), {})
            _ANSWERS[key] = entry
        answers = entry[1]
        if question in answers:
            return answers[question]  # type: ignore[no-any-return]
    value = answer()
    with _LOCK:
        answers[question] = value
    return value


def _forget(key: int) -> Callable[[weakref.ref[pl.DataFrame]], None]:
    answers, lock = _ANSWERS, _LOCK  # held here: at exit the module's globals may be gone

    def forget(ref: weakref.ref[pl.DataFrame]) -> None:
        with lock:
            entry = answers.get(key)
            if entry is not None and entry[0] is ref:
                del answers[key]

    return forget


def distinct(frame: pl.DataFrame, column: str) -> pl.Series:
    """The distinct values of ``column`` (in no particular order)."""
    return memo(frame, ("distinct", column), lambda: frame.get_column(column).unique())


def know_distinct(frame: pl.DataFrame, column: str, values: pl.Series) -> None:
    """Record ``values`` as the distinct values of ``column`` of ``frame`` (a reader that
    found them while parsing saves the next pass its work)."""
    memo(frame, ("distinct", column), lambda: values)


def carry_distinct(source: pl.DataFrame, target: pl.DataFrame) -> pl.DataFrame:
    """``target`` knowing what ``source`` knew of the distinct values of their common columns;
    for a frame that has the same rows as ``source`` (a column dropped, say)."""
    with _LOCK:
        entry = _ANSWERS.get(id(source))
        known = dict(entry[1]) if entry is not None and entry[0]() is source else {}
    for question, values in known.items():
        if (
            isinstance(question, tuple)
            and question[0] == "distinct"
            and question[1] in target.columns
        ):
            know_distinct(target, question[1], values)
    return target
