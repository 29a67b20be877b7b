"""A set of named parameters: what a tenant, a model or a scenario decides."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import attrs

from rfm.errors import ParameterError, UnknownNameError
from rfm.parameters.dated import DatedValue, Parameter


@attrs.frozen
class ParameterSet(Mapping[str, Parameter]):
    """Parameters by key. Lookups of unknown keys are errors, never silent defaults."""

    _by_key: Mapping[str, Parameter] = attrs.field(factory=dict)

    @classmethod
    def of(cls, parameters: Iterable[Parameter]) -> ParameterSet:
        by_key: dict[str, Parameter] = {}
        for p in parameters:
            if p.key in by_key:
                raise ParameterError(f"parameter {p.key!r} is defined twice")
            by_key[p.key] = p
        return cls(by_key)

    def __getitem__(self, key: str) -> Parameter:
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownNameError("parameter", key, list(self._by_key)) from None

    def __contains__(self, key: object) -> bool:
        # Mapping's default asks __getitem__ and expects KeyError; ours raises a user error.
        return key in self._by_key

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def at(self, key: str, year: int) -> DatedValue:
        """The dated value of ``key`` in force in ``year``."""
        return self[key].at(year)

    def value(self, key: str, year: int) -> float:
        """The number ``key`` has in ``year``."""
        return self[key].value_at(year)

    def with_overrides(self, overrides: Iterable[Parameter]) -> ParameterSet:
        """A copy with each override merged into the parameter of the same key.

        Every key is checked before anything changes, so an override set with one bad key
        changes nothing (no half-applied reform).
        """
        overrides = list(overrides)
        unknown = [p.key for p in overrides if p.key not in self._by_key]
        if unknown:
            raise ParameterError(
                f"cannot override unknown parameter(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(self._by_key)) or 'none'}"
            )
        merged = dict(self._by_key)
        for p in overrides:
            merged[p.key] = merged[p.key].merged_with(p)
        return ParameterSet(merged)

    def union(self, other: ParameterSet) -> ParameterSet:
        """Both sets together; a key in both is an error."""
        return ParameterSet.of([*self.values(), *other.values()])

    def with_prefix(self, prefix: str) -> ParameterSet:
        """The parameters whose key starts with ``prefix``."""
        return ParameterSet({k: v for k, v in self._by_key.items() if k.startswith(prefix)})
