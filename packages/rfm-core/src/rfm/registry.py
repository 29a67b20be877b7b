"""What is installed: model types, readers, schemas and tenants, gathered from the plugins."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from rfm.errors import PluginError, UnknownNameError

if TYPE_CHECKING:  # at run time these would import Polars, which listing plugins does not need
    from rfm.io.readers import Reader
    from rfm.models.base import Model
    from rfm.schemas.spec import SchemaSpec
    from rfm.tenants.tenant import Tenant


@attrs.frozen
class TenantDefinition:
    """A tenant a plugin packages; loaded only when asked for, so one bad tenant harms no other."""

    id: str
    name: str
    load: Callable[[Registry], Tenant]
    plugin: str = ""

    @classmethod
    def from_toml(
        cls, path: Path, *, name: str | None = None, plugin: str = ""
    ) -> TenantDefinition:
        """A tenant defined by a TOML file shipped inside a plugin package."""
        from rfm.config import load_toml

        doc = load_toml(path)
        tenant_table = doc.get("tenant", {})
        tenant_id = str(tenant_table.get("id", path.stem))

        def load(registry: Registry) -> Tenant:
            from rfm.tenants.toml_loader import tenant_from_document  # Polars, on use only

            return tenant_from_document(doc, path, registry)

        return cls(tenant_id, name or str(tenant_table.get("name", tenant_id)), load, plugin)


ReportSectionProvider = Callable[[Any, Any, str], Sequence[tuple[str, str, str]]]
"""Given a run result, the registry and a language (sv, en): report sections (id, title, HTML)."""


@attrs.define
class Registry:
    """Everything the installed plugins contributed, by name."""

    model_types: MutableMapping[str, type[Model]] = attrs.field(factory=dict)
    """By name; a plugin's registry holds them in an :class:`rfm.deferred.LazyTable`, which
    imports each on first use (the same for readers and schemas)."""
    readers: MutableMapping[str, Reader] = attrs.field(factory=dict)
    schemas: MutableMapping[str, SchemaSpec] = attrs.field(factory=dict)
    tenants: dict[str, TenantDefinition] = attrs.field(factory=dict)
    report_sections: list[ReportSectionProvider] = attrs.field(factory=list)
    """Callables (run result, registry, language) → [(id, title, HTML)] adding report sections."""
    conflicts: dict[tuple[str, str], tuple[str, str]] = attrs.field(factory=dict)
    """(kind, name) → the two plugins that both register it: the name is nobody's."""
    _loaded: dict[str, Tenant] = attrs.field(factory=dict)

    def conflict(self, kind: str, name: str) -> PluginError:
        first, second = self.conflicts[(kind, name)]
        return PluginError(
            f"{kind} {name!r} is registered by two plugins, {first!r} and {second!r}; rfm will "
            "not choose between them: uninstall one (rfm plugins lists both)"
        )

    def _check(self, kind: str, name: str) -> None:
        if (kind, name) in self.conflicts:
            raise self.conflict(kind, name)

    def model_type(self, name: str) -> type[Model]:
        self._check("model type", name)
        if name not in self.model_types:
            raise UnknownNameError("model type", name, list(self.model_types))
        return self.model_types[name]

    def schema(self, name: str) -> SchemaSpec:
        self._check("schema", name)
        if name not in self.schemas:
            raise UnknownNameError("schema", name, list(self.schemas))
        return self.schemas[name]

    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant ``tenant_id``, loaded on first use."""
        self._check("tenant", tenant_id)
        if tenant_id not in self.tenants:
            raise UnknownNameError("tenant", tenant_id, list(self.tenants))
        if tenant_id not in self._loaded:
            self._loaded[tenant_id] = self.tenants[tenant_id].load(self)
        return self._loaded[tenant_id]

    def tenant_names(self) -> Mapping[str, str]:
        return {t.id: t.name for t in self.tenants.values()}
