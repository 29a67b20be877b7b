"""What a tenant takes from the tenant it ``extends``: ``rfm tenants show X --inherited``.

A tenant file with ``extends = "vaggeryd"`` uses everything of Vaggeryd's it does not give
itself: its models, datasets, parameters, scenarios and its [prices], [documentation],
[frame], [report], [goals] and [simulation] tables. Inheriting is the point (national figures,
a consultant's shared models), but it should never be a surprise, so this lists it item by item,
with the base's own kommun-specific figures apart: those the child replaced and those it said
(``[tenant] inherit``) it uses as they are.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from rfm.config import get_table, load_toml
from rfm.registry import Registry
from rfm.tenants.paths import resolve_inside
from rfm.tenants.tenant import Tenant

TABLES = ("prices", "documentation", "frame", "report", "goals", "simulation")


@attrs.frozen
class Inheritance:
    """What ``tenant`` takes from ``base``, by kind."""

    tenant: Tenant
    base: Tenant
    extends: str
    models: tuple[str, ...]
    datasets: tuple[str, ...]
    parameters: tuple[str, ...]
    scenarios: tuple[str, ...]
    rates: tuple[str, ...]
    classifications: tuple[str, ...]
    tables: tuple[str, ...]
    own_inherited: tuple[str, ...]
    """The base's own figures the tenant said it uses as they are (``[tenant] inherit``)."""
    own_replaced: tuple[str, ...]


def inheritance(tenant: Tenant, registry: Registry) -> Inheritance | None:
    """What ``tenant`` inherits, or None when its file extends nothing."""
    if not tenant.origin:
        return None
    origin = Path(tenant.origin)
    doc = load_toml(origin)
    head = get_table(doc, "tenant", str(origin))
    extends = head.get("extends")
    if not isinstance(extends, str):
        return None
    if extends.endswith(".toml"):
        from rfm.tenants.toml_loader import load_tenant_file

        where = f"{origin}: [tenant].extends"
        base = load_tenant_file(resolve_inside(origin.resolve().parent, extends, where), registry)
    else:
        base = registry.tenant(extends)
    data = set(get_table(doc, "data", str(origin)))
    given = set(get_table(doc, "parameters", str(origin))) | set(
        get_table(doc, "overrides", str(origin))
    )
    scenarios = set(get_table(doc, "scenarios", str(origin)))
    inherit = head.get("inherit") or []
    replaced = tuple(
        item
        for item in base.own
        if (item.startswith("data.") and item[5:] in data)
        or (item.startswith("parameters.") and item[11:] in given)
    )
    return Inheritance(
        tenant=tenant,
        base=base,
        extends=extends,
        models=tuple(m.id for m in base.models),
        datasets=tuple(sorted(set(base.datasets) - data)),
        parameters=tuple(sorted(set(base.parameters) - given)),
        scenarios=tuple(sorted(set(base.scenarios) - scenarios)),
        rates=tuple(sorted(set(base.rates) - set(get_table(doc, "rates", str(origin))))),
        classifications=tuple(
            sorted(set(base.classifications) - set(get_table(doc, "classifications", str(origin))))
        ),
        tables=tuple(t for t in TABLES if t not in doc and _has(base, t)),
        own_inherited=tuple(i for i in base.own if i in inherit),
        own_replaced=replaced,
    )


def _has(base: Tenant, table: str) -> bool:
    value = getattr(base, table)
    if table == "prices":
        return bool(value.index or value.base_year)
    if table == "documentation":
        return bool(value.introduction or value.criteria)
    return value is not None
