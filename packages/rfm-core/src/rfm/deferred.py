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
    whether two plugins claim it) is known without importing either; they must be the reader's
    own (checked when it is imported).
    """

    name: str = attrs.field()
    target: str = attrs.field()
    suffixes: tuple[str, ...] = attrs.field(default=())

    @name.validator
    def _text(self, _: object, value: object) -> None:
        if not isinstance(value, str) or not value:
            raise PluginError(f"a name must be text, not {value!r} (rfm.Deferred)")

    @target.validator
    def _module_and_attribute(self, _: object, value: object) -> None:
        module, _sep, attribute = value.partition(":") if isinstance(value, str) else ("", "", "")
        if not module or not attribute:
            raise PluginError(
                f"{self.name!r} is registered at {value!r}; expected 'package.module:attribute'"
            )

    @suffixes.validator
    def _suffixes(self, _: object, value: object) -> None:
        if not isinstance(value, tuple) or not all(
            isinstance(s, str) and len(s) > 1 and s.startswith(".") for s in value
        ):
            raise PluginError(
                f"{self.name!r}: suffixes: expected a tuple such as ('.se',), not {value!r}"
            )

    def load(self) -> Any:
        """Import the module and return the attribute.

        Whatever the import raises (an ``ImportError``, any other exception, a ``SyntaxError``,
        ``sys.exit()`` or a ``KeyboardInterrupt`` the module raises itself) is one
        :class:`PluginError` naming the entry; a real Ctrl-C still stops rfm
        (:func:`rfm.plugins.guard.guarded`).
        """
        from rfm.plugins.guard import describe, guarded

        try:
            found = guarded(self._import)
        except (ImportError, AttributeError) as exc:
            reason = str(exc)
        except SyntaxError as exc:
            reason = f"SyntaxError: {exc}"
        except Exception as exc:
            reason = describe(exc)
        else:
            return found
        raise PluginError(
            f"{self.name!r} is registered at {self.target!r}, which cannot be imported: {reason}"
        )

    def _import(self) -> Any:
        module_name, _, attribute = self.target.partition(":")
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):  # a module's __getattr__ is the plugin's code too
            found = getattr(found, part)
        return found


class LazyTable(MutableMapping[str, V], Generic[V]):
    """``name → object`` where an entry may be :class:`Deferred` until it is first looked up.

    ``check(name, entry)`` imports a :class:`Deferred` entry (:meth:`Deferred.load`) and returns
    its object, or raises :class:`PluginError` naming the plugin when the import fails or the
    object is not what the entry promised. Iterating over names, ``len`` and ``in`` import
    nothing; looking up a value imports that value only, and an entry that failed is tried
    again on the next look-up (it is never kept as a success).
    """

    def __init__(
        self, check: Callable[[str, Deferred], V], items: Mapping[str, V | Deferred] | None = None
    ) -> None:
        self._check = check
        self._items: dict[str, V | Deferred] = dict(items or {})

    def __getitem__(self, name: str) -> V:
        item = self._items[name]
        if isinstance(item, Deferred):
            loaded = self._check(name, item)
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


def usable(table: Mapping[str, V], on_error: Callable[[PluginError], None]) -> list[tuple[str, V]]:
    """Every entry of ``table`` that imports, in order; ``on_error`` is told of each that does not.

    For the commands that list everything (``rfm models``, ``rfm schemas``, ``rfm tenants
    schema``): one plugin's broken entry is named and the others are still listed.
    """
    found = []
    for name in list(table):
        try:
            found.append((name, table[name]))
        except PluginError as exc:
            on_error(exc)
    return found
