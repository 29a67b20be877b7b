"""Registrations by name, imported on first use: what keeps `rfm --help` and `rfm plugins` light.

A model type, a reader or a schema is code that imports Polars (a fifth of a second) and more.
Listing the plugins, or running a command that reads no table, needs only their names. So a
plugin may register a :class:`Deferred` — the name and where the object lives — instead of
the object::

    @rfm.hookimpl
    def register_model_types(register):
        register(rfm.Deferred("sarskilt_boende", "rfm_ostersund.models:SarskiltBoende"))

The registry keeps such entries in a :class:`LazyTable`, which imports the object the first
time it is looked up and checks that it is what the name promised (a model type whose
``type_name`` is that name, a reader or schema of that name). Registering the object itself
stays possible and means the same.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Generic, TypeVar

import attrs

from rfm.errors import PluginError

V = TypeVar("V")


@attrs.frozen
class Deferred:
    """A registration by ``name`` of the object at ``target`` (``"package.module:attribute"``).

    ``suffixes`` are a reader's file suffixes, so that which reader reads a ``.csv`` file (and
    whether two plugins claim it) is known without importing either.
    """

    name: str
    target: str = attrs.field()
    suffixes: tuple[str, ...] = ()

    @target.validator
    def _module_and_attribute(self, _: object, value: str) -> None:
        module, _sep, attribute = value.partition(":")
        if not module or not attribute:
            raise PluginError(
                f"{self.name!r} is registered at {value!r}; expected 'package.module:attribute'"
            )

    def load(self) -> Any:
        """Import the module and return the attribute (a plugin's error names both)."""
        module_name, _, attribute = self.target.partition(":")
        try:
            found: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError) as exc:
            raise PluginError(
                f"{self.name!r} is registered at {self.target!r}, which cannot be imported: {exc}"
            ) from exc
        return found


class LazyTable(MutableMapping[str, V], Generic[V]):
    """``name → object`` where an entry may be :class:`Deferred` until it is first looked up.

    ``check(name, obj)`` runs on each object a :class:`Deferred` gives and returns it, or raises
    :class:`PluginError` when the object is not what the name promised. Iterating over names,
    ``len`` and ``in`` import nothing; looking up a value imports that value only.
    """

    def __init__(
        self, check: Callable[[str, Any], V], items: Mapping[str, V | Deferred] | None = None
    ) -> None:
        self._check = check
        self._items: dict[str, V | Deferred] = dict(items or {})

    def __getitem__(self, name: str) -> V:
        item = self._items[name]
        if isinstance(item, Deferred):
            loaded = self._check(name, item.load())
            self._items[name] = loaded
            return loaded
        return item

    def __setitem__(self, name: str, item: V | Deferred) -> None:
        self._items[name] = item

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def registered(self, name: str) -> V | Deferred:
        """The entry as registered, without importing it."""
        return self._items[name]

    def placed_first(self, items: Mapping[str, V]) -> LazyTable[V]:
        """A table with ``items`` before these entries (looked at first), nothing imported."""
        return LazyTable(self._check, {**items, **self._items})

    def __repr__(self) -> str:
        shown = {n: ("deferred" if isinstance(i, Deferred) else i) for n, i in self._items.items()}
        return f"LazyTable({shown!r})"
